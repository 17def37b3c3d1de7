"""Fixtures for tests on the real Kafka broker; mark such tests ``@pytest.mark.kafka``.

- ``kafka_bootstrap`` (session) -> ``"127.0.0.1:PORT"``: the broker named in $CLAIMSTREAM_BROKERS or
  $KAFKA_BOOTSTRAP when it answers, else a broker of its own started with deploy/kafka/kafka.sh on
  free ports with a data dir under pytest's tmp dir (so it never clashes with ``make kafka-up``),
  stopped at session end. With CI=true a broker that cannot start FAILS the tests; locally they
  are skipped only when Java (or the jars and Maven) are missing.
- ``topic_names`` (function) -> ``TopicNames``: ``topic_names("articles")`` gives
  ``articles-<test name>-<uuid hex>``; the same base returns the same name within one test.
- ``create_topics`` (function) -> ``await create_topics(*names, partitions=1, config=None)``
  creates the topics with the admin client, waits until every partition has a leader, returns the
  names, and deletes them after the test.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Awaitable, Iterator
from pathlib import Path
from typing import NoReturn, Protocol

import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

REPO_ROOT = Path(__file__).resolve().parents[2]
KAFKA_SH = REPO_ROOT / "deploy" / "kafka" / "kafka.sh"
WAIT_READY = REPO_ROOT / "deploy" / "kafka" / "wait_ready.py"
KAFKA_LIB_STAMP = REPO_ROOT / "deploy" / "kafka" / "lib" / ".fetched"
IN_CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}
START_TIMEOUT_S = 300  # includes a first-time jar fetch when the jars are not there yet

log = logging.getLogger(__name__)


def _normalise(brokers: str) -> str:
    """'kafka://a:9092;kafka://b:9092' or 'a:9092, b:9092' -> 'a:9092,b:9092'."""
    parts = re.split(r"[,;]", brokers)
    return ",".join(p.strip().removeprefix("kafka://") for p in parts if p.strip())


def _reachable(bootstrap: str, timeout: float = 10.0) -> bool:
    cmd = [sys.executable, str(WAIT_READY), "--bootstrap", bootstrap, "--timeout", str(timeout), "--quiet"]
    return subprocess.run(cmd, capture_output=True, timeout=timeout + 30).returncode == 0


def _free_ports(n: int) -> list[int]:
    socks = [socket.socket() for _ in range(n)]
    try:
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [int(s.getsockname()[1]) for s in socks]
    finally:
        for s in socks:
            s.close()


def _unavailable(reason: str, *, prerequisite: bool) -> NoReturn:
    """Fail, except locally when a prerequisite (not the broker itself) is missing: then skip."""
    if prerequisite and not IN_CI:
        pytest.skip(f"Kafka broker unavailable: {reason}")
    pytest.fail(f"Kafka broker unavailable: {reason}", pytrace=False)


@pytest.fixture(scope="session")
def kafka_bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Bootstrap servers ("host:port[,host:port]") of a running broker for the whole session."""
    for var in ("CLAIMSTREAM_BROKERS", "KAFKA_BOOTSTRAP"):
        external = _normalise(os.environ.get(var, ""))
        if external:
            if _reachable(external):
                yield external
                return
            log.warning("$%s=%s does not answer; starting a local broker", var, external)

    if shutil.which("java") is None:
        _unavailable("java not found (make setup / .ci/run install it)", prerequisite=True)
    if not KAFKA_LIB_STAMP.exists() and shutil.which("mvn") is None:
        _unavailable("no jars in deploy/kafka/lib and no mvn to fetch them", prerequisite=True)

    port, controller_port = _free_ports(2)
    env = {
        **os.environ,
        "KAFKA_PORT": str(port),
        "KAFKA_CONTROLLER_PORT": str(controller_port),
        "KAFKA_DATA_DIR": str(tmp_path_factory.mktemp("kafka")),
        "KAFKA_PYTHON": sys.executable,
    }

    def kafka_sh(command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", str(KAFKA_SH), command],
            env=env,
            capture_output=True,
            text=True,
            timeout=START_TIMEOUT_S,
        )

    t0 = time.monotonic()
    try:
        started = kafka_sh("start")
    except subprocess.TimeoutExpired:
        kafka_sh("stop")
        _unavailable(f"kafka.sh start took over {START_TIMEOUT_S}s", prerequisite=False)
    if started.returncode != 0:
        kafka_sh("stop")
        _unavailable(f"kafka.sh start failed:\n{started.stdout}\n{started.stderr}", prerequisite=False)
    log.info("local broker on 127.0.0.1:%d in %.1fs: %s", port, time.monotonic() - t0, started.stdout.strip())
    try:
        yield f"127.0.0.1:{port}"
    finally:
        stopped = kafka_sh("stop")
        if stopped.returncode != 0:
            log.warning("kafka.sh stop failed: %s %s", stopped.stdout, stopped.stderr)


