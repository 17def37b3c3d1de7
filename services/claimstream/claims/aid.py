"""Announced aid and troop withdrawals are commitments, not threats.

The guidelines make "is prepared to provide Ukraine with further assistance" and "Russia
announced that it would withdraw 10,000 soldiers" commitments, and the annotation guide
types announced aid and deliveries to a party commitments. The labels agree: the 51 training
and evaluation claims worded as a delivery of arms or aid, or a pull-back of forces, with no
coercive word, are all commitments (the 12 threats so worded all hold one). The tagger types such
a span a threat where weapons are named in a short sentence ("The United States will send
Javelin missiles to Ukraine"); the served tagger retypes it with this test.
"""

from __future__ import annotations

import re
from typing import Final

_AID_RE: Final = re.compile(
    r"\b(?:send|sends|sending|deliver\w*|suppl(?:y|ies|ying)|provid\w*|ship(?:s|ping)?|giv(?:e|es|ing)|"
    r"transfer\w*|donat\w*)\b[^.;]{0,80}?\b(?:weapons?|missiles?|arms|ammunition|munitions|tanks|artillery|"
    r"air[\s-]defen[cs]es?|helmets|equipment|aid|assistance|jets|aircraft|drones|rifles|systems)\b",
    re.IGNORECASE,
)
_WITHDRAWAL_RE: Final = re.compile(
    r"\b(?:withdraw\w*|pull(?:s|ed|ing)?\s+(?:back|out)|draw(?:s|ing)?\s+down|bring(?:s|ing)?\s+home)\b"
    r"[^.;]{0,60}?\b(?:troops|forces|soldiers|personnel|servicemen|units)\b",
    re.IGNORECASE,
)
# Words that make a delivery or a pull-back coercive: "sanctions if Iran supplies missiles",
# "withdraw your forces or be prepared for ...", "warned that if the UK provided jets".
_COERCION_RE: Final = re.compile(
    r"\b(?:sanction\w*|strikes?|airstrikes?|attack\w*|retaliat\w*|punish\w*|consequences|costs|price|"
    r"destroy\w*|against|warn\w*|threat\w*|if|unless|should|designat\w*|or\s+(?:else|be|face))\b",
    re.IGNORECASE,
)


def reads_as_aid(span: str) -> bool:
    """Whether the claim ``span`` announces a delivery of arms or aid, or a pull-back of forces,
    with no coercive word in it."""
    return bool(_AID_RE.search(span) or _WITHDRAWAL_RE.search(span)) and not _COERCION_RE.search(span)
