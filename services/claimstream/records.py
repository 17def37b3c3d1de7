"""The records that flow through the service: articles in, claims, summaries and dead letters out."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

SCHEMA_VERSION = "v1"


@dataclass(frozen=True, slots=True)
class Article:
    """One news article as accepted from the articles topic."""

    id: str
    text: str
    title: str | None = None
    url: str | None = None
    source: str | None = None
    published_at: str | None = None
    lang: str | None = None
    produced_at_ms: int | None = None  # the Kafka record timestamp, for end-to-end latency


@dataclass(frozen=True, slots=True)
class Claim:
    """One threat, commitment or troop-count claim with its provenance."""

    claim_id: str
    article_id: str
    type: str
    text: str
    start: int
    end: int
    sentence_start: int
    sentence_end: int
    speaker: str | None
    target: str | None
    conditional: bool
    negated: bool
    quantity: dict[str, Any] | None
    confidence: float
    model_version: str
    extracted_at: str
    schema_version: str = SCHEMA_VERSION

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class ArticleSummary:
    """Completion marker: the article was processed and yielded ``claim_count`` claims."""

    article_id: str
    claim_count: int
    claim_ids: list[str]
    counts: dict[str, int]
    model_version: str
    extracted_at: str
    source_partition: int | None = None
    source_offset: int | None = None
    schema_version: str = SCHEMA_VERSION

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """A message the worker could not process, with the original bytes and the reason."""

    error_code: str
    error_message: str
    topic: str
    partition: int
    offset: int
    key_b64: str | None
    value_b64: str
    failed_at: str
    timestamp_ms: int | None = None
    worker: str | None = None
    schema_version: str = SCHEMA_VERSION
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
