"""The worker's agent: take a micro-batch of articles, extract off the event loop, send the results."""

from __future__ import annotations

import asyncio
import logging

import faust

from claimstream.app import app, articles_topic, settings
from claimstream.delivery import Delivery, OutTopics, die
from claimstream.handling import RawMessage
from claimstream.metrics import get_metrics
from claimstream.runtime import Runtime
from claimstream.web import install as install_web

log = logging.getLogger(__name__)
runtime = Runtime(settings)
metrics = get_metrics()
health = install_web(app, runtime, lag_topics=[settings.articles_topic], metrics=metrics)
delivery = Delivery(
    app,
    OutTopics(settings.claims_topic, settings.summaries_topic, settings.dlq_topic),
    max_dead_letter_bytes=settings.dlq_max_bytes,
)
delivery.install()


def raw_message(event: faust.types.EventT) -> RawMessage:
    msg = event.message
    ts = int(msg.timestamp * 1000) if msg.timestamp else None
    return RawMessage(msg.topic, msg.partition, msg.offset, msg.key, msg.value, ts)


@app.task
async def load_model() -> None:
    await runtime.load()


@app.agent(articles_topic)
async def extract_claims(stream: faust.StreamT[bytes]) -> None:
    handler = await runtime.load()
    loop = asyncio.get_running_loop()
    async for events in stream.take_events(settings.batch_max_articles, within=settings.batch_max_seconds):
        delivery.hold(events)  # acked by delivery.deliver only, once their records are on the broker
        try:
            batch = [raw_message(e) for e in events]
            metrics.record_consumed(len(batch))
            outcome = await loop.run_in_executor(runtime.executor, handler.handle, batch)
            metrics.record_failures(dead.error_code for dead in outcome.dead_letters)
            await delivery.deliver(stream, events, outcome)
        except Exception as exc:  # nothing acked: exit and let the next worker redo the batch
            die(exc)
        metrics.record_sent(outcome)
        for dead in outcome.dead_letters:
            log.warning("dead-lettered %s/%s@%s: %s: %s", dead.topic, dead.partition, dead.offset,
                        dead.error_code, dead.error_message)
