"""Memory under load on the real broker: a 5 MB article, and a backlog of short articles.

The worker's resident set size is sampled (psutil, the worker process) over the whole run.
A backlog must not make it grow: the consumer fetches at most ``fetch_max_bytes`` per
partition and pauses once ``stream_buffer_maxsize`` messages wait for the agent, so memory
stays flat however long the backlog is. ``make soak`` runs the 100,000-article backlog.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import time
from pathlib import Path
from typing import Any

import orjson
import pytest
from claimstream.delivery import TRUNCATED_PREFIX_BYTES

from .harness import Topics, Worker
from .reliability import (
    Producer,
    RssSampler,
    committed_offsets,
    make_articles,
    offline_truth,
    read_all,
    strip,
)

pytestmark = pytest.mark.kafka

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample-article.txt"
MB = 2**20


def big_article(size: int, art_id: str) -> bytes:
    """A JSON article of ``size`` bytes: the sample article and news-like filler, repeated."""
    sample = SAMPLE.read_text(encoding="utf-8")
    filler = "Officials met on Tuesday in Geneva and talked for a long time about the weather. " * 150
    unit = sample + "\n\n" + filler + "\n\n"
    text = unit * (size // len(unit.encode()) + 1)
    head = orjson.dumps({"id": art_id, "text": ""})
    budget = size - len(head)
    return orjson.dumps({"id": art_id, "text": text.encode()[:budget].decode("utf-8", "ignore")})


async def wait_committed(
    bootstrap: str, topics: Topics, partitions: int, total: int, timeout: float
) -> float:
    """Seconds until the worker's group has committed ``total`` offsets over all partitions."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        committed = await committed_offsets(bootstrap, topics.app_id, topics.articles, partitions)
        if sum(c or 0 for c in committed.values()) >= total:
            return time.monotonic() - t0
        await asyncio.sleep(2)
    raise AssertionError(f"not all {total} offsets committed after {timeout}s: {committed}")


@pytest.mark.timeout(300)
async def test_five_megabyte_article_in_bounded_memory_and_a_larger_one_rejected(
    kafka_bootstrap: str, create_topics: Any, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    topics = Topics()
    await create_topics(topics.articles, topics.claims, topics.summaries, topics.dlq, partitions=1)
    five = big_article(5_000_000, "five-mb")
    seven = big_article(7_000_000, "seven-mb")
    worker = Worker(
        kafka_bootstrap,
        topics,
        tmp_path,
        CLAIMSTREAM_EXTRACTOR="baseline",
        CLAIMSTREAM_MAX_ARTICLE_BYTES="6000000",
    ).start()
    worker.wait_ready()
    assert worker.proc is not None
    with RssSampler(worker.proc.pid, interval=0.1) as rss:
        await asyncio.sleep(1.0)
        idle_mb = rss.peak_mb
        await Producer(kafka_bootstrap, topics.articles).run([(b"five-mb", five), (b"seven-mb", seven)])
        truth = await asyncio.to_thread(offline_truth, [(b"five-mb", five)], max_bytes=6_000_000)
        summaries = await read_all(
            kafka_bootstrap, topics.summaries, until=lambda rs: len(rs) >= 1, timeout=180
        )
        dead = await read_all(kafka_bootstrap, topics.dlq, until=lambda rs: len(rs) >= 1, timeout=60)
    assert worker.stop() == 0
    (summary,) = summaries
    assert summary["article_id"] == "five-mb"
    assert summary["claim_ids"] == truth.good["five-mb"] and len(truth.good["five-mb"]) > 100
    claims = await read_all(
        kafka_bootstrap, topics.claims, until=lambda rs: len(rs) >= len(truth.claims), timeout=60
    )
    assert {c["claim_id"]: strip(c) for c in claims} == truth.claims
    (rejected,) = dead
    assert rejected["error_code"] == "too_large"
    assert f"{len(seven)} bytes, the limit is 6000000" in rejected["error_message"]
    # the dead letter keeps what fits (CLAIMSTREAM_DLQ_MAX_BYTES): a prefix, the size and the hash
    assert rejected["extra"]["value_truncated"] is True
    assert rejected["extra"]["value_bytes"] == len(seven)
    assert rejected["extra"]["value_sha256"] == hashlib.sha256(seven).hexdigest()
    assert base64.b64decode(rejected["value_b64"]) == seven[:TRUNCATED_PREFIX_BYTES]
    growth = rss.peak_mb - idle_mb
    request.node.user_properties.append(("rss_growth_mb", round(growth)))
    print(f"\n[5MB] idle_rss_mb={idle_mb:.0f} peak_rss_mb={rss.peak_mb:.0f} growth_mb={growth:.0f}")
    assert growth < 250, f"RSS grew by {growth:.0f} MB for a 5 MB article"


async def _backlog(
    n: int, bootstrap: str, create_topics: Any, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    topics = Topics()
    await create_topics(topics.articles, topics.claims, topics.summaries, topics.dlq, partitions=4)
    messages = make_articles(n, 4242, prefix="backlog", claim_share=0.1)
    t0 = time.monotonic()
    await Producer(bootstrap, topics.articles).run(messages)
    produced_s = time.monotonic() - t0
    worker = Worker(
        bootstrap, topics, tmp_path, CLAIMSTREAM_EXTRACTOR="baseline", CLAIMSTREAM_TOPIC_PARTITIONS="4"
    )
    worker.start()
    assert worker.proc is not None
    with RssSampler(worker.proc.pid, interval=0.25) as rss:
        worker.wait_ready()
        ready_samples = len(rss.samples)
        drained_s = await wait_committed(bootstrap, topics, 4, n, timeout=900)
    assert worker.stop() == 0
    summaries = await read_all(bootstrap, topics.summaries, until=lambda rs: len(rs) >= n, timeout=120)
    assert {s["article_id"] for s in summaries} == {k.decode() for k, _ in messages}
    run = [r / MB for _, r in rss.samples[ready_samples:]]
    assert len(run) > 8, "too few RSS samples"
    early = max(run[: len(run) // 4])
    late = max(run[-len(run) // 4 :])
    peak = max(run)
    figures = {
        "articles": n,
        "produced_s": round(produced_s, 1),
        "drained_s": round(drained_s, 1),
        "articles_per_s": round(n / drained_s),
        "rss_at_ready_mb": round(run[0]),
        "rss_early_mb": round(early),
        "rss_late_mb": round(late),
        "rss_peak_mb": round(peak),
    }
    for k, v in figures.items():
        request.node.user_properties.append((k, v))
    print("\n[backlog] " + " ".join(f"{k}={v}" for k, v in figures.items()))
    # bounded: no growth with the backlog (the last quarter is no bigger than the first plus noise)
    assert late - early < 40, figures
    assert peak < 400, figures


@pytest.mark.timeout(420)
async def test_backlog_of_10000_articles_does_not_grow_memory(
    kafka_bootstrap: str, create_topics: Any, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    await _backlog(10_000, kafka_bootstrap, create_topics, tmp_path, request)


@pytest.mark.slow
@pytest.mark.timeout(3600)
async def test_backlog_of_100000_articles_does_not_grow_memory(
    kafka_bootstrap: str, create_topics: Any, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    await _backlog(100_000, kafka_bootstrap, create_topics, tmp_path, request)
