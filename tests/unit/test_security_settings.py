"""Secrets in settings, TLS/SASL client options and the credentials preflight, without a broker."""

from __future__ import annotations

import asyncio
import shutil
import socket
import ssl
import subprocess
from pathlib import Path

import faust
import pytest
from claimstream.app import broker_credentials
from claimstream.kafka_client import client_options
from claimstream.preflight import _bootstrap_servers, check_broker_auth
from claimstream.settings import Settings

SECRET = "s3cr3t-Hunter2-value"


def settings(**kw: object) -> Settings:
    return Settings(**kw)  # type: ignore[arg-type]


def test_the_password_is_a_secret_everywhere_it_could_be_printed() -> None:
    s = settings(security_protocol="SASL_SSL", sasl_username="svc", sasl_password=SECRET)
    for text in (repr(s), str(s), s.model_dump_json(), str(s.model_dump()), repr(s.sasl_password)):
        assert SECRET not in text
    assert s.sasl_password is not None and s.sasl_password.get_secret_value() == SECRET


def test_the_password_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLAIMSTREAM_SASL_PASSWORD", SECRET)
    assert Settings().sasl_password.get_secret_value() == SECRET  # type: ignore[union-attr]


@pytest.mark.parametrize("mechanism", ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"])
def test_sasl_plaintext_credentials(mechanism: str) -> None:
    s = settings(
        security_protocol="SASL_PLAINTEXT",
        sasl_mechanism=mechanism,
        sasl_username="svc",
        sasl_password=SECRET,
    )
    creds = broker_credentials(s)
    assert isinstance(creds, faust.SASLCredentials)
    assert (creds.username, creds.password, creds.mechanism.value) == ("svc", SECRET, mechanism)
    assert creds.protocol.value == "SASL_PLAINTEXT" and creds.ssl_context is None
    assert SECRET not in repr(creds)
    opts = client_options(s)
    assert (opts["security_protocol"], opts["sasl_mechanism"], opts["sasl_plain_password"]) == (
        "SASL_PLAINTEXT",
        mechanism,
        SECRET,
    )


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A CA and a client certificate signed by it (openssl)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl not installed")
    d = tmp_path_factory.mktemp("tls")

    def run(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=d, check=True, capture_output=True)

    run(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=claimstream-test-ca",
    )
    run(
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "client.key",
        "-out",
        "client.csr",
        "-subj",
        "/CN=claimstream",
    )
    run(
        "x509",
        "-req",
        "-in",
        "client.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "client.pem",
        "-days",
        "2",
    )
    return {"ca": d / "ca.pem", "cert": d / "client.pem", "key": d / "client.key"}


def test_sasl_ssl_with_a_private_ca_and_a_client_certificate(tls_files: dict[str, Path]) -> None:
    s = settings(
        security_protocol="SASL_SSL",
        sasl_username="svc",
        sasl_password=SECRET,
        ssl_cafile=tls_files["ca"],
        ssl_certfile=tls_files["cert"],
        ssl_keyfile=tls_files["key"],
    )
    creds = broker_credentials(s)
    assert isinstance(creds, faust.SASLCredentials)
    assert creds.protocol.value == "SASL_SSL"
    assert isinstance(creds.ssl_context, ssl.SSLContext)
    assert creds.ssl_context.verify_mode == ssl.CERT_REQUIRED and creds.ssl_context.check_hostname
    assert any("claimstream-test-ca" in str(c.get("subject")) for c in creds.ssl_context.get_ca_certs())
    opts = client_options(s)
    assert opts["security_protocol"] == "SASL_SSL" and isinstance(opts["ssl_context"], ssl.SSLContext)


def test_ssl_only_gives_an_ssl_context(tls_files: dict[str, Path]) -> None:
    s = settings(security_protocol="SSL", ssl_cafile=tls_files["ca"])
    context = broker_credentials(s)
    assert isinstance(context, ssl.SSLContext) and context.verify_mode == ssl.CERT_REQUIRED
    assert client_options(s)["security_protocol"] == "SSL"


def test_plaintext_needs_no_credentials() -> None:
    assert broker_credentials(settings()) is None
    assert client_options(settings()) == {
        "bootstrap_servers": "127.0.0.1:9092",
        "security_protocol": "PLAINTEXT",
    }


def test_bootstrap_servers_are_parsed() -> None:
    assert _bootstrap_servers("a:1, b:2;kafka://c:3,d") == [("a", 1), ("b", 2), ("c", 3), ("d", 9092)]


def test_preflight_skips_plaintext_and_leaves_unreachable_brokers_to_the_clients() -> None:
    assert asyncio.run(check_broker_auth(settings()))  # PLAINTEXT: nothing to check, no connection
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    sasl = settings(
        brokers=f"127.0.0.1:{port}",
        security_protocol="SASL_PLAINTEXT",
        sasl_username="u",
        sasl_password=SECRET,
    )
    assert asyncio.run(check_broker_auth(sasl, timeout=2)) is False
