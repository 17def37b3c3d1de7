"""An actor's denial of its own intent to attack or invade: a threat with negated = true.

The guidelines settle it (case 6: "Moscow has no plans to attack"), and it is the commonest
threat claim in crisis news, but the corpus holds almost none of it in the attack-or-invade
form, so the tagger never learnt it. This grammar finds the phrase; the tagger wrapper
(extract/hybrid.py) makes it a threat span where the model tagged none. Only force is covered:
a denial of a plan to send aid, troops or envoys is a negated commitment, which the model tags.
"""

from __future__ import annotations

import re
from typing import Final

_WORD: Final = r"[\w’'-]+"

# The harm denied: attacking, invading or going to war, named by verb or by noun.
_HARM_VERBS: Final = (
    r"attack(?:s|ing)?|invad(?:e|es|ing)|strik(?:e|es|ing)|bomb(?:s|ing)?|annex(?:es|ing)?|"
    r"occupy(?:ing)?|seiz(?:e|es|ing)|"
    r"us(?:e|es|ing)\s+(?:military\s+|armed\s+|nuclear\s+)?(?:force|weapons)|"
    r"(?:go|goes|going)\s+to\s+war|wag(?:e|es|ing)\s+(?:a\s+)?war|start(?:s|ing)?\s+(?:a\s+)?war|"
    r"(?:launch|mount)(?:s|es|ing)?\s+(?:an?\s+|any\s+)?(?:[\w-]+\s+)?"
    r"(?:invasion|attack|offensive|incursion|strike)"
)
_HARM: Final = r"(?:" + _HARM_VERBS + r")"
# A plan is denied by noun too: "no plans for an invasion", "is not planning an attack".
_HARM_NOUN: Final = (
    r"(?:" + _HARM_VERBS + r"|(?:an?|any|another)\s+(?:(?:military|full[\s-]scale|large[\s-]scale|new|ground|"
    r"armed|nuclear|surprise|major|further)\s+)?(?:invasion|attack|offensive|incursion))"
)
# What is denied: a plan, an intention, a wish or a preparation.
_INTENT: Final = (
    r"(?:(?:plans?|planned|planning|plotting|intends?|intended|intending|intentions?|intent|"
    r"prepar(?:ing|ations?)|desire|going)(?:\s+(?:to|of|for))?|want(?:s|ed|ing)?\s+to)\s+"
)
# The actor right before the cue, so the evidence reads as a claim: "[Moscow has] no plans to ...".
_ACTOR_BEFORE_RE: Final = re.compile(
    r"(?:\b(?:it|he|she|they|we|I)|\b[A-Z][\w’'.-]*(?:\s+[A-Z][\w’'.-]*){0,3})\s+"
    r"(?:(?:has|have|had|is|are|was|were)\s+)?(?:(?:repeatedly|consistently|again|also|flatly|strongly|"
    r"categorically|always|now)\s+)?$"
)

_DENIAL_CUES: Final = (
    # "denied that it plans to invade", "denies any intention to attack", "rejected claims it was
    # preparing an invasion"
    rf"(?:den(?:y|ies|ied|ying)|reject(?:s|ed|ing)?|dismiss(?:es|ed|ing)?)\s+"
    rf"(?:{_WORD}\s+){{0,5}}?{_INTENT}{_HARM_NOUN}",
    # "has no plans to invade", "no intention of attacking"
    rf"no\s+(?:{_WORD}\s+)?(?:plans?|intentions?|intent|desire)(?:\s+(?:to|of|for))?\s+{_HARM_NOUN}",
    # "does not intend to attack", "is not planning an invasion", "isn't going to invade"
    rf"(?:do|does|did|is|are|was|were|has|have)(?:\s+not|n[’']t)\s+"
    rf"(?:(?:ever|any)\s+)?{_INTENT}{_HARM_NOUN}",
    # "will not invade", "would never attack"
    rf"(?:(?:will|would|shall)(?:\s+not|\s+never|n[’']t)|won[’']t)\s+{_HARM}",
)
_DENIAL_RE: Final = re.compile(
    r"\b(?:" + "|".join(_DENIAL_CUES) + r")\b"
    r"(?!\s+(?:a|an|the)\s+(?:deal|balance|chord|note|bargain|compromise|tone)\b)",  # "strike a deal"
    re.IGNORECASE,
)
# The harm's object runs to the end of its clause, at most six words ("invade Ukraine", "attack
# its neighbour"), and never ends on a word that needs another after it.
_NEXT_WORD_RE: Final = re.compile(rf"\s+({_WORD})")
_CLAUSE_WORDS: Final = frozenset(
    ("if", "unless", "but", "and", "or", "as", "because", "while", "after", "before", "when")
)
_DANGLING_WORDS: Final = frozenset(
    ("for", "of", "to", "in", "on", "at", "by", "from", "with", "the", "a", "an", "its", "their")
)


# Someone else's reading of the actor's intent is no claim of the actor's (guidelines case 6).
_ASSESSMENT_RE: Final = re.compile(
    r"\b(?:believ\w*|think|thinks|thought|assess\w*|analysts?|experts?|doubt\w*|unclear|whether|"
    r"suspect\w*|estimat\w*|predict\w*|expect\w*|likely|unlikely|probably|perhaps|maybe|hope\w*)\b",
    re.IGNORECASE,
)


def _object_end(sentence: str, pos: int) -> int:
    ends = [pos]
    while (
        len(ends) <= 6
        and (w := _NEXT_WORD_RE.match(sentence, ends[-1]))
        and w[1].lower() not in _CLAUSE_WORDS
    ):
        ends.append(w.end())
    while len(ends) > 1 and sentence[ends[-2] : ends[-1]].strip().lower() in _DANGLING_WORDS:
        ends.pop()
    return ends[-1]


def find_denials(sentence: str) -> list[tuple[int, int]]:
    """(start, end) of each denial of an intent to attack or invade, from its cue to the end of
    the harm's object, with the actor right before it: "[Moscow has no plans to invade Ukraine].";
    none in a question or after
    someone's assessment ("analysts believe Russia has no plans to invade")."""
    if sentence.rstrip().rstrip("\"'”’)").endswith("?"):
        return []
    out: list[tuple[int, int]] = []
    for m in _DENIAL_RE.finditer(sentence):
        if _ASSESSMENT_RE.search(sentence, 0, m.start()):
            continue
        actor = _ACTOR_BEFORE_RE.search(sentence, max(0, m.start() - 80), m.start())
        out.append((actor.start() if actor else m.start(), _object_end(sentence, m.end())))
    return out