class TopicNames:
    """Unique topic names for one test: ``names("articles")`` -> ``articles-<test>-<hex>``."""

    def __init__(self, test_name: str) -> None:
        self.suffix = uuid.uuid4().hex[:10]
        # Kafka allows [a-zA-Z0-9._-]; '_' would warn about colliding with '.' in metric names
        self.test = re.sub(r"[^a-zA-Z0-9]+", "-", test_name.removeprefix("test_")).strip("-")[:60]
        self._names: dict[str, str] = {}

    def __call__(self, base: str = "topic") -> str:
        if base not in self._names:
            self._names[base] = f"{base}-{self.test}-{self.suffix}"
        return self._names[base]


@pytest.fixture
def topic_names(request: pytest.FixtureRequest) -> TopicNames:
    return TopicNames(request.node.name)


class CreateTopics(Protocol):
    def __call__(
        self, *names: str, partitions: int = 1, config: dict[str, str] | None = None
    ) -> Awaitable[list[str]]: ...


@pytest.fixture
def create_topics(kafka_bootstrap: str) -> Iterator[CreateTopics]:
    """``await create_topics("a", "b", partitions=4)``: created, led and deleted after the test."""
    created: list[str] = []

    async def create(*names: str, partitions: int = 1, config: dict[str, str] | None = None) -> list[str]:
        admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap, client_id="claimstream-tests")
        await admin.start()
        try:
            new = [NewTopic(n, partitions, 1, topic_configs=dict(config or {})) for n in names]
            response = await admin.create_topics(new)
            errors = [(t, code, msg) for t, code, msg in response.topic_errors if code != 0]
            assert not errors, f"create_topics failed: {errors}"
            created.extend(names)
            deadline = time.monotonic() + 30
            while True:
                described = await admin.describe_topics(list(names))
                led = [
                    t["topic"]
                    for t in described
                    if t["error_code"] == 0
                    and len(t["partitions"]) == partitions
                    and all(p["leader"] >= 0 for p in t["partitions"])
                ]
                if len(led) == len(names):
                    return list(names)
                assert time.monotonic() < deadline, f"topics not led after 30s: {described}"
                await asyncio.sleep(0.1)
        finally:
            await admin.close()

    yield create

    if created:
        # the test's event loop is gone by now: delete from a loop of our own, in its own thread
        errors: list[BaseException] = []
        thread = threading.Thread(target=_delete_topics, args=(kafka_bootstrap, created, errors))
        thread.start()
        thread.join(60)
        if errors:
            log.warning("could not delete test topics %s: %s", created, errors[0])


def _delete_topics(bootstrap: str, topics: list[str], errors: list[BaseException]) -> None:
    async def delete() -> None:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="claimstream-tests")
        await admin.start()
        try:
            await admin.delete_topics(topics)
        finally:
            await admin.close()

    try:
        asyncio.run(delete())
    except Exception as exc:  # cleanup only; the broker is per session anyway
        errors.append(exc)
