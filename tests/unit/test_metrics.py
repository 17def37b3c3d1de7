"""The metrics module: names and types, what the worker's flow records, no text or ids in labels,
and the readiness / consumer-lag logic behind /readyz and claimstream_consumer_lag_messages."""

from __future__ import annotations

import asyncio
import re
from types import SimpleNamespace
from typing import Any

import pytest
from claimstream import metrics as m
from claimstream.extract.base import CLAIM_TYPES
from claimstream.extract.baseline import BaselineExtractor
from claimstream.handling import BatchHandler, RawMessage
from claimstream.pipeline import Pipeline
from claimstream.web import Health, consumer_lags
from faust.types import TP
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

ARTICLE_ID = "sample-article-7f3a9c"


def families(registry: CollectorRegistry) -> dict[str, Any]:
    text = generate_latest(registry).decode()
    return {f.name: f for f in text_string_to_metric_families(text)}


def sample_value(registry: CollectorRegistry, name: str, **labels: str) -> float:
    value = registry.get_sample_value(name, labels or None)
    return 0.0 if value is None else value


@pytest.fixture
def registry() -> CollectorRegistry:
    return CollectorRegistry()


@pytest.fixture
def metrics(registry: CollectorRegistry) -> m.ClaimstreamMetrics:
    return m.ClaimstreamMetrics(registry)


def test_every_declared_metric_is_exported_with_its_type(
    registry: CollectorRegistry, metrics: m.ClaimstreamMetrics
) -> None:
    metrics.set_model("baseline", "rules-1.0.0")
    exported = families(registry)
    for name, kind in m.METRIC_TYPES.items():
        # the text format has no info type (a gauge of 1), and the parser strips _total
        family = name if kind == "info" else re.sub(r"_total$", "", name)
        assert family in exported, name
        assert exported[family].type == ("gauge" if kind == "info" else kind), name
    samples = {s.name for f in exported.values() for s in f.samples}
    assert samples <= m.series_names() | {n for n in samples if n.endswith("_created")}


def test_names_follow_prometheus_conventions() -> None:
    assert len(set(m.METRIC_NAMES)) == len(m.METRIC_NAMES) == 14
    for name, kind in m.METRIC_TYPES.items():
        assert re.fullmatch(r"claimstream_[a-z0-9_]+", name), name
        assert name.endswith("_total") == (kind == "counter"), name
        if kind == "histogram":
            assert name.rsplit("_", 1)[1] in {"seconds", "articles", "tokens"}, name
    assert m.MODEL_INFO.endswith("_info")


def test_buckets_span_the_expected_ranges() -> None:
    assert m.INFERENCE_BUCKETS[0] == 0.005 and m.INFERENCE_BUCKETS[-1] == 10
    assert m.END_TO_END_BUCKETS[0] == 0.01 and m.END_TO_END_BUCKETS[-1] == 60
    for buckets in (
        m.INFERENCE_BUCKETS,
        m.END_TO_END_BUCKETS,
        m.BATCH_ARTICLE_BUCKETS,
        m.BATCH_TOKEN_BUCKETS,
    ):
        assert list(buckets) == sorted(set(buckets))


def test_registries_are_independent_and_a_registry_holds_one_set() -> None:
    first, second = CollectorRegistry(), CollectorRegistry()
    m.ClaimstreamMetrics(first).record_consumed(3)
    m.ClaimstreamMetrics(second)
    assert sample_value(first, m.ARTICLES_CONSUMED) == 3
    assert sample_value(second, m.ARTICLES_CONSUMED) == 0
    with pytest.raises(ValueError):
        m.ClaimstreamMetrics(first)


def test_known_label_values_start_at_zero(registry: CollectorRegistry, metrics: m.ClaimstreamMetrics) -> None:
    for claim_type in CLAIM_TYPES:
        assert registry.get_sample_value(m.CLAIMS_EMITTED, {"type": claim_type}) == 0
    for code in ("not_utf8", "empty", "schema", "too_large", "extraction_failed"):
        assert registry.get_sample_value(m.DEAD_LETTERS, {"error_code": code}) == 0
        assert registry.get_sample_value(m.ARTICLES_FAILED, {"reason": code}) == 0


