"""Troop-count detection and normalisation (rule based, stdlib only, hot path).

Finds personnel counts ("up to 100,000 Russian troops", "some 2,000 National Guardsmen",
"tens of thousands of soldiers", "between 70 and 90 thousand troops") and normalises them into
a :class:`Quantity` following Settled case 1 of the claim guidelines.

Bounds per qualifier (N = the number as stated):

============  =======  =======  =======  ==================================================
qualifier     value    lower    upper    cues
============  =======  =======  =======  ==================================================
exact         N        N        N        a bare number ("3,000 troops", "a dozen soldiers")
approx        N        None     None     about, some, around, roughly, nearly, almost,
                                         approximately, an estimated, estimated at, close(r)
                                         to, circa, ~, something like, more or less, barely
                                         (reached), "N or so", "N-odd", "N troops or so"
up_to         N        None     N        up to, as many as
at_least      N        N        None     at least, more than, over, upwards of, in excess of,
                                         no fewer/less than, above, "N+", "N-plus", "N or more"
at_most       N        None     N        fewer than, less than, under, no more than, at most,
                                         below, "N or fewer", "N or less"
range         None     X        Y        between X and Y, X-Y, X–Y, X to Y, X or Y (a shared
                                         scale word applies to both: "70 to 90 thousand"; a
                                         spoken "3- to 7,000" drops the first's thousands)
vague         None     see below         quantity words without a number
============  =======  =======  =======  ==================================================

Vague bounds ("several" = at least three of the unit, "a few"/"many" = at least two; the same
table as docs/annotation-guide.md section 4):

==========================================================  =========  =========
phrase                                                      lower      upper
==========================================================  =========  =========
dozens (of), a few dozen                                    24         99
several dozen                                               36         99
scores of                                                   40         199
hundreds (of), a few hundred, many hundreds                 200        999
several hundred                                             300        999
thousands (of), a few thousand, many thousands              2,000      9,999
several thousand                                            3,000      9,999
(many) tens of thousands (of)                               20,000     99,999
hundreds of thousands (of)                                  200,000    999,999
millions (of)                                               2,000,000  9,999,999
==========================================================  =========  =========

A cue word before a vague phrase ("up to several thousand") does not change it: it stays vague.
A cue reads across quotes ('"at least" 10') and a transcript's false start ("more than 6- —
6,100"); a bound beats an estimate ("no more than an estimated 100" is at_most).
"from X to Y troops" is a change of level, not a range: it yields two exact counts, and
"from 20,000 soldiers to nearly 9,000" (or "from its current level of roughly 570,000 troops to
490,000") gives the elided second figure the first one's noun. A span already typed troop_count
that holds a change reports the new level: ``parse_quantity(..., allow_bare=True)`` takes the
second figure of "from X to Y", or a number after "rising to" / "bringing the total to", over the
first count.

Numbers: digits with "," / "." / space thousands separators ("100,000", "100.000", "100 000"),
decimals with a scale ("1.5 million", "2.5m", "10k", "10 thousand"), and words ("ten thousand",
"one hundred and fifty", "twenty-five", "a dozen", "two dozen", "half a million").

The count must be followed (after at most three modifier words, or "of its/their/the") by a
personnel noun (troops, soldiers, foot soldiers, servicemen, service members, forces, personnel,
reservists, marines, paratroopers, fighters, mercenaries, National Guard / Guardsmen, militants,
gunmen, armed men, rebels, guerrillas, insurgents, militiamen, sailors, airmen, recruits,
combatants, commandos, special forces, conscripts, troopers, "members of the military / National
Guard / ..."), or be a "N-strong force/contingent/brigade". Some nouns need a modifier that makes
them military (annotation guide 6.4): officers/advisers/instructors/technicians ("army officers",
"military advisers") and members ("rebel members", "militia members", "Coast Guard members"; never
gang or cartel members). ``unit`` is the noun as written.

Rejected (Settled case 11): equipment ("tanks", "personnel carriers", "F-16 fighters"), units
without a personnel number ("a battalion", "two task forces"), casualties ("12 soldiers were
killed", "killed 12 soldiers", "wounded soldiers", "killing 200 of the 350 soldiers"), prisoners
and captives ("captured", "caught", "freed", "held hostage"), police, civilians, refugees, diplomats
(not personnel nouns), mixed totals ("1,000 troops and police", "... and their spouses"), money
("$100 million"), percentages, years ("in 2014 troops ..."), reference numbers ("Article 5 forces")
and hyphenated measures ("20-year-old soldiers"). Hypothetical numbers (Settled case 9) are left to
the model.

Known limits: a day of the month right before a space-grouped number ("December 7 100
soldiers") is read as one number; counts whose noun comes before the number ("troops in Syria
(2,000)") are only found by ``parse_quantity(..., allow_bare=True)``.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Final

__all__ = [
    "QUALIFIERS",
    "Quantity",
    "QuantityMatch",
    "find_troop_quantities",
    "parse_number",
    "parse_quantity",
]

QUALIFIERS: Final = ("exact", "approx", "up_to", "at_least", "at_most", "range", "vague")


@dataclass(frozen=True, slots=True)
class Quantity:
    """A normalised personnel count (Settled case 1)."""

    value: int | None
    lower: int | None
    upper: int | None
    qualifier: str
    unit: str

    def to_dict(self) -> dict[str, object]:
        return {
            "value": self.value,
            "lower": self.lower,
            "upper": self.upper,
            "qualifier": self.qualifier,
            "unit": self.unit,
        }


@dataclass(frozen=True, slots=True)
class QuantityMatch:
    """A count found in a text: ``text[start:end]`` is the whole phrase (cue + number + noun)."""

    start: int
    end: int
    quantity: Quantity
    new_level: bool = False  # the second figure of a change ("from 800 to 1,600 troops")


# --------------------------------------------------------------------------------------------
# Number words
# --------------------------------------------------------------------------------------------

_SMALL: Final[dict[str, int]] = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
_TENS: Final = frozenset({"twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"})
_SCALES: Final[dict[str, int]] = {
    "hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000,
    "k": 1_000, "m": 1_000_000, "mn": 1_000_000, "bn": 1_000_000_000, "dozen": 12,
}  # fmt: skip

_UNITS_W = "one|two|three|four|five|six|seven|eight|nine"
_TEENS_W = "ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen"
_TENS_W = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
_SMALL_W = rf"(?:(?:{_TENS_W})(?:-(?:{_UNITS_W}))?|{_TEENS_W}|{_UNITS_W})"
_SCALE_W = r"(?:hundred|thousand|million|billion|dozen)"
_WORD_TOKEN = rf"(?:{_SMALL_W}|{_SCALE_W})"
_WORD_SEP = r"(?:(?:(?<=hundred)|(?<=thousand)|(?<=million))\s+and\s+|[\s-]+)"
_WORD_NUMBER = (
    rf"(?:half\s+an?\s+(?:million|billion)|a\s+quarter(?:\s+of)?\s+an?\s+(?:million|billion)"
    rf"|(?:an?\s+{_SCALE_W}|{_SMALL_W})(?:{_WORD_SEP}{_WORD_TOKEN}(?![\w-]))*)"
)
# Digits: "100,000" | "100 000" | "100.000" | "2.5" | "10" (+ optional attached/spaced scale word).
_DIGITS = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?:[ \u00a0\u202f\u2009]\d{3})+(?![\d,.]\d)|\d+(?:\.\d+)*)"
_DIGIT_SCALE = r"(?:(?:k|m|mn|bn)(?![\w-])|[\s-]+(?:thousand|million|billion|hundred|dozen)(?![\w-]))"
_DIGITS_RE: Final = re.compile(
    rf"(?<![\w.,/:$€£¥])(?P<digits>{_DIGITS})(?P<dscale>{_DIGIT_SCALE})?(?![\w]|[.,]\d)", re.IGNORECASE
)
_WORDS_RE: Final = re.compile(
    r"\b(?=one|two|thr|fou|fiv|six|sev|eig|nin|ten|ele|twe|thi|fif|for|hal|an?\s+(?:hun|tho|mil|bil|doz|qua))"
    rf"(?<!-)(?P<words>{_WORD_NUMBER})(?![\w])",
    re.IGNORECASE,
)
_PARSE_DIGITS_RE: Final = re.compile(rf"^(?P<digits>{_DIGITS})\s*(?P<scale>{_SCALE_W}|k|m|mn|bn)?$", re.I)
_DOT_THOUSANDS_RE: Final = re.compile(r"^\d{1,3}(?:\.\d{3})+$")
_WORD_SPLIT_RE: Final = re.compile(r"[\s-]+")
_SPACES_RE: Final = re.compile(r"[ \u00a0\u202f\u2009]")
_SPECIAL_WORDS: Final[dict[str, int]] = {
    "half a million": 500_000, "half a billion": 500_000_000,
    "a quarter million": 250_000, "a quarter of a million": 250_000,
    "a quarter billion": 250_000_000, "a quarter of a billion": 250_000_000,
}  # fmt: skip

_VAGUE_PHRASES: Final[tuple[tuple[str, int, int], ...]] = (
    (r"hundreds\s+of\s+thousands", 200_000, 999_999),
    (r"(?:many\s+)?tens\s+of\s+thousands", 20_000, 99_999),
    (r"millions", 2_000_000, 9_999_999),
    (r"several\s+thousand", 3_000, 9_999),
    (r"(?:a\s+few|many)\s+thousands?|thousands", 2_000, 9_999),
    (r"several\s+hundred", 300, 999),
    (r"(?:a\s+few|many)\s+hundreds?|hundreds", 200, 999),
    (r"several\s+dozen", 36, 99),
    (r"a\s+few\s+dozen|dozens", 24, 99),
    (r"scores", 40, 199),
)
_VAGUE_RE: Final = re.compile(
    r"(?<![\w-])(?:"
    + "|".join(f"(?P<v{i}>{pattern})" for i, (pattern, _, _) in enumerate(_VAGUE_PHRASES))
    + r")(?:\s+of(?:\s+(?:the|its|their|his|her|our|these|those))?(?=\s)|(?=\s+more\b))?(?![\w-])",
    re.IGNORECASE,
)


def _parse_words(text: str) -> int | None:
    raw = " ".join(text.lower().split())
    special = _SPECIAL_WORDS.get(raw)
    if special is not None:
        return special
    tokens = [t for t in _WORD_SPLIT_RE.split(raw) if t and t != "and"]
    if not tokens or tokens[0] in _SCALES or tokens[0] == "dozen":
        return None
    total = 0
    current = 0
    previous = ""  # kind of the previous token: "", "a", "unit", "teen", "tens", "scale"
    for i, token in enumerate(tokens):
        if token in ("a", "an"):
            if i != 0 or len(tokens) == 1 or (tokens[1] not in _SCALES and tokens[1] != "dozen"):
                return None
            current, previous = 1, "a"
        elif token in _SMALL:
            number = _SMALL[token]
            if previous in ("unit", "teen", "a") or (previous == "tens" and number >= 10):
                return None
            current += number
            previous = "tens" if token in _TENS else ("unit" if number < 10 else "teen")
        elif token == "dozen":
            current = (current or 1) * 12
            previous = "scale"
        elif token == "hundred":
            if current and current % 100 == 0:
                return None  # "two hundred hundred"
            current = (current or 1) * 100
            previous = "scale"
        elif token in ("thousand", "million", "billion"):
            scale = _SCALES[token]
            if total and total < scale:
                return None  # "three thousand two million"
            total += (current or 1) * scale
            current = 0
            previous = "scale"
        else:
            return None
    return total + current


def _digits_value(digits: str, decimal: bool) -> float | None:
    """The number written in ``digits``; a lone "." is a decimal point only if ``decimal``
    (a scale word follows), otherwise "1.500" is read as 1500."""
    digits = _SPACES_RE.sub("", digits)
    if "," in digits:
        digits = digits.replace(",", "")
    elif not decimal and _DOT_THOUSANDS_RE.match(digits):
        digits = digits.replace(".", "")
    if digits.count(".") > 1:
        return None
    try:
        return float(digits)
    except ValueError:
        return None


def _as_int(number: float | None) -> int | None:
    if number is None or number != int(number):
        return None
    return int(number)


def parse_number(text: str) -> int | None:
    """Parse one number phrase: "100,000", "100 000", "10k", "1.5 million", "ten thousand",
    "two dozen", "a hundred", "half a million". Returns None for anything else (including vague
    phrases such as "a few hundred" and non-integers such as "2.5")."""
    raw = text.strip()
    match = _PARSE_DIGITS_RE.match(raw)
    if match:
        scale = match.group("scale")
        number = _digits_value(match.group("digits"), decimal=scale is not None)
        if number is None:
            return None
        if scale:
            scale = scale.lower()
            number *= _SCALES[scale]
        return _as_int(number)
    return _parse_words(raw)


# --------------------------------------------------------------------------------------------
# Context: personnel nouns, modifiers, cues
# --------------------------------------------------------------------------------------------


def _words(spaced: str) -> frozenset[str]:
    return frozenset(spaced.split())


_UNIT_NOUNS = (
    r"special\s+operations\s+forces|special\s+forces|service\s*members?|service\s+personnel"
    r"|service(?:wo)?m[ae]n|national\s+guards(?:wo)?m[ae]n"
    r"|national\s+guard(?!\s+(?:troops|soldiers|personnel|forces|units?|bases?|members?)\b)"
    r"|national\s+guard\s+members|guards(?:wo)?m[ae]n|troops|soldiers?|personnel|forces"
    r"|reservists?|marines?|paratroopers?|fighters|mercenar(?:y|ies)|militants?|gunm[ae]n"
    r"|rebels?|guerr?illas?|insurgents?|militiam[ae]n|jihadists?|sailors?|airm[ae]n|recruits"
    r"|combatants?|commandos?|conscripts?|troopers?|infantrym[ae]n|officers?|advis[eo]rs|instructors"
    r"|technicians|foot\s+soldiers|armed\s+m[ae]n"
    r"|members\s+of\s+(?:the\s+)?(?:(?:U\.S\.|US|[A-Z][a-z]+)\s+)?(?:military|armed\s+forces|army|navy"
    r"|air\s+force|marines|marine\s+corps|national\s+guard|coast\s+guard|special\s+forces)|members"
)
_STRONG_NOUNS = (
    r"force|forces|contingent|army|garrison|unit|battalion|brigade|division|regiment|detachment"
    r"|militia|mission|deployment|troops|corps|task\s+force"
)
# Civilian and federal responders are no troops (annotation guide 6.4, decision 79): "7,000 federal
# personnel", "300 rescue personnel".
_CIVILIAN_MODIFIERS = "federal fema rescue medical relief emergency disaster"
# A modifier word between the number and the noun: "Russian", "U.S.-based", "active-duty".
_MODIFIER = r"(?:(?:[A-Z]\.){2,}(?:-[A-Za-z]+)*|[A-Za-z][A-Za-z'’]*(?:-[A-Za-z'’]+)*)"
_MODIFIER_STOP: Final = _words(
    """a an the of for in on at to from by with and or but nor as than that which who whom whose were was
    are is be been being have has had will would could should may might must can did do does not per
    into onto over under after before since during while if when where its their his her our my your
    this these those there here it they them he she we you i percent cent years year days months
    weeks hours minutes min mins sec secs hr hrs am pm miles kilometres kilometers km dollars euros
    pounds tons tonnes police policemen civilian civilians wounded injured dead killed fallen
    captured missing detained imprisoned kidnapped abducted released freed prisoner prisoners
    refugee refugees diplomatic hostage hostages times per cent """
    + _CIVILIAN_MODIFIERS
)
_MILITARY_MODIFIER: Final = _words(
    """army military navy naval marine marines airforce air force armed defense defence idf nato
    infantry artillery special commissioned non-commissioned"""
)
# "members" is a count only for the armed forces and armed groups (annotation guide 6.4, 34/42):
# "rebel members", "militia members", "Coast Guard members" -- never gang or cartel members.
_NEEDS_MILITARY: Final = ("officer", "adviser", "advisor", "instructor", "technician")
_MEMBER_MODIFIER: Final = _words(
    """army military navy naval marine marines air force guard coast national service rebel rebels
    guerrilla guerrillas militia reserve reservist armed-forces idf special forces operations"""
)
# One pattern per number of modifier words (0..3), tried in that order: the nearest noun wins,
# unless it is itself a modifier ("Marine Corps troops", "rebel groups").
_UNIT_TAIL_RES: Final = tuple(
    re.compile(
        rf"(?P<of>\s+of\s+(?:the|its|their|his|her|our|these|those)(?=\s))?"
        rf"(?P<mods>(?:\s+{_MODIFIER}){{{k}}})\s+(?P<unit>{_UNIT_NOUNS})(?![\w-])",
        re.IGNORECASE,
    )
    for k in range(4)
)
# "3,000-strong force", "a 10,000-member peacekeeping force", "a 500-man unit", "a 1,500-troop contingent"
_COMPOUND = r"-(?:strong|member|man|troop|soldier)"
_COMPOUND_RE: Final = re.compile(rf"{_COMPOUND}(?![\w-])", re.IGNORECASE)
_STRONG_TAIL_RE: Final = re.compile(
    rf"{_COMPOUND}(?P<mods>(?:\s+{_MODIFIER}){{0,3}}?)\s+(?P<unit>{_STRONG_NOUNS})(?![\w-])",
    re.IGNORECASE,
)
_OR_SO = r"\s+or\s+so\b"
_POSTFIX_RE: Final = re.compile(
    r"(?P<plus>\+|-plus\b|\s+plus\b)|(?P<more>\s+or\s+more\b)|(?P<fewer>\s+or\s+(?:fewer|less)\b)"
    rf"|(?P<so>{_OR_SO}|-odd\b)",
    re.IGNORECASE,
)
# What may follow the noun and make the phrase a casualty/captive figure ("12 soldiers were
# killed"), or show the noun was a modifier of another noun ("personnel carriers", "rebel groups",
# "guerrilla fighters").
_AFTER_AUX = (
    r"\s*,?\s*(?:(?:were|was|have|has|had|are|been|being|reportedly|also|all|who|later|then|"
    r"allegedly|subsequently|still|later|[a-z]+ly)\s+)*"
)
# The fates both patterns below read after a personnel noun: killed, hurt or taken.
_FATES = (
    r"killed|slain|dead|died|wounded|injured|hurt|murdered|executed|captured|caught|arrested|detained|"
    r"abducted|kidnapped|imprisoned|taken\s+(?:hostage|prisoner|captive)|held\s+(?:hostage|captive|prisoner)"
)
_AFTER_FATE = (
    _AFTER_AUX + rf"(?:{_FATES}|die|casualties|deaths|missing|perished|seized|apprehended|rounded\s+up"
    r"|taken\s+into\s+custody|lost\s+their\s+lives|gave\s+(?:up\s+)?their\s+lives"
    r"|made\s+the\s+(?:ultimate|supreme)\s+sacrifice)\b"
)
_AFTER_FATE_RE: Final = re.compile(_AFTER_FATE, re.IGNORECASE)
_AFTER_UNIT_REJECT_RE: Final = re.compile(
    rf"{_AFTER_FATE}"
    rf"|{_AFTER_AUX}(?:remains|bodies"
    r"|graves|widows|families|carriers?|jets?|aircraft|planes?|vehicles?|helicopters?|bases?|camps?"
    r"|groups?|units?|leaders?|commanders?|positions?|strongholds?|factions?|organi[sz]ations?"
    rf"|movements?|attacks?|corps|{_UNIT_NOUNS})\b"
    # mixed totals (annotation guide 6.4, 45): "1,000 troops and police", "... and their spouses"
    r"|(?:\s*,\s*[a-z]+)?\s*,?\s+(?:and|or)\s+(?:their\s+)?(?:police|policemen|civilians|contractors"
    r"|spouses|families|dependents|staff|officials|diplomats)\b",
    re.IGNORECASE,
)
# The same fate a few words after the noun: "24 fighters from abroad are dead", "35 soldiers having
# been injured", "36 fighters in all were wounded" (not across a new clause: "3,000 troops after
# 12 soldiers were killed" is a count).
_FATE_AFTER_GAP_RE: Final = re.compile(
    r"(?:\s+(?!(?:after|when|while|as|because|before|since|and|but|or|to|who|which|that|where)\b)"
    r"[A-Za-z][\w.\-’']*){1,3}?"
    r"\s+(?:(?:have|has|had|having)\s+been\s+|(?:were|was|are|is|being|got|been)\s+)?"
    rf"(?:{_FATES}|massacred|freed|released)\b",
    re.IGNORECASE,
)
# A casualty or captivity verb or noun right before the number: "killed 12 soldiers", "the
# release of 16 soldiers", "killing 200 of the 350 soldiers".
_BEFORE_FATE = (
    r"\b(?:kill(?:s|ed|ing)?|wound(?:s|ed|ing)?|injur(?:e|es|ed|ing)|captur(?:e|es|ed|ing)|"
    r"detain(?:s|ed|ing)?|kidnap(?:s|ped|ping)?|abduct(?:s|ed|ing)?|execut(?:e|es|ed|ing)|"
    r"arrest(?:s|ed|ing)?|caught|catch(?:es|ing)?|"
    r"murder(?:s|ed|ing)?|los(?:e|es|t|ing)|loss(?:es)?\s+of|free(?:s|d|ing)?|releas(?:e|es|ed|ing)|"
    r"exchang(?:e|es|ed|ing)|swap(?:s|ped|ping)?|massacr(?:e|es|ed|ing)|slaughter(?:s|ed|ing)?|"
    r"deaths?\s+of|bodies\s+of|corpses\s+of|remains\s+of|funerals?\s+(?:of|for)|mourn(?:s|ed|ing)?|"
    r"(?:killings?|arrests?|detention|capture|release|execution|kidnapping|abduction)\s+of)"
    r"(?:\s+(?:the|our|their|its|his|her|some|all|another|a\s+further|an\s+additional))?"
    r"(?:\s+[\d,]+\s+of\s+(?:the|their|its|his|her|our))?[\s'\"‘“]+"
)
_BEFORE_FATE_RE: Final = re.compile(f"(?:{_BEFORE_FATE})$", re.IGNORECASE)
_BEFORE_REJECT_RE: Final = re.compile(
    rf"(?:{_BEFORE_FATE}"
    r"|[$€£¥]\s*|\b(?:US|USD|EUR|GBP)\s*\$?\s*|\bno\s+"
    # reference numbers: "Article 5 forces allies to respond"
    r"|\b(?:article|chapter|section|resolution|paragraph|clause|phase|stage|level|no\.|category"
    r"|title|rule|page|step|point|item|round|grade|class|type|model|mark|route|highway|flight|room"
    r"|gate|block|sector|zone|district|tier|protocol|annex)\s+)$",
    re.IGNORECASE,
)
_YEAR_CONTEXT_RE: Final = re.compile(
    r"\b(?:in|since|by|until|till|from|before|after|during|of|early|late|mid|spring|summer|autumn|"
    r"fall|winter|january|february|march|april|may|june|july|august|september|october|november|"
    r"december|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\.?\s+$",
    re.IGNORECASE,
)
_PERCENT_RE: Final = re.compile(r"\s*(?:%|percent\b|per\s+cent\b|pct\b)", re.IGNORECASE)
_YEAR_RE: Final = re.compile(r"1[89]\d\d|20\d\d")
_HYPHEN_WORD_RE: Final = re.compile(r"-[A-Za-z]")
_LETTER_HYPHEN_RE: Final = re.compile(r"[A-Za-z]-$")

_QUALIFIER_CUES: Final[tuple[tuple[str, str], ...]] = (
    ("up_to", r"up\s+to(?:\s+a\s+maximum\s+of)?|as\s+many\s+as"),
    ("at_most", r"no\s+more\s+than|not\s+more\s+than|fewer\s+than|less\s+than|at\s+(?:the\s+)?most"
     r"|(?:just\s+|well\s+)?(?:under|below)|a\s+maximum\s+of"),
    ("at_least", r"at\s+least|(?:well\s+|just\s+|far\s+|many\s+|much\s+)?more\s+than|no\s+fewer\s+than"
     r"|no\s+less\s+than|not\s+less\s+than|(?:well\s+|just\s+)?(?:over|above)|upwards\s+of"
     r"|in\s+excess\s+of|a\s+minimum\s+of|exceeding"),
    ("approx", r"about|around|roughly|nearly|almost|approximately|approx\.?|an\s+estimated"
     r"|estimated(?:\s+at)?|an\s+approximate|some|close(?:r)?\s+to|circa|ca\.|~|something\s+like"
     r"|more\s+or\s+less|barely(?:\s+reached)?"),
)  # fmt: skip
_QUALIFIER_RE: Final = re.compile(
    r"(?<![\w-])(?:"
    + "|".join(f"(?P<{name}>{pattern})" for name, pattern in _QUALIFIER_CUES)
    # then, in this order: "an estimated" after a bound, which wins ("no more than an estimated
    # 100" is at_most); a closing quote ('"at least" 10 members'); a transcript's false start
    # ("more than one hun- — one million", "the more than 6- — 6,100")
    + r")(?:\s+an\s+estimated)?[\"”’]?(?:(?:\s+[\w,]+){1,2}-\s*[—–]+)?[\s\"“‘]*$",
    re.IGNORECASE,
)
_BETWEEN_RE: Final = re.compile(r"(?<![\w-])between\s+$", re.IGNORECASE)
_FROM_RE: Final = re.compile(r"(?<![\w-])from\s+$", re.IGNORECASE)
# "from its current level of roughly 570,000 troops to 490,000"
# The cues a figure of a change may carry: "from some 20,000 soldiers to nearly 9,000".
_CHANGE_CUES = r"about|around|roughly|nearly|almost|some|approximately|over|more\s+than|at\s+least|just|only"
_FROM_LEVEL_RE: Final = re.compile(
    r"(?<![\w-])from\s+(?:(?:its|their|the|a|an|current|present|level|strength|size|total|number|peak"
    rf"|high|low|of)\s+)*(?:{_CHANGE_CUES})?\s*$",
    re.IGNORECASE,
)
# A figure that gives the new level after a count: "600 soldiers were deployed, rising to 800",
# "bringing the total to over 6,000"
_NEW_LEVEL_RE: Final = re.compile(
    r"(?<![\w-])(?:ris(?:e|es|ing)|rose|risen|climb(?:s|ed|ing)?|swell(?:s|ed|ing)?|grow(?:s|ing)?|grew"
    r"|(?:bring|brings|bringing|brought|rais(?:e|es|ed|ing)|tak(?:e|es|ing)|took)\s+(?:the|its|their)"
    r"\s+(?:total|number|strength|force|presence)(?:\s+there)?)\s+to\s+$",
    re.IGNORECASE,
)
_ELIDED_TO_RE: Final = re.compile(
    rf"\s+to\s+(?:(?:{_CHANGE_CUES}|fewer\s+than|less\s+than|under)\s+)?",
    re.IGNORECASE,
)
# "3- to 7,000": the first figure's thousands are elided after its hyphen
_RANGE_SEP_RE: Final = re.compile(r"(?P<elided>-\s*)?\s*(?P<sep>-|–|—|to|and|or)\s*$", re.IGNORECASE)
_WINDOW: Final = 40


@dataclass(frozen=True, slots=True)
class _Num:
    start: int
    end: int
    value: float  # may be fractional before a shared scale is applied ("1.5" in "1.5-2 million")
    mantissa: float
    scale: int
    is_year_like: bool


def _number_tokens(text: str) -> list[_Num]:
    tokens: list[_Num] = []
    for m in _DIGITS_RE.finditer(text):
        dscale = m.group("dscale")
        scale_word = dscale.strip(" -\u00a0").lower() if dscale else None
        mantissa = _digits_value(m.group("digits"), decimal=scale_word is not None)
        if mantissa is None:
            continue
        scale = _SCALES[scale_word] if scale_word else 1
        year_like = scale == 1 and _YEAR_RE.fullmatch(m.group("digits")) is not None
        tokens.append(_Num(m.start(), m.end(), mantissa * scale, mantissa, scale, year_like))
    for m in _WORDS_RE.finditer(text):
        words = m.group("words")
        parsed = _parse_words(words)
        if parsed is None:
            continue
        low = words.lower()
        scale = next((_SCALES[w] for w in ("billion", "million", "thousand") if low.endswith(w)), 1)
        tokens.append(_Num(m.start(), m.end(), parsed, parsed / scale, scale, False))
    tokens.sort(key=lambda t: t.start)
    return tokens


def _qualifier_before(text: str, start: int) -> tuple[str, int]:
    """The cue right before ``start`` as (qualifier, cue start); ("exact", start) if none."""
    window_start = max(0, start - _WINDOW)
    m = _QUALIFIER_RE.search(text, window_start, start)
    if not m:
        return "exact", start
    for name, _ in _QUALIFIER_CUES:
        if m.group(name) is not None:
            return name, m.start()
    return "exact", start  # pragma: no cover


def _rejected_before(text: str, start: int) -> bool:
    return _BEFORE_REJECT_RE.search(text, max(0, start - _WINDOW), start) is not None


def _joins_names(words: list[str], j: int) -> bool:
    """ "and"/"or" between two capitalised modifiers: "30,000 Russian and Belarusian troops"."""
    return (
        words[j].lower() in ("and", "or")
        and 0 < j < len(words) - 1
        and words[j - 1][:1].isupper()
        and words[j + 1][:1].isupper()
    )


def _stops(words: list[str], j: int) -> bool:
    """Whether modifier ``words[j]`` ends the noun phrase: a function word, a casualty word, or a
    lower-case plural noun ("two incidents involving Russian paratroopers")."""
    word = words[j].lower()
    if word in _MODIFIER_STOP:
        return not _joins_names(words, j)
    return (
        words[j].islower()
        and len(word) > 3
        and word.endswith("s")
        and not word.endswith(("ss", "us", "overseas"))
        and word not in ("operations", "forces", "arms", "services")
    )


def _unit_after(text: str, pos: int, value: float | None) -> tuple[int, str] | None:
    """Match the modifiers + personnel noun starting at ``pos``; return (end, unit) or None."""
    for pattern in _UNIT_TAIL_RES:
        m = pattern.match(text, pos)
        if m is None:
            continue
        if m.group("of") and (value is None or value < 2):
            return None
        words = m.group("mods").split()
        mods = [w.lower() for w in words]
        if any(_stops(words, j) for j in range(len(words))):
            return None
        unit = m.group("unit")
        if unit.lower().startswith(_NEEDS_MILITARY) and not any(w in _MILITARY_MODIFIER for w in mods):
            continue  # "army officers", "military advisers" -- not police officers or advisers
        if unit.lower() == "members" and not any(w in _MEMBER_MODIFIER for w in mods):
            continue
        if unit.lower() == "forces" and mods and mods[-1] in ("task", "armed"):
            continue  # "two Joint Task Forces", "the Ukrainian Armed Forces": institutions
        if _AFTER_UNIT_REJECT_RE.match(text, m.end()) or _FATE_AFTER_GAP_RE.match(text, m.end()):
            continue
        return m.end(), " ".join(unit.split())
    return None


def _strong_after(text: str, pos: int) -> tuple[int, str] | None:
    m = _STRONG_TAIL_RE.match(text, pos)
    if m is None or any(w.lower() in _MODIFIER_STOP for w in m.group("mods").split()):
        return None
    return m.end(), re.sub(r"\s+", " ", m.group("unit"))


def _make(qualifier: str, value: int, unit: str) -> Quantity:
    if qualifier == "exact":
        return Quantity(value, value, value, "exact", unit)
    if qualifier == "approx":
        return Quantity(value, None, None, "approx", unit)
    if qualifier == "up_to":
        return Quantity(value, None, value, "up_to", unit)
    if qualifier == "at_least":
        return Quantity(value, value, None, "at_least", unit)
    return Quantity(value, None, value, "at_most", unit)


def _overlaps(taken: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(start < e and s < end for s, e in taken)


def find_troop_quantities(text: str) -> list[QuantityMatch]:
    """Every personnel count in ``text``, in order of position, without overlaps."""
    # every count ends in a personnel or force noun: most sentences have none, and this one
    # search costs a fraction of the number scan below
    if not _may_hold_count(text):
        return []
    found: list[QuantityMatch] = []
    taken: list[tuple[int, int]] = []

    # 1. Vague phrases ("tens of thousands of troops").
    for m in _VAGUE_RE.finditer(text):
        lower, upper = 0, 0
        for i, (_, lo, hi) in enumerate(_VAGUE_PHRASES):
            if m.group(f"v{i}") is not None:
                lower, upper = lo, hi
                break
        tail = _unit_after(text, m.end(), None)
        if tail is None or _rejected_before(text, m.start()):
            continue
        end, unit = tail
        found.append(QuantityMatch(m.start(), end, Quantity(None, lower, upper, "vague", unit)))
        taken.append((m.start(), end))

    # 2. Numbers, ranges and changes of level.
    tokens = [t for t in _number_tokens(text) if not _overlaps(taken, t.start, t.end)]
    skip_next = False
    for i, tok in enumerate(tokens):
        if skip_next:
            skip_next = False
            continue
        if i + 1 < len(tokens):
            pair = _range(text, tok, tokens[i + 1])
            if pair:
                found.extend(pair)
                skip_next = True
                continue
        match = _single(text, tok)
        if match is not None:
            found.append(match)
            if i + 1 < len(tokens):
                elided = _elided(text, match, tokens[i + 1])
                if elided is not None:
                    found.append(elided)
                    skip_next = True
    found.sort(key=lambda q: (q.start, -q.end))
    result: list[QuantityMatch] = []
    last_end = -1
    for q in found:
        if q.start >= last_end:
            result.append(q)
            last_end = q.end
    return result


def _elided(text: str, first: QuantityMatch, second: _Num) -> QuantityMatch | None:
    """The second figure of a change whose noun is elided: "from some 20,000 soldiers to nearly
    9,000" -> approx 9000 soldiers (annotation guide 6.4, 39 and 45)."""
    window = max(0, first.start - _WINDOW)
    if _FROM_LEVEL_RE.search(text, window, first.start) is None:
        return None
    if not _ELIDED_TO_RE.fullmatch(text, first.end, second.start):
        return None
    value = _as_int(second.value)
    if value is None or value <= 0 or second.is_year_like or _PERCENT_RE.match(text, second.end):
        return None
    if _unit_after(text, second.end, value) is not None:
        return None  # "to 9,000 troops" is found on its own
    qualifier, cue_start = _qualifier_before(text, second.start)
    return QuantityMatch(
        max(cue_start, first.end), second.end, _make(qualifier, value, first.quantity.unit), new_level=True
    )


