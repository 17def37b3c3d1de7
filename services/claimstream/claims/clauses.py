"""Where an announced claim's clause begins, for the grammars that find one from its modal
(claims/penalties.py, claims/services.py)."""

from __future__ import annotations

import re
from typing import Final

# a clause starts after a sentence stop or a dash, or after a comma that joins main clauses
_CLAUSE_START_RE: Final = re.compile(r"[.;:!?—–]\s+|,\s+(?=(?:and|but|so)\s)|^")
# a lead-in word the claim does not need ("First, the State Department will ...")
_LEAD_IN_RE: Final = re.compile(r"(?:[A-Z]\w+,\s+|(?:and|but|so|now)\s+)", re.IGNORECASE)


def is_question(sentence: str) -> bool:
    """A question, or a reporter's turn in a transcript ("Q ..."): it announces nothing."""
    return sentence.rstrip().endswith("?") or re.match(r"\s*Q\b", sentence) is not None


def clause_start(sentence: str, pos: int, reach: int) -> int:
    """Start of the clause holding ``pos``, at most ``reach`` characters before it, with a lead-in
    word left out."""
    # "^" always matches, so there is a clause start at 0 at least
    clause = max(c.end() for c in _CLAUSE_START_RE.finditer(sentence, 0, pos))
    start = max(clause, pos - reach)
    lead = _LEAD_IN_RE.match(sentence, start, pos)
    return lead.end() if lead else start
