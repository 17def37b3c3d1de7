"""The Faust app and its topics. Agents live in agents.py; nothing here knows the model."""

from __future__ import annotations

import ssl

import faust
from faust.tables import TableManager as FaustTableManager

from claimstream.settings import Settings, get_settings


def broker_credentials(settings: Settings) -> faust.types.auth.CredentialsT | ssl.SSLContext | None:
    """TLS and SASL credentials for the broker, from the settings."""
    context: ssl.SSLContext | None = None
    if settings.security_protocol in ("SSL", "SASL_SSL"):
        context = ssl.create_default_context(
            purpose=ssl.Purpose.SERVER_AUTH,
            cafile=str(settings.ssl_cafile) if settings.ssl_cafile else None,
        )
        if settings.ssl_certfile:
            context.load_cert_chain(
                str(settings.ssl_certfile), str(settings.ssl_keyfile) if settings.ssl_keyfile else None
            )
    if settings.security_protocol.startswith("SASL"):
        password = settings.sasl_password.get_secret_value() if settings.sasl_password else ""
        return faust.SASLCredentials(
            username=settings.sasl_username or "",
            password=password,
            mechanism=settings.sasl_mechanism,
            ssl_context=context,
        )
    return context


class TableManager(FaustTableManager):
    """Faust's table manager without its fixed 1 s pause at start-up (a grace period for tables
    to register; this app has none, and the pause delays the first partition assignment)."""

    async def on_start(self) -> None:
        if not self.should_stop:
            await self._update_channels()
            await self.recovery.start()


def create_app(settings: Settings) -> faust.App:
    return faust.App(
        settings.app_id,
        TableManager=TableManager,
        broker=settings.kafka_url(),
        broker_credentials=broker_credentials(settings),
        processing_guarantee=settings.processing_guarantee,
        topic_partitions=settings.topic_partitions,
        topic_replication_factor=settings.topic_replicas,
        web_host=settings.web_host,
        web_bind=settings.web_host,
        web_port=settings.web_port,
        web_in_thread=False,
        autodiscover=False,
        store="memory://",
        key_serializer="raw",
        value_serializer="raw",
        consumer_auto_offset_reset="earliest",
        producer_acks=-1,
        # Dead letters carry the original bytes (base64) of rejected oversize articles.
        producer_max_request_size=settings.max_message_bytes,
        consumer_max_fetch_size=settings.fetch_max_bytes,
        # Backpressure: at most this many messages wait for the agent; the consumer pauses beyond.
        stream_buffer_maxsize=settings.stream_buffer_maxsize,
        broker_max_poll_records=settings.max_poll_records,
        broker_commit_every=1000,
        broker_commit_interval=1.0,
        stream_wait_empty=True,
        logging_config=None,
    )


settings = get_settings()
app = create_app(settings)

articles_topic = app.topic(settings.articles_topic, key_type=bytes, value_type=bytes)
claims_topic = app.topic(settings.claims_topic, key_type=bytes, value_type=bytes)
summaries_topic = app.topic(settings.summaries_topic, key_type=bytes, value_type=bytes)
dlq_topic = app.topic(settings.dlq_topic, key_type=bytes, value_type=bytes)
