"""Kafka-free parts of delivery: records per batch, dead-letter bounds, per-partition split."""

from __future__ import annotations

import base64
import hashlib

import orjson
from claimstream.delivery import (
    TRUNCATED_PREFIX_BYTES,
    OutTopics,
    bounded_dead_letter,
    dead_letter_key,
    outcome_records,
    split_outcome,
)
from claimstream.exceptions import ArticleTooLargeError, SchemaError
from claimstream.extract.baseline import BaselineExtractor
from claimstream.handling import BatchHandler, RawMessage, dead_letter
from claimstream.pipeline import Pipeline

TOPICS = OutTopics("claims", "claims.summaries", "articles.dlq")
GOOD = b'{"id": "a1", "text": "The minister warned that Russia would face severe consequences."}'


def msg(partition: int, offset: int, value: bytes | None, key: bytes | None = b"k") -> RawMessage:
    return RawMessage("articles", partition, offset, key, value, 1_700_000_000_000)


def handle(*messages: RawMessage):  # type: ignore[no-untyped-def]
    return BatchHandler(Pipeline(BaselineExtractor()), max_article_bytes=1000).handle(list(messages))


def test_claims_come_first_then_summaries_and_dead_letters() -> None:
    outcome = handle(msg(0, 5, GOOD), msg(0, 6, b"{broken"))
    claims, closing = outcome_records(outcome, TOPICS, max_dead_letter_bytes=1_000_000)
    assert claims and all(r.topic == "claims" and r.key == b"a1" for r in claims)
    assert [r.topic for r in closing] == ["claims.summaries", "articles.dlq"]
    summary = orjson.loads(closing[0].value)
    assert (summary["source_partition"], summary["source_offset"]) == (0, 5)
    assert summary["claim_ids"] == [orjson.loads(r.value)["claim_id"] for r in claims]
    assert closing[1].key == b"articles/0/6"
    assert base64.b64decode(orjson.loads(closing[1].value)["value_b64"]) == b"{broken"


def test_split_outcome_by_source_partition() -> None:
    outcome = handle(msg(0, 1, GOOD), msg(3, 9, b""), msg(3, 10, GOOD), msg(1, 2, b"\xff"))
    parts = split_outcome(outcome)
    assert sorted(parts) == [("articles", 0), ("articles", 1), ("articles", 3)]
    assert [m.offset for m, _ in parts[("articles", 3)].results] == [10]
    assert [d.offset for d in parts[("articles", 3)].dead_letters] == [9]
    assert [d.error_code for d in parts[("articles", 1)].dead_letters] == ["not_utf8"]


def test_small_dead_letters_keep_the_original() -> None:
    dead = dead_letter(msg(0, 1, b"x" * 1000), SchemaError("nope"))
    assert bounded_dead_letter(dead, 1_000_000) is dead


def test_a_dead_letter_too_large_keeps_a_prefix_its_size_and_hash() -> None:
    original = bytes(range(256)) * 8000  # 2 MB
    dead = dead_letter(msg(2, 7, original, key=b"big"), ArticleTooLargeError("too big"))
    bounded = bounded_dead_letter(dead, 1_000_000)
    record = bounded.to_dict()
    assert len(orjson.dumps(record)) < 1_000_000
    assert base64.b64decode(record["value_b64"]) == original[:TRUNCATED_PREFIX_BYTES]
    assert record["extra"] == {
        "value_truncated": True,
        "value_bytes": len(original),
        "value_sha256": hashlib.sha256(original).hexdigest(),
    }
    assert (record["error_code"], record["key_b64"]) == ("too_large", base64.b64encode(b"big").decode())
    assert dead_letter_key(bounded) == b"articles/2/7"


def test_a_tiny_limit_still_gives_a_valid_dead_letter() -> None:
    dead = dead_letter(msg(0, 1, b"y" * 50_000), SchemaError("nope"))
    bounded = bounded_dead_letter(dead, 8192)
    assert len(orjson.dumps(bounded.to_dict())) <= 8192
    assert bounded.extra["value_bytes"] == 50_000
