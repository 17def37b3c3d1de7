"""Who is speaking at a point of a document that is itself somebody's statement.

Transcripts, speeches and official statements state claims in the first person ("we will
respond", "our troops will stay") with no "X said" in the sentence: the document says who
speaks, in its turn labels ("MS. JEAN-PIERRE:", "THE PRESIDENT:"), its title ("Remarks by
President Biden on ...", "G7 Leaders' Statement", "Joint Statement of Japan, the Republic of
Korea, and the United States") or, in a statement whose title names no author, its opening words
("We, the Leaders of the Group of Seven (G7), ..."). News articles have none, so a claim
there with no speaker in the text keeps speaker = null. Knows nothing of Kafka or the model.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

# An all-capitals turn label ending in a colon: "MS. JEAN-PIERRE:", "SECRETARY GENERAL RUTTE:",
# "2:36 P.M. EDT THE PRESIDENT:" (the clock time is stripped afterwards).
_LABEL_RE = re.compile(r"(?<![^\s])(?P<label>(?:[A-Z][A-Z.’'\-]*\s+){0,6}[A-Z][A-Z’'\-]+(?:\s\d)?):(?=\s)")
_CLOCK_WORD_RE = re.compile(
    r"[AP]\.M\.|[ECMPA][SD]T|[ECP]T|GMT|UTC|BST|CES?T|EES?T|[JKI]ST|AE[SD]T|HST|AKDT|AKST|NOON|MIDNIGHT"
)
# A reporter's turn: "Q  Thank you, Karine." (transcripts write it without a colon)
_QUESTION_RE = re.compile(r"(?<![^\s])Q:?\s{1,8}(?=[A-Z“\"'(—])")
# What may close a question after its question mark.
_CLOSERS = " \t\n\xa0”’\"')"
# What may stand before a turn: the end of the previous turn's last sentence, or a line break.
_TURN_BEFORE = frozenset('.!?”"])—–…')


def _turn_start(text: str, pos: int) -> bool:
    """Whether a label at ``pos`` opens a turn: at the start, after a line break, or after
    the previous turn's closing punctuation (transcripts often run turns into one line)."""
    i = pos
    while i > 0 and text[i - 1].isspace():
        i -= 1
        if text[i] == "\n":
            return True
    return i == 0 or text[i - 1] in _TURN_BEFORE


# Turns whose speaker is no party to the claims: hosts, crowds, reporters.
_HOSTS = frozenset(
    {
        "MODERATOR", "OPERATOR", "AUDIENCE", "AUDIENCE MEMBER", "AUDIENCE MEMBERS", "AIDE",
        "WHITE HOUSE AIDE", "PARTICIPANT", "PARTICIPANTS", "CROWD", "REPORTER", "PRESS",
    }
)  # fmt: skip
# Capitalised labels that head a section rather than open somebody's turn.
_HEADINGS = frozenset(
    {
        "PROMISE KEPT", "PROMISE MADE", "FACT SHEET", "COVID", "NOTE", "UPDATE", "WATCH", "READ MORE",
        "ICYMI", "BREAKING", "WHAT THEY ARE SAYING", "SUNDAY SHOWS", "EXECUTIVE SUMMARY", "BACKGROUND",
    }
)  # fmt: skip
_HONORIFICS = frozenset({"MR.", "MS.", "MRS.", "DR.", "MX.", "MISS"})
# A label naming an office, not a person: resolved from the title when it names the holder.
_OFFICES = {
    "THE PRESIDENT": "President",
    "THE VICE PRESIDENT": "Vice President",
    "THE FIRST LADY": "First Lady",
    "THE SECOND GENTLEMAN": "Second Gentleman",
}
_OFFICIALS_RE = re.compile(r"^SENIOR (?:ADMINISTRATION|ADMIN|STATE DEPARTMENT|DEFENSE) OFFICIALS?(?: \d)?$")

