"""The tagger with the troop-count grammar beside it.

The model finds where a troop count is stated; the quantity grammar reads exactly which
words state it. A tagged troop count that overlaps a grammar phrase becomes that phrase (so
"up to" and ranges stay inside the evidence and the normalised quantity is the one the span
states), and grammar phrases the model left untagged are added when the model gives them
some support: the troop-count inside probability somewhere in the phrase reaches
``grammar_min_inside`` (tuned on the dev sentences, stored in the model's labels.json). A
threshold of 0 adds every phrase; a small one keeps the recall the grammar brings while
leaving out the counts the model reads as casualties, police or hypotheticals.

Then the types the wording settles where the training text is too thin for the model
(:func:`settle_types`): an actor's denial of its own intent to attack or invade ("Moscow has no
plans to invade", claims/denials.py) is a threat with negated = true, and a warning that
relations will be broken off (claims/ruptures.py), a warning that a coercive move would be a
mistake ("Putin warned that new sanctions would be a colossal mistake", claims/mistakes.py) and
an announced sanction or cost on another party ("Treasury will sanction three firms",
claims/penalties.py) are threats, all added where the model tagged no threat and never also a
commitment; a threat span worded as announced aid or a pull-back of forces, with no coercive
word, is a commitment (claims/aid.py); and a commitment span worded as a resolve to defend one's
own land is a threat (claims/defence.py); a company's announced stop or restart of its own
service ("KLM will stop flying to Ukraine") is a commitment (claims/services.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from claimstream.claims.aid import reads_as_aid
from claimstream.claims.defence import reads_as_defence
from claimstream.claims.denials import find_denials
from claimstream.claims.mistakes import find_mistake_warnings
from claimstream.claims.penalties import find_penalties
from claimstream.claims.quantity import find_troop_quantities
from claimstream.claims.ruptures import find_ruptures
from claimstream.claims.services import find_service_stops
from claimstream.extract.base import Extractor, Span

GRAMMAR_SCORE = 0.5

# (start, end) character range of a sentence -> the model's support for a troop count there
Support = Callable[[int, int], float]


def _overlaps(span: Span, start: int, end: int) -> bool:
    return span.start < end and start < span.end


def _in_order(spans: list[Span]) -> list[Span]:
    return sorted(spans, key=lambda s: (s.start, s.end, s.type))


def merge_troop_spans(
    sentence: str,
    spans: Sequence[Span],
    support: Support | None = None,
    *,
    min_support: float = 0.0,
    add_missing: bool = True,
) -> list[Span]:
    """``spans`` with troop counts snapped to grammar phrases, and (``add_missing``) unclaimed
    phrases added when ``support`` (None: unconditionally) reaches ``min_support``."""
    troops = [s for s in spans if s.type == "troop_count"]
    out = [s for s in spans if s.type != "troop_count"]
    claimed: set[int] = set()
    for match in find_troop_quantities(sentence):
        hits = [i for i, s in enumerate(troops) if _overlaps(s, match.start, match.end)]
        if hits:
            claimed.update(hits)
            out.append(Span("troop_count", match.start, match.end, max(troops[i].score for i in hits)))
        elif add_missing and (support is None or support(match.start, match.end) >= min_support):
            out.append(Span("troop_count", match.start, match.end, GRAMMAR_SCORE))
    out.extend(s for i, s in enumerate(troops) if i not in claimed)
    return _in_order(out)


def add_threats(sentence: str, spans: Sequence[Span]) -> list[Span]:
    """``spans`` with each denial of an intent to attack, each warned rupture of relations, each
    warning that a coercive move would be a mistake and each announced penalty a threat: added
    where no threat span overlaps it, and never also a commitment (a commitment span that lies
    mostly inside the phrase is dropped)."""
    out = list(spans)
    found = sorted(find_denials(sentence) + find_ruptures(sentence) + find_penalties(sentence))
    # last: "sanctions would be a colossal mistake that could lead to a breakdown of relations" is
    # one threat, the rupture's span
    for start, end in found + find_mistake_warnings(sentence):
        out = [s for s in out if not (s.type == "commitment" and _mostly_inside(s, start, end))]
        if not any(s.type == "threat" and _overlaps(s, start, end) for s in out):
            out.append(Span("threat", start, end, GRAMMAR_SCORE))
    return _in_order(out)


def _mostly_inside(span: Span, start: int, end: int) -> bool:
    return 2 * (min(span.end, end) - max(span.start, start)) >= span.end - span.start


def _retype(
    spans: Sequence[Span], old: str, new: str, worded: Callable[[str], bool], sentence: str
) -> list[Span]:
    """``spans`` with each ``old`` span whose words pass ``worded`` made a ``new`` span (dropped
    where a ``new`` span already overlaps it)."""
    out: list[Span] = []
    for s in spans:
        if s.type == old and worded(sentence[s.start : s.end]):
            if any(o.type == new and _overlaps(o, s.start, s.end) for o in spans):
                continue
            s = Span(new, s.start, s.end, s.score)
        out.append(s)
    return out


def retype_worded(sentence: str, spans: Sequence[Span]) -> list[Span]:
    """``spans`` with each threat worded as announced aid or a withdrawal made a commitment, and
    each commitment worded as a resolve to defend one's own land made a threat."""
    spans = _retype(spans, "threat", "commitment", reads_as_aid, sentence)
    return _retype(spans, "commitment", "threat", reads_as_defence, sentence)


