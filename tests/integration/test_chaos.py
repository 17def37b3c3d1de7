"""Crashes on the real broker: SIGKILLed workers, a restarted broker, a lost group member, SIGTERM.

Every test compares what the worker wrote with an offline extraction of the same articles
(``claimstream.pipeline.Pipeline`` with the rule baseline, as the workers here use): every
article ends in a summary or a dead letter, and the claims are exactly the offline claims.
Under exactly_once a read_committed consumer must also see each claim, summary and dead letter
once; under at_least_once duplicates are allowed (and counted).
"""

from __future__ import annotations

import asyncio
import base64
import random
import signal
import time
from pathlib import Path
from typing import Any

import orjson
import pytest

from .harness import Topics, Worker
from .reliability import (
    Producer,
    Supervisor,
    Truth,
    broker_env,
    committed_offsets,
    duplicates,
    make_articles,
    offline_truth,
    read_all,
    restart_broker,
    strip,
)

pytestmark = pytest.mark.kafka

SEED = 20261127
# A killed worker's partitions move when its session expires: short, so the tests stay short.
FAST_FAILOVER = {"BROKER_SESSION_TIMEOUT": "6", "BROKER_HEARTBEAT_INTERVAL": "1"}


async def make_topics(create_topics: Any, topics: Topics, partitions: int) -> None:
    await create_topics(topics.articles, topics.claims, topics.summaries, topics.dlq, partitions=partitions)


