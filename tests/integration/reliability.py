"""Helpers for the reliability tests: generated articles, the offline truth, a worker supervisor,
broker restarts, committed offsets and memory sampling."""

from __future__ import annotations

import asyncio
import os
import random
import re
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import psutil
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.structs import TopicPartition
from claimstream.decode import decode_article
from claimstream.exceptions import ClaimstreamError
from claimstream.extract.baseline import BaselineExtractor
from claimstream.pipeline import Pipeline

from .harness import Topics, Worker

REPO = Path(__file__).resolve().parents[2]
KAFKA_SH = REPO / "deploy" / "kafka" / "kafka.sh"
MAX_ARTICLE_BYTES = 2_000_000  # the worker's default CLAIMSTREAM_MAX_ARTICLE_BYTES

# ----------------------------------------------------------------------------------------- articles

SPEAKERS = [
    "The defence minister",
    "A Kremlin spokesman",
    "The White House",
    "NATO's secretary general",
    "The foreign ministry",
    "President Ilves",
    "Officials in Kyiv",
    "The prime minister",
]
THREATS = [
    "{s} warned that Russia would face severe consequences if it crossed the border.",
    "{s} threatened to impose new sanctions on the regime.",
    "{s} said the alliance will respond decisively if troops invade.",
    "{s} said those responsible would be held accountable.",
]
COMMITMENTS = [
    "{s} pledged to send air defence systems within weeks.",
    "{s} said it is committed to the security of the Baltic states.",
    "{s} promised to deliver humanitarian aid to the region.",
    "{s} agreed to host talks in Geneva next month.",
]
TROOPS = [
    "Up to {n},000 troops have gathered near the border, according to satellite images.",
    "About {n},000 soldiers took part in the exercise.",
    "More than {n},000 troops were moved to the region last week.",
]
FILLER = [
    "The talks lasted for several hours.",
    "Markets in the region were calm on Tuesday.",
    "Reporters waited outside the building in the rain.",
    "The statement was published late in the evening.",
    "Analysts said the situation remained unclear.",
]


def article_text(rnd: random.Random, claim_share: float = 1.0) -> str:
    """2-5 sentences; about ``claim_share`` of them are claim-like (the rest filler)."""
    parts: list[str] = []
    for _ in range(rnd.randint(2, 5)):
        kind = rnd.random() / claim_share if claim_share > 0 else 1.0
        if kind < 0.25:
            parts.append(rnd.choice(THREATS).format(s=rnd.choice(SPEAKERS)))
        elif kind < 0.5:
            parts.append(rnd.choice(COMMITMENTS).format(s=rnd.choice(SPEAKERS)))
        elif kind < 0.7:
            parts.append(rnd.choice(TROOPS).format(n=rnd.randint(2, 150)))
        else:
            parts.append(rnd.choice(FILLER))
    return " ".join(parts)


def make_articles(
    n: int, seed: int, *, prefix: str = "art", bad_every: int = 0, claim_share: float = 1.0
) -> list[tuple[bytes, bytes]]:
    """``n`` short JSON articles (key = id); every ``bad_every``-th is broken JSON instead."""
    rnd = random.Random(seed)
    out: list[tuple[bytes, bytes]] = []
    for i in range(n):
        art_id = f"{prefix}-{i:05d}"
        if bad_every and i % bad_every == bad_every - 1:
            out.append((art_id.encode(), b'{"id": "' + art_id.encode() + b'", "text": "truncated'))
        else:
            value = orjson.dumps({"id": art_id, "text": article_text(rnd, claim_share), "source": "chaos"})
            out.append((art_id.encode(), value))
    return out


# ----------------------------------------------------------------------------------------- truth


def strip(record: dict[str, Any]) -> dict[str, Any]:
    """A record without the read-time fields and the extraction time (which differs per run)."""
    return {k: v for k, v in record.items() if not k.startswith("__") and k != "extracted_at"}


@dataclass
class Truth:
    """What the worker must produce for a list of messages, computed without Kafka."""

    good: dict[str, list[str]] = field(default_factory=dict)  # article id -> claim ids
    claims: dict[str, dict[str, Any]] = field(default_factory=dict)  # claim id -> stripped claim
    bad: dict[bytes | None, str] = field(default_factory=dict)  # key -> expected error code


def offline_truth(
    messages: Iterable[tuple[bytes | None, bytes]], *, max_bytes: int = MAX_ARTICLE_BYTES
) -> Truth:
    pipeline = Pipeline(BaselineExtractor())
    truth = Truth()
    for key, value in messages:
        try:
            article = decode_article(value, key, max_bytes=max_bytes)
        except ClaimstreamError as exc:
            truth.bad[key] = exc.code
            continue
        result = pipeline.process([article])[0]
        truth.good[article.id] = [c.claim_id for c in result.claims]
        for claim in result.claims:
            truth.claims[claim.claim_id] = strip(claim.to_dict())
    return truth


