"""SASL and TLS on a real broker, and secrets that stay secret.

A broker of this module's own (deploy/kafka/kafka.sh with ``KAFKA_SASL_PORT`` and
``KAFKA_SSL_PORT``) listens with PLAINTEXT (for the test's admin work), SASL_PLAINTEXT
(SCRAM-SHA-512, SCRAM-SHA-256, PLAIN; the SCRAM users are created when its storage is
formatted) and SSL (a certificate from a CA made here with openssl). The worker and the CLI
talk to it through the settings only.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import psutil
import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from .harness import CLAIMSTREAM, Topics, Worker, free_port
from .reliability import KAFKA_SH

pytestmark = pytest.mark.kafka

USER = "claimstream"
PLAIN_USER = "plainuser"
ARTICLE_ID = "sec-article-1"
# words that occur nowhere but in the article: none may show up on /metrics, /healthz, /readyz
ARTICLE = (
    "Quetzalcoatl Zanzibarian envoys met in Ouagadougou. The defence minister warned that Russia "
    "would face severe consequences if it invaded. Up to 40,000 troops gathered near the border."
)


@dataclass
class SaslBroker:
    plaintext: str
    sasl: str
    password: str
    plain_password: str
    data_dir: Path
    tls: str
    ca: Path
    other_ca: Path

    def failed_authentications(self) -> int:
        log = self.data_dir / "logs" / "server.log"
        return log.read_text(errors="replace").count("Failed authentication") if log.exists() else 0

    def env(
        self, password: str | None = None, mechanism: str = "SCRAM-SHA-512", user: str = USER
    ) -> dict[str, str]:
        return {
            "CLAIMSTREAM_BROKERS": self.sasl,
            "CLAIMSTREAM_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
            "CLAIMSTREAM_SASL_MECHANISM": mechanism,
            "CLAIMSTREAM_SASL_USERNAME": user,
            "CLAIMSTREAM_SASL_PASSWORD": self.password if password is None else password,
        }


def make_certificates(d: Path) -> None:
    """ca.pem (+ other-ca.pem, a CA nobody uses) and keystore.pem: the broker's key and certificate."""

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=d, check=True, capture_output=True)

    for name in ("ca", "other-ca"):
        openssl(
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            f"{name}.key",
            "-out",
            f"{name}.pem",
            "-days",
            "2",
            "-subj",
            f"/CN=claimstream-{name}",
        )
    openssl(
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "broker.key",
        "-out",
        "broker.csr",
        "-subj",
        "/CN=localhost",
    )
    (d / "san.ext").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    openssl(
        "x509",
        "-req",
        "-in",
        "broker.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "broker.pem",
        "-days",
        "2",
        "-extfile",
        "san.ext",
    )
    (d / "keystore.pem").write_text((d / "broker.key").read_text() + (d / "broker.pem").read_text())


@pytest.fixture(scope="module")
def sasl_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SaslBroker]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed for the broker's TLS certificate")
    port, controller, sasl_port, tls_port = free_port(), free_port(), free_port(), free_port()
    password = f"pw-{uuid.uuid4().hex}"
    plain_password = f"plain-{uuid.uuid4().hex}"
    data_dir = tmp_path_factory.mktemp("kafka-sasl")
    certs = tmp_path_factory.mktemp("certs")
    make_certificates(certs)
    env = {
        **os.environ,
        "KAFKA_PORT": str(port),
        "KAFKA_CONTROLLER_PORT": str(controller),
        "KAFKA_SASL_PORT": str(sasl_port),
        "KAFKA_SASL_USERS": f"{USER}:{password} {PLAIN_USER}:{plain_password}",
        "KAFKA_SSL_PORT": str(tls_port),
        "KAFKA_SSL_KEYSTORE": str(certs / "keystore.pem"),
        "KAFKA_DATA_DIR": str(data_dir),
        "KAFKA_PYTHON": sys.executable,
    }
    started = subprocess.run(
        ["bash", str(KAFKA_SH), "start"], env=env, capture_output=True, text=True, timeout=300
    )
    if started.returncode != 0:
        subprocess.run(["bash", str(KAFKA_SH), "stop"], env=env, capture_output=True, timeout=120)
        pytest.fail(f"SASL broker did not start:\n{started.stdout}\n{started.stderr}")
    try:
        yield SaslBroker(
            f"127.0.0.1:{port}",
            f"127.0.0.1:{sasl_port}",
            password,
            plain_password,
            data_dir,
            f"127.0.0.1:{tls_port}",
            certs / "ca.pem",
            certs / "other-ca.pem",
        )
    finally:
        subprocess.run(["bash", str(KAFKA_SH), "stop"], env=env, capture_output=True, timeout=120)


