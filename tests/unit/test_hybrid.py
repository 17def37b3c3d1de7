from collections.abc import Sequence

from claimstream.extract.base import Span
from claimstream.extract.hybrid import GRAMMAR_SCORE, GrammarAssistedTagger


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
