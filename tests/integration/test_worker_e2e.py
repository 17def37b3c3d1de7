"""The whole path on the real broker: articles in, claims, summaries and dead letters out."""

from __future__ import annotations

import base64
import hashlib
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from claimstream.schemas import validate
from claimstream.text.boilerplate import content_regions

from .harness import CLAIMSTREAM, Topics, Worker, produce, read_topic

pytestmark = pytest.mark.kafka

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample-article.txt"
SAMPLE_ID = "sample-article"


@pytest.fixture(scope="module")
def topics() -> Topics:
    return Topics()


@pytest.fixture(scope="module")
def worker(
    kafka_bootstrap: str, topics: Topics, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Worker]:
    w = Worker(kafka_bootstrap, topics, tmp_path_factory.mktemp("worker")).start()
    w.wait_ready()
    yield w
    assert w.stop() == 0, w.log()[-3000:]


def _strip(claim: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in claim.items() if not k.startswith("__") and k != "extracted_at"}


async def _claims_of(
    bootstrap: str, topics: Topics, article_id: str, timeout: float = 60
) -> list[dict[str, Any]]:
    summaries = await read_topic(
        bootstrap,
        topics.summaries,
        until=lambda rs: any(r["article_id"] == article_id for r in rs),
        timeout=timeout,
    )
    summary = next(r for r in summaries if r["article_id"] == article_id)
    validate("summary", {k: v for k, v in summary.items() if not k.startswith("__")})
    wanted = set(summary["claim_ids"])
    claims = await read_topic(
        bootstrap,
        topics.claims,
        until=lambda rs: wanted <= {r["claim_id"] for r in rs},
        timeout=timeout,
    )
    mine = [c for c in claims if c["article_id"] == article_id]
    assert {c["claim_id"] for c in mine} == wanted
    return mine


async def test_sample_article_yields_valid_claims(
    kafka_bootstrap: str, topics: Topics, worker: Worker
) -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    await produce(kafka_bootstrap, topics.articles, [(SAMPLE_ID.encode(), text.encode())])
    claims = await _claims_of(kafka_bootstrap, topics, SAMPLE_ID, timeout=60)
    assert claims, "the sample article has claims of every type"
    assert {c["type"] for c in claims} == {"threat", "commitment", "troop_count"}
    regions = content_regions(text)
    for claim in claims:
        validate("claim", _strip(claim) | {"extracted_at": claim["extracted_at"]})
        assert text[claim["start"] : claim["end"]] == claim["text"]
        assert claim["__key"] == SAMPLE_ID
        assert any(s <= claim["start"] and claim["end"] <= e for s, e in regions), claim["text"]
    troops = {c["quantity"]["value"] for c in claims if c["type"] == "troop_count"}
    assert {100000, 10000} <= troops


BAD_MESSAGES: list[tuple[str, bytes, str]] = [
    ("not-json", b"{this is not json", "not_json_object"),
    ("no-text", b'{"id": "x1", "title": "no text"}', "schema"),
    ("text-not-string", b'{"id": "x2", "text": 12345}', "schema"),
    ("empty-text", b'{"id": "x3", "text": ""}', "empty"),
    ("bad-utf8", b"\xc3\x28 invalid \xff bytes", "not_utf8"),
    ("json-array", b'[{"id": "x4", "text": "an array"}]', "not_json_object"),
    ("too-large", b'{"id": "x5", "text": "' + b"word " * 1_000_000 + b'"}', "too_large"),
]


async def test_bad_messages_are_dead_lettered_and_the_worker_goes_on(
    kafka_bootstrap: str, topics: Topics, worker: Worker
) -> None:
    good = orjson.dumps(
        {"id": "after-bad", "text": "Russia said it would withdraw 3,000 troops from the border."}
    )
    messages = [(name.encode(), value) for name, value, _ in BAD_MESSAGES] + [(b"after-bad", good)]
    await produce(kafka_bootstrap, topics.articles, messages)
    dead = await read_topic(
        kafka_bootstrap,
        topics.dlq,
        until=lambda rs: (
            {r["key_b64"] for r in rs} >= {base64.b64encode(n.encode()).decode() for n, _, _ in BAD_MESSAGES}
        ),
        timeout=60,
    )
    by_key = {base64.b64decode(r["key_b64"]).decode(): r for r in dead if r["key_b64"]}
    for name, value, code in BAD_MESSAGES:
        record = by_key[name]
        validate("dead-letter", {k: v for k, v in record.items() if not k.startswith("__")})
        assert record["error_code"] == code, record
        stored = base64.b64decode(record["value_b64"])
        if record["extra"].get("value_truncated"):
            # Oversize originals keep a prefix, their size and digest; the source offset has the rest.
            assert value.startswith(stored) and len(stored) < len(value)
            assert record["extra"]["value_bytes"] == len(value)
            assert record["extra"]["value_sha256"] == hashlib.sha256(value).hexdigest()
        else:
            assert stored == value
        assert record["topic"] == topics.articles and record["offset"] >= 0 and record["error_message"]
    claims = await _claims_of(kafka_bootstrap, topics, "after-bad")
    assert [c["quantity"]["value"] for c in claims if c["type"] == "troop_count"] == [3000]


async def test_extract_cli_gives_the_workers_claims(
    kafka_bootstrap: str, topics: Topics, worker: Worker
) -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    await produce(kafka_bootstrap, topics.articles, [(SAMPLE_ID.encode(), text.encode())])
    from_worker = await _claims_of(kafka_bootstrap, topics, SAMPLE_ID)
    out = subprocess.run(
        [CLAIMSTREAM, "extract", str(SAMPLE)], env=worker.env, capture_output=True, check=True, timeout=120
    )
    offline = [orjson.loads(line) for line in out.stdout.splitlines()]
    assert offline and all(isinstance(c, dict) for c in offline)
    assert sorted(map(orjson.dumps, map(_strip, offline))) == sorted(
        map(orjson.dumps, map(_strip, {c["claim_id"]: c for c in from_worker}.values()))
    )