@dataclass(frozen=True, slots=True)
class _Pair:
    lo: int
    hi: int
    start: int  # where the phrase starts: "between", or the first number
    change: bool  # "from X to Y": a change of level, two counts


def _pair(text: str, first: _Num, second: _Num) -> _Pair | None:
    """The two numbers as a range or a change of level, whatever follows them; None if neither."""
    sep = _RANGE_SEP_RE.match(text, first.end, second.start)
    if sep is None:
        return None
    word = sep.group("sep").lower()
    lo, hi = first.value, second.value
    if first.scale == 1 and second.scale > 1 and first.mantissa <= second.mantissa:
        lo = first.mantissa * second.scale  # shared scale: "70 to 90 thousand"
    elif sep.group("elided"):
        # "3- to 7,000 soldiers": the speaker drops the first figure's thousands (or millions);
        # "more than 6- — 6,100" is a false start, not a range
        scale = next((m for m in (1_000_000, 1_000) if hi % m == 0 and lo * m < hi), 0)
        if word != "to" or first.scale != 1 or not scale or lo >= 1000:
            return None
        lo *= scale
    lo_i, hi_i = _as_int(lo), _as_int(hi)
    if lo_i is None or hi_i is None or lo_i <= 0:
        return None
    window = max(0, first.start - _WINDOW)
    between = _BETWEEN_RE.search(text, window, first.start)
    change = word == "to" and _FROM_RE.search(text, window, first.start) is not None
    if (word == "and" and between is None) or (between is not None and word == "or"):
        return None
    if not change and lo_i >= hi_i:
        return None
    if _PERCENT_RE.match(text, second.end) or _rejected_before(text, first.start):
        return None
    return _Pair(lo_i, hi_i, between.start() if between is not None else first.start, change)


