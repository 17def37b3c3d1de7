"""The worker's agent: take a micro-batch of articles, extract off the event loop, send the results."""

from __future__ import annotations

import asyncio
import logging

from claimstream.runtime import Runtime
from claimstream.settings import get_settings

# The model loads on the inference thread while Faust is imported and starts (readiness sooner).
runtime = Runtime(get_settings()).preload()

import faust  # noqa: E402

from claimstream.app import app, articles_topic, settings  # noqa: E402
from claimstream.batching import estimated_tokens, split_by_budget  # noqa: E402
from claimstream.delivery import Delivery, OutTopics, die  # noqa: E402
from claimstream.handling import RawMessage  # noqa: E402
from claimstream.metrics import get_metrics  # noqa: E402
from claimstream.web import install as install_web  # noqa: E402

log = logging.getLogger(__name__)
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
    # take_events exists on faust's Stream but not on its StreamT protocol.
    batches = stream.take_events(settings.batch_max_articles, within=settings.batch_max_seconds)  # type: ignore[attr-defined]
    async for events in batches:
        delivery.hold(events)  # acked by delivery.deliver only, once their records are on the broker
        # One model call per chunk of at most batch_token_budget (estimated) tokens: bounds the
        # memory and time of a call when large articles come in a burst; usually one chunk.
        sizes = [estimated_tokens(len(e.message.value or b"")) for e in events]
        for part in (events[c] for c in split_by_budget(sizes, settings.batch_token_budget)):
            try:
                batch = [raw_message(e) for e in part]
                metrics.record_consumed(len(batch))
                outcome = await loop.run_in_executor(runtime.executor, handler.handle, batch)
                metrics.record_failures(dead.error_code for dead in outcome.dead_letters)
                await delivery.deliver(stream, part, outcome)
            except Exception as exc:  # nothing acked: exit and let the next worker redo the batch
                die(exc)
            metrics.record_sent(outcome)
            for dead in outcome.dead_letters:
                log.warning(
                    "dead-lettered %s/%s@%s: %s: %s",
                    dead.topic,
                    dead.partition,
                    dead.offset,
                    dead.error_code,
                    dead.error_message,
                )
