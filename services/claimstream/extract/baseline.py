"""The rule-based baseline tagger: cue words and the quantity grammar, no learning.

It is the floor the trained model has to beat in evaluation, and a fallback extractor
(``CLAIMSTREAM_EXTRACTOR=baseline``) that needs no model file.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from claimstream.claims.quantity import find_troop_quantities
from claimstream.extract.base import Span

BASELINE_VERSION = "rules-1.0.0"

_THREAT = re.compile(
    r"\b(?:warn(?:ed|s|ing)?\s+(?:that|of|against)|threaten(?:ed|s|ing)?|"
    r"(?:will|would|could)\s+(?:\w+\s+)?(?:respond|retaliate|strike|attack|invade|punish|expel|destroy|"
    r"impose|face|pay|suffer)|"
    r"(?:serious|severe|swift|dire|massive|grave)\s+(?:costs|consequences)|"
    r"(?:impose|imposing|announced?)\s+(?:new\s+|further\s+|additional\s+|tough\s+)?sanctions|"
    r"held\s+accountable|(?:has|have)\s+no\s+(?:plans?|intention)\s+(?:to|of)\s+(?:attack|invad)\w*)",
    re.I,
)
_COMMITMENT = re.compile(
    r"\b(?:pledg(?:e|ed|es|ing)|commit(?:s|ted)?\s+to|(?:is|are|remain|remains)\s+committed\s+to|"
    r"promis(?:e|ed|es)\s+to|vow(?:ed|s)?\s+to|agreed\s+(?:to|on)|"
    r"(?:is|are)\s+(?:prepared|ready|willing)\s+to|"
    r"(?:will|would)\s+(?:continue\s+to\s+|also\s+)?(?:provide|send|support|deliver|help|work|withdraw|"
    r"host|deploy|contribute|donate|invest|supply|train|lead|cooperate|expand|keep|stand)|"
    r"announced\s+(?:that\s+)?(?:it|they|he|she)\s+would|plans?\s+to|intends?\s+to)\b",
    re.I,
)
_CLAUSE_END = re.compile(r"[;]|,\s+(?:but|while|although|whereas)\b|\s+—\s+")


def _clause(sentence: str, start: int) -> tuple[int, int]:
    """From the clause start before ``start`` to the clause end after it."""
    end_match = _CLAUSE_END.search(sentence, start)
    end = end_match.start() if end_match else len(sentence)
    begin = max(sentence.rfind(";", 0, start) + 1, 0)
    return begin, end


class BaselineExtractor:
    """Tags claims with hand-written cue patterns; the baseline the model is compared with."""

    name = "baseline"
    version = BASELINE_VERSION

    def tag(self, sentences: Sequence[str]) -> list[list[Span]]:
        return [self._tag_one(s) for s in sentences]

    def _tag_one(self, sentence: str) -> list[Span]:
        spans: list[Span] = []
        for claim_type, pattern in (("threat", _THREAT), ("commitment", _COMMITMENT)):
            match = pattern.search(sentence)
            if match and "?" not in sentence[-2:]:
                begin, end = _clause(sentence, match.start())
                spans.append(Span(claim_type, begin, end, 0.5))
        for found in find_troop_quantities(sentence):
            spans.append(Span("troop_count", found.start, found.end, 0.5))
        return spans