def _range(text: str, first: _Num, second: _Num) -> list[QuantityMatch]:
    """A range ("between 70,000 and 90,000 troops", "70 to 90 thousand troops") or a change of
    level ("from 800 to 1,600 troops": two exact counts); [] if the pair is neither."""
    pair = _pair(text, first, second)
    tail = _unit_after(text, second.end, second.value) if pair is not None else None
    if pair is None or tail is None:
        return []
    end, unit = tail
    if pair.change:
        return [
            QuantityMatch(first.start, first.end, _make("exact", pair.lo, unit)),
            QuantityMatch(second.start, end, _make("exact", pair.hi, unit), new_level=True),
        ]
    _, cue_start = _qualifier_before(text, pair.start)
    if _rejected_before(text, cue_start):
        return []
    return [QuantityMatch(cue_start, end, Quantity(None, pair.lo, pair.hi, "range", unit))]


@dataclass(frozen=True, slots=True)
class _Qualified:
    value: int
    qualifier: str
    cue_start: int  # start of the whole phrase (the cue, or the number)
    pos: int  # where the noun may start (after "+", "or so", "-plus" ...)


def _qualify(text: str, tok: _Num) -> _Qualified | None:
    """Value and qualifier of a lone number, or None if it is no count (year, percent, F-16)."""
    value = _as_int(tok.value)
    if value is None or value <= 0:
        return None
    before = text[max(0, tok.start - _WINDOW) : tok.start]
    if _LETTER_HYPHEN_RE.search(before) or _PERCENT_RE.match(text, tok.end):
        return None  # "F-16", "MiG-29", "S-400"; "50%"
    if tok.is_year_like and (_YEAR_CONTEXT_RE.search(before) or text[tok.end : tok.end + 1] == ","):
        return None
    qualifier = "exact"
    pos = tok.end
    post = _POSTFIX_RE.match(text, pos)
    if post is not None:
        pos = post.end()
        if post.group("plus") or post.group("more"):
            qualifier = "at_least"
        elif post.group("fewer"):
            qualifier = "at_most"
        else:
            qualifier = "approx"
    cue, cue_start = _qualifier_before(text, tok.start)
    if cue != "exact":
        qualifier = cue
    if _rejected_before(text, cue_start):
        return None
    return _Qualified(value, qualifier, cue_start, pos)


