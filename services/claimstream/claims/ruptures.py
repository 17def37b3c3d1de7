"""A warning that relations will be broken off: a threat.

The guidelines list "breaking off relations" among the harms a threat names, and their first
example is one ("Putin warned that new sanctions would be a colossal mistake that could lead to
a complete breakdown of relations"). The labelled training text holds no such threat, and the
tagger misses that example in every wording we tried. This grammar finds a rupture of relations
that a modal or a warning puts ahead ("would lead to a complete breakdown of relations", "will
sever diplomatic ties"), not one that already happened ("broke off relations in 2010"); the
tagger wrapper (extract/hybrid.py) adds it as a threat where the model tagged none.
"""

from __future__ import annotations

import re
from typing import Final

_RUPTURE: Final = (
    r"(?:break(?:s|ing)?\s+off|sever(?:s|ed|ing)?|cut(?:s|ting)?\s+off|(?:complete\s+|total\s+|full\s+)?"
    r"(?:breakdown|rupture|break|collapse|severing|freezing)\s+(?:of|in))\s+(?:the\s+|all\s+|its\s+|their\s+)?"
    r"(?:diplomatic\s+|bilateral\s+|economic\s+)?(?:relations|ties)"
    r"(?:\s+(?:between|with)(?:\s+(?!(?:if|unless|and|but|because|while)\b)[\w’'-]+){1,4})?"
)
# What puts the rupture ahead: a modal, a warning or a threat before it in the same clause.
_AHEAD_RE: Final = re.compile(
    r"\b(?:will|would|could|may|might|shall|going\s+to|warn\w*|threat\w*|risk\w*|lead\s+to|result\s+in)\b"
    r"[^.;:!?]*?\b" + _RUPTURE + r"\b",
    re.IGNORECASE,
)
_CLAUSE_START_RE: Final = re.compile(r"[.;:!?]\s+|^")


def clause_start(sentence: str, pos: int) -> int:
    """Where the clause holding ``pos`` starts: after the last stop, colon or semicolon before it."""
    # "^" always matches, so there is a clause start at 0 at least
    return max(c.end() for c in _CLAUSE_START_RE.finditer(sentence, 0, pos))


def find_ruptures(sentence: str) -> list[tuple[int, int]]:
    """(start, end) of each warned rupture of relations, from the start of its clause (or of the
    warning, when the clause is long) to the end of the relations phrase."""
    out: list[tuple[int, int]] = []
    for m in _AHEAD_RE.finditer(sentence):
        start = clause_start(sentence, m.start())
        if m.start() - start > 200:  # a very long lead-in: start at the warning itself
            start = m.start()
        out.append((start, m.end()))
    return out