# Titles that name the document's author: "Remarks by X on ...", "Statement from X ...",
# "Press Briefing by X, May 4", "Joint Statement of X", "Joint Declaration by X and Y".
_TITLE_BY_RE = re.compile(
    r"^(?:(?P<written>(?:Joint\s+)?(?:Statement|Declaration|Communiqu[ée])|Message|Op-Ed|Letter)|"
    r"Remarks(?:\s+and\s+Q&A)?(?:\s+as\s+Prepared\s+for\s+Delivery)?|"
    r"Address|Video\s+Remarks|Press\s+(?:Briefing|Gaggle|Conference|Call)|"
    r"(?:On-the-Record\s+)?(?:Press\s+)?(?:Gaggle|Roundtable|Call))\s+(?:by|from|of)\s+(?P<who>.+)$",
    re.IGNORECASE,
)
# "G7 Leaders’ Statement on Ukraine", "Quad Leaders’ Joint Statement"
_TITLE_OWNER_RE = re.compile(
    r"^(?P<who>.+?\bLeaders)[’']\s+(?:Joint\s+)?(?:Statement|Declaration|Communiqu[ée])\b", re.IGNORECASE
)
# Where the author part of a title ends: "Remarks by President Biden | on the economy | at ...".
_TITLE_TAIL_WORDS = (
    r"\s+(?:on|at|in|to|before|after|during|ahead\s+of|for|regarding|following|upon|about|with|"
    r"aboard|en\s+route|previewing|announcing|marking|celebrating)\s+|\s+-\s+"
)
_TITLE_TAIL_RE = re.compile(_TITLE_TAIL_WORDS + r"|\s*[|,—–:(]", re.IGNORECASE)
_BACKGROUND_RE = re.compile(r"^Background\s+(?:Press\s+)?(?:Call|Gaggle|Briefing)\b", re.IGNORECASE)
# the same without the comma: a list of authors runs over commas ("Japan, the Republic of Korea,
# and the United States")
_TITLE_TAIL_WORD_RE = re.compile(_TITLE_TAIL_WORDS + r"|\s*[|—–:(]", re.IGNORECASE)
_AUTHOR_LIST_RE = re.compile(r"^[^,]+(?:,\s+(?:the\s+)?[A-Z][^,]*)+?,?\s+and\s+(?:the\s+)?[A-Z][^,]*$")
# "Remarks by Assistant to the President for Homeland Security, Dr. Liz Sherwood-Randall"
_ASSISTANT_RE = re.compile(
    r"^(?:(?:Deputy|Special|Principal)\s+)*Assistant\s+to\s+the\s+President\b[^,]*,\s+(?P<name>.+)$"
)
# what a joint declaration is "of" when it names no author: "Joint Declaration of Support for ..."
_NOT_AUTHORS = frozenset(
    {
        "Support", "Principles", "Intent", "Cooperation", "Partnership", "Commitment", "Commitments",
        "Solidarity", "Unity", "Friendship", "Peace", "Understanding", "Action", "Purpose", "Concern",
        "Condolence", "Condolences", "Recognition", "Appreciation",
    }
)  # fmt: skip
# A written statement that names its authors in its opening words: "We, the Leaders of the Group
# of Seven (G7), ..." and "We, the leaders of Japan, the Republic of Korea, and the United States,"
_WE_THE_RE = re.compile(
    r"(?:^|[\n.]\s*)We,\s+(?P<who>the\s+[^,.;:]{2,100}?(?:,\s+(?:the\s+)?[A-Z][^,.;:]*?)*"
    r"(?:,?\s+and\s+(?:the\s+)?[A-Z][^,.;:]*?)?),\s"
)
_OPENING = 3000  # characters of a statement in which its authors introduce themselves


def _title_author(title: str) -> tuple[str | None, bool]:
    """The author a document's title names (None for news headlines), and whether the document
    is written (a statement, message or letter) rather than spoken."""
    title = title.strip().lstrip("￼").strip()
    if _BACKGROUND_RE.match(title):
        return "a senior administration official", False
    m = _TITLE_BY_RE.match(title)
    if m:
        who = _author_part(m.group("who"))
        return who, m.group("written") is not None
    m = _TITLE_OWNER_RE.match(title)
    if m:
        return m.group("who").strip(), True
    return None, False


def _author_part(who: str) -> str | None:
    """The author words of a title's "by/of/from X ..." part: X without the topic or place that
    follows, a list of authors whole, an assistant to the President by name; None for a topic
    ("of Support for ...")."""
    assistant = _ASSISTANT_RE.match(who)
    if assistant:
        return _author_part(assistant.group("name"))
    head = _TITLE_TAIL_WORD_RE.split(who, maxsplit=1)[0].strip()
    if "," in head and _AUTHOR_LIST_RE.match(head):
        return head
    cut = _TITLE_TAIL_RE.split(who, maxsplit=1)[0].strip()
    if not cut or cut.split()[0] in _NOT_AUTHORS:
        return None
    return cut


def _opening_authors(text: str) -> str | None:
    """The authors a statement names in its opening words ("We, the Leaders of ...,")."""
    m = _WE_THE_RE.search(text, 0, _OPENING)
    return m.group("who").strip() if m else None


def _title_case(label: str) -> str:
    """ "SECRETARY GENERAL RUTTE" -> "Secretary General Rutte", "JEAN-PIERRE" -> "Jean-Pierre"."""
    return " ".join("-".join(p.capitalize() for p in w.split("-")) for w in label.split())