def _single(text: str, tok: _Num) -> QuantityMatch | None:
    q = _qualify(text, tok)
    if q is None:
        return None
    strong = _strong_after(text, q.pos) if _COMPOUND_RE.match(text, q.pos) else None
    if strong is not None:
        end, unit = strong
    else:
        if _HYPHEN_WORD_RE.match(text, q.pos):
            return None  # "20-year-old", "50-minute"
        tail = _unit_after(text, q.pos, q.value)
        if tail is None:
            return None
        end, unit = tail
    qualifier = q.qualifier
    if qualifier == "exact" and (so := _OR_SO_RE.match(text, end)):
        qualifier, end = "approx", so.end()  # "2,500 troops or so"
    return QuantityMatch(q.cue_start, end, _make(qualifier, q.value, unit))


# Substrings of every number word and vague phrase, and of every personnel and force noun above.
_NUMBER_HINTS: Final = (
    *_UNITS_W.split("|"), *_TEENS_W.split("|"), *_TENS_W.split("|"), "hundred", "thousand", "million",
    "billion", "dozen", "score",
)  # fmt: skip
_NOUN_HINTS: Final = (
    "force", "member", "service", "guard", "troop", "soldier", "personnel", "reservist", "marine",
    "paratrooper", "fighter", "mercenar", "militant", "gunm", "rebel", "guer", "insurgent", "militia",
    "jihadist", "sailor", "airm", "recruit", "combatant", "commando", "conscript", "infantry", "officer",
    "advis", "instructor", "technician", "armed", "contingent", "army", "garrison", "unit", "battalion",
    "brigade", "division", "regiment", "detachment", "mission", "deployment", "corps",
)  # fmt: skip
_DIGIT_RE: Final = re.compile(r"\d")


