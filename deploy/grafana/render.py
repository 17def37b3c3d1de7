"""Render the claimstream dashboard to a static SVG from a live Prometheus (no Grafana needed).

    python deploy/grafana/render.py --prometheus http://127.0.0.1:9090 --minutes 5 --out dashboard.svg

Each panel of deploy/grafana/dashboards/claimstream.json is drawn at its grid position: time
series as lines (query_range), stats as a number, the model table as text. It is a preview
for docs and reviews, not a replacement for Grafana. Stdlib only.
"""

from __future__ import annotations

import argparse
import json
import math
import time
import urllib.parse
import urllib.request
from html import escape
from pathlib import Path
from typing import Any

DASHBOARD = Path(__file__).resolve().parent / "dashboards" / "claimstream.json"
COL_W, ROW_H, PAD = 40, 30, 6
COLOURS = ("#7eb26d", "#eab839", "#6ed0e0", "#ef843c", "#e24d42", "#1f78c1", "#ba43a9", "#705da0")


def fetch(base: str, path: str, **params: str) -> Any:
    url = f"{base}/api/v1/{path}?{urllib.parse.urlencode(params)}"
    with urllib.request.urlopen(url, timeout=10) as resp:
        answer = json.loads(resp.read())
    if answer.get("status") != "success":
        raise RuntimeError(f"{url}: {answer}")
    return answer["data"]


def substitute(expr: str, step: float) -> str:
    rate = f"{max(int(step * 4), 60)}s"
    return expr.replace("$__rate_interval", rate).replace("$__interval", f"{int(step)}s")


def legend(fmt: str, metric: dict[str, str]) -> str:
    out = fmt or ",".join(f"{k}={v}" for k, v in metric.items())
    for key, value in metric.items():
        out = out.replace("{{" + key + "}}", value)
    return out


def human(value: float, unit: str) -> str:
    if math.isnan(value):
        return "NaN"
    if unit == "s":
        return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"
    if abs(value) >= 1000:
        return f"{value / 1000:.1f}k"
    return f"{value:.3g}"


def draw_timeseries(
    panel: dict[str, Any],
    box: tuple[float, float, float, float],
    base: str,
    start: float,
    end: float,
    step: float,
) -> list[str]:
    x, y, w, h = box
    unit = panel["fieldConfig"]["defaults"].get("unit", "")
    series: list[tuple[str, list[tuple[float, float]]]] = []
    for target in panel["targets"]:
        data = fetch(
            base,
            "query_range",
            query=substitute(target["expr"], step),
            start=str(start),
            end=str(end),
            step=str(step),
        )
        for result in data["result"]:
            points = [(float(t), float(v)) for t, v in result["values"] if not math.isnan(float(v))]
            if points:
                series.append((legend(target.get("legendFormat", ""), result["metric"]), points))
    series.sort(key=lambda item: -max(v for _, v in item[1]))  # the legend shows the largest three
    out: list[str] = []
    plot_x, plot_y, plot_w, plot_h = x + 46, y + 26, w - 56, h - 26 - 14 - 14 * min(len(series), 3)
    values = [v for _, pts in series for _, v in pts] or [0.0]
    top = max(values) * 1.1 or 1.0
    out.append(
        f'<rect x="{plot_x}" y="{plot_y}" width="{plot_w}" height="{plot_h}" '
        'fill="#181b1f" stroke="#2c3235"/>'
    )
    for frac in (0.0, 0.5, 1.0):
        gy = plot_y + plot_h * (1 - frac)
        out.append(
            f'<text x="{plot_x - 4}" y="{gy + 3}" class="axis" text-anchor="end">'
            f"{escape(human(top * frac, unit))}</text>"
        )
    for i, (name, pts) in enumerate(series):
        colour = COLOURS[i % len(COLOURS)]
        coords = " ".join(
            f"{plot_x + plot_w * (t - start) / max(end - start, 1):.1f},{plot_y + plot_h * (1 - v / top):.1f}"
            for t, v in pts
        )
        out.append(f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="1.5"/>')
        if i < 3:
            ly = plot_y + plot_h + 14 + 14 * i
            out.append(f'<rect x="{plot_x}" y="{ly - 8}" width="10" height="3" fill="{colour}"/>')
            out.append(
                f'<text x="{plot_x + 14}" y="{ly - 4}" class="legend">{escape(name)} '
                f"(last {escape(human(pts[-1][1], unit))})</text>"
            )
    if not series:
        out.append(
            f'<text x="{x + w / 2}" y="{y + h / 2}" class="legend" text-anchor="middle">No data</text>'
        )
    return out


def draw_instant(panel: dict[str, Any], box: tuple[float, float, float, float], base: str) -> list[str]:
    x, y, w, h = box
    target = panel["targets"][0]
    result = fetch(base, "query", query=substitute(target["expr"], 15))["result"]
    if panel["type"] == "stat":
        value = human(float(result[0]["value"][1]), "") if result else "-"
        return [
            f'<text x="{x + w / 2}" y="{y + h / 2 + 18}" class="stat" text-anchor="middle">'
            f"{escape(value)}</text>"
        ]
    lines = [legend(target.get("legendFormat", ""), r["metric"]) for r in result] or ["No data"]
    return [
        f'<text x="{x + 10}" y="{y + 44 + 16 * i}" class="legend">{escape(line)}</text>'
        for i, line in enumerate(lines[:4])
    ]


def render(base: str, minutes: float, end: float | None = None) -> str:
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    end = end or time.time()
    start = end - minutes * 60
    step = max(1.0, round(minutes * 60 / 120))
    bottom = max(p["gridPos"]["y"] + p["gridPos"]["h"] for p in dashboard["panels"])
    width, height = 24 * COL_W, bottom * ROW_H + 40
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="Helvetica, Arial, sans-serif">',
        "<style>.title{fill:#d8d9da;font-size:13px;font-weight:bold}.axis{fill:#8e8e8e;font-size:9px}"
        ".legend{fill:#c7d0d9;font-size:10px}.stat{fill:#73bf69;font-size:30px;font-weight:bold}</style>",
        f'<rect width="{width}" height="{height}" fill="#111217"/>',
        f'<text x="{PAD}" y="24" class="title" style="font-size:16px">{escape(dashboard["title"])} — '
        f"last {minutes:g} min, rendered from Prometheus "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(end))}</text>",
    ]
    for panel in dashboard["panels"]:
        g = panel["gridPos"]
        box = (
            g["x"] * COL_W + PAD,
            g["y"] * ROW_H + 36 + PAD,
            g["w"] * COL_W - 2 * PAD,
            g["h"] * ROW_H - 2 * PAD,
        )
        x, y, w, h = box
        out.append(f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="3" fill="#181b1f" stroke="#2c3235"/>')
        out.append(f'<text x="{x + 8}" y="{y + 16}" class="title">{escape(panel["title"])}</text>')
        if panel["type"] == "timeseries":
            out.extend(draw_timeseries(panel, box, base, start, end, step))
        else:
            out.extend(draw_instant(panel, box, base))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--prometheus", default="http://127.0.0.1:9090")
    parser.add_argument("--minutes", type=float, default=15)
    parser.add_argument("--out", type=Path, default=Path("dashboard.svg"))
    args = parser.parse_args()
    args.out.write_text(render(args.prometheus.rstrip("/"), args.minutes), encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
