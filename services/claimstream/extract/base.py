"""The extractor interface: sentences in, typed evidence spans out. Knows nothing of Kafka."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

CLAIM_TYPES = ("threat", "commitment", "troop_count")
# Not a claim: where a sentence names the speaker of its claims (the tagger's speaker head).
SPEAKER = "speaker"


@dataclass(frozen=True, slots=True)
class Span:
    """A tagged evidence span; offsets index the sentence string it was found in."""

    type: str
    start: int
    end: int
    score: float


@runtime_checkable
class Extractor(Protocol):
    """Tags claim evidence spans in a batch of sentences."""

    name: str
    version: str

    def tag(self, sentences: Sequence[str]) -> list[list[Span]]:
        """One list of spans per input sentence, in input order."""
        ...
