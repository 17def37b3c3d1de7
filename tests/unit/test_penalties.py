"""An actor's announced sanctions or costs on another party are a threat (guidelines: "sanctions",
"serious costs and consequences")."""

import pytest
from claimstream.claims.penalties import find_penalties
from claimstream.extract.base import Span
from claimstream.extract.hybrid import settle_types
from marks import unmark

# our own wording; the evidence found is in brackets
FOUND = [
    "[Treasury will sanction four shipping firms tied to the smuggling network].",
    "First, [the State Department will impose visa restrictions on 40 officials of the junta].",
    "[We will impose severe costs on Moscow for this], he said.",
    "[The EU is going to impose new sanctions against the regime in Minsk], its foreign-policy chief said.",
    "[We’ll continue to impose consequences on those responsible].",
    "Officials met on Monday; [the coalition will levy further penalties on the refinery owners].",
]
NOT_FOUND = [
    "The United States would impose sanctions if it had the votes.",  # a hypothesis
    "The new law will impose jail terms on smugglers.",  # no penalty noun on a party
    "The directive will impose export controls on chip designers.",  # a rule, not an actor
    "Will the administration impose sanctions on Caracas?",  # a question
    "Treasury sanctioned three firms last week.",  # done, not announced
    "The EU said it will impose a carbon border tax.",  # a levy, no penalty
]


@pytest.mark.parametrize("marked", FOUND)
def test_an_announced_penalty_is_found(marked: str) -> None:
    sentence, start, end = unmark(marked)
    assert find_penalties(sentence) == [(start, end)]


@pytest.mark.parametrize("sentence", NOT_FOUND)
def test_no_penalty_is_found_where_none_is_announced(sentence: str) -> None:
    assert find_penalties(sentence) == []


def test_the_served_tagger_adds_it_as_a_threat_unless_one_is_tagged() -> None:
    s = "Treasury will sanction four shipping firms tied to the smuggling network."
    [added] = settle_types(s, [])
    assert (added.type, s[added.start : added.end]) == ("threat", s[:-1])
    tagged = [Span("threat", 0, 30, 0.9)]
    assert settle_types(s, tagged) == tagged
    # a commitment tagged over the penalty is not kept beside the threat
    [only] = settle_types(s, [Span("commitment", 0, 40, 0.8)])
    assert only.type == "threat"
