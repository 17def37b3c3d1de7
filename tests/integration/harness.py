"""Run real claimstream workers as subprocesses and read topics, for integration tests."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from claimstream.settings import settings_env

REPO = Path(__file__).resolve().parents[2]
CLAIMSTREAM = str(Path(sys.executable).with_name("claimstream"))
MODEL_PRESENT = any(REPO.glob("models/*/model.int8.onnx"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Topics:
    """Unique topic names and consumer group for one test."""

    suffix: str = field(default_factory=lambda: uuid.uuid4().hex[:10])

    @property
    def app_id(self) -> str:
        return f"claimstream-test-{self.suffix}"

    @property
    def articles(self) -> str:
        return f"articles-{self.suffix}"

    @property
    def claims(self) -> str:
        return f"claims-{self.suffix}"

    @property
    def summaries(self) -> str:
        return f"claims.summaries-{self.suffix}"

    @property
    def dlq(self) -> str:
        return f"articles.dlq-{self.suffix}"

    def env(self) -> dict[str, str]:
        return settings_env(
            app_id=self.app_id,
            articles_topic=self.articles,
            claims_topic=self.claims,
            summaries_topic=self.summaries,
            dlq_topic=self.dlq,
        )


class Worker:
    """One `claimstream worker` subprocess with its own web port, data dir and log file."""

    def __init__(self, bootstrap: str, topics: Topics, workdir: Path, **env: str) -> None:
        self.port = free_port()
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self.log_path = workdir / f"worker-{self.port}.log"
        self.env = {
            **os.environ,
            "CLAIMSTREAM_BROKERS": bootstrap,
            "CLAIMSTREAM_WEB_PORT": str(self.port),
            "CLAIMSTREAM_EXTRACTOR": "model" if MODEL_PRESENT else "baseline",
            "CLAIMSTREAM_TOPIC_PARTITIONS": "1",
            "PYTHONUNBUFFERED": "1",
            **topics.env(),
            **env,
        }
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Worker:
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [CLAIMSTREAM, "worker", "-l", "info"],
            cwd=self.workdir,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def http_status(self, path: str) -> int | None:
        try:
            with urllib.request.urlopen(self.url(path), timeout=2) as resp:
                return int(resp.status)
        except urllib.error.HTTPError as exc:
            return int(exc.code)
        except OSError:
            return None

    def wait_ready(self, timeout: float = 90.0) -> float:
        """Seconds until the worker's consumer is assigned and the model loaded."""
        assert self.proc is not None
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            if self.proc.poll() is not None:
                raise AssertionError(f"worker exited with {self.proc.returncode}:\n{self.log()[-4000:]}")
            log = self.log()
            if "Ready" in log and "model " in log and " loaded in " in log:
                return time.monotonic() - t0
            time.sleep(0.2)
        raise AssertionError(f"worker not ready after {timeout}s:\n{self.log()[-4000:]}")

    def signal(self, sig: int) -> None:
        assert self.proc is not None
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)

    def stop(self, timeout: float = 20.0) -> int:
        """SIGTERM, wait, SIGKILL if needed; the exit code."""
        if self.proc is None:
            return 0
        self.signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.signal(signal.SIGKILL)
            return self.proc.wait(10)

    def kill(self) -> None:
        self.signal(signal.SIGKILL)
        if self.proc is not None:
            self.proc.wait(10)


async def produce(
    bootstrap: str, topic: str, messages: Iterable[tuple[bytes | None, bytes]], **options: Any
) -> int:
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, max_request_size=16 * 1024 * 1024, acks="all", **options
    )
    await producer.start()
    n = 0
    try:
        futures = []
        for key, value in messages:
            futures.append(await producer.send(topic, value=value, key=key))
            n += 1
        await asyncio.gather(*futures)
    finally:
        await producer.stop()
    return n


async def read_topic(
    bootstrap: str,
    topic: str,
    *,
    until: Callable[[list[dict[str, Any]]], bool],
    timeout: float = 60.0,
    isolation_level: str = "read_uncommitted",
) -> list[dict[str, Any]]:
    """Read JSON records from the start of ``topic`` until ``until(records)`` or the timeout."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        isolation_level=isolation_level,
        metadata_max_age_ms=1000,
    )
    await consumer.start()
    records: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and not until(records):
            batch = await consumer.getmany(timeout_ms=500)
            for recs in batch.values():
                for r in recs:
                    item = orjson.loads(r.value)
                    item["__key"] = r.key.decode() if r.key else None
                    item["__partition"] = r.partition
                    records.append(item)
    finally:
        await consumer.stop()
    return records