def _turns(text: str) -> list[tuple[int, str | None]]:
    """(offset where the turn's words start, its label; None for a host, "Q" for a reporter)."""
    turns: list[tuple[int, str | None]] = []
    for m in _LABEL_RE.finditer(text):
        words = m.group("label").split()
        clock = False
        while len(words) > 1 and _CLOCK_WORD_RE.fullmatch(words[0]):
            words.pop(0)  # "2:36 P.M. EDT THE PRESIDENT:": a clock time opens a transcript
            clock = True
        if not clock and not _turn_start(text, m.start()):
            continue
        label = " ".join(words)
        if label in _HEADINGS or len(label) < 3:
            continue
        turns.append((m.end(), None if label in _HOSTS else label))
    turns.extend((m.end(), "Q") for m in _QUESTION_RE.finditer(text) if _turn_start(text, m.start()))
    turns.sort(key=lambda t: t[0])
    return turns


def _label_name(label: str, text: str, title: str, author: str | None) -> str:
    """The label as a name: the full name the title or text gives ("MS. JEAN-PIERRE" ->
    "Karine Jean-Pierre"), an office resolved to its holder ("THE PRESIDENT" -> "President
    Biden"), or the label in title case ("SECRETARY MAYORKAS" -> "Secretary Mayorkas")."""
    if _OFFICIALS_RE.match(label):
        return "a senior administration official"
    office = _OFFICES.get(label)
    if office is not None:
        # the holder as the title's author part names them: "Remarks by President Biden and ..."
        m = re.search(rf"(?<!Vice )\b{office}(?:\s+[A-Z][\w.’'\-]+)+", author or "")
        return m.group(0) if m else f"the {office}"
    words = label.split()
    if words[0] in _HONORIFICS and len(words) >= 2:
        surname = " ".join(words[1:])
        return _full_name(surname, title, text) or _title_case(surname)
    return _title_case(label)


def _full_name(surname: str, *sources: str) -> str | None:
    """First name and surname as the first of ``sources`` that has them writes them."""
    pattern = re.compile(rf"\b([A-Z][a-z]+)(?:\s+[A-Z]\.)?\s+(?i:{re.escape(surname)})(?![\w’'\-])")
    for source in sources:
        for m in pattern.finditer(source):
            if m.group(1).lower() not in _NOT_FIRST_NAMES:
                return m.group(0)
    return None


@dataclass(frozen=True)
class DocumentVoice:
    """Speaker turns of one document: ``speaker_at(offset)`` names who speaks there, or None."""

    starts: tuple[int, ...]
    speakers: tuple[str | None, ...]
    author: str | None = None
    reporter: tuple[bool, ...] = ()
    written: bool = False

    @classmethod
    def of(cls, text: str, title: str | None = None) -> DocumentVoice:
        """Read the turn labels of ``text`` and the author named by ``title``."""
        author, written = _title_author(title) if title else (None, False)
        if author is None and (written or not title):
            author = _opening_authors(text)
            written = written or author is not None
        turns = _turns(text)
        names: dict[str | None, str | None] = {None: None, "Q": None}
        for _, label in turns:
            if label is not None and label not in names:
                names[label] = _label_name(label, text, title or "", author)
        return cls(
            tuple(pos for pos, _ in turns),
            tuple(names[label] for _, label in turns),
            author,
            tuple(label == "Q" for _, label in turns),
            written,
        )

    def speaker_at(self, offset: int, *, count: bool = False) -> str | None:
        """The speaker of the turn holding ``offset``; in a document without turn labels, the
        author its title names; None in a reporter's turn, before the first turn of a
        transcript, and in documents that name no author (news articles). A written
        statement states its figures in its own voice: for a troop ``count`` it names nobody
        (the guide's decision 54), while a speaker's figures are the speaker's."""
        if not self.starts:
            return None if count and self.written else self.author
        i = self._turn_at(offset)
        return self.speakers[i] if i >= 0 else None

    def reporters_question(self, text: str, start: int, end: int) -> bool:
        """Whether the sentence ``text[start:end]`` is a question in a reporter's turn: no claim,
        even when it holds a troop figure (the guide's decisions 5 and 6)."""
        if not text[start:end].rstrip(_CLOSERS).endswith("?"):
            return False
        # the turn holding the question mark: a sentence may begin with the "Q" that opens the turn
        i = self._turn_at(end - 1)
        return i >= 0 and self.reporter[i]

    def _turn_at(self, offset: int) -> int:
        """Index of the turn holding ``offset``; -1 before the first turn."""
        return bisect.bisect_right(self.starts, offset) - 1


# Capitalised words that can stand before a surname without being a first name.
_NOT_FIRST_NAMES = frozenset(
    {
        "secretary", "president", "minister", "director", "advisor", "adviser", "coordinator",
        "administrator", "ambassador", "senator", "representative", "governor", "mayor", "chair",
        "chairman", "general", "admiral", "colonel", "leader", "speaker", "deputy", "press", "mr",
        "ms", "mrs", "dr", "thank", "thanks", "and", "the", "by", "with", "to", "as", "from",
        "said", "says", "asked", "that", "this", "so", "but", "well", "yes", "no", "okay", "oh",
        "commissioner", "envoy", "counsel", "officer", "spokesperson", "spokesman",
    }
)  # fmt: skip
