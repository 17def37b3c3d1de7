"""What the worker does with a batch of raw messages, without touching Kafka.

The agent hands in raw messages and gets back the records to send; keeping this free of
Faust makes it testable in-process and shared by every way of running the service.
"""

from __future__ import annotations

import base64
import logging
import socket
from collections.abc import Sequence
from dataclasses import dataclass, field

import orjson

from claimstream.decode import decode_article
from claimstream.exceptions import ClaimstreamError, ExtractionError
from claimstream.pipeline import ArticleResult, Pipeline, now_iso
from claimstream.records import Article, DeadLetter

log = logging.getLogger(__name__)
WORKER_NAME = socket.gethostname()


@dataclass(frozen=True, slots=True)
class RawMessage:
    """A consumed message as it came off the broker."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    timestamp_ms: int | None = None


@dataclass(slots=True)
class Outcome:
    """Records to send for one batch: results per good article, dead letters for the rest."""

    results: list[tuple[RawMessage, ArticleResult]] = field(default_factory=list)
    dead_letters: list[DeadLetter] = field(default_factory=list)


def dead_letter(msg: RawMessage, error: ClaimstreamError) -> DeadLetter:
    """The dead-letter record for ``msg``: original bytes, where it came from and why it failed."""
    return DeadLetter(
        error_code=error.code,
        error_message=str(error) or type(error).__name__,
        topic=msg.topic,
        partition=msg.partition,
        offset=msg.offset,
        key_b64=base64.b64encode(msg.key).decode("ascii") if msg.key is not None else None,
        value_b64=base64.b64encode(msg.value or b"").decode("ascii"),
        failed_at=now_iso(),
        timestamp_ms=msg.timestamp_ms,
        worker=WORKER_NAME,
    )


def encode(record: dict[str, object]) -> bytes:
    return orjson.dumps(record)


class BatchHandler:
    """Decodes, extracts and routes a batch; never raises for a bad message."""

    def __init__(self, pipeline: Pipeline, *, max_article_bytes: int) -> None:
        self.pipeline = pipeline
        self.max_article_bytes = max_article_bytes

    def decode(
        self, batch: Sequence[RawMessage]
    ) -> tuple[list[tuple[RawMessage, Article]], list[DeadLetter]]:
        good: list[tuple[RawMessage, Article]] = []
        dead: list[DeadLetter] = []
        for msg in batch:
            try:
                article = decode_article(
                    msg.value, msg.key, max_bytes=self.max_article_bytes, timestamp_ms=msg.timestamp_ms
                )
            except ClaimstreamError as exc:
                dead.append(dead_letter(msg, exc))
            else:
                good.append((msg, article))
        return good, dead

    def extract(
        self, good: Sequence[tuple[RawMessage, Article]]
    ) -> tuple[list[tuple[RawMessage, ArticleResult]], list[DeadLetter]]:
        """Run the model over all good articles at once; isolate a failing article if the batch fails."""
        if not good:
            return [], []
        try:
            results = self.pipeline.process([a for _, a in good])
            return list(zip((m for m, _ in good), results, strict=True)), []
        except ClaimstreamError:
            if len(good) == 1:
                raise
        done: list[tuple[RawMessage, ArticleResult]] = []
        dead: list[DeadLetter] = []
        for msg, article in good:
            try:
                done.append((msg, self.pipeline.process([article])[0]))
            except ClaimstreamError as exc:
                log.warning("article %r failed extraction: %s", article.id, exc)
                dead.append(dead_letter(msg, exc))
        return done, dead

    def handle(self, batch: Sequence[RawMessage]) -> Outcome:
        good, dead = self.decode(batch)
        try:
            results, failed = self.extract(good)
        except ClaimstreamError as exc:
            results, failed = [], [dead_letter(good[0][0], exc)]
        except Exception as exc:  # a bug must not lose the batch: dead-letter it with the reason
            log.exception("unexpected extraction failure")
            wrapped = ExtractionError(f"{type(exc).__name__}: {exc}")
            results, failed = [], [dead_letter(m, wrapped) for m, _ in good]
        return Outcome(results=results, dead_letters=dead + failed)
