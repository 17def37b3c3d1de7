"""Compare training recipes by their mean dev span F1 over several seeds, runs side by side.

    python -m claimstream.training.sweep --device cuda --parallel 4 --seeds 13,14,15 \\
        base "neg1=--neg-frac 1.0" "lr2=--lr 2e-4"

Each recipe is ``name=train.py options`` (``base`` alone: the defaults). One run of 1.9.2's recipe
differs from the next by a point or two of dev F1 with nothing but the seed changed, so a recipe is
judged by its mean over seeds, never by one run. Every run is a ``claimstream.training.train``
process writing under ``--out``; the table is read back from their train_meta.json files. On the
CPU a run takes half an hour, so this is for a machine with a GPU; the committed model is still
trained on the CPU by ``make train``.
"""

from __future__ import annotations

import argparse
import json
import shlex
import statistics
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from claimstream.training.corpus import REPO


def parse_recipe(spec: str) -> tuple[str, list[str]]:
    """``"name=--opt value ..."`` -> (name, options); a bare name has no options."""
    name, _, opts = spec.partition("=")
    if not name or not name.replace("_", "").isalnum():
        raise ValueError(f"recipe name must be letters, digits or '_': {spec!r}")
    return name, shlex.split(opts)


def summarise(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per recipe, in first-seen order: the seeds' dev F1, their mean and spread."""
    by_name: dict[str, list[dict[str, Any]]] = {}
    for r in runs:
        by_name.setdefault(r["name"], []).append(r)
    out = []
    for name, rs in by_name.items():
        f1 = [r["dev"] for r in rs]
        out.append(
            {
                "name": name,
                "seeds": [r["seed"] for r in rs],
                "dev": f1,
                "mean": statistics.fmean(f1),
                "spread": max(f1) - min(f1),
            }
        )
    return out


def _run(name: str, opts: list[str], seed: int, args: argparse.Namespace) -> dict[str, Any]:
    out = args.out / f"{name}-{seed}"
    out.mkdir(parents=True, exist_ok=True)
    cmd = [
        sys.executable, "-m", "claimstream.training.train", *opts, "--seed", str(seed),
        "--device", args.device, "--threads", str(args.threads), "--out", str(out),
        "--time-budget-min", str(args.time_budget_min),
    ]  # fmt: skip
    with open(out / "train.log", "w", encoding="utf-8") as log:
        subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT, check=True)
    meta = json.loads((out / "train_meta.json").read_text(encoding="utf-8"))
    return {
        "name": name,
        "seed": seed,
        "dev": meta["decode"]["dev"]["f1"],
        "weights": meta["weights"],
        "steps": meta["steps"],
    }


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("recipes", nargs="+", help="name=train options, e.g. 'neg1=--neg-frac 1.0'")
    p.add_argument("--seeds", default="13,14,15")
    p.add_argument("--device", default="cuda")
    p.add_argument("--parallel", type=int, default=4, help="runs at a time")
    p.add_argument("--threads", type=int, default=1, help="CPU threads of each run")
    p.add_argument("--time-budget-min", type=float, default=200.0)
    p.add_argument("--out", type=Path, default=REPO / "var" / "sweep")
    args = p.parse_args(argv)
    recipes = [parse_recipe(s) for s in args.recipes]
    seeds = [int(s) for s in args.seeds.split(",")]
    jobs = [(name, opts, seed) for seed in seeds for name, opts in recipes]
    with ThreadPoolExecutor(args.parallel) as pool:
        runs = list(pool.map(lambda j: _run(j[0], j[1], j[2], args), jobs))
    (args.out / "runs.json").write_text(json.dumps(runs, indent=2), encoding="utf-8")
    print(f"{'recipe':12s} {'mean':>6s} {'spread':>6s}  dev span F1 by seed")
    for row in summarise(runs):
        by_seed = "  ".join(f"{s}:{100 * f:.1f}" for s, f in zip(row["seeds"], row["dev"], strict=True))
        print(f"{row['name']:12s} {100 * row['mean']:6.1f} {100 * row['spread']:6.1f}  {by_seed}")


if __name__ == "__main__":
    main()
