"""A company's announced stop, suspension or resumption of its own service: a commitment.

Settled case 3 of the guidelines: "a company announcing that it will stop flying to a country
makes a commitment". The corpus holds no sentence so worded, and the tagger finds the case
only when it is reported ("KLM said on Saturday that it will stop flying to Ukraine"), not in
the plain future ("Dutch airline KLM will stop flying to Ukraine, the company said"), and it types
"said it would cancel its flights to Ukraine" a threat. This grammar finds the announcement: a
modal of intent, a verb that stops or restarts, and the actor's own flights, flying or service to,
from or in a place. The tagger wrapper (extract/hybrid.py) adds it as a commitment where the
model tagged no commitment there, and makes a threat span so worded a commitment.

Not: a government's halt of flights to a country (a restriction on it: the sentence must name
a company, an airline or a carrier), a service cut imposed on another party ("suspend flights on
Iran Air" is a sanction, a threat), a condition ("if", "unless"), "would" outside reported speech
(a hypothesis), a question, a stop already made ("suspended flights last week").
"""

from __future__ import annotations

import re
from typing import Final

from claimstream.claims.clauses import clause_start, is_question

_SERVICE: Final = (
    r"(?:(?:(?:all|some|most|many)\s+(?:of\s+)?)?(?:its|their|all)\s+(?:own\s+)?)?"
    r"(?:(?:direct|scheduled|passenger|cargo|commercial|regular|international|remaining)\s+){0,2}"
    r"(?:flights|flying|fly|flies|routes?|sailings)"
    # "service" is an airline's word only with an owner: "suspend internet service" is not one
    r"|(?:all|its|their)\s+(?:(?:direct|scheduled|passenger|cargo)\s+)?(?:service|services)"
)
_VERB: Final = r"(?:stop|suspend|halt|cancel|pause|end|cease|resume|restart|restore|reroute|divert)"
_MODAL: Final = (
    r"(?:will|['’]ll|would|(?:is|are)\s+(?:going|set|due)\s+to|plans?\s+to|(?:has|have)\s+decided\s+to"
    r"|(?:is|are)\s+to)(?:\s+(?:also|now|temporarily|immediately|indefinitely|not|no\s+longer))*"
)
_ANNOUNCE_RE: Final = re.compile(
    rf"\b{_MODAL}\s+{_VERB}\s+(?:{_SERVICE})\b(?:\s+(?:to|from|in|into|over|between|through|via)\b)"
    r"[^,;:.!?—–]{0,100}",
    re.IGNORECASE,
)
_REPORTED_RE: Final = re.compile(r"\b(?:said|says|announced|told|confirmed|stated)\b[^.;]{0,60}$", re.I)
_ON_ANOTHER_RE: Final = re.compile(
    r"\b(?:on|of|against|for)\s+[A-Z][\w-]*(?:\s+[A-Z][\w-]*)*\s+(?:Air|Airlines|Airways)\b"
)
# the actor must read as a company: a government halting flights to a country imposes a
# restriction on it (a penalty, claims/penalties.py), not a company's own conduct
_COMPANY_RE: Final = re.compile(
    r"\b(?:(?i:airlines?|carriers?|airways|company|companies|firm|operator|group)|Air|Aer|"
    r"KLM|Lufthansa|Ryanair|easyJet|Wizz|Finnair|Aeroflot|LOT|airBaltic|Iberia|Vueling|Norwegian|SAS|"
    r"Pegasus|flydubai|Etihad|Maersk|MSC)\b"
)
_CONDITION_RE: Final = re.compile(r"\b(?:if|unless|should\s+\w+\s+(?:invade|attack))\b", re.IGNORECASE)


def find_service_stops(sentence: str) -> list[tuple[int, int]]:
    """(start, end) of each announced stop, suspension or resumption of one's own service: from
    the start of its clause (at most 100 characters before the modal) to the end of the clause."""
    if is_question(sentence) or not _COMPANY_RE.search(sentence):
        return []
    out: list[tuple[int, int]] = []
    for m in _ANNOUNCE_RE.finditer(sentence):
        if m.group(0).split()[0].lower() == "would" and not _REPORTED_RE.search(sentence[: m.start()]):
            continue
        start = clause_start(sentence, m.start(), 100)
        if _ON_ANOTHER_RE.search(m.group(0)) or _CONDITION_RE.search(sentence[start : m.end()]):
            continue
        out.append((start, m.end()))
    return out