def _may_hold_count(text: str) -> bool:
    """False when ``text`` surely holds no count: no digit or number word, or no personnel noun.
    Plain substring tests: most sentences are ruled out far faster than by the grammar itself."""
    low = text.lower()
    if _DIGIT_RE.search(text) is None and not any(h in low for h in _NUMBER_HINTS):
        return False
    return any(h in low for h in _NOUN_HINTS)


_ANY_UNIT_RE: Final = re.compile(rf"(?<![\w-])(?:{_UNIT_NOUNS})(?![\w-])", re.IGNORECASE)
_ANY_STRONG_RE: Final = re.compile(rf"(?<![\w-])(?:{_STRONG_NOUNS})(?![\w-])", re.IGNORECASE)


# People the guidelines name as no troop count, right after a number: a bare number there counts them.
_NOT_PERSONNEL_AFTER_RE: Final = re.compile(
    r"(?:\s+[A-Za-z][\w\-’']*){0,2}?\s+(?:civilians?|police|policemen|policewomen|"
    r"refugees|migrants|residents|villagers|children|inmates|prisoners|detainees|hostages|"
    r"captives|protesters|demonstrators|students|workers|journalists|diplomats|citizens|responders|"
    r"firefighters|employees|(?:"
    + "|".join(_CIVILIAN_MODIFIERS.split())
    + r")\s+(?:personnel|staff|teams?))\b",
    re.IGNORECASE,
)


