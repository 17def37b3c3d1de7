"""Choosing the span decoding from token probabilities on the dev sentences (torch-free).

    python -m claimstream.training.decoding [--model models/claim-tagger-X] [--write]

train.py calls :func:`tune` on its dev probabilities; run as a script, this scores a
committed ONNX model's decode settings on the same dev sentences (held-out training
documents, never the evaluation set) and with ``--write`` stores the best in labels.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from claimstream.extract.base import CLAIM_TYPES
from claimstream.extract.onnx_tagger import DECODE_DEFAULTS, decode_spans
from claimstream.training.evaluate import match_spans, prf

DEV_FRAC = 0.1
# what labels.json["decode"] holds (extract/onnx_tagger.py and extract/hybrid.py read it)
DECODE_KEYS = tuple(DECODE_DEFAULTS)
GRAMMAR_THRESHOLDS = (0.0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5)


def id_share(doc_id: str, frac: float, salt: str) -> bool:
    """Whether a document falls in a ``frac`` share fixed by its id and ``salt`` alone: stable as
    labels grow, and nested (a smaller share of one salt is a subset of a larger)."""
    return int(hashlib.sha1(f"{salt}:{doc_id}".encode()).hexdigest()[:8], 16) % 1000 < frac * 1000


def is_dev(doc_id: str, frac: float = DEV_FRAC) -> bool:
    """Held-out training documents; membership depends on the id only, so it is stable as labels grow."""
    return id_share(doc_id, frac, "dev")


def _prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float]:
    """Precision, recall and F1 of evaluate.prf, without its counts."""
    full = prf(tp, n_pred, n_gold)
    return {k: float(full[k]) for k in ("precision", "recall", "f1")}


def grid() -> list[dict[str, Any]]:
    """Decode settings tried: argmax tags (gap-joined, score-filtered) and inside-probability runs."""
    out: list[dict[str, Any]] = []
    for gap in (0, 1, 2, 3):
        for ms in (0.0, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8):
            out.append({"mode": "tags", "threshold": 0.5, "min_score": ms, "max_gap": gap})
        for th in (0.2, 0.3, 0.4, 0.5, 0.6):
            for ms in (0.0, 0.5, 0.6, 0.7, 0.8):
                if ms == 0.0 or ms > th:
                    out.append({"mode": "inside", "threshold": th, "min_score": ms, "max_gap": gap})
    return out


def span_scores(
    texts: Sequence[str],
    golds: Sequence[Sequence[tuple[str, int, int]]],
    offsets: Sequence[Sequence[tuple[int, int]]],
    probs: Sequence[np.ndarray],
    settings: dict[str, Any],
    types: Sequence[str] = CLAIM_TYPES,
) -> dict[str, Any]:
    """Span-level P/R/F1 (same type, overlapping, one-to-one), micro and per type."""
    tp = dict.fromkeys(types, 0)
    n_pred = dict.fromkeys(types, 0)
    n_gold = dict.fromkeys(types, 0)
    for text, gold, offs, p in zip(texts, golds, offsets, probs, strict=True):
        spans = decode_spans(text, offs, p, types, **settings)
        pred = [(s.type, s.start, s.end) for s in spans]
        for gi, _ in match_spans(list(gold), pred):
            tp[gold[gi][0]] += 1
        for t, _, _ in pred:
            n_pred[t] += 1
        for t, _, _ in gold:
            n_gold[t] += 1

    out: dict[str, Any] = _prf(sum(tp.values()), sum(n_pred.values()), sum(n_gold.values()))
    out["per_type"] = {t: _prf(tp[t], n_pred[t], n_gold[t]) for t in types}
    return out


def tune_grammar(
    texts: Sequence[str],
    golds: Sequence[Sequence[tuple[str, int, int]]],
    offsets: Sequence[Sequence[tuple[int, int]]],
    probs: Sequence[np.ndarray],
    settings: dict[str, Any],
    types: Sequence[str] = CLAIM_TYPES,
) -> dict[str, Any]:
    """The model support an untagged grammar troop count needs, by the troop-count F1 of what the
    product emits (tagger spans merged with the grammar as extract/hybrid.py does, only spans whose
    quantity parses, as the claim builder keeps); ties: the lower threshold."""
    from claimstream.claims.quantity import parse_quantity
    from claimstream.extract.hybrid import inside_support, merge_troop_spans

    k = list(types).index("troop_count")
    # decoded once; only the merge depends on the threshold
    decoded = [
        (
            text,
            [g for g in gold if g[0] == "troop_count"],
            decode_spans(text, offs, p, types, **settings),
            inside_support(offs, 1.0 - p[:, k, 0]),
        )
        for text, gold, offs, p in zip(texts, golds, offsets, probs, strict=True)
    ]

    def troop_scores(min_support: float) -> dict[str, float]:
        tp = n_pred = n_gold = 0
        for text, gold, spans, support in decoded:
            pred = [
                ("troop_count", s.start, s.end)
                for s in merge_troop_spans(text, spans, support, min_support=min_support)
                if s.type == "troop_count"
                and parse_quantity(text[s.start : s.end], allow_bare=True) is not None
            ]
            tp += len(match_spans(gold, pred))
            n_pred += len(pred)
            n_gold += len(gold)
        return _prf(tp, n_pred, n_gold)

    scored = [(th, troop_scores(th)) for th in GRAMMAR_THRESHOLDS]
    best = max(scored, key=lambda ts: (round(ts[1]["f1"], 4), -ts[0]))
    return {"grammar_min_inside": best[0], "dev_troop": best[1], "dev_troop_add_all": scored[0][1]}


def tune(
    texts: Sequence[str],
    golds: Sequence[Sequence[tuple[str, int, int]]],
    offsets: Sequence[Sequence[tuple[int, int]]],
    probs: Sequence[np.ndarray],
) -> dict[str, Any]:
    """The decode settings with the best dev span F1 (ties: fewer joined gaps, the plainer mode)."""
    scored = [(g, span_scores(texts, golds, offsets, probs, g)) for g in grid()]
    best = max(
        scored,
        key=lambda gs: (
            round(gs[1]["f1"], 4),
            gs[0]["mode"] == "tags",
            -gs[0]["max_gap"],
            -gs[0]["min_score"],
        ),
    )
    argmax = next(s for g, s in scored if g["mode"] == "tags" and g["max_gap"] == 0 and g["min_score"] == 0)
    grammar = tune_grammar(texts, golds, offsets, probs, best[0])
    return {**best[0], **grammar, "dev": best[1], "dev_argmax": argmax, "dev_sentences": len(texts)}


def main(argv: list[str] | None = None) -> None:
    from claimstream.extract.onnx_tagger import OnnxTagger, default_model_dir
    from claimstream.training.corpus import DEFAULT_CORPUS, split_of
    from claimstream.training.dataset import load_examples

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", type=Path, default=None)
    p.add_argument("--model-file", default="model.int8.onnx")
    p.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    p.add_argument("--write", action="store_true", help="store the best settings in the model's labels.json")
    args = p.parse_args(argv)
    model_dir = args.model or default_model_dir()
    tagger = OnnxTagger.load(model_dir, model_file=args.model_file)
    dev = [
        e
        for e in load_examples("train", corpus=args.corpus)
        if split_of(e.doc_id) == "train" and is_dev(e.doc_id)
    ]
    texts = [e.text for e in dev]
    encs, probs = tagger.token_probs(texts)
    offsets = [e.offsets for e in encs]
    golds = [e.spans for e in dev]
    current = span_scores(texts, golds, offsets, probs, tagger.decode_settings)
    best = tune(texts, golds, offsets, probs)
    show = {k: best[k] for k in DECODE_KEYS}
    print(
        "troop counts with the grammar: add all "
        + json.dumps(_rounded(best["dev_troop_add_all"]))
        + f", support >= {best['grammar_min_inside']} "
        + json.dumps(_rounded(best["dev_troop"]))
    )
    print(f"dev sentences {len(dev)}")
    print(f"current {tagger.decode_settings}: " + json.dumps(_rounded(current)))
    print(f"best    {show}: " + json.dumps(_rounded(best["dev"])))
    if args.write:
        path = Path(model_dir) / "labels.json"
        labels = json.loads(path.read_text(encoding="utf-8"))
        labels["decode"] = show
        # the model card reads where these settings come from
        labels["decode_dev"] = {"sentences": len(dev), "model_file": args.model_file, **_rounded(best["dev"])}
        path.write_text(json.dumps(labels, indent=2), encoding="utf-8")
        print(f"wrote {path}")


def _rounded(d: Any) -> Any:
    if isinstance(d, dict):
        return {k: _rounded(v) for k, v in d.items()}
    return round(d, 3) if isinstance(d, float) else d


if __name__ == "__main__":
    main()
