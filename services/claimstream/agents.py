"""The worker's agent: take a micro-batch of articles, extract off the event loop, send the results."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Awaitable
from typing import Any

import faust

from claimstream.app import app, articles_topic, claims_topic, dlq_topic, settings, summaries_topic
from claimstream.handling import Outcome, RawMessage, encode
from claimstream.metrics import get_metrics
from claimstream.runtime import Runtime
from claimstream.web import install as install_web

log = logging.getLogger(__name__)
runtime = Runtime(settings)
metrics = get_metrics()
health = install_web(app, runtime, lag_topics=[settings.articles_topic], metrics=metrics)


def raw_message(event: faust.types.EventT) -> RawMessage:
    msg = event.message
    ts = int(msg.timestamp * 1000) if msg.timestamp else None
    return RawMessage(msg.topic, msg.partition, msg.offset, msg.key, msg.value, ts)


async def send_outcome(outcome: Outcome) -> None:
    """Send claims, then each article's summary, then dead letters; wait until the broker has them."""
    pending: list[Awaitable[Any]] = []
    for msg, result in outcome.results:
        key = result.article.id.encode("utf-8")
        for claim in result.claims:
            pending.append(await claims_topic.send(key=key, value=encode(claim.to_dict())))
        summary = dataclasses.replace(result.summary, source_partition=msg.partition, source_offset=msg.offset)
        pending.append(await summaries_topic.send(key=key, value=encode(summary.to_dict())))
    for dead in outcome.dead_letters:
        pending.append(await dlq_topic.send(key=f"{dead.topic}/{dead.partition}/{dead.offset}".encode(),
                                            value=encode(dead.to_dict())))
    if pending:
        await asyncio.gather(*pending)


@app.task
async def load_model() -> None:
    await runtime.load()


@app.agent(articles_topic)
async def extract_claims(stream: faust.StreamT[bytes]) -> None:
    handler = await runtime.load()
    loop = asyncio.get_running_loop()
    async for events in stream.take_events(settings.batch_max_articles, within=settings.batch_max_seconds):
        batch = [raw_message(e) for e in events]
        metrics.record_consumed(len(batch))
        outcome = await loop.run_in_executor(runtime.executor, handler.handle, batch)
        metrics.record_failures(dead.error_code for dead in outcome.dead_letters)
        await send_outcome(outcome)
        metrics.record_sent(outcome)
        for dead in outcome.dead_letters:
            log.warning("dead-lettered %s/%s@%s: %s: %s", dead.topic, dead.partition, dead.offset,
                        dead.error_code, dead.error_message)