_UNIT_AT_END_RE: Final = re.compile(rf"(?<![\w-])(?:{_UNIT_NOUNS})$", re.IGNORECASE)


def _fate_before(text: str, start: int, lo: int = 0) -> bool:
    """A casualty or captivity word right before ``start`` ("killed 12 soldiers", "the loss of")."""
    return _BEFORE_FATE_RE.search(text, max(lo, start - _WINDOW), start) is not None


def _fate_after(text: str, pos: int, hi: int | None = None) -> bool:
    """A fate right after a personnel noun that ends at ``pos`` ("were killed", "who made the
    ultimate sacrifice", "from abroad are dead")."""
    end = len(text) if hi is None else hi
    return bool(_AFTER_FATE_RE.match(text, pos, end) or _FATE_AFTER_GAP_RE.match(text, pos, end))


def counts_casualties_around(text: str, start: int, end: int, lo: int, hi: int) -> bool:
    """Whether the sentence ``text[lo:hi]`` makes the troop-count span ``text[start:end]`` a figure
    of the dead, hurt or captive from outside the span: a casualty word right before it ("the loss
    of 600,000 soldiers") or a fate right after it ("7,054 troops who made the ultimate sacrifice",
    "12 soldiers killed in the blast")."""
    if _fate_before(text, start, lo):
        return True
    # only a span that ends on its personnel noun: a fate after another noun is that noun's
    # ("100 fighters joined the extremists, who have seized ...")
    return _UNIT_AT_END_RE.search(text, start, end) is not None and _fate_after(text, end, hi)


