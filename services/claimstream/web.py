"""Health, readiness and metrics on the Faust app's web server (``settings.web_host:web_port``).

- ``GET /healthz``: 200 while the process serves requests (liveness).
- ``GET /readyz``:  200 once the model is loaded AND the broker answered a metadata request
  recently; 503 before and whenever the broker stops answering (readiness).
- ``GET /metrics``: Prometheus exposition of the default registry (``claimstream_*`` and
  ``process_*``/``python_*``).

The bodies carry states and counts only: no article text, no article ids.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable
from typing import Any, Protocol

import faust
from faust.web import Request, Response, View
from prometheus_client import REGISTRY, CollectorRegistry
from prometheus_client.exposition import choose_encoder

from claimstream.metrics import ClaimstreamMetrics, get_metrics

log = logging.getLogger(__name__)

#: How often the broker is probed and the consumer lag refreshed (seconds).
PROBE_INTERVAL_S = 2.0
LAG_INTERVAL_S = 5.0
#: A successful probe older than this no longer counts: the worker reports not ready.
PROBE_STALE_S = 10.0
PROBE_TIMEOUT_S = 3.0


class ModelState(Protocol):
    """What readiness needs of the runtime: an event set once the model is loaded."""

    loaded: asyncio.Event


class Health:
    """Liveness and readiness of one worker, and the broker probe behind readiness."""

    def __init__(
        self,
        app: faust.App,
        runtime: ModelState,
        metrics: ClaimstreamMetrics,
        *,
        probe_timeout: float = PROBE_TIMEOUT_S,
        stale_after: float = PROBE_STALE_S,
    ) -> None:
        self.app = app
        self.runtime = runtime
        self.metrics = metrics
        self.probe_timeout = probe_timeout
        self.stale_after = stale_after
        self.broker_ok_at: float | None = None

    @property
    def model_loaded(self) -> bool:
        return self.runtime.loaded.is_set()

    @property
    def broker_reachable(self) -> bool:
        return self.broker_ok_at is not None and time.monotonic() - self.broker_ok_at < self.stale_after

    @property
    def ready(self) -> bool:
        return self.model_loaded and self.broker_reachable

    def status(self) -> dict[str, Any]:
        return {
            "ready": self.ready,
            "model_loaded": self.model_loaded,
            "broker_reachable": self.broker_reachable,
        }

    async def probe_broker(self) -> bool:
        """Ask the broker for cluster metadata through the app's own producer connection."""
        try:
            client = self.app.producer._ensure_producer().client  # type: ignore[attr-defined]
            await asyncio.wait_for(client.fetch_all_metadata(), self.probe_timeout)
        except Exception as exc:  # any failure means: not reachable now
            if self.broker_ok_at is not None:
                log.warning("broker probe failed: %s: %s", type(exc).__name__, exc)
            self.broker_ok_at = None
        else:
            self.broker_ok_at = time.monotonic()
        self.metrics.set_ready(self.ready)
        return self.broker_ok_at is not None


async def consumer_lags(app: faust.App, topics: Iterable[str] | None = None) -> dict[tuple[str, int], int]:
    """Messages behind the high watermark per assigned partition: highwater − committed offset
    (the consumer's position when nothing was committed yet). Partitions with no known highwater
    are left out."""
    wanted = set(topics) if topics is not None else None
    consumer = app.consumer
    lags: dict[tuple[str, int], int] = {}
    committed_offsets = getattr(consumer, "_committed_offset", {})
    for tp in consumer.assignment():
        if wanted is not None and tp.topic not in wanted:
            continue
        highwater = consumer.highwater(tp)
        if highwater is None or highwater < 0:
            continue
        committed = committed_offsets.get(tp)
        if committed is None:
            committed = await consumer.position(tp)
        if committed is None:
            continue
        lags[(tp.topic, tp.partition)] = max(0, int(highwater) - int(committed))
    return lags


def install(
    app: faust.App,
    runtime: ModelState,
    *,
    lag_topics: Iterable[str] | None = None,
    metrics: ClaimstreamMetrics | None = None,
    registry: CollectorRegistry = REGISTRY,
) -> Health:
    """Register /healthz, /readyz and /metrics on ``app`` and the timers that keep
    readiness and consumer lag current. Call once, at import time of the agents."""
    metrics = metrics or get_metrics()
    health = Health(app, runtime, metrics)
    lag_topics = list(lag_topics) if lag_topics is not None else None
    metrics.set_up(True)
    metrics.set_ready(False)

    @app.page("/healthz")
    async def healthz(self: View, request: Request) -> Response:
        return self.json({"status": "ok"})

    @app.page("/readyz")
    async def readyz(self: View, request: Request) -> Response:
        metrics.set_ready(health.ready)
        return self.json(health.status(), status=200 if health.ready else 503)

    @app.page("/metrics")
    async def metrics_view(self: View, request: Request) -> Response:
        metrics.set_ready(health.ready)
        encoder, content_type = choose_encoder(request.headers.get("Accept", ""))
        # via headers: aiohttp refuses a content_type argument that carries a charset
        return self.bytes(encoder(registry), headers={"Content-Type": content_type})

    @app.timer(PROBE_INTERVAL_S)
    async def probe_broker() -> None:
        await health.probe_broker()

    @app.timer(LAG_INTERVAL_S)
    async def refresh_consumer_lag() -> None:
        try:
            metrics.set_lag(await consumer_lags(app, lag_topics))
        except Exception as exc:  # a rebalance in progress: try again next tick
            log.debug("consumer lag not available: %s", exc)

    @app.task
    async def probe_on_start() -> None:
        await health.probe_broker()

    return health