def run_batch(metrics: m.ClaimstreamMetrics, sample_text: str, produced_ms: int) -> Any:
    """What the agent does with one micro-batch: one good article, one undecodable message."""
    handler = BatchHandler(
        Pipeline(m.MeteredExtractor(BaselineExtractor(), metrics)), max_article_bytes=2_000_000
    )
    batch = [
        RawMessage("articles", 0, 41, ARTICLE_ID.encode(), sample_text.encode(), produced_ms),
        RawMessage("articles", 1, 7, b"broken-1", b"\xff\xfe\xfa", produced_ms),
    ]
    metrics.record_consumed(len(batch))
    outcome = handler.handle(batch)
    metrics.record_failures(d.error_code for d in outcome.dead_letters)
    metrics.record_sent(outcome, now_ms=produced_ms + 1500)
    return outcome


def test_flow_of_one_batch(
    registry: CollectorRegistry, metrics: m.ClaimstreamMetrics, sample_text: str
) -> None:
    outcome = run_batch(metrics, sample_text, produced_ms=1_700_000_000_000)
    claims = outcome.results[0][1].claims
    assert claims, "the baseline finds claims in the sample article"

    assert sample_value(registry, m.ARTICLES_CONSUMED) == 2
    assert sample_value(registry, m.ARTICLES_PROCESSED) == 1
    assert sample_value(registry, m.ARTICLES_FAILED, reason="not_utf8") == 1
    assert sample_value(registry, m.DEAD_LETTERS, error_code="not_utf8") == 1
    for claim_type in CLAIM_TYPES:
        expected = sum(1 for c in claims if c.type == claim_type)
        assert sample_value(registry, m.CLAIMS_EMITTED, type=claim_type) == expected
    # end-to-end: record timestamp -> sent, 1.5 s, lands in the (1, 2.5] bucket
    assert sample_value(registry, m.END_TO_END_LATENCY + "_count") == 1
    assert sample_value(registry, m.END_TO_END_LATENCY + "_sum") == pytest.approx(1.5)
    assert sample_value(registry, m.END_TO_END_LATENCY + "_bucket", le="1.0") == 0
    assert sample_value(registry, m.END_TO_END_LATENCY + "_bucket", le="2.5") == 1
    # one micro-batch of 2 articles, one extractor call over the good article's sentences
    assert sample_value(registry, m.INFERENCE_BATCH_ARTICLES + "_sum") == 2
    assert sample_value(registry, m.INFERENCE_LATENCY + "_count") == 1
    tokens = sample_value(registry, m.TOKENS_PROCESSED)
    assert tokens > 100
    assert sample_value(registry, m.INFERENCE_BATCH_TOKENS + "_sum") == tokens


def test_no_article_text_or_ids_in_label_values(
    registry: CollectorRegistry, metrics: m.ClaimstreamMetrics, sample_text: str
) -> None:
    metrics.set_model("baseline", "rules-1.0.0")
    metrics.set_lag({("articles", 0): 3})
    outcome = run_batch(metrics, sample_text, produced_ms=1_700_000_000_000)
    allowed = (
        set(CLAIM_TYPES)
        | set(m.error_codes())
        | {"articles", "0", "baseline", "rules-1.0.0"}
        | {str(b) for b in m.END_TO_END_BUCKETS + m.INFERENCE_BUCKETS}
        | {str(float(b)) for b in m.BATCH_ARTICLE_BUCKETS + m.BATCH_TOKEN_BUCKETS}
        | {"+Inf"}
    )
    values = {v for f in families(registry).values() for s in f.samples for v in s.labels.values()}
    assert values <= allowed, values - allowed
    exposition = generate_latest(registry).decode()
    assert ARTICLE_ID not in exposition and "broken-1" not in exposition
    for claim in outcome.results[0][1].claims:
        assert claim.text not in exposition


def test_tokens_come_from_the_extractor_when_it_counts_them() -> None:
    class Counting:
        name, version = "counting", "1"

        def count_tokens(self, sentences: list[str]) -> int:
            return 7 * len(sentences)

    assert m.count_tokens(Counting(), ["a b", "c"]) == 14
    assert m.count_tokens(BaselineExtractor(), ["x" * 40, "y" * 8]) == 12  # characters / 4


def test_metered_extractor_delegates(registry: CollectorRegistry, metrics: m.ClaimstreamMetrics) -> None:
    inner = BaselineExtractor()
    metered = m.MeteredExtractor(inner, metrics)
    assert (metered.name, metered.version) == (inner.name, inner.version)
    assert metered.tag(["Russia threatened to invade."]) == inner.tag(["Russia threatened to invade."])
    assert sample_value(registry, m.INFERENCE_LATENCY + "_count") == 1


