"""Every Prometheus metric of the worker, declared in one class that takes a registry.

Names follow the Prometheus conventions: the ``claimstream_`` prefix, base units in the
name (``_seconds``, ``_messages``, ``_articles``, ``_tokens``), ``_total`` on counters.
Label values come from small fixed sets (claim types, error codes, topic/partition):
never article text or ids.

The names are module constants and ``METRIC_NAMES`` lists them all, so tests can keep the
Grafana dashboard and the alert rules in sync with what the worker exports.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, Info

from claimstream.exceptions import ClaimstreamError
from claimstream.extract.base import CLAIM_TYPES, Span

if TYPE_CHECKING:
    from claimstream.extract.base import Extractor
    from claimstream.handling import Outcome

ARTICLES_CONSUMED = "claimstream_articles_consumed_total"
ARTICLES_PROCESSED = "claimstream_articles_processed_total"
ARTICLES_FAILED = "claimstream_articles_failed_total"
CLAIMS_EMITTED = "claimstream_claims_emitted_total"
DEAD_LETTERS = "claimstream_dead_letters_total"
END_TO_END_LATENCY = "claimstream_end_to_end_latency_seconds"
INFERENCE_LATENCY = "claimstream_inference_latency_seconds"
INFERENCE_BATCH_ARTICLES = "claimstream_inference_batch_size_articles"
INFERENCE_BATCH_TOKENS = "claimstream_inference_batch_tokens"
TOKENS_PROCESSED = "claimstream_tokens_processed_total"
CONSUMER_LAG = "claimstream_consumer_lag_messages"
MODEL_INFO = "claimstream_model_info"
WORKER_UP = "claimstream_worker_up"
WORKER_READY = "claimstream_worker_ready"

#: name -> Prometheus type, of every metric family this module declares.
METRIC_TYPES: dict[str, str] = {
    ARTICLES_CONSUMED: "counter",
    ARTICLES_PROCESSED: "counter",
    ARTICLES_FAILED: "counter",
    CLAIMS_EMITTED: "counter",
    DEAD_LETTERS: "counter",
    END_TO_END_LATENCY: "histogram",
    INFERENCE_LATENCY: "histogram",
    INFERENCE_BATCH_ARTICLES: "histogram",
    INFERENCE_BATCH_TOKENS: "histogram",
    TOKENS_PROCESSED: "counter",
    CONSUMER_LAG: "gauge",
    MODEL_INFO: "info",
    WORKER_UP: "gauge",
    WORKER_READY: "gauge",
}
METRIC_NAMES: tuple[str, ...] = tuple(METRIC_TYPES)

#: 5 ms .. 10 s: one forward pass over a micro-batch on CPU.
INFERENCE_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
#: 10 ms .. 60 s: broker append -> claims acknowledged, including queueing behind lag.
END_TO_END_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
BATCH_ARTICLE_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128)
BATCH_TOKEN_BUCKETS = (64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536)

#: Characters per token of the estimate used when the extractor does not count tokens.
CHARS_PER_TOKEN = 4


def series_names() -> set[str]:
    """Every sample name the worker can expose (histogram ``_bucket``/``_sum``/``_count`` included)."""
    names: set[str] = set()
    for name, kind in METRIC_TYPES.items():
        names.add(name)
        if kind == "histogram":
            names.update(f"{name}{s}" for s in ("_bucket", "_sum", "_count"))
    return names


def error_codes() -> list[str]:
    """All dead-letter error codes (the ``code`` of every ``ClaimstreamError`` subclass)."""
    codes: set[str] = set()
    todo: list[type[ClaimstreamError]] = [ClaimstreamError]
    while todo:
        cls = todo.pop()
        codes.add(cls.code)
        todo.extend(cls.__subclasses__())
    return sorted(codes)


def _base(name: str) -> str:
    # prometheus_client appends ``_total`` / ``_info`` itself.
    for suffix in ("_total", "_info"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


class ClaimstreamMetrics:
    """The worker's metrics, registered in ``registry``; the methods are the only way they change."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        self.articles_consumed = Counter(
            _base(ARTICLES_CONSUMED), "Articles read from the articles topic.", registry=registry
        )
        self.articles_processed = Counter(
            _base(ARTICLES_PROCESSED),
            "Articles whose claims and summary were sent.",
            registry=registry,
        )
        self.articles_failed = Counter(
            _base(ARTICLES_FAILED),
            "Articles that could not be processed, by reason (the dead-letter error code).",
            ["reason"],
            registry=registry,
        )
        self.claims_emitted = Counter(
            _base(CLAIMS_EMITTED),
            "Claims sent to the claims topic, by claim type.",
            ["type"],
            registry=registry,
        )
        self.dead_letters = Counter(
            _base(DEAD_LETTERS),
            "Records sent to the dead-letter topic, by error code.",
            ["error_code"],
            registry=registry,
        )
        self.end_to_end_latency = Histogram(
            END_TO_END_LATENCY,
            "Seconds from the article's Kafka record timestamp until its claims were acknowledged.",
            buckets=END_TO_END_BUCKETS,
            registry=registry,
        )
        self.inference_latency = Histogram(
            INFERENCE_LATENCY,
            "Seconds the extractor took to tag one batch of sentences.",
            buckets=INFERENCE_BUCKETS,
            registry=registry,
        )
        self.inference_batch_articles = Histogram(
            INFERENCE_BATCH_ARTICLES,
            "Articles in one micro-batch handed to the extractor.",
            buckets=BATCH_ARTICLE_BUCKETS,
            registry=registry,
        )
        self.inference_batch_tokens = Histogram(
            INFERENCE_BATCH_TOKENS,
            "Tokens in one extractor batch (the extractor's count, else characters/4).",
            buckets=BATCH_TOKEN_BUCKETS,
            registry=registry,
        )
        self.tokens_processed = Counter(
            _base(TOKENS_PROCESSED),
            "Tokens tagged by the extractor (the extractor's count, else characters/4).",
            registry=registry,
        )
        self.consumer_lag = Gauge(
            CONSUMER_LAG,
            "Messages behind the partition's high watermark (committed offset, else position).",
            ["topic", "partition"],
            registry=registry,
        )
        self.model_info = Info(
            _base(MODEL_INFO), "The extractor in use and its model version.", registry=registry
        )
        self.worker_up = Gauge(WORKER_UP, "1 while the worker process runs.", registry=registry)
        self.worker_ready = Gauge(
            WORKER_READY, "1 when the model is loaded and the broker reachable.", registry=registry
        )
        # Known label values start at 0, so rate() and absent-vs-zero behave from the first scrape.
        for claim_type in CLAIM_TYPES:
            self.claims_emitted.labels(type=claim_type)
        for code in error_codes():
            self.articles_failed.labels(reason=code)
            self.dead_letters.labels(error_code=code)
        self._lag_labels: set[tuple[str, str]] = set()

    # -- worker state
    def set_up(self, up: bool = True) -> None:
        self.worker_up.set(1 if up else 0)

    def set_ready(self, ready: bool) -> None:
        self.worker_ready.set(1 if ready else 0)

    def set_model(self, extractor: str, version: str) -> None:
        self.model_info.info({"extractor": extractor, "version": version})

    # -- the flow of articles
    def record_consumed(self, n: int) -> None:
        """``n`` articles read and handed to the extractor as one micro-batch."""
        if n > 0:
            self.articles_consumed.inc(n)
            self.inference_batch_articles.observe(n)

    def record_inference(self, seconds: float, tokens: int) -> None:
        self.inference_latency.observe(seconds)
        self.inference_batch_tokens.observe(tokens)
        self.tokens_processed.inc(tokens)

    def record_failures(self, codes: Iterable[str]) -> None:
        """Articles the handler gave up on (decode or extraction), by error code."""
        for code in codes:
            self.articles_failed.labels(reason=code).inc()

    def record_sent(self, outcome: Outcome, now_ms: float | None = None) -> None:
        """The broker acknowledged every record of ``outcome``: count it and observe latencies."""
        now_ms = time.time() * 1000 if now_ms is None else now_ms
        for msg, result in outcome.results:
            self.articles_processed.inc()
            for claim in result.claims:
                self.claims_emitted.labels(type=claim.type).inc()
            produced = result.article.produced_at_ms or msg.timestamp_ms
            if produced:
                self.end_to_end_latency.observe(max(0.0, (now_ms - produced) / 1000))
        for dead in outcome.dead_letters:
            self.dead_letters.labels(error_code=dead.error_code).inc()

    # -- consumer lag
    def set_lag(self, lags: dict[tuple[str, int], int]) -> None:
        """Lag per (topic, partition) of the current assignment; partitions no longer assigned go away."""
        current = {(topic, str(partition)) for topic, partition in lags}
        for labels in self._lag_labels - current:
            self.consumer_lag.remove(*labels)
        for (topic, partition), lag in lags.items():
            self.consumer_lag.labels(topic=topic, partition=str(partition)).set(max(0, lag))
        self._lag_labels = current


def count_tokens(extractor: Any, sentences: Sequence[str]) -> int:
    """Tokens of ``sentences``: the extractor's own ``count_tokens`` if it has one, else characters/4."""
    counter = getattr(extractor, "count_tokens", None)
    if callable(counter):
        return int(counter(sentences))
    return sum(len(s) for s in sentences) // CHARS_PER_TOKEN


class MeteredExtractor:
    """Wraps an ``Extractor``: times each ``tag`` call and counts its tokens."""

    def __init__(self, inner: Extractor, metrics: ClaimstreamMetrics) -> None:
        self.inner = inner
        self.metrics = metrics
        self.name = inner.name
        self.version = inner.version

    def tag(self, sentences: Sequence[str]) -> list[list[Span]]:
        start = time.perf_counter()
        spans = self.inner.tag(sentences)
        self.metrics.record_inference(time.perf_counter() - start, count_tokens(self.inner, sentences))
        return spans

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@lru_cache(maxsize=1)
def get_metrics() -> ClaimstreamMetrics:
    """The process-wide metrics, in prometheus_client's default registry (with process_* metrics)."""
    return ClaimstreamMetrics(REGISTRY)
