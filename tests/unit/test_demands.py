"""A pledge demanded of someone else is no commitment (guidelines: demands on others)."""

import pytest
from claimstream.claims.builder import build_claims
from claimstream.claims.demands import demanded
from claimstream.extract.base import Span
from claimstream.text.sentences import Sentence
from marks import unmark

# the commitment span the tagger might tag is in brackets
DEMANDS = [
    "[Russia wants a pledge that Ukraine will never join NATO].",
    "Russia wants [a pledge that Ukraine will never join NATO].",
    "Moscow demanded legally binding guarantees [that NATO would not expand eastward].",
    "Russia has offered a list of demands that it wants addressed, including [a pledge that Ukraine will"
    " never be allowed to join NATO].",
    "The unions called for a written commitment [that no plant will close].",
    "Kyiv is pressing for security guarantees [that the allies will defend it].",
    "Kremlin demands that [NATO pledge not to expand eastward].",  # settled case 12
    "The envoy urged the rebels [to commit to a ceasefire by Friday].",
    "Washington called on Beijing [to promise restraint in the strait].",
]
COMMITMENTS = [
    "[The United States has pledged to keep its allies informed].",
    "[Germany will send helmets], although Kyiv wants guarantees of heavier arms.",
    "Ukraine wants peace, and [it has pledged to hold talks].",
    "[Biden gave assurances that the US would defend its allies].",
    "[The company promised to stop flying to the region].",
    "[The United States wants to pledge more aid to Kyiv].",
    "We asked them, and [they agreed to pledge their support].",
]


@pytest.mark.parametrize("marked", DEMANDS)
def test_a_demanded_pledge_is_recognised(marked: str) -> None:
    text, start, end = unmark(marked)
    assert demanded(text, 0, start, end)


@pytest.mark.parametrize("marked", COMMITMENTS)
def test_an_actors_own_pledge_is_not_a_demand(marked: str) -> None:
    text, start, end = unmark(marked)
    assert not demanded(text, 0, start, end)


def test_the_builder_emits_no_commitment_for_a_demanded_pledge() -> None:
    text = (
        "Russia wants a pledge that Ukraine will never join NATO. The United States has pledged to consult."
    )
    first, second = Sentence(0, 56), Sentence(57, len(text))
    spans = [
        [Span("commitment", 0, 55, 0.9)],
        [Span("commitment", 0, second.end - second.start - 1, 0.9)],
    ]
    claims = build_claims("a1", text, [first, second], spans, model_version="t", extracted_at="now")
    assert [(c.type, c.text) for c in claims] == [("commitment", "The United States has pledged to consult")]
    assert all(text[c.start : c.end] == c.text for c in claims)
