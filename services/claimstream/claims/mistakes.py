"""A warning that another party's move would be a mistake: a threat.

The guidelines' first threat example is one: "Putin warned that new sanctions would be a
colossal mistake that could lead to a complete breakdown of relations". The "mistake" part
carries the warning on its own as often as with the rupture (the sample article: "Putin warns
Biden that sanctions would be a 'colossal mistake'", "Putin said that a new round of sanctions
would be a 'colossal mistake'"), and the labelled training text holds too few such sentences
for the tagger to learn it. This grammar finds the warning where an actor states it (a verb of
saying or warning before it) and the mistake is a coercive move (sanctions, an invasion, a
strike), or where the verb is "warn" itself; an opinion that something "would be a mistake"
with no such move named ("it would be a big mistake for Israel to reoccupy Gaza", "said this
would be a major mistake", of tariffs) is no warning of harm. The whole corpus holds no
sentence it finds; the sample article holds three. The tagger wrapper (extract/hybrid.py) adds
it as a threat where the model tagged none.
"""

from __future__ import annotations

import re
from typing import Final

from claimstream.claims.ruptures import clause_start

_SAY: Final = (
    r"(?:warn(?:s|ed|ing)?|said|says|say|told|tells|mentioned|cautioned|declared|stated|added|insisted|"
    r"stressed|replied|noted)"
)
# "colossal mistake", "“grave” mistake", up to two words before it, quoted or not
_MISTAKE_WORDS: Final = r"[“\"]?(?:[\w-]+\s+){0,2}[“\"]?mistakes?\b"
_MISTAKE: Final = rf"(?:a|an)\s+{_MISTAKE_WORDS}[”\"]?"
_MOVE: Final = (
    r"(?:(?:new|further|more|any|such|fresh|additional|western|the|these|those|a|an|its|their)\s+)*"
    r"(?:(?:round\s+of\s+)?sanctions|invasion|attack|strikes?|escalation|incursion|expansion|deployment|"
    r"intervention|aggression|blockade)"
)
# "warned (Biden) that new sanctions would be a colossal mistake", "said any invasion would be a
# grave mistake"
_MOVE_WOULD_RE: Final = re.compile(
    rf"\b{_SAY}\b[^.;:!?]{{0,80}}?\b(?:that\s+)?{_MOVE}(?:,[^,]{{1,30}},)?\s+(?:would|will|could)\s+"
    rf"(?:\w+\s+)?be\s+{_MISTAKE}",
    re.IGNORECASE,
)
# "Putin warns Biden of 'colossal mistake'", "warned that it would be a grave mistake to ..."
_WARN_RE: Final = re.compile(
    rf"\bwarn(?:s|ed|ing)?\b[^.;:!?]{{0,80}}?\b(?:of\s+(?:(?:a|an|the)\s+)?{_MISTAKE_WORDS}|"
    rf"(?:would|will|could)\s+(?:\w+\s+)?be\s+{_MISTAKE})",
    re.IGNORECASE,
)


def find_mistake_warnings(sentence: str) -> list[tuple[int, int]]:
    """(start, end) of each warning that a move would be a mistake: from the start of its clause
    (the actor who warns) to the end of the "mistake" phrase."""
    out: list[tuple[int, int]] = []
    if "mistake" not in sentence.lower():
        return out  # nearly every sentence: skip the two scans
    for rx in (_MOVE_WOULD_RE, _WARN_RE):
        for m in rx.finditer(sentence):
            start = clause_start(sentence, m.start())
            if m.start() - start > 120:  # a long lead-in: start at the verb itself
                start = m.start()
            end = m.end()
            while end > start and sentence[end - 1] in '”"':
                end -= 1
            while start < end and sentence[start] in "“\"‘' ":
                start += 1
            if not any(s < end and start < e for s, e in out):
                out.append((start, end))
    return sorted(out)
