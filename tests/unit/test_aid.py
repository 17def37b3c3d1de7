"""Announced aid and troop withdrawals are commitments (guidelines: "is prepared to provide
Ukraine with further assistance", "would withdraw 10,000 soldiers")."""

import pytest
from claimstream.claims.aid import reads_as_aid
from claimstream.claims.defence import reads_as_defence
from claimstream.extract.base import Span
from claimstream.extract.hybrid import retype_worded

AID = [
    "The United States will send Javelin missiles to Ukraine",
    "Britain will send anti-tank weapons to Kyiv",
    "Washington is prepared to provide Ukraine with further assistance",
    "Germany pledged to deliver 5,000 helmets to Ukraine",
    "Russia said it would withdraw its troops from Belarus after the exercises end",
    "the ministry will pull back some forces after the drills",
]
NOT_AID = [
    "the West would impose severe economic sanctions if Russia invaded",
    "we would suspend flights if Iran supplies ballistic missiles to Russia",  # conditional, coercive
    "they warned that if the UK provided fighter jets, it would have serious ramifications",
    "withdraw all your forces, or be prepared for bloodshed",  # an ultimatum
    "we will provide whatever it takes to destroy the militia",
    "Russia said it would respond with military-technical measures",
]


@pytest.mark.parametrize("span", AID)
def test_aid_and_withdrawals_read_as_aid(span: str) -> None:
    assert reads_as_aid(span)


@pytest.mark.parametrize("span", NOT_AID)
def test_coercion_and_other_threats_do_not(span: str) -> None:
    assert not reads_as_aid(span)


def test_a_threat_span_worded_as_aid_becomes_a_commitment() -> None:
    s = "The United States will send Javelin missiles to Ukraine, and it will sanction Moscow."
    aid, coercion = s.index("The United"), s.index("it will sanction")
    spans = [Span("threat", aid, s.index(","), 0.9), Span("threat", coercion, len(s) - 1, 0.8)]
    assert [(x.type, s[x.start : x.end]) for x in retype_worded(s, spans)] == [
        ("commitment", "The United States will send Javelin missiles to Ukraine"),
        ("threat", "it will sanction Moscow"),
    ]
    # where the model also tagged the commitment, the threat reading is dropped
    both = [Span("commitment", aid, s.index(","), 0.7), spans[0]]
    assert retype_worded(s, both) == [both[0]]


@pytest.mark.parametrize(
    "span",
    [
        "We will defend our land",
        "Hungary would defend its borders",
        "we will defend every inch of NATO territory",
        "Ukraine is ready to defend itself",
    ],
)
def test_a_resolve_to_defend_ones_own_land_is_a_threat(span: str) -> None:
    assert reads_as_defence(span)
    [(kind, _)] = [(x.type, x.start) for x in retype_worded(span, [Span("commitment", 0, len(span), 0.8)])]
    assert kind == "threat"


@pytest.mark.parametrize(
    "span",
    ["I will defend religious liberty", "the President is going to defend himself to the voters"],
)
def test_defending_a_cause_or_oneself_in_words_is_not(span: str) -> None:
    assert not reads_as_defence(span)
    assert retype_worded(span, [Span("commitment", 0, len(span), 0.8)])[0].type == "commitment"
