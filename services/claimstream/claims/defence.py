"""Resolve to defend one's own land or side against an adversary is a threat, not a commitment.

The guidelines settle it (case 10: "we will defend our land", "will respond decisively" are
threats; reassurance to allies is a commitment). The tagger types "We will defend our land" a
commitment. The labels agree with the guidelines: the three training claims worded as a resolve
to defend one's own territory, borders or side are all threats. The served tagger retypes a
commitment span so worded with this test.
"""

from __future__ import annotations

import re
from typing import Final

_DEFENCE_RE: Final = re.compile(
    r"\b(?:will|would|shall|ready\s+to|prepared\s+to|vow(?:s|ed)?\s+to|determined\s+to|going\s+to)\s+"
    r"(?:\w+\s+)?defend\s+(?:itself|ourselves|themselves|every\s+inch\s+of\s+(?:[\w-]+\s+)?territory|"
    r"(?:our|its|their|the)\s+(?:own\s+)?(?:land|country|territory|borders?|sovereignty|homeland|soil|"
    r"motherland|fatherland|independence))\b",
    re.IGNORECASE,
)


def reads_as_defence(span: str) -> bool:
    """Whether the claim ``span`` is a resolve to defend one's own land, borders or side."""
    return _DEFENCE_RE.search(span) is not None