def add_service_stops(sentence: str, spans: Sequence[Span]) -> list[Span]:
    """``spans`` with each announced stop or restart of one's own service a commitment: a threat
    span lying mostly inside it is made a commitment, and it is added where no commitment then
    overlaps it."""
    out = list(spans)
    for start, end in find_service_stops(sentence):
        out = [
            Span("commitment", s.start, s.end, s.score)
            if s.type == "threat" and _mostly_inside(s, start, end)
            else s
            for s in out
        ]
        if not any(s.type == "commitment" and _overlaps(s, start, end) for s in out):
            out.append(Span("commitment", start, end, GRAMMAR_SCORE))
    return _in_order(out)


def settle_types(sentence: str, spans: Sequence[Span]) -> list[Span]:
    """The type fixes the wording settles: aid and a company's stop of its own service are
    commitments; a denial of an attack, a warning that relations will be broken off or that a
    coercive move would be a mistake, an announced penalty and a resolve to defend one's land are
    threats."""
    return add_threats(sentence, add_service_stops(sentence, retype_worded(sentence, spans)))


def inside_support(offsets: Sequence[tuple[int, int]], inside: np.ndarray) -> Support:
    """Support of a character range: the highest inside probability of a token overlapping it.
    Asked only for a grammar phrase the model left untagged, so nothing is computed up front."""

    def support(start: int, end: int) -> float:
        hit = [i for i, (a, b) in enumerate(offsets) if a < end and b > start]
        return float(inside[hit].max()) if hit else 0.0

    return support


class GrammarAssistedTagger:
    """Wraps an extractor; troop_count spans are snapped to, or added from, the quantity grammar,
    and the types the wording settles are fixed (:func:`settle_types`)."""

    def __init__(
        self, tagger: Extractor, *, add_missing: bool = True, min_support: float | None = None
    ) -> None:
        self.tagger = tagger
        self.add_missing = add_missing
        # 0 or a tagger without token probabilities: every grammar phrase is added
        self.min_support = (
            float(getattr(tagger, "grammar_min_inside", 0.0)) if min_support is None else min_support
        )
        # The grammar is part of how the model is served, not another extractor: keep its identity.
        self.name = tagger.name
        self.version = tagger.version

    def tag(self, sentences: Sequence[str]) -> list[list[Span]]:
        token_probs = getattr(self.tagger, "token_probs", None)
        if not self.add_missing or self.min_support <= 0 or token_probs is None:
            return [
                settle_types(s, merge_troop_spans(s, spans, add_missing=self.add_missing))
                for s, spans in zip(sentences, self.tagger.tag(sentences), strict=True)
            ]
        if not sentences:
            return []
        encs, probs = token_probs(sentences)
        k = list(self.tagger.types).index("troop_count")  # type: ignore[attr-defined]
        out: list[list[Span]] = []
        for s, enc, p in zip(sentences, encs, probs, strict=True):
            if not len(enc.ids):
                out.append([])
                continue
            spans = self.tagger.decode(s, enc.offsets, p)  # type: ignore[attr-defined]
            support = inside_support(enc.offsets, 1.0 - p[:, k, 0])
            out.append(settle_types(s, merge_troop_spans(s, spans, support, min_support=self.min_support)))
        return out
