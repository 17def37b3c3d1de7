"""Inter-annotator agreement: the second annotation and the sample weights, on hand-made cases."""

from __future__ import annotations

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
    text = format_agreement(rep)
    assert "annotator-2" in text and "model" in text and "threat F1" in text