def _in_fate(text: str, start: int, pos: int) -> bool:
    """Whether the phrase from ``start`` (its cue, or the number) to ``pos`` counts the dead, hurt
    or captive: a casualty word right before it ("killed 12 soldiers", "the release of 16
    soldiers"), or a fate after its personnel noun ("12 soldiers were killed", "24 fighters from
    abroad are dead")."""
    if _fate_before(text, start):
        return True
    for pattern in _UNIT_TAIL_RES:
        m = pattern.match(text, pos)
        if m is not None:
            return _fate_after(text, m.end())
    return False


_PARTITIVE_RE = re.compile(r"\s+of\b", re.IGNORECASE)
# What a bare number in a troop-count span may count besides people: "six years later", "across 14
# states", "from 80 countries".
_MEASURE_AFTER_RE = re.compile(
    r"\s+(?:years?|months?|weeks?|days?|hours?|decades?|times|states|countries|nations|provinces|cities"
    r"|towns|villages|miles|kilometres|kilometers|km|locations|sites|bases)\b",
    re.IGNORECASE,
)
# A number that counts equipment, not people, even in a span typed troop_count: "more than 125 US
# aircraft participated", "40 Russian tanks".
_EQUIPMENT_AFTER_RE = re.compile(
    r"(?:\s+[A-Z][\w.\-]*){0,2}\s+(?:aircraft|air\s*planes?|planes?|jets?|fighter\s+jets|bombers?|helicopters?|"
    r"drones?|tanks|ships?|warships?|vessels?|boats?|submarines?|missiles?|rockets?|vehicles?|trucks?|"
    r"guns?|rifles?|weapons?|tankers?)\b"
)
# A number that counts units, not people (guidelines: battalion tactical groups are no troop
# count): "nearly 100 battalion tactical groups", "two armoured brigades", "some 60 BTGs".
_UNITS_AFTER_RE = re.compile(
    r"(?:\s+(?:[A-Z][\w.\-]*|tactical|combat|armou?red|mechani[sz]ed|motori[sz]ed|infantry|airborne|"
    r"artillery|tank|rifle|naval|air)){0,2}\s+(?:battalions?|BTGs?|brigades?|divisions?|regiments?|"
    r"squadrons?|platoons?|companies|tactical\s+groups?)\b"
)
# Military medics are troops (COVID-19 hospital deployments): "23 military medical personnel",
# "4,500 military and medical personnel"; "military and civilian personnel" stay a mixed total.
_MILITARY_MEDICAL_RE = re.compile(r"\s+military\s+(?:and\s+)?medical\s+(?:personnel|staff|teams?)\b", re.I)
# the same "or so" after the noun: "2,500 troops or so"
_OR_SO_RE = re.compile(_OR_SO, re.IGNORECASE)


