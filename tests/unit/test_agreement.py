"""Inter-annotator agreement: the second annotation and the sample weights, on hand-made cases."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from claimstream.training.agreement import agreement, format_agreement, sample_weights, second_claims
from claimstream.training.dataset import Example

TEXT = "Russia warned it would strike back."


def _gold(kind: str, start: int, end: int, **fields: object) -> dict[str, object]:
    return {"type": kind, "start": start, "end": end, "speaker": None, "quantity": None, **fields}


def test_second_claims_move_to_sentence_offsets() -> None:
    ex = Example("d1", 100, TEXT)
    row = {"claims": [{"type": "threat", "start": 107, "end": 134, "speaker": "Russia", "quantity": None}]}
    (c,) = second_claims(ex, row)
    assert (c.type, c.start, c.end, c.speaker) == ("threat", 7, 34, "Russia")
    assert TEXT[c.start : c.end] == "warned it would strike back"


def test_sentences_without_gold_claims_stand_for_the_unsampled_ones() -> None:
    examples = [
        Example("d", 0, TEXT, claims=[_gold("threat", 0, 5)]),
        Example("d", 50, TEXT),
        Example("d", 90, TEXT),
    ]
    assert sample_weights(examples, n_without_in_split=10) == [1.0, 5.0, 5.0]
    assert sample_weights(examples[:1], n_without_in_split=10) == [1.0]


def test_agreement_weights_false_positives_outside_the_claim_sentences() -> None:
    with_claim = Example("d1", 100, TEXT, claims=[_gold("threat", 7, 34, speaker="Russia")])
    empty_a = Example("d2", 0, TEXT)
    empty_b = Example("d3", 0, TEXT)
    examples = [with_claim, empty_a, empty_b]
    second = {
        ("d1", 100): {"claims": [{"type": "threat", "start": 114, "end": 134, "speaker": "russia"}]},
        ("d2", 0): {"claims": [{"type": "commitment", "start": 0, "end": 10}]},
        ("d3", 0): {"claims": []},
    }
    # the model misses the threat and adds a commitment in the claim sentence (weight 1)
    model = [[SimpleNamespace(type="commitment", start=0, end=6, quantity=None, speaker=None)], [], []]
    rep = agreement(examples, second, n_without_in_split=20, predicted={"model": model})
    a2 = rep["columns"]["annotator-2"]
    assert rep["weight_without_claims"] == 10.0
    assert a2["per_type"]["threat"]["f1"] == 1.0
    assert a2["per_type"]["commitment"]["fp"] == 10.0  # one false positive standing for ten sentences
    assert a2["micro"]["precision"] == pytest.approx(1 / 11)
    assert a2["speaker"] == {"matched": 1, "correct": 1, "accuracy": 1.0}
    m = rep["columns"]["model"]
    assert m["per_type"]["threat"]["recall"] == 0.0
    assert m["per_type"]["commitment"]["fp"] == 1.0
    assert set(rep["by_source"]) == {"news"}  # corpus-style ids, no White House or eval-only ones
    assert rep["by_source"]["news"]["annotator-2"]["per_type"]["commitment"]["fp"] == 10.0
    text = format_agreement(rep)
    assert "annotator-2" in text and "model" in text and "threat F1" in text and "news micro F1" in text


def test_blind_batches_take_every_claim_sentence_and_a_weighted_sample_of_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import argparse
    import json

    from claimstream.training import labelling

    text = "One. Two. Three."
    rows = [{"doc_id": f"d{i}", "start": 0, "end": 4, "claims": []} for i in range(10)]
    rows += [{"doc_id": f"p{i}", "start": 5, "end": 9, "claims": [{"type": "threat"}]} for i in range(3)]
    monkeypatch.setattr(labelling, "WORKDIR", tmp_path)
    monkeypatch.setattr(labelling, "read_labels", lambda split: rows)
    monkeypatch.setattr(labelling, "load_documents", lambda ids: {d: text for d in ids})
    labelling.blind(argparse.Namespace(name="ag", split="eval", negatives=4, parts=2, seed=1))
    batches = [[json.loads(x) for x in (tmp_path / f"ag{p}.jsonl").read_text().splitlines()] for p in "ab"]
    picked = [r for b in batches for r in b]
    assert len(picked) == 7 and len(batches[0]) == 4
    assert {r["doc_id"] for r in picked if r["doc_id"].startswith("p")} == {"p0", "p1", "p2"}
    assert {r["weight"] for r in picked if r["doc_id"].startswith("d")} == {2.5}  # 10 without, 4 drawn
    assert {r["weight"] for r in picked if r["doc_id"].startswith("p")} == {1.0}
    assert all(r["text"] == text[r["start"] : r["end"]] for r in picked)
    assert [r["sid"] for r in batches[1]] == ["agb-0000", "agb-0001", "agb-0002"]
