"""A company's announced stop or restart of its own service is a commitment (guidelines, settled
case 3: "a company announcing that it will stop flying to a country makes a commitment")."""

import pytest
from claimstream.claims.services import find_service_stops
from claimstream.extract.base import Span
from claimstream.extract.hybrid import settle_types
from marks import unmark

# our own wording; the evidence found is in brackets
FOUND = [
    "[Dutch airline KLM will stop flying to Ukraine], the company said.",
    "[Lufthansa will suspend flights to Kyiv and Odesa from Monday].",
    "[Norwegian Air will halt all flights to Russia], a spokesman said.",
    "[The airline said it would cancel its flights to Ukraine until further notice].",
    "[Finnair is to resume its direct flights to Tallinn in March].",
    "The carrier has lost money all year; [it plans to end its service to Minsk].",
    "[The shipping group Maersk will temporarily halt sailings to and from Russian ports].",
]
NOT_FOUND = [
    "The United States will suspend all flights to Cuba.",  # a government's restriction
    "You would suspend flights on Iran Air to Europe if Iran supplies missiles.",  # a sanction
    "The airline will suspend flights to Kyiv if the fighting spreads.",  # a condition
    "Lufthansa would suspend flights to Kyiv in a war.",  # a hypothesis
    "Will KLM stop flying to Ukraine?",  # a question
    "KLM suspended flights to Ukraine last week.",  # done, not announced
    "Authorities will suspend internet service in all districts.",  # not a company's own service
    "Israel will stop its operations in Rafah, the company's statement said.",  # no service word
]


@pytest.mark.parametrize("marked", FOUND)
def test_an_announced_stop_of_ones_own_service_is_found(marked: str) -> None:
    sentence, start, end = unmark(marked)
    assert find_service_stops(sentence) == [(start, end)]


@pytest.mark.parametrize("sentence", NOT_FOUND)
def test_no_stop_is_found_where_none_is_announced(sentence: str) -> None:
    assert find_service_stops(sentence) == []


def test_the_served_tagger_adds_it_as_a_commitment_and_retypes_a_threat_so_worded() -> None:
    s = "Dutch airline KLM will stop flying to Ukraine, the company said."
    [added] = settle_types(s, [])
    assert (added.type, s[added.start : added.end]) == (
        "commitment",
        "Dutch airline KLM will stop flying to Ukraine",
    )
    tagged = [Span("commitment", 14, 45, 0.9)]
    assert settle_types(s, tagged) == tagged
    [retyped] = settle_types(s, [Span("threat", 14, 45, 0.8)])
    assert (retyped.type, retyped.start, retyped.end, retyped.score) == ("commitment", 14, 45, 0.8)
    # a coercive threat around it is no service stop: nothing is found, the threat stays
    c = "The government will suspend flights to Moscow if Russia invades, the airline said."
    assert settle_types(c, [Span("threat", 0, 63, 0.9)]) == [Span("threat", 0, 63, 0.9)]
