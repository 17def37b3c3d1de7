"""Denials of an intent to attack or invade (guidelines, settled case 6): found, and emitted as
negated threats with exact offsets."""

from collections.abc import Sequence

import pytest
from claimstream.claims.builder import build_claims
from claimstream.claims.denials import find_denials
from claimstream.extract.base import Span
from claimstream.extract.hybrid import GrammarAssistedTagger
from claimstream.text.sentences import split_sentences
from marks import unmark


class Silent:
    """A tagger that tags nothing, as the model does with these sentences."""

    name = "silent"
    version = "silent-1"

    def tag(self, sentences: Sequence[str]) -> list[list[Span]]:
        return [[] for _ in sentences]


# the evidence found is in brackets
FOUND = [
    "[Moscow has no plans to attack].",
    "[Russia has repeatedly denied that it plans to invade Ukraine].",
    "[The Kremlin denies any intention to attack its neighbour].",
    "Moscow insists [it has no plans to invade].",
    "Officials said [they have no intention of attacking Ukraine].",
    "Moscow says [it has no plans for an invasion].",
    "[Russia denies it is preparing a full-scale invasion].",
    "The Kremlin says [it is not planning an invasion of Ukraine], despite the build-up.",
    "[Putin does not want to invade], his spokesman said.",
    "[Russia will never attack anyone], Putin said.",
    "The government [will not attack any rebel strongholds for the moment].",
    "Beijing said [it would not use force against the island] if talks resume.",
    "Tehran said [it had no intention of going to war with its neighbours].",
    "[Moscow denied it was preparing to attack].",
    "The army said [it won't launch a ground offensive this winter].",
]

NOT_FOUND = [
    "We will not strike a deal with them.",  # a deal, not a strike
    "Analysts believe Russia has no plans to invade.",  # someone else's assessment
    "Does Russia have no plans to invade?",  # a question
    "Iran has no intention of building nuclear weapons.",  # no attack
    "NATO said it would not send combat troops to Ukraine.",  # a negated commitment
    "We don't want to see an attack on our allies.",  # a wish about others
    "Drivers must pay if they do not want attacks against their lives.",  # a threat, not a denial
    "The Cuban government continues to deny they attacked the embassy.",  # a past attack denied
    "Russian forces attacked the city on Tuesday.",
]


@pytest.mark.parametrize("marked", FOUND)
def test_denials_are_found_from_their_actor_to_the_object(marked: str) -> None:
    sentence, start, end = unmark(marked)
    assert [(a, b) for a, b in find_denials(sentence)] == [(start, end)]


@pytest.mark.parametrize("sentence", NOT_FOUND)
def test_no_denial_of_an_attack_is_found(sentence: str) -> None:
    assert find_denials(sentence) == []


def test_a_denial_becomes_a_negated_threat_with_exact_offsets() -> None:
    text = "Tensions rose on Monday. Moscow has no plans to attack, the Kremlin spokesman said."
    sentences = split_sentences(text)
    tagger = GrammarAssistedTagger(Silent())
    spans = tagger.tag([text[s.start : s.end] for s in sentences])
    claims = build_claims("a1", text, sentences, spans, model_version="t", extracted_at="now")
    [claim] = claims
    assert (claim.type, claim.negated) == ("threat", True)
    assert text[claim.start : claim.end] == claim.text == "Moscow has no plans to attack"
    assert claim.speaker == "the Kremlin spokesman"
