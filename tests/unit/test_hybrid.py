from collections.abc import Sequence

import numpy as np
import pytest
from claimstream.extract.base import Span
from claimstream.extract.hybrid import GRAMMAR_SCORE, GrammarAssistedTagger, inside_support, merge_troop_spans


class Fixed:
    """A tagger that returns the spans it was given, found by substring."""

    name = "fixed"
    version = "fixed-1"

    def __init__(self, wanted: dict[str, list[tuple[str, str]]]) -> None:
        self.wanted = wanted

    def tag(self, sentences: Sequence[str]) -> list[list[Span]]:
        out = []
        for s in sentences:
            spans = []
            for typ, piece in self.wanted.get(s, []):
                i = s.index(piece)
                spans.append(Span(typ, i, i + len(piece), 0.9))
            out.append(spans)
        return out


def texts(sentence: str, spans: list[Span]) -> list[tuple[str, str]]:
    return [(s.type, sentence[s.start : s.end]) for s in spans]


def test_a_tagged_troop_count_snaps_to_the_quantity_phrase() -> None:
    s = "Since then, up to 100,000 Russian troops have been piling up on the border."
    tagger = GrammarAssistedTagger(Fixed({s: [("troop_count", "100,000 Russian troops have been")]}))
    [spans] = tagger.tag([s])
    assert texts(s, spans) == [("troop_count", "up to 100,000 Russian troops")]
    assert spans[0].score == 0.9


def test_untagged_grammar_matches_are_added_and_other_types_kept() -> None:
    s = "Russia announced that it would withdraw 10,000 soldiers to their barracks."
    tagger = GrammarAssistedTagger(Fixed({s: [("commitment", "announced that it would withdraw")]}))
    [spans] = tagger.tag([s])
    assert texts(s, spans) == [
        ("commitment", "announced that it would withdraw"),
        ("troop_count", "10,000 soldiers"),
    ]
    assert spans[1].score == GRAMMAR_SCORE
    assert GrammarAssistedTagger(Fixed({}), add_missing=False).tag([s]) == [[]]


def test_model_troop_counts_without_a_grammar_phrase_are_kept_and_order_is_preserved() -> None:
    a, b = "Some 40 tanks rolled in.", "The brigade of several thousand men moved."
    tagger = GrammarAssistedTagger(Fixed({b: [("troop_count", "several thousand men")]}))
    out = tagger.tag([a, b])
    assert out[0] == []
    assert ("troop_count", "several thousand men") in texts(b, out[1])
    assert (tagger.name, tagger.version) == ("fixed", "fixed-1")


def test_untagged_grammar_counts_need_model_support_when_a_threshold_is_set() -> None:
    s = "Some 300 soldiers marched in the parade, and 5,000 troops will deploy next week."
    parade, deployment = s.index("Some 300 soldiers"), s.index("5,000 troops")
    support = {parade: 0.02, deployment: 0.4}  # the model's troop-count inside probability there

    def probe(start: int, end: int) -> float:
        return support[start]

    kept = merge_troop_spans(s, [], probe, min_support=0.1)
    assert texts(s, kept) == [("troop_count", "5,000 troops")]
    assert kept[0].score == GRAMMAR_SCORE
    assert texts(s, merge_troop_spans(s, [], probe, min_support=0.0)) == [
        ("troop_count", "Some 300 soldiers"),
        ("troop_count", "5,000 troops"),
    ]
    assert texts(s, merge_troop_spans(s, [])) == texts(s, merge_troop_spans(s, [], probe))


def test_inside_support_is_the_highest_probability_of_an_overlapping_token() -> None:
    offsets = [(0, 3), (4, 9), (10, 16)]
    support = inside_support(offsets, np.array([0.1, 0.7, 0.3]))
    assert support(4, 16) == pytest.approx(0.7)
    assert support(11, 12) == pytest.approx(0.3)
    assert support(20, 25) == 0.0


def test_the_threshold_comes_from_the_tagger_and_applies_to_real_probabilities() -> None:
    from claimstream.extract.onnx_tagger import OnnxTagger, default_model_dir

    tagger = OnnxTagger.load(default_model_dir(), intra_op_num_threads=1)
    hybrid = GrammarAssistedTagger(tagger)
    assert hybrid.min_support == tagger.grammar_min_inside
    s = "Officials said 4,000 soldiers would be sent to the border within days."
    strict = GrammarAssistedTagger(tagger, min_support=1.01)  # no count can be added, only snapped
    loose = GrammarAssistedTagger(tagger, min_support=0.0)
    [spans_loose] = loose.tag([s])
    [spans_strict] = strict.tag([s])
    assert ("troop_count", "4,000 soldiers") in texts(s, spans_loose)
    model_only = [x for x in tagger.tag([s])[0] if x.type == "troop_count"]
    assert len([x for x in spans_strict if x.type == "troop_count"]) == len(model_only)


def test_a_denial_of_an_attack_is_added_as_a_threat_unless_the_model_tagged_one() -> None:
    s = "Moscow insists it has no plans to invade Ukraine."
    [added] = GrammarAssistedTagger(Fixed({})).tag([s])
    assert texts(s, added) == [("threat", "it has no plans to invade Ukraine")]
    assert added[0].score == GRAMMAR_SCORE
    [kept] = GrammarAssistedTagger(Fixed({s: [("threat", "insists it has no plans")]})).tag([s])
    assert texts(s, kept) == [("threat", "insists it has no plans")]


def test_a_commitment_tagged_over_a_denial_of_an_attack_becomes_a_threat() -> None:
    s = "The ministry said it would not launch an offensive, and it will reopen the border."
    tagger = GrammarAssistedTagger(
        Fixed(
            {
                s: [
                    ("commitment", "it would not launch an offensive"),
                    ("commitment", "it will reopen the border"),
                ]
            }
        )
    )
    [spans] = tagger.tag([s])
    assert texts(s, spans) == [
        ("threat", "it would not launch an offensive"),
        ("commitment", "it will reopen the border"),
    ]


def test_a_denial_tagged_both_threat_and_commitment_stays_only_a_threat() -> None:
    s = '"We are not going to invade Ukraine," the deputy minister said, "and we will keep talking."'
    denial, talk = "We are not going to invade Ukraine", "we will keep talking"
    tagger = GrammarAssistedTagger(
        Fixed({s: [("threat", denial), ("commitment", denial), ("commitment", talk)]})
    )
    [spans] = tagger.tag([s])
    assert texts(s, spans) == [("threat", denial), ("commitment", talk)]
