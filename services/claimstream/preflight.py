"""Before the worker or the CLI starts its Kafka clients: does the broker accept our credentials?

A wrong password, an unknown SASL mechanism or an untrusted broker certificate never gets
better by retrying. One connection to a bootstrap server settles it: the command then exits
at once with :data:`EXIT_AUTH_FAILED` and one clear line naming the broker, the mechanism and
the user -- never the password. A broker that cannot be reached is left to the clients'
own reconnects (it may come up), so this check only ever fails on a definite refusal.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import sys
from typing import Any

from aiokafka.conn import create_conn
from aiokafka.errors import SaslAuthenticationFailed, UnsupportedSaslMechanismError

from claimstream.exceptions import ClaimstreamError
from claimstream.kafka_client import client_options
from claimstream.settings import Settings

log = logging.getLogger(__name__)

#: Exit status when the broker refuses the credentials or the TLS handshake (EX_NOPERM).
EXIT_AUTH_FAILED = 77


class BrokerAuthError(ClaimstreamError):
    """The broker refused our credentials or our TLS handshake."""

    code = "broker_auth"


def _bootstrap_servers(brokers: str) -> list[tuple[str, int]]:
    servers = []
    for item in brokers.replace(";", ",").split(","):
        item = item.strip().removeprefix("kafka://")
        if item:
            host, _, port = item.rpartition(":")
            servers.append((host or item, int(port) if port.isdigit() else 9092))
    return servers


def _who(settings: Settings) -> str:
    if settings.security_protocol.startswith("SASL"):
        user = settings.sasl_username
        return f"SASL {settings.sasl_mechanism} as user {user!r} over {settings.security_protocol}"
    return settings.security_protocol


async def check_broker_auth(settings: Settings, timeout: float = 15.0) -> bool:
    """Connect (and authenticate) once to the first bootstrap server that answers.

    Returns True when one accepted us, False when none answered; raises
    :class:`BrokerAuthError` when one refused the credentials or the TLS handshake."""
    if settings.security_protocol == "PLAINTEXT":
        return True
    options: dict[str, Any] = client_options(settings)
    for host, port in _bootstrap_servers(settings.brokers):
        try:
            conn = await asyncio.wait_for(
                create_conn(
                    host,
                    port,
                    client_id="claimstream-preflight",
                    request_timeout_ms=int(timeout * 1000),
                    ssl_context=options.get("ssl_context"),
                    security_protocol=settings.security_protocol,
                    sasl_mechanism=options.get("sasl_mechanism"),
                    sasl_plain_username=options.get("sasl_plain_username"),
                    sasl_plain_password=options.get("sasl_plain_password"),
                ),
                timeout,
            )
        except (SaslAuthenticationFailed, UnsupportedSaslMechanismError) as exc:
            reason = getattr(exc, "args", [""])[0] or type(exc).__name__
            raise BrokerAuthError(
                f"the broker at {host}:{port} refused the credentials ({_who(settings)}): {reason}. "
                "Check CLAIMSTREAM_SASL_USERNAME, CLAIMSTREAM_SASL_PASSWORD and CLAIMSTREAM_SASL_MECHANISM."
            ) from None
        except ssl.SSLError as exc:
            raise BrokerAuthError(
                f"TLS handshake with the broker at {host}:{port} failed ({_who(settings)}): "
                f"{exc.reason or exc}. Check CLAIMSTREAM_SSL_CAFILE / _CERTFILE / _KEYFILE."
            ) from None
        except Exception as exc:  # unreachable (refused, timed out): not ours to judge
            log.debug("preflight: %s:%s not reachable: %s", host, port, type(exc).__name__)
            continue
        conn.close()
        return True
    return False


def exit_if_refused(settings: Settings) -> None:
    """Run :func:`check_broker_auth`; on a refusal print the reason and exit with 77."""
    try:
        asyncio.run(check_broker_auth(settings))
    except BrokerAuthError as exc:
        print(f"claimstream: error: {exc}", file=sys.stderr, flush=True)
        raise SystemExit(EXIT_AUTH_FAILED) from None
