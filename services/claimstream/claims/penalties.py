"""An announced penalty on another party: a threat.

The guidelines name sanctions and "serious costs and consequences" among the harms a threat
signals. An actor saying it *will* sanction someone or impose sanctions, costs or restrictions
on them is labelled a threat in all 21 training sentences worded so (two more are video captions,
boilerplate); the tagger finds most of them but misses plain announcements in the
official voice ("Treasury will sanction three Nicaragua-based entities"). This grammar finds the
future penalty itself, a modal of intent before the verb and the penalty as its object; the
tagger wrapper (extract/hybrid.py) adds it as a threat where the model tagged none.

Not: "would" (a hypothesis or a reported wish), a law or rule that will impose requirements or
taxes (not a penalty on a party), questions, penalties already imposed.
"""

from __future__ import annotations

import re
from typing import Final

from claimstream.claims.clauses import clause_start, is_question

_PENALTY_NOUN: Final = (
    r"(?:sanctions?(?:\s+measures)?|costs|consequences|penalties|visa\s+restrictions|restrictive\s+measures"
    r"|export\s+controls|(?:economic\s+)?harm)"
)
_WILL: Final = r"(?:will|['’]ll|(?:is|are|am)\s+going\s+to)(?:\s+(?:also|now|continue\s+to|swiftly|quickly))*"
_PENALTY_RE: Final = re.compile(
    rf"\b{_WILL}\s+(?:"
    r"sanction\s+(?!\w+ly\b)[\w’'-]+|(?:impose|levy)\s+(?:[\w-]+\s+){0,3}?" + _PENALTY_NOUN + r"\b"
    r")[^,;:.!?—–]{0,120}",  # to the end of the clause
    re.IGNORECASE,
)
# a law, an order or a rule that will impose something is not an actor's penalty
_RULE_SUBJECT_RE: Final = re.compile(
    r"\b(?:law|bill|act|rule|regulation|directive|framework|order|legislation|tax|tariff)s?\s*$",
    re.IGNORECASE,
)


def find_penalties(sentence: str) -> list[tuple[int, int]]:
    """(start, end) of each announced penalty: from the start of its clause (or 120 characters
    before the modal, when the clause is longer) to the end of the clause."""
    if is_question(sentence):
        return []
    out: list[tuple[int, int]] = []
    for m in _PENALTY_RE.finditer(sentence):
        if _RULE_SUBJECT_RE.search(sentence[: m.start()].rstrip()):
            continue
        out.append((clause_start(sentence, m.start(), 120), m.end()))
    return out
