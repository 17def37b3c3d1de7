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
# the pledge asked of another party by its verb: "demands that NATO pledge not to expand",
# "urged Kyiv to promise", "called on the rebels to commit to"
_DEMANDED_OF_RE: Final = re.compile(
    r"\b(?:demand(?:s|ed|ing)?|insist(?:s|ed|ing)?|ask(?:s|ed|ing)?|urg(?:e|es|ed|ing)|"
    r"call(?:s|ed|ing)?\s+(?:on|upon)|want(?:s|ed|ing)?|press(?:es|ed|ing)?|requir(?:e|es|ed|ing))\s+"
    r"(?:that\s+)?(?!to\b)(?:(?!(?:and|but|or|who|which)\b)[\w’'.-]+\s+){1,4}?(?:to\s+)?"
    r"(?:pledge|promise|guarantee|commit|vow)\b",
    re.IGNORECASE,
)
_REACH: Final = 60  # characters from the span's start within which the demand sits


def demanded(text: str, sent_start: int, span_start: int, span_end: int) -> bool:
    """Whether the commitment span ``text[span_start:span_end]`` is a pledge someone demands:
    the demand opens the span ("[Russia wants a pledge that ...]") or ends right before it
    ("demanded guarantees [that NATO would not expand]"), or the span's pledge verb is what a
    demand asks of another party ("demands that [NATO pledge not to expand]")."""
    window = max(sent_start, span_start - _REACH)
    return any(
        m.end() >= span_start - 2 and m.start() < span_start + _REACH
        for m in _DEMAND_RE.finditer(text, window, span_end)
    ) or any(
        m.start() < span_start + _REACH and m.end() > span_start
        for m in _DEMANDED_OF_RE.finditer(text, window, span_end)
    )
