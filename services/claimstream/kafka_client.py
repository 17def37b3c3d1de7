"""Connection options for plain aiokafka clients (the CLI), from the same settings as the worker."""

from __future__ import annotations

import contextlib
import ssl
from typing import Any

from claimstream.settings import Settings


def client_options(settings: Settings) -> dict[str, Any]:
    """bootstrap_servers plus TLS/SASL keyword arguments for AIOKafkaProducer/Consumer."""
    options: dict[str, Any] = {
        "bootstrap_servers": settings.brokers,
        "security_protocol": settings.security_protocol,
    }
    if settings.security_protocol in ("SSL", "SASL_SSL"):
        context = ssl.create_default_context(cafile=str(settings.ssl_cafile) if settings.ssl_cafile else None)
        if settings.ssl_certfile:
            context.load_cert_chain(
                str(settings.ssl_certfile), str(settings.ssl_keyfile) if settings.ssl_keyfile else None
            )
        options["ssl_context"] = context
    if settings.security_protocol.startswith("SASL"):
        options["sasl_mechanism"] = settings.sasl_mechanism
        options["sasl_plain_username"] = settings.sasl_username
        options["sasl_plain_password"] = (
            settings.sasl_password.get_secret_value() if settings.sasl_password else None
        )
    return options


async def ensure_topics(settings: Settings, *, timeout_s: float = 60.0) -> list[str]:
    """Create the service's topics if they are missing; the names of those created.

    The worker subscribes before anything is produced, so its input topic must exist when it
    joins the group: a topic auto-created later would not be picked up until a metadata refresh.
    """
    import asyncio

    from aiokafka.admin import AIOKafkaAdminClient, NewTopic
    from aiokafka.errors import TopicAlreadyExistsError

    names = [settings.articles_topic, settings.claims_topic, settings.summaries_topic, settings.dlq_topic]
    admin = AIOKafkaAdminClient(**client_options(settings), request_timeout_ms=int(timeout_s * 1000))
    await asyncio.wait_for(admin.start(), timeout_s)
    try:
        existing = set(await admin.list_topics())
        missing = [n for n in names if n not in existing]
        if missing:
            topics = [
                NewTopic(
                    name,
                    num_partitions=settings.topic_partitions,
                    replication_factor=settings.topic_replicas,
                    topic_configs={"max.message.bytes": str(settings.max_message_bytes)},
                )
                for name in missing
            ]
            with contextlib.suppress(TopicAlreadyExistsError):  # another worker won the race
                await admin.create_topics(topics)
        return missing
    finally:
        await admin.close()
