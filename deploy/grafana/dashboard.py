"""The claimstream Grafana dashboard, as code. Writes deploy/grafana/dashboards/claimstream.json.

    python deploy/grafana/dashboard.py          # regenerate the JSON
    python deploy/grafana/dashboard.py --check  # exit 1 when the JSON is out of date

Every query uses metric names declared in services/claimstream/metrics.py; a unit test
checks that, and a test with a real Prometheus evaluates every query.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "dashboards" / "claimstream.json"
DATASOURCE = {"type": "prometheus", "uid": "prometheus"}
RATE = "$__rate_interval"


def target(expr: str, legend: str = "", ref: str = "A", **extra: Any) -> dict[str, Any]:
    return {"datasource": DATASOURCE, "expr": expr, "legendFormat": legend, "refId": ref, **extra}


def quantiles(metric: str, qs: tuple[float, ...] = (0.5, 0.99)) -> list[dict[str, Any]]:
    return [
        target(
            f"histogram_quantile({q}, sum by (le) (rate({metric}_bucket[{RATE}])))",
            f"p{round(q * 100)}",
            chr(ord("A") + i),
        )
        for i, q in enumerate(qs)
    ]


def timeseries(
    title: str, targets: list[dict[str, Any]], unit: str, pos: tuple[int, int, int, int], description: str
) -> dict[str, Any]:
    x, y, w, h = pos
    return {
        "type": "timeseries",
        "title": title,
        "description": description,
        "datasource": DATASOURCE,
        "gridPos": {"x": x, "y": y, "w": w, "h": h},
        "fieldConfig": {
            "defaults": {"unit": unit, "custom": {"lineWidth": 1, "fillOpacity": 10, "showPoints": "never"}},
            "overrides": [],
        },
        "options": {
            "legend": {"displayMode": "list", "placement": "bottom", "showLegend": True},
            "tooltip": {"mode": "multi", "sort": "desc"},
        },
        "targets": targets,
    }


def stat(
    title: str, expr: str, unit: str, pos: tuple[int, int, int, int], description: str
) -> dict[str, Any]:
    x, y, w, h = pos
    return {
        "type": "stat",
        "title": title,
        "description": description,
        "datasource": DATASOURCE,
        "gridPos": {"x": x, "y": y, "w": w, "h": h},
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "options": {
            "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
            "colorMode": "value",
            "graphMode": "none",
            "textMode": "auto",
        },
        "targets": [target(expr, title, instant=True)],
    }


def panels() -> list[dict[str, Any]]:
    return [
        stat(
            "Workers up",
            "sum(claimstream_worker_up)",
            "none",
            (0, 0, 4, 4),
            "Worker processes that Prometheus scrapes and that report up.",
        ),
        stat(
            "Workers ready",
            "sum(claimstream_worker_ready)",
            "none",
            (4, 0, 4, 4),
            "Workers with the model loaded and the broker reachable (/readyz 200).",
        ),
        stat(
            "Consumer lag",
            "sum(claimstream_consumer_lag_messages)",
            "none",
            (8, 0, 4, 4),
            "Messages behind the high watermark, over all partitions.",
        ),
        {
            "type": "table",
            "title": "Model version",
            "description": "Extractor and model version each worker runs (claimstream_model_info).",
            "datasource": DATASOURCE,
            "gridPos": {"x": 12, "y": 0, "w": 12, "h": 4},
            "options": {"showHeader": True},
            "fieldConfig": {"defaults": {}, "overrides": []},
            "transformations": [
                {"id": "organize", "options": {"excludeByName": {"Time": True, "Value": True}}}
            ],
            "targets": [
                target(
                    "count by (extractor, version) (claimstream_model_info)",
                    "{{extractor}} {{version}}",
                    format="table",
                    instant=True,
                )
            ],
        },
        timeseries(
            "Throughput",
            [
                target(f"sum(rate(claimstream_articles_consumed_total[{RATE}]))", "consumed", "A"),
                target(f"sum(rate(claimstream_articles_processed_total[{RATE}]))", "processed", "B"),
                target(
                    f"sum by (reason) (rate(claimstream_articles_failed_total[{RATE}]))",
                    "failed {{reason}}",
                    "C",
                ),
            ],
            "reqps",
            (0, 4, 12, 8),
            "Articles per second read from the articles topic, fully processed, and failed by reason.",
        ),
        timeseries(
            "Claims per type",
            [target(f"sum by (type) (rate(claimstream_claims_emitted_total[{RATE}]))", "{{type}}")],
            "reqps",
            (12, 4, 12, 8),
            "Claims per second sent to the claims topic, by claim type.",
        ),
        timeseries(
            "End-to-end latency",
            quantiles("claimstream_end_to_end_latency_seconds"),
            "s",
            (0, 12, 12, 8),
            "From the article's Kafka record timestamp until its claims were acknowledged (p50, p99).",
        ),
        timeseries(
            "Inference latency per batch",
            quantiles("claimstream_inference_latency_seconds"),
            "s",
            (12, 12, 12, 8),
            "Seconds the extractor takes for one batch (p50, p99).",
        ),
        timeseries(
            "Consumer lag per partition",
            [
                target(
                    "sum by (topic, partition) (claimstream_consumer_lag_messages)", "{{topic}}/{{partition}}"
                )
            ],
            "none",
            (0, 20, 12, 8),
            "Messages behind the high watermark per partition (committed offset).",
        ),
        timeseries(
            "Dead letters",
            [target(f"sum by (error_code) (rate(claimstream_dead_letters_total[{RATE}]))", "{{error_code}}")],
            "reqps",
            (12, 20, 12, 8),
            "Records per second sent to the dead-letter topic, by error code.",
        ),
        timeseries(
            "Batch size",
            [
                *quantiles("claimstream_inference_batch_size_articles"),
                target(
                    f"sum(rate(claimstream_inference_batch_size_articles_sum[{RATE}]))"
                    f" / sum(rate(claimstream_inference_batch_size_articles_count[{RATE}]))",
                    "mean",
                    "C",
                ),
            ],
            "none",
            (0, 28, 12, 8),
            "Articles per micro-batch handed to the extractor (p50, p99, mean).",
        ),
        timeseries(
            "Tokens",
            [
                target(f"sum(rate(claimstream_tokens_processed_total[{RATE}]))", "tokens/s", "A"),
                target(
                    f"sum(rate(claimstream_inference_batch_tokens_sum[{RATE}]))"
                    f" / sum(rate(claimstream_inference_batch_tokens_count[{RATE}]))",
                    "tokens per batch (mean)",
                    "B",
                ),
            ],
            "none",
            (12, 28, 12, 8),
            "Tokens tagged per second and per extractor batch.",
        ),
    ]


def dashboard() -> dict[str, Any]:
    items = panels()
    for i, panel in enumerate(items, 1):
        panel["id"] = i
    return {
        "uid": "claimstream",
        "title": "claimstream",
        "description": "Claim extraction from news on Kafka: throughput, latency, lag, claims, dead letters.",
        "tags": ["claimstream", "kafka"],
        "timezone": "utc",
        "editable": False,
        "graphTooltip": 1,
        "refresh": "10s",
        "schemaVersion": 39,
        "version": 1,
        "time": {"from": "now-1h", "to": "now"},
        "templating": {"list": []},
        "annotations": {"list": []},
        "links": [],
        "panels": items,
    }


def render() -> str:
    return json.dumps(dashboard(), indent=2, sort_keys=False) + "\n"


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        if not OUT.exists() or OUT.read_text(encoding="utf-8") != text:
            print(f"{OUT} is out of date: run python {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