async def create(bootstrap: str, topics: Topics) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics(
            [NewTopic(t, 1, 1) for t in (topics.articles, topics.claims, topics.summaries, topics.dlq)]
        )
    finally:
        await admin.close()


class DebugWorker(Worker):
    """A worker logging at DEBUG: the most a log could give away."""

    def start(self) -> DebugWorker:
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [CLAIMSTREAM, "worker", "-l", "debug"],
            cwd=self.workdir,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self


def cli(args: list[str], env: dict[str, str], stdin: bytes | None = None, timeout: float = 60) -> Any:
    return subprocess.run(
        [CLAIMSTREAM, *args], env={**os.environ, **env}, input=stdin, capture_output=True, timeout=timeout
    )


def http_get(host: str, port: int, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://{host}:{port}{path}", timeout=3) as resp:
            return int(resp.status), resp.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return int(exc.code), exc.read().decode("utf-8", "replace")


@pytest.mark.timeout(300)
async def test_scram_and_plain_credentials_work_and_no_secret_or_text_leaks(
    sasl_broker: SaslBroker, tmp_path: Path
) -> None:
    topics = Topics()
    await create(sasl_broker.plaintext, topics)
    # the web server on another loopback address than the default: it binds where it is told
    web_host = "127.0.0.2"
    worker = DebugWorker(
        sasl_broker.sasl,
        topics,
        tmp_path,
        CLAIMSTREAM_EXTRACTOR="baseline",
        CLAIMSTREAM_WEB_HOST=web_host,
        **sasl_broker.env(),
    ).start()
    try:
        worker.wait_ready(timeout=120)
        env = {**topics.env(), "CLAIMSTREAM_EXTRACTOR": "baseline"}
        plain = {**env, **sasl_broker.env(sasl_broker.plain_password, "PLAIN", PLAIN_USER)}
        produced = cli(["produce", "--key", ARTICLE_ID, "-"], plain, stdin=ARTICLE.encode())
        assert produced.returncode == 0, produced.stderr.decode()
        scram256 = {**env, **sasl_broker.env(mechanism="SCRAM-SHA-256")}
        consumed = cli(
            ["consume", "--json", "--article", ARTICLE_ID, "--limit", "2", "--idle-timeout", "45"], scram256
        )
        assert consumed.returncode == 0, consumed.stderr.decode()
        claims = [orjson.loads(line) for line in consumed.stdout.splitlines()]
        assert {c["type"] for c in claims} == {"threat", "troop_count"} and len(claims) == 2, claims

        pages = {path: http_get(web_host, worker.port, path) for path in ("/metrics", "/healthz", "/readyz")}
        assert all(status == 200 for status, _ in pages.values()), pages
        listening = {
            c.laddr.ip
            for c in psutil.Process(worker.proc.pid).net_connections("tcp")  # type: ignore[union-attr]
            if c.status == psutil.CONN_LISTEN and c.laddr.port == worker.port
        }
        assert listening == {web_host}
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", worker.port), timeout=2).close()
    finally:
        assert worker.stop() == 0
    secrets = (sasl_broker.password, sasl_broker.plain_password)
    outputs = {
        "worker log": worker.log(),
        "produce": (produced.stdout + produced.stderr).decode(),
        "consume": consumed.stderr.decode(),
        **{f"GET {path}": body for path, (_, body) in pages.items()},
    }
    for name, text in outputs.items():
        for secret in secrets:
            assert secret not in text, f"a password shows in the {name}"
    assert "password" not in pages["/metrics"][1].lower()
    words = {w for w in re.findall(r"[A-Za-z]{6,}", ARTICLE)} | {ARTICLE_ID}
    for path, (_, body) in pages.items():
        leaked = sorted(w for w in words if w in body)
        assert not leaked, f"{path} shows article text: {leaked}"


@pytest.mark.timeout(120)
async def test_wrong_password_fails_fast_with_a_clear_error_and_no_retry_storm(
    sasl_broker: SaslBroker, tmp_path: Path
) -> None:
    topics = Topics()
    wrong = f"wrong-{uuid.uuid4().hex}"
    before = sasl_broker.failed_authentications()
    worker = Worker(
        sasl_broker.sasl, topics, tmp_path, CLAIMSTREAM_EXTRACTOR="baseline", **sasl_broker.env(wrong)
    )
    t0 = time.monotonic()
    worker.start()
    assert worker.proc is not None
    rc = worker.proc.wait(60)
    worker_s = time.monotonic() - t0
    log = worker.log()
    assert rc == 77, log[-3000:]
    assert worker_s < 20, f"took {worker_s:.1f}s to give up"
    assert "refused the credentials (SASL SCRAM-SHA-512 as user 'claimstream'" in log, log[-2000:]
    assert wrong not in log and sasl_broker.password not in log

    t0 = time.monotonic()
    produced = cli(
        ["produce", "--key", "k", "-"], {**topics.env(), **sasl_broker.env(wrong, "PLAIN")}, b"text"
    )
    cli_s = time.monotonic() - t0
    stderr = produced.stderr.decode()
    assert produced.returncode == 77 and "refused the credentials (SASL PLAIN" in stderr, stderr
    assert wrong not in stderr and cli_s < 20

    time.sleep(1)  # the broker logs the failures asynchronously
    attempts = sasl_broker.failed_authentications() - before
    assert 1 <= attempts <= 3, f"{attempts} failed authentications at the broker: a retry storm"
    print(f"\n[sasl] worker_exit_s={worker_s:.1f} cli_exit_s={cli_s:.1f} failed_auth_attempts={attempts}")


@pytest.mark.timeout(180)
async def test_tls_with_the_brokers_ca_works_and_an_untrusted_broker_is_refused_at_once(
    sasl_broker: SaslBroker, tmp_path: Path
) -> None:
    topics = Topics()
    await create(sasl_broker.plaintext, topics)
    tls = {"CLAIMSTREAM_SECURITY_PROTOCOL": "SSL", "CLAIMSTREAM_SSL_CAFILE": str(sasl_broker.ca)}
    worker = Worker(sasl_broker.tls, topics, tmp_path, CLAIMSTREAM_EXTRACTOR="baseline", **tls).start()
    try:
        worker.wait_ready(timeout=120)
        env = {**topics.env(), "CLAIMSTREAM_BROKERS": sasl_broker.tls, **tls}
        produced = cli(["produce", "--key", ARTICLE_ID, "-"], env, stdin=ARTICLE.encode())
        assert produced.returncode == 0, produced.stderr.decode()
        consumed = cli(
            ["consume", "--json", "--article", ARTICLE_ID, "--limit", "2", "--idle-timeout", "45"], env
        )
        assert consumed.returncode == 0, consumed.stderr.decode()
        assert {orjson.loads(line)["type"] for line in consumed.stdout.splitlines()} == {
            "threat",
            "troop_count",
        }
    finally:
        assert worker.stop() == 0

    untrusted = {**tls, "CLAIMSTREAM_SSL_CAFILE": str(sasl_broker.other_ca)}
    t0 = time.monotonic()
    refused = Worker(sasl_broker.tls, topics, tmp_path, CLAIMSTREAM_EXTRACTOR="baseline", **untrusted).start()
    assert refused.proc is not None
    rc = refused.proc.wait(60)
    assert rc == 77 and time.monotonic() - t0 < 20, refused.log()[-2000:]
    assert (
        "TLS handshake with the broker at" in refused.log() and "CERTIFICATE_VERIFY_FAILED" in refused.log()
    )
