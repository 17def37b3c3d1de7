"""Sentence splitting that keeps character offsets into the original text."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# Abbreviations after which a full stop does not end a sentence (lower-cased, without the dot).
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "gen",
        "lt",
        "col",
        "maj",
        "capt",
        "sgt",
        "adm",
        "cmdr",
        "sen",
        "rep",
        "gov",
        "pres",
        "st",
        "jr",
        "sr",
        "vs",
        "etc",
        "no",
        "nos",
        "fig",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "inc",
        "corp",
        "ltd",
        "co",
        "est",
        "approx",
        "dept",
        "u.s",
        "u.k",
        "u.n",
        "e.u",
        "u.s.a",
        "a.m",
        "p.m",
        "i.e",
        "e.g",
    ]
)

_BOUNDARY = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+)|\n\s*\n|\n")
_NEXT_START = re.compile(r"\s+[\"'“‘(\[]*[A-Z0-9]")


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence as a [start, end) slice of the text it came from."""

    start: int
    end: int


def _last_word(text: str, end: int) -> str:
    start = end
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    return text[start:end].rstrip(".!?\"'”’)]").lower()


def _is_abbreviation(text: str, dot: int) -> bool:
    word = _last_word(text, dot)
    if word in _ABBREVIATIONS:
        return True
    # Single initials ("John F. Kennedy") and dotted acronyms ("U.S.").
    return (len(word) == 1 and word.isalpha()) or (len(word) <= 5 and "." in word)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def split_region(text: str, start: int, end: int) -> list[Sentence]:
    """Split text[start:end] into sentences; offsets refer to ``text``."""
    sentences: list[Sentence] = []
    cursor = start
    for match in _BOUNDARY.finditer(text, start, end):
        cut = match.end()
        if match.group(0)[0] in ".!?":
            if not _NEXT_START.match(text, cut, end):
                continue
            if match.group(0).startswith(".") and _is_abbreviation(text, match.start()):
                continue
        s, e = _trim(text, cursor, cut)
        if e > s:
            sentences.append(Sentence(s, e))
        cursor = cut
    s, e = _trim(text, cursor, end)
    if e > s:
        sentences.append(Sentence(s, e))
    return sentences


def split_sentences(text: str, regions: Iterable[tuple[int, int]] | None = None) -> list[Sentence]:
    """Split ``text`` (or only the given content regions of it) into sentences."""
    spans = regions if regions is not None else [(0, len(text))]
    out: list[Sentence] = []
    for start, end in spans:
        out.extend(split_region(text, start, end))
    return out