# ----------------------------------------------------------------------------------------- topics


async def read_all(
    bootstrap: str,
    topic: str,
    *,
    until: Callable[[list[dict[str, Any]]], bool],
    timeout: float,
    isolation_level: str = "read_committed",
    raw: bool = False,
) -> list[dict[str, Any]]:
    """Every JSON record of ``topic`` from the start until ``until(records)`` (then drained to the
    current end, so duplicates written before that moment are seen too) or the timeout."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        isolation_level=isolation_level,
        metadata_max_age_ms=1000,
        max_partition_fetch_bytes=16 * 1024 * 1024,
        fetch_max_bytes=64 * 1024 * 1024,
    )
    await consumer.start()
    records: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    ends: dict[TopicPartition, int] | None = None
    try:
        while time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            for recs in batch.values():
                for r in recs:
                    item = orjson.loads(r.value)
                    item["__key"] = r.key
                    item["__partition"] = r.partition
                    item["__offset"] = r.offset
                    if raw:
                        item["__value"] = r.value
                    records.append(item)
            if ends is None and until(records):
                ends = await consumer.end_offsets(list(consumer.assignment()))
                deadline = min(deadline, time.monotonic() + 30)
            if ends is not None:
                positions = [await consumer.position(tp) for tp in ends]
                if all(pos >= end for pos, end in zip(positions, ends.values(), strict=True)):
                    break
    finally:
        await consumer.stop()
    return records


async def committed_offsets(bootstrap: str, group: str, topic: str, partitions: int) -> dict[int, int | None]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    await consumer.start()
    try:
        return {p: await consumer.committed(TopicPartition(topic, p)) for p in range(partitions)}
    finally:
        await consumer.stop()


class Producer:
    """Streams messages into a topic at a steady rate; survives a broker restart."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self.bootstrap = bootstrap
        self.topic = topic
        self.sent = 0
        self.offsets: list[tuple[int, int]] = []  # (partition, offset) of each message, in order

    async def run(self, messages: Sequence[tuple[bytes | None, bytes]], seconds: float = 0.0) -> None:
        producer = AIOKafkaProducer(
            bootstrap_servers=self.bootstrap,
            acks="all",
            enable_idempotence=True,
            request_timeout_ms=180_000,
            max_request_size=16 * 1024 * 1024,
            linger_ms=5,
        )
        await producer.start()
        try:
            pause = seconds / max(len(messages), 1)
            futures = []
            t0 = time.monotonic()
            for i, (key, value) in enumerate(messages):
                futures.append(await producer.send(self.topic, value=value, key=key))
                self.sent += 1
                if pause:
                    await asyncio.sleep(max(0.0, t0 + (i + 1) * pause - time.monotonic()))
            results = await asyncio.gather(*futures)
            self.offsets = [(r.partition, r.offset) for r in results]
        finally:
            await producer.stop()


# ----------------------------------------------------------------------------------------- workers


def tail(path: Path, size: int = 20_000) -> str:
    """The last ``size`` bytes of a (log) file, '' when there is none yet."""
    try:
        with path.open("rb") as fh:
            fh.seek(max(0, fh.seek(0, 2) - size))
            return fh.read().decode("utf-8", "replace")
    except OSError:
        return ""


