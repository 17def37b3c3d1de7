"""Find the article's own text in a scraped page, as regions of the original string.

Nothing is deleted or rewritten: callers get [start, end) regions so that every offset they
compute still points into the text the producer sent.
"""

from __future__ import annotations

import re

# Lines that are never article prose (scraped navigation, widgets, comment forms).
_BOILERPLATE_LINE = re.compile(
    r"""^(?:
        see\ also\b.*
      | read\ (?:more|also|next)\b.*
      | related(?:\ (?:posts|articles|stories|news|coverage))?:?
      | (?:most\ (?:popular|read|viewed)|trending(?:\ now)?|on\ key|social\ media|share\ this(?:\ article)?
          |follow\ us.*|advertisement|sponsored(?:\ content)?|recommended(?:\ for\ you)?|watch:?.*\d:\d\d
          |subscribe\b.*|sign\ up\b.*|newsletter\b.*|share\ (?:on|via)\b.*|tweet|email|print|comments?)
      | leave\ a\ (?:reply|comment)
      | your\ email\ address\ will\ not\ be\ published.*
      | required\ fields\ are\ marked.*
      | this\ site\ uses\ akismet.*
      | (?:posted|published|updated)\ (?:on|at)\b.{0,60}
      | (?:with\ input\ from|reporting\ by|additional\ reporting\ by|written\ by|by)
        \ (?-i:[A-Z][\w.\-]+(?:[\ ,]+(?:and\ )?[A-Z][\w.\-]+){0,8})
      | copyright\b.*|©.*|all\ rights\ reserved.*
    )$""",
    re.I | re.X,
)
# A photo or video credit ("Photo: Reuters"); a scrape sometimes runs the next paragraph into the
# credit's line ("Photo: HT Seeking to alter public perception ..."), and that line is prose.
_CREDIT_LINE = re.compile(r"^\(?(?:photo|image|video|credit)s?:", re.I)
_CREDIT_MAX_WORDS = 30
# A video caption ends with its running time ("... 3:52", "... 1:02:10").
_RUNNING_TIME = re.compile(r"\s(?:\d{1,2}:)?\d{1,2}:\d{2}\s*$")
# An all-caps line that links to another story.
_ALL_CAPS = re.compile(r"^[^a-z]*[A-Z]{3}[^a-z]*$")
_LINE = re.compile(r"[^\n]+")


def is_boilerplate(line: str) -> bool:
    """Whether one stripped line of a scraped page is boilerplate rather than article text."""
    line = line.strip().replace("\xa0", " ")
    if not line:
        return True
    if _BOILERPLATE_LINE.match(line):
        return True
    words = line.split()
    if _CREDIT_LINE.match(line):
        return len(words) <= _CREDIT_MAX_WORDS
    if _RUNNING_TIME.search(line) and len(words) <= 20 and not line.rstrip()[-6:].count("."):
        return True
    return bool(_ALL_CAPS.match(line) and len(words) >= 2 and len(words) <= 20)


# Where a line ends a sentence or a quotation, it is prose, not a heading.
_PROSE_END = tuple(".!?:;,\"”’')…")
_HEADING_MAX_WORDS = 6


def is_heading(text: str, start: int, end: int) -> bool:
    """Whether the line ``text[start:end]`` is a section heading ("Commitment to allies"): a few
    words without a comma or closing punctuation, standing alone between blank lines (a
    hard-wrapped paragraph's lines are not). The guidelines say headings are never claims."""
    line = text[start:end].strip()
    if not line or len(line.split()) > _HEADING_MAX_WORDS or line.endswith(_PROSE_END) or "," in line:
        return False
    if line == text.strip():
        return False  # a one-line message is the text itself, whatever its punctuation
    # lines are cut at "\n", so text[start - 1] and text[end] (where they exist) are newlines; a
    # window is enough to see whether the neighbouring line is blank (a longer one is not)
    previous = text[max(0, start - 200) : start].split("\n")[-2] if start else ""
    following = text[end : end + 200].split("\n")[1] if end < len(text) else ""
    return not previous.strip() and not following.strip()


def content_regions(text: str) -> list[tuple[int, int]]:
    """The [start, end) line regions of ``text`` that hold article text, in order."""
    regions: list[tuple[int, int]] = []
    for match in _LINE.finditer(text):
        if not is_boilerplate(match.group(0)) and not is_heading(text, match.start(), match.end()):
            regions.append((match.start(), match.end()))
    return regions
