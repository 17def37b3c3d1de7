"""A pledge demanded of someone else is no commitment (guidelines: "Russia wants a pledge that
Ukraine will never join NATO" is a demand, not a commitment of the demanding actor, and
settled case 12). The tagger sees the pledge's wording and tags it; the claim builder asks
here whether that wording is the object of a demand.
"""

from __future__ import annotations

import re
from typing import Final

_DEMAND_RE: Final = re.compile(
    r"\b(?:wants?|wanted|wanting|demand(?:s|ed|ing)?|seek(?:s|ing)?|sought|insist(?:s|ed|ing)?\s+on|"
    r"(?:calls?|called|calling|asks?|asked|asking|press(?:es|ed|ing)?|push(?:es|ed|ing)?)\s+for|"
    # "a list of demands that it wants addressed, including a pledge that ..."
    r"(?:demands|requests|conditions)\b[^.;:!?]{0,40}?\b(?:including|such\s+as|notably|chiefly))\s+"
    r"(?:(?:a|an|the|new|written|formal|firm|clear|public|security|legally[\s-]binding|binding)\s+)*"
    r"(?:pledges?|promises?|guarantees?|assurances?|commitments?|vows?)\b",
    re.IGNORECASE,
)
_REACH: Final = 60  # characters from the span's start within which the demand sits


def demanded(text: str, sent_start: int, span_start: int, span_end: int) -> bool:
    """Whether the commitment span ``text[span_start:span_end]`` is a pledge someone demands:
    the demand opens the span ("[Russia wants a pledge that ...]") or ends right before it
    ("demanded guarantees [that NATO would not expand]")."""
    window = max(sent_start, span_start - _REACH)
    return any(
        m.end() >= span_start - 2 and m.start() < span_start + _REACH
        for m in _DEMAND_RE.finditer(text, window, span_end)
    )
