"""A warning that relations will be broken off is a threat (guidelines: "breaking off
relations"; their first threat example)."""

import pytest
from claimstream.claims.ruptures import find_ruptures
from claimstream.extract.base import Span
from claimstream.extract.hybrid import settle_types
from marks import unmark

# the evidence found is in brackets
FOUND = [
    "[Putin warned that new sanctions would be a colossal mistake that could lead to a complete"
    " breakdown of relations].",
    "[The Kremlin said further sanctions would lead to a rupture in relations with Washington].",
    "[Ecuador will sever diplomatic ties with Israel] if the strikes continue, the president said.",
    "[The country has threatened to break off relations with the Netherlands].",
    "Tensions rose; [Minsk warned it might cut off ties with its neighbour].",
]
NOT_FOUND = [
    "Venezuela broke off relations with Colombia in 2010.",  # done, not warned
    "The rebel army promised to cut ties to drug trafficking.",  # no relations with a party
    "Relations between the two countries have collapsed.",
    "Moscow warned that any NATO expansion would trigger a military response.",  # no rupture named
]


@pytest.mark.parametrize("marked", FOUND)
def test_a_warned_rupture_of_relations_is_found(marked: str) -> None:
    sentence, start, end = unmark(marked)
    assert find_ruptures(sentence) == [(start, end)]


@pytest.mark.parametrize("sentence", NOT_FOUND)
def test_no_rupture_is_found_where_none_is_warned(sentence: str) -> None:
    assert find_ruptures(sentence) == []


def test_the_served_tagger_adds_it_as_a_threat_unless_one_is_tagged() -> None:
    s = "Putin warned that new sanctions could lead to a complete breakdown of relations."
    [added] = settle_types(s, [])
    assert (added.type, s[added.start : added.end]) == ("threat", s[:-1])
    tagged = [Span("threat", 0, 30, 0.9)]
    assert settle_types(s, tagged) == tagged
