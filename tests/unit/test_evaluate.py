"""Claim-level evaluation: matching, scores, quantity and speaker comparison, on hand-made cases."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from claimstream.extract.base import Span
from claimstream.training.evaluate import (
    GoldSpans,
    Remembered,
    evaluate,
    format_report,
    match_spans,
    prf,
    quantity_equal,
    score_extractor,
    speaker_equal,
)


def test_match_requires_same_type_and_overlap() -> None:
    gold = [("threat", 0, 10)]
    assert match_spans(gold, [("commitment", 0, 10)]) == []
    assert match_spans(gold, [("threat", 10, 20)]) == []  # touching is not overlapping
    assert match_spans(gold, [("threat", 9, 20)]) == [(0, 0)]


def test_match_is_one_to_one_greedy_by_overlap() -> None:
    gold = [("commitment", 0, 20), ("commitment", 25, 40)]
    pred = [("commitment", 5, 30), ("commitment", 0, 8)]
    # pred 0 overlaps gold 0 by 15 and gold 1 by 5; pred 1 overlaps gold 0 by 8
    assert match_spans(gold, pred) == [(0, 0)]
    # one prediction covering two gold claims matches only one of them
    assert len(match_spans(gold, [("commitment", 0, 40)])) == 1
    # two predictions inside one gold claim: one match, one false positive
    assert match_spans([("threat", 0, 50)], [("threat", 0, 10), ("threat", 20, 45)]) == [(0, 1)]


def test_overlapping_types_match_independently() -> None:
    gold = [("commitment", 0, 40), ("troop_count", 15, 27)]
    pred = [("troop_count", 15, 27), ("commitment", 5, 40)]
    assert match_spans(gold, pred) == [(0, 1), (1, 0)]


def test_prf() -> None:
    assert prf(0, 0, 0)["f1"] == 0.0
    r = prf(2, 4, 2)
    assert r["precision"] == 0.5 and r["recall"] == 1.0 and r["fp"] == 2 and r["fn"] == 0
    assert abs(r["f1"] - 2 / 3) < 1e-9


@pytest.mark.parametrize(
    ("pred", "gold", "ok"),
    [
        (None, None, True),
        ("Putin", None, False),
        (None, "Putin", False),
        ("putin", "Vladimir Putin", True),
        ("White House press secretary Jen Psaki", "Psaki", True),
        ("Biden", "Putin", False),
        ("", None, True),
        ("President Biden", "President Joe Biden", True),  # words, not one string inside the other
        ("the U.S", "U.S.", True),
        ("the", "the Zetas", False),  # a function word names nobody
        ("he", "the President", False),  # no longer a match because "he" is in "the"
        ("They each", "President Biden and Prime Minister Netanyahu", False),
        ("the President", "President Alvarez", False),  # a bare title may be another holder
        ("the President", "The President", True),
    ],
)
def test_speaker_equal(pred: str | None, gold: str | None, ok: bool) -> None:
    assert speaker_equal(pred, gold) is ok


@dataclass
class Q:
    value: int | None
    lower: int | None
    upper: int | None
    qualifier: str
    unit: str = "troops"


def test_quantity_equal() -> None:
    gold = {"value": 100000, "lower": None, "upper": 100000, "qualifier": "up_to", "unit": "troops"}
    assert quantity_equal(Q(100000, None, 100000, "up_to", "soldiers"), gold)  # unit not compared
    assert not quantity_equal(Q(100000, None, None, "up_to"), gold)
    assert not quantity_equal(Q(100000, None, 100000, "approx"), gold)
    assert not quantity_equal(None, gold)
    assert quantity_equal(None, None)


@dataclass
class Ex:
    doc_id: str
    start: int
    text: str
    claims: list[dict] = field(default_factory=list)


class Fake:
    name = "fake"
    version = "fake-1"

    def __init__(self, answers: dict[str, list[Span]]) -> None:
        self.answers = answers

    def tag(self, sentences: Sequence[str]) -> list[list[Span]]:
        return [self.answers.get(s, []) for s in sentences]


S1 = "The minister said they would send 2,000 troops."
S2 = "Nothing happened today."


def _examples() -> list[Ex]:
    i = S1.index("would")
    j = S1.index("2,000")
    return [
        Ex(
            "d1",
            0,
            S1,
            [
                {"type": "commitment", "start": i, "end": len(S1) - 1, "speaker": "the minister"},
                {
                    "type": "troop_count",
                    "start": j,
                    "end": j + 12,
                    "speaker": None,
                    "quantity": {
                        "value": 2000,
                        "lower": 2000,
                        "upper": 2000,
                        "qualifier": "exact",
                        "unit": "troops",
                    },
                },
            ],
        ),
        Ex("d1", 50, S2, []),
    ]


def test_score_extractor_counts() -> None:
    j = S1.index("2,000")
    fake = Fake(
        {
            S1: [Span("troop_count", j, j + 12, 0.9), Span("threat", 0, 17, 0.5)],
            S2: [Span("commitment", 0, 22, 0.6)],
        }
    )
    rep = score_extractor(fake, _examples())
    assert rep["per_type"]["troop_count"] == pytest.approx(
        {"tp": 1, "fp": 0, "fn": 0, "precision": 1.0, "recall": 1.0, "f1": 1.0}
    )
    assert rep["per_type"]["commitment"]["fn"] == 1 and rep["per_type"]["commitment"]["fp"] == 1
    assert rep["per_type"]["threat"]["fp"] == 1
    assert rep["micro"]["tp"] == 1 and rep["micro"]["fp"] == 2 and rep["micro"]["fn"] == 1
    assert rep["quantity"] == {"matched": 1, "correct": 1, "accuracy": 1.0}


def test_evaluate_and_format_side_by_side() -> None:
    perfect = Fake({S1: [Span(c["type"], c["start"], c["end"], 1.0) for c in _examples()[0].claims]})
    empty = Fake({})
    rep = evaluate({"model": perfect, "baseline": empty}, "eval", examples=_examples())
    assert rep["models"]["model"]["micro"]["f1"] == 1.0
    assert rep["models"]["baseline"]["micro"]["f1"] == 0.0
    assert rep["gold"] == {"threat": 0, "commitment": 1, "troop_count": 1}
    table = format_report(rep)
    header = next(line for line in table.splitlines() if "model" in line and "baseline" in line)
    assert header.index("model") < header.index("baseline")
    assert "troop_count F1" in table and "micro F1" in table


def test_evaluate_attributes_speakers_with_the_documents_titles() -> None:
    doc = "THE PRESIDENT:  We will send 2,000 troops. Q    Will you send 500 troops?"
    said, asked = "We will send 2,000 troops.", "Will you send 500 troops?"
    s1, s2 = doc.index(said), doc.index(asked)
    claim = {"type": "commitment", "start": 0, "end": len(said) - 1, "speaker": "President Alvarez"}
    examples = [Ex("d1", s1, said, [claim]), Ex("d1", s2, asked, [])]
    fake = Fake({said: [Span("commitment", 0, len(said) - 1, 0.9)], asked: [Span("commitment", 0, 13, 0.9)]})
    with_title = evaluate(
        {"model": fake}, examples=examples, docs={"d1": doc}, titles={"d1": "Remarks by President Alvarez"}
    )["models"]["model"]
    assert with_title["speaker"]["correct"] == 1
    assert with_title["per_type"]["commitment"]["fp"] == 0  # a reporter's question yields no claim
    without = evaluate({"model": fake}, examples=examples, docs={"d1": doc})["models"]["model"]
    assert without["speaker"]["correct"] == 0  # "the President", not the title's President Alvarez


def test_evaluation_scores_what_the_claim_builder_emits() -> None:
    # a troop count with no readable number is dropped, as the worker drops it
    said = "They will send many more troops to the border."
    k = said.index("many")
    fake = Fake({said: [Span("troop_count", k, k + 15, 0.9)]})
    rep = score_extractor(fake, [Ex("d1", 0, said, [])])
    assert rep["per_type"]["troop_count"]["fp"] == 0
    # the speaker named in the sentence before a labelled one is found, as in the worker
    doc = "General Ortiz spoke on Monday. He said they would send 2,000 troops."
    s1 = doc.index("He said")
    sent = doc[s1:]
    j = sent.index("they would")
    claim = {"type": "commitment", "start": j, "end": len(sent) - 1, "speaker": "General Ortiz"}
    fake = Fake({sent: [Span("commitment", j, len(sent) - 1, 0.9)]})
    rep = score_extractor(fake, [Ex("d1", s1, sent, [claim])], docs={"d1": doc})
    assert rep["per_type"]["commitment"]["tp"] == 1
    assert rep["speaker"] == {"matched": 1, "correct": 1, "accuracy": 1.0}


def test_scores_by_source_split_news_unseen_sources_and_official_text() -> None:
    i = S1.index("would")
    claim = {"type": "commitment", "start": i, "end": len(S1) - 1, "speaker": None}
    examples = [Ex("wh:1", 0, S1, [claim]), Ex("ptc:2", 0, S1, [claim]), Ex("plover:3", 0, S1, [])]
    fake = Fake({S1: [Span("commitment", i, len(S1) - 1, 0.9)]})
    rep = score_extractor(fake, examples)
    assert rep["per_type"]["commitment"]["tp"] == 2
    assert rep["by_source"]["unseen"]["per_type"]["commitment"]["fp"] == 1
    assert rep["by_source"]["official"]["per_type"]["commitment"]["tp"] == 1
    assert rep["by_source"]["news"]["per_type"]["commitment"]["tp"] == 1
    assert rep["by_source"]["news"]["sentences"] == 1
    table = format_report(
        {"split": "eval", "sentences": 2, "sentences_with_claims": 2, "gold": {}, "models": {"model": rep}}
    )
    assert "news commitment F1" in table and "official micro F1" in table and "unseen threat F1" in table
    both = format_report(
        {"split": "eval", "sentences": 2, "sentences_with_claims": 2, "gold": {},
         "models": {"model": rep, "gold-spans": rep}}
    )  # fmt: skip
    speed = next(line for line in both.splitlines() if line.startswith("sentences/s")).split()
    assert speed[1:] == [str(rep["sentences_per_s"]), "-"]  # the gold column reads remembered tags


def test_gold_spans_score_attribution_alone() -> None:
    doc = "Defence Minister Ana Ruiz spoke on Monday. They would send 2,000 troops, an aide said."
    s1 = doc.index("They would")
    sent = doc[s1:]
    j = sent.index("would")
    claim = {"type": "commitment", "start": j, "end": sent.index(","), "speaker": "Ana Ruiz"}
    examples = [Ex("d1", s1, sent, [claim]), Ex("d1", 0, doc[:s1].strip(), [])]
    gold = GoldSpans(examples)
    rep = score_extractor(gold, examples, docs={"d1": doc})
    assert rep["per_type"]["commitment"] == pytest.approx(
        {"tp": 1, "fp": 0, "fn": 0, "precision": 1.0, "recall": 1.0, "f1": 1.0}
    )
    # "an aide said" names the speaker in the sentence; gold says the minister: attribution is wrong
    assert rep["speaker"] == {"matched": 1, "correct": 0, "accuracy": 0.0}
    # the speaker mentions of the hinting extractor are passed through, claim spans of it are not
    k = doc.index("Ana Ruiz")
    hints = Fake({doc[:s1].strip(): [Span("speaker", k, k + 8, 0.9), Span("threat", 0, 7, 0.9)]})
    spans = GoldSpans(examples, hints=hints).tag([ex.text for ex in examples])
    assert spans[1] == [Span("speaker", k, k + 8, 0.9)]
    assert spans[0] == [Span("commitment", j, sent.index(","), 1.0)]
    with pytest.raises(ValueError, match="own examples"):
        gold.tag([sent])


def test_remembered_tags_the_same_sentences_once() -> None:
    calls: list[list[str]] = []

    class Counting(Fake):
        def tag(self, sentences: Sequence[str]) -> list[list[Span]]:
            calls.append(list(sentences))
            return super().tag(sentences)

    model = Remembered(Counting({S1: [Span("commitment", 0, 10, 0.9)]}))
    assert (model.name, model.version) == ("fake", "fake-1")
    first = model.tag([S1, S2])
    first[0].append(Span("threat", 0, 3, 0.5))  # a caller's change does not reach the next caller
    assert model.tag([S1, S2]) == [[Span("commitment", 0, 10, 0.9)], []]
    assert model.tag([S2]) == [[]]
    assert calls == [[S1, S2], [S2]]


def test_cli_eval_scores_the_model_the_worker_would_serve(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from claimstream import cli
    from claimstream.settings import get_settings
    from claimstream.training import evaluate as ev
    from typer.testing import CliRunner

    seen: list[list[str]] = []
    monkeypatch.setattr(ev, "main", lambda argv: seen.append(list(argv)))
    monkeypatch.setenv("CLAIMSTREAM_MODEL_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        assert CliRunner().invoke(cli.app, ["eval", "--gold-spans"]).exit_code == 0
        assert seen[-1] == ["--gold-spans", "--model-dir", str(tmp_path)]
        other = tmp_path / "other"
        assert CliRunner().invoke(cli.app, ["eval", "--model-dir", str(other)]).exit_code == 0
        assert seen[-1] == ["--model-dir", str(other)]
        monkeypatch.delenv("CLAIMSTREAM_MODEL_DIR")
        get_settings.cache_clear()
        assert CliRunner().invoke(cli.app, ["eval"]).exit_code == 0
        assert seen[-1] == []
    finally:
        get_settings.cache_clear()


def test_target_and_flag_accuracy_count_matched_threats_and_commitments_only() -> None:
    s = "Britain will expel more diplomats unless Moscow changes course, the minister warned."
    span = "Britain will expel more diplomats unless Moscow changes course"
    gold = {"type": "threat", "start": 0, "end": len(span), "speaker": "the minister"}
    right = Ex("d2", 0, s, [dict(gold, target="Moscow", conditional=True, negated=False)])
    wrong = Ex("d2", 0, s, [dict(gold, target="the diplomats", conditional=False, negated=False)])
    fake = Fake({s: [Span("threat", 0, len(span), 0.9)]})
    ok = score_extractor(fake, [right])
    assert ok["target"] == {"matched": 1, "correct": 1, "accuracy": 1.0}
    assert ok["flags"] == {"matched": 1, "correct": 1, "accuracy": 1.0}
    bad = score_extractor(fake, [wrong])
    assert bad["target"]["correct"] == 0 and bad["flags"]["correct"] == 0
    # a troop count has neither: only the commitment of _examples is counted
    counts = score_extractor(
        Fake({S1: [Span(c["type"], c["start"], c["end"], 1.0) for c in _examples()[0].claims]}), _examples()
    )
    assert counts["target"]["matched"] == 1 and counts["speaker"]["matched"] == 2
    assert "target acc" in format_report(evaluate({"model": fake}, "eval", examples=[right]))
