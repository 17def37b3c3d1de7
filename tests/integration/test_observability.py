"""Observability end to end, with real components: a real worker subprocess on the real broker,
scraped every second by a real Prometheus (Debian's package) that also loads the alert rules.

Proves: /readyz is 503 while the model loads and 200 after (/healthz 200 throughout); the
worker's /metrics is scraped; every Grafana panel query and every alert expression is valid
PromQL on the live data (HTTP API status "success"), the throughput, latency and
claims-per-type panels return data, Prometheus evaluates every alert rule without error,
WorkerDown stays quiet while the worker runs, and no article id reaches /metrics.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import orjson
import pytest
import yaml
from aiokafka import AIOKafkaProducer

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "tests" / "data" / "sample-article.txt"
DASHBOARD = REPO / "deploy" / "grafana" / "dashboards" / "claimstream.json"
ALERTS = REPO / "deploy" / "prometheus" / "alerts.yml"
RENDER = REPO / "deploy" / "grafana" / "render.py"
CLAIMSTREAM = str(Path(sys.executable).with_name("claimstream"))
MODEL_PRESENT = any(REPO.glob("models/*/model.int8.onnx"))
IN_CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}
LOAD_DELAY_S = 4.0
# Grafana's interval variables, as Grafana would fill them for a short range at 1 s scrapes.
GRAFANA_VARS = {"$__rate_interval": "1m", "$__interval": "5s", "$__range": "5m"}
# Panels that must show data once articles have flowed (title -> refIds that must be non-empty).
MUST_HAVE_DATA = {
    "Throughput": {"A", "B"},
    "End-to-end latency": {"A", "B"},
    "Inference latency per batch": {"A", "B"},
    "Claims per type": {"A"},
}

pytestmark = pytest.mark.kafka

OTHER_ARTICLES = {
    "moscow-warning": (
        "Moscow, 12 March. Russia's foreign minister warned that Moscow would respond with "
        "military measures if NATO deployed more troops in Estonia. The alliance said it has no "
        "plans to attack anyone. Some 3,000 soldiers are taking part in the exercise."
    ),
    "aid-pledge": (
        "Berlin, 3 May. Germany pledged to send 50 additional tanks to Ukraine by the end of the "
        "year, the defence minister said on Tuesday. The government is committed to supporting "
        "Kyiv for as long as it takes, he added."
    ),
    "border-buildup": (
        "Washington, 9 January. US officials said that about 100,000 Russian troops were massed "
        "near the border. The president threatened severe sanctions if Russia invaded, and "
        "promised to continue to provide support to allies in the region."
    ),
}


def render_dashboard(base: str, minutes: float) -> str:
    spec = importlib.util.spec_from_file_location("render_dashboard", RENDER)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(module.render(base, minutes))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http(url: str, timeout: float = 3.0) -> tuple[int | None, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return int(resp.status), resp.read()
    except urllib.error.HTTPError as exc:
        return int(exc.code), exc.read()
    except OSError:
        return None, b""


def wait_for(what: str, check: Callable[[], Any], timeout: float, interval: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


class Proc:
    """A subprocess in its own session, logging to a file; stopped with SIGTERM then SIGKILL."""

    def __init__(self, argv: list[str], log_path: Path, cwd: Path, env: dict[str, str] | None = None) -> None:
        self.log_path = log_path
        self.handle = log_path.open("ab")
        self.proc = subprocess.Popen(
            argv, cwd=cwd, env=env, stdout=self.handle, stderr=subprocess.STDOUT, start_new_session=True
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self, timeout: float = 20.0) -> int:
        if self.alive():
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        self.handle.close()
        return int(self.proc.returncode)


class Prometheus:
    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"

    def api(self, path: str, **params: str) -> dict[str, Any]:
        url = f"{self.base}/api/v1/{path}"
        if params:
            url += "?" + urllib.parse.urlencode(params)
        status, body = http(url, timeout=5)
        assert body, f"no answer from Prometheus for {url} (status {status})"
        return dict(json.loads(body))

    def query(self, expr: str) -> dict[str, Any]:
        return self.api("query", query=expr)

    def values(self, expr: str) -> list[float]:
        answer = self.query(expr)
        assert answer["status"] == "success", (expr, answer)
        result = answer["data"]["result"]
        if answer["data"]["resultType"] == "scalar":
            return [float(result[1])]
        return [float(r["value"][1]) for r in result]


@pytest.fixture(scope="module")
def prometheus_bin() -> str:
    path = shutil.which("prometheus")
    if path is None:
        if IN_CI:
            pytest.fail("prometheus is required in CI (apt-get install -y prometheus)")
        pytest.skip("prometheus not installed (apt-get install -y prometheus)")
    return path


async def produce(bootstrap: str, topic: str, messages: list[tuple[bytes, bytes]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        futures = [await producer.send(topic, value=value, key=key) for key, value in messages]
        await asyncio.gather(*futures)
    finally:
        await producer.stop()


async def test_metrics_readiness_dashboard_and_alerts_on_a_real_prometheus(
    kafka_bootstrap: str,
    topic_names: Any,
    create_topics: Any,
    prometheus_bin: str,
    tmp_path: Path,
) -> None:
    workdir = tmp_path
    t_start = time.monotonic()
    timings: dict[str, float] = {}
    articles, claims, summaries, dlq = (topic_names(n) for n in ("articles", "claims", "summaries", "dlq"))
    await create_topics(articles, partitions=2)
    await create_topics(claims, summaries, dlq)

    # ---- the worker, with a model load that takes LOAD_DELAY_S longer
    web_port = free_port()
    worker_env = {
        **os.environ,
        "CLAIMSTREAM_BROKERS": kafka_bootstrap,
        "CLAIMSTREAM_APP_ID": f"obs-{uuid.uuid4().hex[:10]}",
        "CLAIMSTREAM_ARTICLES_TOPIC": articles,
        "CLAIMSTREAM_CLAIMS_TOPIC": claims,
        "CLAIMSTREAM_SUMMARIES_TOPIC": summaries,
        "CLAIMSTREAM_DLQ_TOPIC": dlq,
        "CLAIMSTREAM_WEB_PORT": str(web_port),
        "CLAIMSTREAM_WEB_HOST": "127.0.0.1",
        "CLAIMSTREAM_TOPIC_PARTITIONS": "2",
        "CLAIMSTREAM_EXTRACTOR": "model" if MODEL_PRESENT else "baseline",
        "CLAIMSTREAM_MODEL_LOAD_DELAY_S": str(LOAD_DELAY_S),
        "PYTHONUNBUFFERED": "1",
    }
    worker = Proc([CLAIMSTREAM, "worker", "-l", "info"], workdir / "worker.log", workdir, worker_env)
    prometheus_proc: Proc | None = None
    base = f"http://127.0.0.1:{web_port}"
    try:
        # ---- /healthz answers while /readyz is still 503 (the model is loading)
        def web_up() -> bool:
            assert worker.alive(), worker.log()
            return http(f"{base}/healthz")[0] == 200

        wait_for("the worker's /healthz", web_up, timeout=60)
        status, body = http(f"{base}/readyz")
        assert status == 503, (status, body)
        not_ready = orjson.loads(body)
        assert not_ready["ready"] is False and not_ready["model_loaded"] is False
        seen_not_ready_at = time.monotonic()
        assert b"claimstream_worker_ready 0.0" in http(f"{base}/metrics")[1]

        def ready() -> dict[str, Any] | None:
            assert worker.alive(), worker.log()
            code, payload = http(f"{base}/readyz")
            return orjson.loads(payload) if code == 200 else None

        state = wait_for("/readyz 200", ready, timeout=60)
        assert state == {"ready": True, "model_loaded": True, "broker_reachable": True}
        timings["not ready -> ready (s)"] = time.monotonic() - seen_not_ready_at

        # ---- a real Prometheus scraping the worker every second, with the alert rules loaded
        prom_port = free_port()
        prom_dir = workdir / "prometheus"
        prom_dir.mkdir()
        shutil.copy(ALERTS, prom_dir / "alerts.yml")
        (prom_dir / "prometheus.yml").write_text(
            yaml.safe_dump(
                {
                    "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
                    "rule_files": ["alerts.yml"],
                    "scrape_configs": [
                        {
                            "job_name": "claimstream",
                            "metrics_path": "/metrics",
                            "static_configs": [{"targets": [f"127.0.0.1:{web_port}"]}],
                        }
                    ],
                }
            )
        )
        prometheus_proc = Proc(
            [
                prometheus_bin,
                f"--config.file={prom_dir / 'prometheus.yml'}",
                f"--storage.tsdb.path={prom_dir / 'data'}",
                f"--web.listen-address=127.0.0.1:{prom_port}",
                "--storage.tsdb.retention.time=1h",
                "--log.level=warn",
            ],
            prom_dir / "prometheus.log",
            prom_dir,
        )
        prom = Prometheus(prom_port)

        def scraped_twice() -> bool:
            assert prometheus_proc is not None and prometheus_proc.alive(), (
                prometheus_proc and prometheus_proc.log()
            )
            if http(f"{prom.base}/-/ready")[0] != 200:
                return False
            return prom.values('count_over_time(claimstream_worker_up{job="claimstream"}[1m])') >= [2.0]

        wait_for("two scrapes of the worker", scraped_twice, timeout=30)
        timings["prometheus up, 2 scrapes (s)"] = time.monotonic() - t_start

        # ---- articles flow: the sample, a few more, and one that is not UTF-8
        good = {"sample-article": SAMPLE.read_bytes()} | {k: v.encode() for k, v in OTHER_ARTICLES.items()}
        messages = [(k.encode(), v) for k, v in good.items()] + [(b"broken-utf8", b"\xff\xfe\xfa not text")]
        t_produce = time.monotonic()
        await produce(kafka_bootstrap, articles, messages[:2])
        await asyncio.sleep(1.5)  # two waves, so the rates see more than one step
        await produce(kafka_bootstrap, articles, messages[2:])

        def all_counted() -> bool:
            processed = prom.values("sum(claimstream_articles_processed_total)")
            dead = prom.values("sum(claimstream_dead_letters_total)")
            return processed == [float(len(good))] and dead == [1.0]

        wait_for("Prometheus to see every article processed", all_counted, timeout=60, interval=0.5)
        timings["produce -> scraped as processed (s)"] = time.monotonic() - t_produce
        wait_for(
            "the consumer lag gauge",
            lambda: prom.values(f'claimstream_consumer_lag_messages{{topic="{articles}"}}'),
            timeout=20,
            interval=0.5,
        )

        # ---- every dashboard panel query parses; the key panels have data
        dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
        empty: list[str] = []
        evaluated = 0
        for panel in dashboard["panels"]:
            for target in panel["targets"]:
                expr = target["expr"]
                for var, value in GRAFANA_VARS.items():
                    expr = expr.replace(var, value)
                answer = prom.query(expr)
                assert answer["status"] == "success", (panel["title"], expr, answer)
                evaluated += 1
                finite = [
                    float(r["value"][1])
                    for r in answer["data"]["result"]
                    if not math.isnan(float(r["value"][1]))
                ]
                if target["refId"] in MUST_HAVE_DATA.get(panel["title"], set()) and not any(
                    v > 0 for v in finite
                ):
                    empty.append(f"{panel['title']}/{target['refId']}: {expr} -> {answer['data']['result']}")
        assert not empty, "panels without data:\n" + "\n".join(empty)
        assert evaluated == sum(len(p["targets"]) for p in dashboard["panels"]) >= 15

        claims_by_type = {
            r["metric"]["type"]: float(r["value"][1])
            for r in prom.query("sum by (type) (claimstream_claims_emitted_total)")["data"]["result"]
        }
        assert set(claims_by_type) == {"threat", "commitment", "troop_count"}
        assert sum(claims_by_type.values()) > 0
        model = prom.query("claimstream_model_info")["data"]["result"]
        assert model and model[0]["metric"]["extractor"] in {"baseline", "onnx-tagger"}

        # ---- every alert expression parses on live data; Prometheus evaluates every rule cleanly
        rules = [r for g in yaml.safe_load(ALERTS.read_text())["groups"] for r in g["rules"]]
        for rule in rules:
            answer = prom.query(rule["expr"])
            assert answer["status"] == "success", (rule["alert"], answer)
        assert prom.values(next(r["expr"] for r in rules if r["alert"] == "ClaimstreamWorkerDown")) == []

        def rules_evaluated() -> list[dict[str, Any]] | None:
            groups = prom.api("rules")["data"]["groups"]
            loaded = [r for g in groups for r in g["rules"]]
            if len(loaded) == len(rules) and all(
                r.get("lastEvaluation", "").startswith("20") for r in loaded
            ):
                return loaded
            return None

        loaded = wait_for("Prometheus to evaluate the alert rules", rules_evaluated, timeout=15)
        assert {r["name"] for r in loaded} == {r["alert"] for r in rules}
        assert all(r["health"] == "ok" and not r.get("lastError") for r in loaded), loaded
        firing = [a for a in prom.api("alerts")["data"]["alerts"] if a["state"] == "firing"]
        assert not firing, firing

        # ---- the static rendering of the dashboard works on the same data
        svg = render_dashboard(prom.base, minutes=1)
        root = ElementTree.fromstring(svg)
        assert root.tag.endswith("svg")
        assert all(escape(p["title"]) in svg for p in dashboard["panels"])
        if os.environ.get("CLAIMSTREAM_RENDER_DASHBOARD"):
            Path(os.environ["CLAIMSTREAM_RENDER_DASHBOARD"]).write_text(svg, encoding="utf-8")

        # ---- no article ids (nor text) in what the worker exposes
        exposition = http(f"{base}/metrics")[1].decode()
        for key in good:
            assert key not in exposition
        assert "broken-utf8" not in exposition and "Moscow" not in exposition
        timings["total (s)"] = time.monotonic() - t_start
        print("\nobservability timings:", {k: round(v, 1) for k, v in timings.items()})
    finally:
        if prometheus_proc is not None:
            prometheus_proc.stop()
        code = worker.stop()
    assert code == 0, worker.log()