async def read_results(
    bootstrap: str, topics: Topics, truth: Truth, timeout: float
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Summaries, dead letters and claims (read_committed), once every article is accounted for."""
    wanted_bad = {k for k in truth.bad if k is not None}

    def dead_keys(records: list[dict[str, Any]]) -> set[bytes]:
        return {base64.b64decode(r["key_b64"]) for r in records if r.get("key_b64")}

    summaries, dead = await asyncio.gather(
        read_all(
            bootstrap,
            topics.summaries,
            until=lambda rs: {r["article_id"] for r in rs} >= set(truth.good),
            timeout=timeout,
        ),
        read_all(bootstrap, topics.dlq, until=lambda rs: dead_keys(rs) >= wanted_bad, timeout=timeout),
    )
    claims = await read_all(
        bootstrap,
        topics.claims,
        until=lambda rs: {r["claim_id"] for r in rs} >= set(truth.claims),
        timeout=60,
    )
    return summaries, dead, claims


def check_accounted(
    truth: Truth, summaries: list[dict[str, Any]], dead: list[dict[str, Any]], claims: list[dict[str, Any]]
) -> dict[str, int]:
    """Assert nothing lost and nothing made up; return the duplicate counts."""
    by_article = {s["article_id"]: s for s in summaries}
    missing = set(truth.good) - set(by_article)
    assert not missing, f"{len(missing)} articles without a summary, e.g. {sorted(missing)[:5]}"
    assert set(by_article) == set(truth.good), sorted(set(by_article) - set(truth.good))[:5]
    for article_id, claim_ids in truth.good.items():
        assert sorted(by_article[article_id]["claim_ids"]) == sorted(claim_ids), article_id
    dead_codes = {base64.b64decode(d["key_b64"]): d["error_code"] for d in dead}
    assert dead_codes == {k: v for k, v in truth.bad.items()}, "dead letters differ from the offline decode"
    got = {c["claim_id"] for c in claims}
    assert got == set(truth.claims), (
        f"missing {len(set(truth.claims) - got)} claims, {len(got - set(truth.claims))} unexpected"
    )
    for claim in claims:
        assert strip(claim) == truth.claims[claim["claim_id"]], claim["claim_id"]
    return {
        "duplicate_claims": sum(n - 1 for n in duplicates(c["claim_id"] for c in claims).values()),
        "duplicate_summaries": sum(n - 1 for n in duplicates(s["article_id"] for s in summaries).values()),
        "duplicate_dead_letters": sum(n - 1 for n in duplicates(d["offset"] for d in dead).values()),
    }


def describe_duplicates(summaries: list[dict[str, Any]]) -> str:
    twice = duplicates(s["article_id"] for s in summaries)
    return "\n".join(
        f"{s['article_id']} from {s['source_partition']}@{s['source_offset']} "
        f"at {s['__partition']}@{s['__offset']} {s['extracted_at']}"
        for s in sorted(summaries, key=lambda s: (s["article_id"], s["extracted_at"]))
        if s["article_id"] in twice
    )


def report(request: pytest.FixtureRequest, **figures: Any) -> None:
    for name, value in figures.items():
        request.node.user_properties.append((name, value))
    print(f"\n[{request.node.name}] " + " ".join(f"{k}={v}" for k, v in figures.items()))


@pytest.mark.timeout(420)
@pytest.mark.parametrize(
    "guarantee",
    [
        "exactly_once",  # no loss and no duplicates: the stricter check runs in CI
        pytest.param("at_least_once", marks=pytest.mark.slow),  # deselected outside make soak
    ],
)
async def test_sigkill_three_times_and_broker_restart_lose_nothing(
    kafka_bootstrap: str,
    create_topics: Any,
    tmp_path: Path,
    guarantee: str,
    request: pytest.FixtureRequest,
) -> None:
    if broker_env(kafka_bootstrap) is None:
        pytest.skip("the broker is not a local deploy/kafka/kafka.sh broker: it cannot be restarted")
    topics = Topics()
    await make_topics(create_topics, topics, 4)
    messages = make_articles(1000, SEED, prefix=f"chaos-{guarantee}", bad_every=50)
    truth = offline_truth(messages)
    rnd = random.Random(SEED)
    t_start = time.monotonic()
    sup = Supervisor(
        kafka_bootstrap,
        topics,
        tmp_path,
        1,
        CLAIMSTREAM_PROCESSING_GUARANTEE=guarantee,
        CLAIMSTREAM_TOPIC_PARTITIONS="4",
        **FAST_FAILOVER,
    ).start()
    producer = Producer(kafka_bootstrap, topics.articles)
    production = asyncio.create_task(producer.run(messages, seconds=50))
    events: list[str] = []
    broker_down_s = 0.0
    try:
        # each action comes a random while after the (restarted) worker is ready: mid-stream
        for action in ("kill", "kill", "broker", "kill"):
            await asyncio.to_thread(sup.wait_ready, 0)
            await asyncio.sleep(rnd.uniform(1.0, 4.0))
            if action == "kill":
                sup.kill(0)
                events.append(f"kill@{producer.sent}")
            else:
                broker_down_s = await asyncio.to_thread(restart_broker, kafka_bootstrap)
                events.append(f"broker-restart@{producer.sent}({broker_down_s:.0f}s)")
        await asyncio.wait_for(production, 240)
        summaries, dead, claims = await read_results(kafka_bootstrap, topics, truth, timeout=180)
    finally:
        production.cancel()
        exit_codes = sup.stop()
    dups = check_accounted(truth, summaries, dead, claims)
    assert sup.kills == 3
    if guarantee == "exactly_once":
        assert dups == {"duplicate_claims": 0, "duplicate_summaries": 0, "duplicate_dead_letters": 0}, (
            describe_duplicates(summaries)
        )
    assert exit_codes == [0], sup.logs()[-3000:]
    report(
        request,
        guarantee=guarantee,
        articles=len(messages),
        claims=len(truth.claims),
        dead_letters=len(truth.bad),
        kills=sup.kills,
        broker_restarts=1,
        broker_away_s=round(broker_down_s, 1),
        unplanned_exits=len(sup.unplanned_exits),
        events=",".join(events),
        seconds=round(time.monotonic() - t_start, 1),
        **dups,
    )


@pytest.mark.timeout(300)
@pytest.mark.parametrize("guarantee", ["exactly_once", "at_least_once"])
async def test_second_worker_takes_over_a_killed_members_partitions(
    kafka_bootstrap: str, create_topics: Any, tmp_path: Path, guarantee: str, request: pytest.FixtureRequest
) -> None:
    topics = Topics()
    await make_topics(create_topics, topics, 4)
    messages = make_articles(600, SEED + 1, prefix="group")
    truth = offline_truth(messages)
    t_start = time.monotonic()
    sup = Supervisor(
        kafka_bootstrap,
        topics,
        tmp_path,
        2,
        CLAIMSTREAM_PROCESSING_GUARANTEE=guarantee,
        CLAIMSTREAM_TOPIC_PARTITIONS="4",
        **FAST_FAILOVER,
    ).start()
    producer = Producer(kafka_bootstrap, topics.articles)
    production = asyncio.create_task(producer.run(messages, seconds=12))
    try:
        await asyncio.sleep(4 + random.Random(SEED).uniform(0, 2))
        killed = sup.workers[1]
        assert killed is not None
        killed_log_before = killed.log()
        assert sup.workers[0] is not None
        survivor_assignments = sup.workers[0].log().count("Setting newly assigned partitions")
        sup.kill(1, restart=False)
        killed_at = producer.sent
        await asyncio.wait_for(production, 120)
        summaries, dead, claims = await read_results(kafka_bootstrap, topics, truth, timeout=120)
    finally:
        production.cancel()
        exit_codes = sup.stop()
    dups = check_accounted(truth, summaries, dead, claims)
    if guarantee == "exactly_once":
        assert dups == {"duplicate_claims": 0, "duplicate_summaries": 0, "duplicate_dead_letters": 0}, (
            describe_duplicates(summaries)
        )
    survivor = sup.workers[0]
    assert survivor is not None
    # the killed member had partitions of its own, and the survivor was assigned again after it died
    assert "Setting newly assigned partitions" in killed_log_before
    assert survivor.log().count("Setting newly assigned partitions") > survivor_assignments
    assert not sup.unplanned_exits, sup.unplanned_exits[0][2]
    assert exit_codes == [0]
    report(
        request,
        articles=len(messages),
        guarantee=guarantee,
        killed_at=killed_at,
        seconds=round(time.monotonic() - t_start, 1),
        **dups,
    )


@pytest.mark.timeout(240)
async def test_sigterm_finishes_the_batch_in_flight_commits_and_exits_within_10s(
    kafka_bootstrap: str, create_topics: Any, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    topics = Topics()
    await make_topics(create_topics, topics, 2)
    # ~30 KB articles and batches of 8: a batch takes about a second, so SIGTERM finds one in flight
    rnd = random.Random(SEED + 2)
    messages = []
    for key, value in make_articles(48, SEED + 2, prefix="term"):
        article = orjson.loads(value)
        article["text"] = (
            " ".join(article["text"] for _ in range(1))
            + " "
            + " ".join(
                rnd.choice(["The talks lasted for several hours.", "Markets were calm on Tuesday."])
                for _ in range(900)
            )
        )
        messages.append((key, orjson.dumps(article)))
    truth = offline_truth(messages)
    env = {"CLAIMSTREAM_EXTRACTOR": "baseline", "CLAIMSTREAM_BATCH_MAX_ARTICLES": "8"}
    worker = Worker(kafka_bootstrap, topics, tmp_path, **env).start()
    worker.wait_ready()
    await Producer(kafka_bootstrap, topics.articles).run(messages)
    await read_all(kafka_bootstrap, topics.summaries, until=lambda rs: len(rs) >= 8, timeout=60)
    await asyncio.sleep(rnd.uniform(0.2, 1.0))
    t0 = time.monotonic()
    worker.signal(signal.SIGTERM)
    assert worker.proc is not None
    rc = await asyncio.to_thread(worker.proc.wait, 30)
    exit_s = time.monotonic() - t0
    assert rc == 0, worker.log()[-3000:]
    assert exit_s < 10, f"worker took {exit_s:.1f}s to exit after SIGTERM"

    done = await read_all(kafka_bootstrap, topics.summaries, until=lambda rs: True, timeout=20)
    committed = await committed_offsets(kafka_bootstrap, topics.app_id, topics.articles, 2)
    for partition in (0, 1):
        offsets = sorted(s["source_offset"] for s in done if s["source_partition"] == partition)
        # everything it sent for this partition is committed, and nothing beyond
        assert offsets == list(range(len(offsets))), f"partition {partition}: gaps in {offsets}"
        assert (committed[partition] or 0) == len(offsets), (partition, committed, len(offsets))
    assert 8 <= len(done) < len(messages), "SIGTERM should land mid-stream"

    # a new worker finishes the rest: nothing processed twice, nothing missing
    rest = Worker(kafka_bootstrap, topics, tmp_path, **env).start()
    try:
        summaries, dead, claims = await read_results(kafka_bootstrap, topics, truth, timeout=120)
    finally:
        assert rest.stop() == 0
    dups = check_accounted(truth, summaries, dead, claims)
    assert dups["duplicate_summaries"] == 0, dups
    report(request, exit_s=round(exit_s, 2), done_before_sigterm=len(done), articles=len(messages))


@pytest.mark.timeout(180)
async def test_a_batch_the_broker_refuses_is_not_committed_and_is_redone_after_a_restart(
    kafka_bootstrap: str, create_topics: Any, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    topics = Topics()
    await create_topics(topics.articles, topics.claims, topics.summaries, partitions=1)
    # a dead-letter topic that refuses records over 20 kB, and a bad message whose dead letter is ~40 kB
    await create_topics(topics.dlq, partitions=1, config={"max.message.bytes": "20000"})
    messages = [
        *make_articles(5, SEED + 3, prefix="refused"),
        (b"too-big-to-dead-letter", b"{" + b"x" * 30_000),
    ]
    truth = offline_truth(messages)
    env = {"CLAIMSTREAM_EXTRACTOR": "baseline", **FAST_FAILOVER}
    worker = Worker(kafka_bootstrap, topics, tmp_path, **env).start()
    worker.wait_ready()
    assert worker.proc is not None
    await Producer(kafka_bootstrap, topics.articles).run(messages)
    rc = await asyncio.to_thread(worker.proc.wait, 60)
    log = worker.log()
    assert rc == 75, log[-3000:]
    assert "cannot deliver a batch" in log and "exiting without committing" in log
    committed = (await committed_offsets(kafka_bootstrap, topics.app_id, topics.articles, 1))[0]
    assert (committed or 0) <= 5, f"the refused message (offset 5) must not be committed: {committed}"

    # with smaller dead letters the restarted worker redoes the batch
    rest = Worker(kafka_bootstrap, topics, tmp_path, CLAIMSTREAM_DLQ_MAX_BYTES="16384", **env).start()
    try:
        summaries, dead, claims = await read_results(kafka_bootstrap, topics, truth, timeout=90)
    finally:
        assert rest.stop() == 0
    check_accounted(truth, summaries, dead, claims)
    (record,) = dead
    assert record["extra"]["value_truncated"] and record["extra"]["value_bytes"] == 30_001
    report(request, exit_code=rc, committed_before_restart=committed)