class Supervisor:
    """Keeps ``n`` workers running as an orchestrator would: any that exits is started again,
    after a back-off that doubles while it keeps failing (0.5 s to 8 s), like a crash loop
    back-off. ``kill(i)`` SIGKILLs worker ``i`` and starts a new one (unless ``restart=False``)."""

    def __init__(self, bootstrap: str, topics: Topics, workdir: Path, n: int = 1, **env: str) -> None:
        self.bootstrap = bootstrap
        self.topics = topics
        self.workdir = workdir
        self.env = {"CLAIMSTREAM_EXTRACTOR": "baseline", **env}
        self.workers: list[Worker | None] = [None] * n
        self.retired: list[Worker] = []
        self.unplanned_exits: list[tuple[int, int, str]] = []  # (slot, exit code, log tail)
        self.kills = 0
        self._failures = [0] * n
        self._restart_at: list[float | None] = [None] * n
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def start(self, wait: bool = True) -> Supervisor:
        for i in range(len(self.workers)):
            self._spawn(i)
        if wait:
            for w in self.workers:
                assert w is not None
                w.wait_ready(timeout=120)
        self._thread.start()
        return self

    def _spawn(self, i: int) -> Worker:
        w = Worker(self.bootstrap, self.topics, self.workdir, **self.env).start()
        self.workers[i] = w
        return w

    def _watch(self) -> None:
        while not self._stop.wait(0.2):
            with self._lock:
                now = time.monotonic()
                for i, w in enumerate(self.workers):
                    if w is not None and w.proc is not None and w.proc.poll() is not None:
                        self.unplanned_exits.append((i, w.proc.returncode, w.log()[-3000:]))
                        self.retired.append(w)
                        self.workers[i] = None
                        self._restart_at[i] = now + min(8.0, 0.5 * 2 ** self._failures[i])
                        self._failures[i] += 1
                    elif w is not None and "[^Worker]: Ready" in tail(w.log_path):
                        self._failures[i] = 0
                    restart_at = self._restart_at[i]
                    if self.workers[i] is None and restart_at is not None and now >= restart_at:
                        self._restart_at[i] = None
                        self._spawn(i)

    def wait_ready(self, i: int = 0, timeout: float = 180) -> Worker:
        """The current worker of slot ``i`` once it is ready (through restarts)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            w = self.workers[i]
            if w is not None and w.proc is not None and w.proc.poll() is None:
                log = w.log()
                if "[^Worker]: Ready" in log and " loaded in " in log:
                    return w
            time.sleep(0.2)
        raise AssertionError(f"worker {i} not ready after {timeout}s:\n{self.logs()[-3000:]}")

    def kill(self, i: int = 0, *, restart: bool = True) -> None:
        with self._lock:
            w = self.workers[i]
            assert w is not None
            w.kill()
            self.kills += 1
            self.retired.append(w)
            self.workers[i] = None
            self._restart_at[i] = None
            if restart:
                self._spawn(i)

    def logs(self) -> str:
        return "\n".join(w.log() for w in [*self.retired, *(w for w in self.workers if w)])

    def stop(self) -> list[int]:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(5)
        return [w.stop() for w in self.workers if w is not None]


# ----------------------------------------------------------------------------------------- broker


def _local_broker_conf(bootstrap: str) -> Path | None:
    """server.properties of the kafka.sh broker listening on ``bootstrap``, if it runs here."""
    host_port = bootstrap.split(",")[0].strip()
    for proc in psutil.process_iter(["cmdline"]):
        cmd = proc.info.get("cmdline") or []
        if "kafka.Kafka" in cmd:
            conf = Path(cmd[cmd.index("kafka.Kafka") + 1])
            try:
                text = conf.read_text()
            except OSError:
                continue
            if re.search(rf"^listeners=PLAINTEXT://{re.escape(host_port)}[,\s]", text, re.M):
                return conf
    return None


def broker_env(bootstrap: str) -> dict[str, str] | None:
    """The kafka.sh environment that restarts the local broker on ``bootstrap`` as it is."""
    conf = _local_broker_conf(bootstrap)
    if conf is None:
        return None
    text = conf.read_text()
    env = {**os.environ, "KAFKA_DATA_DIR": str(conf.parent)}
    env["KAFKA_PORT"] = bootstrap.split(",")[0].rsplit(":", 1)[1]
    if m := re.search(r"CONTROLLER://[^:]+:(\d+)", text):
        env["KAFKA_CONTROLLER_PORT"] = m.group(1)
    if m := re.search(r"SASL_PLAINTEXT://[^:]+:(\d+)", text):
        env["KAFKA_SASL_PORT"] = m.group(1)
    if m := re.search(r"^message\.max\.bytes=(\d+)", text, re.M):
        env["KAFKA_MESSAGE_MAX_BYTES"] = m.group(1)
    return env


def restart_broker(bootstrap: str, *, down_s: float = 0.0) -> float:
    """Stop and start the local kafka.sh broker on ``bootstrap``; seconds it was away."""
    env = broker_env(bootstrap)
    assert env is not None, f"no local kafka.sh broker on {bootstrap}"
    t0 = time.monotonic()
    subprocess.run(["bash", str(KAFKA_SH), "stop"], env=env, check=True, capture_output=True, timeout=120)
    time.sleep(down_s)
    started = subprocess.run(
        ["bash", str(KAFKA_SH), "start"], env=env, capture_output=True, text=True, timeout=300
    )
    assert started.returncode == 0, started.stdout + started.stderr
    return time.monotonic() - t0


# ----------------------------------------------------------------------------------------- memory


class RssSampler:
    """Samples the resident set size of a process (and its children) every ``interval`` seconds."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        self.pid = pid
        self.interval = interval
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        t0 = time.monotonic()
        while not self._stop.is_set():
            try:
                proc = psutil.Process(self.pid)
                rss = proc.memory_info().rss + sum(c.memory_info().rss for c in proc.children(recursive=True))
            except psutil.Error:
                break
            self.samples.append((time.monotonic() - t0, rss))
            self._stop.wait(self.interval)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)

    @property
    def peak_mb(self) -> float:
        return max(r for _, r in self.samples) / 2**20 if self.samples else 0.0

    def mb_at(self, fraction: float) -> float:
        """RSS (MB) of the sample taken ``fraction`` of the way through the run."""
        return self.samples[min(len(self.samples) - 1, int(fraction * len(self.samples)))][1] / 2**20


def duplicates(values: Iterable[Any]) -> dict[Any, int]:
    return {v: n for v, n in Counter(values).items() if n > 1}
