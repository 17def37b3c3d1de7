"""A warning that a coercive move would be a mistake is a threat (the guidelines' first threat
example: "Putin warned that new sanctions would be a colossal mistake ...")."""

import pytest
from claimstream.claims.mistakes import find_mistake_warnings
from claimstream.extract.base import Span
from claimstream.extract.hybrid import settle_types
from marks import unmark

# the evidence found is in brackets
FOUND = [
    "[Putin warned that new sanctions would be a colossal mistake] that could lead to a breakdown.",
    "[Putin warns Biden that sanctions would be a “colossal mistake]”",
    "[In response, Putin said that a new round of sanctions would be a “colossal mistake].”",
    "[Putin warns Biden of “colossal mistake]”",
    "[The Kremlin cautioned that any incursion would be a grave mistake], officials said.",
    "[Tehran warned Washington that further strikes could be a fatal mistake].",
]
NOT_FOUND = [
    "But the President said that it would be a big mistake for Israel to reoccupy Gaza.",  # no move
    "Tim Ryan has also said this would be a major mistake to use those tariffs.",  # an opinion
    "Make no mistake: Russia will not prevail in this conflict.",
    "Sanctions were a mistake, the columnist argues.",  # no actor says it; nothing ahead
    "He admitted the invasion was a mistake.",  # done, not warned
]


@pytest.mark.parametrize("marked", FOUND)
def test_a_warning_that_a_move_would_be_a_mistake_is_found(marked: str) -> None:
    sentence, start, end = unmark(marked)
    assert find_mistake_warnings(sentence) == [(start, end)]


@pytest.mark.parametrize("sentence", NOT_FOUND)
def test_no_warning_is_found_in_an_opinion_or_a_past_judgement(sentence: str) -> None:
    assert find_mistake_warnings(sentence) == []


def test_the_served_tagger_adds_it_as_a_threat_unless_one_is_tagged() -> None:
    s = "Putin warns Biden that sanctions would be a colossal mistake."
    [added] = settle_types(s, [])
    assert (added.type, s[added.start : added.end]) == ("threat", s[:-1])
    tagged = [Span("threat", 0, 30, 0.9)]
    assert settle_types(s, tagged) == tagged


def test_a_warned_rupture_after_the_mistake_keeps_the_one_longer_threat() -> None:
    s = (
        "Putin warned that new sanctions would be a colossal mistake that could lead to a complete"
        " breakdown of relations."
    )
    [added] = settle_types(s, [])
    assert (added.type, s[added.start : added.end]) == ("threat", s[:-1])