def _last_new_level(text: str, matches: list[QuantityMatch]) -> Quantity | None:
    """The last figure of a change in ``text``: a count found as one ("from 800 to 1,600 troops"),
    or a number after "rising to", "bringing the total to" once a count came before it."""
    levels = [(m.start, m.quantity) for m in matches if m.new_level]
    for tok in _number_tokens(text):
        if tok.start < matches[0].end or any(m.start <= tok.start < m.end for m in matches):
            continue
        q = _qualify(text, tok)
        if q is None or tok.is_year_like or _MEASURE_AFTER_RE.match(text, q.pos):
            continue
        if _NEW_LEVEL_RE.search(text, max(0, q.cue_start - _WINDOW), q.cue_start):
            levels.append((tok.start, _make(q.qualifier, q.value, matches[0].quantity.unit)))
    return max(levels, key=lambda lv: lv[0])[1] if levels else None


def parse_quantity(text: str, *, allow_bare: bool = False) -> Quantity | None:
    """The salient personnel count in a claim span: the first one found, else None.

    With ``allow_bare`` (for spans already typed troop_count), a number without a following
    personnel noun ("troops in Syria (2,000)", "rising to 800") is accepted as a last resort,
    with ``unit`` set to the first personnel noun in the span, or "" if there is none.
    """
    matches = find_troop_quantities(text)
    if matches and allow_bare:
        # a span that states a change holds the new level: the claim is where the count now stands
        level = _last_new_level(text, matches)
        if level is not None:
            return level
    if matches:
        return matches[0].quantity
    if not allow_bare:
        return None
    noun = _ANY_UNIT_RE.search(text) or _ANY_STRONG_RE.search(text)
    unit = " ".join(noun.group(0).split()) if noun else ""
    vague = _VAGUE_RE.search(text)
    qualified = [(tok, _qualify(text, tok)) for tok in _number_tokens(text)]
    # a span that counts casualties or captives holds no troop count: not this number, nor another
    if any(
        _in_fate(text, q.cue_start, q.pos) if q is not None else _in_fate(text, tok.start, tok.end)
        for tok, q in qualified
    ):
        return None
    counts = [tok for tok, q in qualified if q is not None and not tok.is_year_like]
    for first, second in itertools.pairwise(counts):
        pair = _pair(text, first, second)
        if pair is not None and not (
            _NOT_PERSONNEL_AFTER_RE.match(text, second.end) or _MEASURE_AFTER_RE.match(text, second.end)
        ):
            if pair.change:  # "the armed forces increased from 145,000 to 236,000 members"
                return _make("exact", pair.hi, unit)
            return Quantity(None, pair.lo, pair.hi, "range", unit)  # "some 800 to 1,500 other citizens"
    for tok, q in qualified:
        if vague is not None and vague.start() < tok.start:
            break
        if q is None or tok.is_year_like or re.search(r"[$€£¥]\s*$", text[max(0, tok.start - 4) : tok.start]):
            continue
        if _HYPHEN_WORD_RE.match(text, q.pos) and not _COMPOUND_RE.match(text, q.pos):
            continue
        if q.value == 1 and _PARTITIVE_RE.match(text, tok.end):
            continue  # "one of hundreds of nationals fighting for the group": the count is what follows
        if (
            _MEASURE_AFTER_RE.match(text, q.pos)
            or _EQUIPMENT_AFTER_RE.match(text, q.pos)
            or _UNITS_AFTER_RE.match(text, q.pos)
            or (_NOT_PERSONNEL_AFTER_RE.match(text, q.pos) and not _MILITARY_MEDICAL_RE.match(text, q.pos))
        ):
            continue  # "12 civilians", "2,000 police officers": people who are not troops
        return _make(q.qualifier, q.value, unit)
    if (
        vague is not None
        and not _NOT_PERSONNEL_AFTER_RE.match(text, vague.end())
        and not _in_fate(text, vague.start(), vague.end())
    ):
        # "hundreds of nationals fighting for the group", not "thousands of civilians" or
        # "dozens of soldiers were killed"
        lower, upper = next((lo, hi) for i, (_, lo, hi) in enumerate(_VAGUE_PHRASES) if vague.group(f"v{i}"))
        return Quantity(None, lower, upper, "vague", unit)
    return None