def test_model_info_and_worker_state(registry: CollectorRegistry, metrics: m.ClaimstreamMetrics) -> None:
    metrics.set_model("onnx-tagger", "claim-tagger-2024.1")
    metrics.set_up()
    metrics.set_ready(True)
    assert (
        registry.get_sample_value(
            m.MODEL_INFO, {"extractor": "onnx-tagger", "version": "claim-tagger-2024.1"}
        )
        == 1
    )
    assert sample_value(registry, m.WORKER_UP) == 1
    assert sample_value(registry, m.WORKER_READY) == 1
    metrics.set_ready(False)
    assert sample_value(registry, m.WORKER_READY) == 0


def test_lag_follows_the_assignment(registry: CollectorRegistry, metrics: m.ClaimstreamMetrics) -> None:
    metrics.set_lag({("articles", 0): 5, ("articles", 1): 9})
    assert registry.get_sample_value(m.CONSUMER_LAG, {"topic": "articles", "partition": "1"}) == 9
    metrics.set_lag({("articles", 0): 2})  # partition 1 went to another worker
    assert registry.get_sample_value(m.CONSUMER_LAG, {"topic": "articles", "partition": "0"}) == 2
    assert registry.get_sample_value(m.CONSUMER_LAG, {"topic": "articles", "partition": "1"}) is None


# ---------------------------------------------------------------- readiness and lag sources


class FakeClient:
    def __init__(self, ok: bool) -> None:
        self.ok = ok

    async def fetch_all_metadata(self) -> object:
        if not self.ok:
            raise ConnectionError("no broker")
        return object()


def fake_app(client: FakeClient) -> Any:
    producer = SimpleNamespace(_ensure_producer=lambda: SimpleNamespace(client=client))
    return SimpleNamespace(producer=producer)


async def test_ready_needs_the_model_and_the_broker(
    registry: CollectorRegistry, metrics: m.ClaimstreamMetrics
) -> None:
    client = FakeClient(ok=False)
    runtime = SimpleNamespace(loaded=asyncio.Event())
    health = Health(fake_app(client), runtime, metrics)
    assert not health.ready and health.status() == {
        "ready": False,
        "model_loaded": False,
        "broker_reachable": False,
    }
    assert not await health.probe_broker()
    runtime.loaded.set()
    assert not health.ready  # model loaded, broker unreachable
    client.ok = True
    assert await health.probe_broker()
    assert health.ready and sample_value(registry, m.WORKER_READY) == 1
    client.ok = False
    await health.probe_broker()  # the broker went away
    assert not health.ready and sample_value(registry, m.WORKER_READY) == 0


async def test_a_stale_probe_is_not_ready(metrics: m.ClaimstreamMetrics) -> None:
    runtime = SimpleNamespace(loaded=asyncio.Event())
    runtime.loaded.set()
    health = Health(fake_app(FakeClient(ok=True)), runtime, metrics, stale_after=0.05)
    await health.probe_broker()
    assert health.ready
    await asyncio.sleep(0.1)
    assert not health.ready


async def test_probe_times_out(metrics: m.ClaimstreamMetrics) -> None:
    class Hanging:
        async def fetch_all_metadata(self) -> None:
            await asyncio.sleep(10)

    health = Health(fake_app(Hanging()), SimpleNamespace(loaded=asyncio.Event()), metrics, probe_timeout=0.05)  # type: ignore[arg-type]
    assert not await health.probe_broker()


async def test_consumer_lag_is_highwater_minus_committed() -> None:
    tps = [TP("articles", 0), TP("articles", 1), TP("articles", 2), TP("app-__assignor-__leader", 0)]
    highwater = {0: 120, 1: 50, 2: None}
    committed = {tps[0]: 100}  # partition 1 not committed yet: its position counts

    async def position(t: Any) -> int:
        return 45

    consumer = SimpleNamespace(
        assignment=lambda: set(tps),
        highwater=lambda t: highwater.get(t.partition, 10),
        _committed_offset=committed,
        position=position,
    )
    lags = await consumer_lags(SimpleNamespace(consumer=consumer), ["articles"])
    assert lags == {("articles", 0): 20, ("articles", 1): 5}
