"""Claim-level evaluation of any ``Extractor`` against the labelled evaluation split.

    python -m claimstream.training.evaluate [--model-dir DIR] [--fp32 PATH] [--no-baseline]
        [--out report.json]

Matching: a predicted span matches a gold claim of the same type whose character span it
overlaps; one-to-one, greedily by overlap length (largest first). Per type and micro-averaged
precision, recall, F1. As in the claim builder, a predicted troop count whose quantity does not
parse (``parse_quantity(..., allow_bare=True)``) is not emitted, so not scored. On matched troop
counts, quantity accuracy: that quantity's value, lower, upper and qualifier all equal gold. On all
matched claims, speaker accuracy: ``attribute(...)`` of the predicted span, compared
case-insensitively with gold (equal when either contains the other; both None is correct).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from claimstream.claims.voice import DocumentVoice
from claimstream.extract.base import CLAIM_TYPES, Extractor

SpanT = tuple[str, int, int]


def match_spans(gold: Sequence[SpanT], pred: Sequence[SpanT]) -> list[tuple[int, int]]:
    """One-to-one (gold index, pred index) pairs: same type, overlapping, greedy by overlap."""
    cands = []
    for gi, (gt, gs, ge) in enumerate(gold):
        for pi, (pt, ps, pe) in enumerate(pred):
            ov = min(ge, pe) - max(gs, ps)
            if gt == pt and ov > 0:
                cands.append((-ov, gi, pi))
    cands.sort()
    used_g: set[int] = set()
    used_p: set[int] = set()
    pairs = []
    for _, gi, pi in cands:
        if gi not in used_g and pi not in used_p:
            used_g.add(gi)
            used_p.add(pi)
            pairs.append((gi, pi))
    return sorted(pairs)


def prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float | int]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"tp": tp, "fp": n_pred - tp, "fn": n_gold - tp, "precision": p, "recall": r, "f1": f}


def speaker_equal(pred: str | None, gold: str | None) -> bool:
    """Case-insensitive; equal when either contains the other; both None is correct."""
    if not pred or not gold:
        return not pred and not gold
    a, b = pred.strip().casefold(), gold.strip().casefold()
    return a in b or b in a


_QFIELDS = ("value", "lower", "upper", "qualifier")


def quantity_equal(pred: Any, gold: Mapping[str, Any] | None) -> bool:
    """``pred`` is a Quantity (or None/dict); value, lower, upper and qualifier must all agree."""
    if gold is None or pred is None:
        return gold is None and pred is None

    def get(obj: Any, k: str) -> Any:
        v = obj.get(k) if isinstance(obj, Mapping) else getattr(obj, k, None)
        return getattr(v, "value", v)  # enums -> their value

    return all(get(pred, k) == get(gold, k) for k in _QFIELDS)


def _load_quantity() -> tuple[Callable[..., Any] | None, str | None]:
    try:
        from claimstream.claims.quantity import parse_quantity
    except ImportError as exc:
        return (
            None,
            f"quantity accuracy skipped: claimstream.claims.quantity.parse_quantity unavailable ({exc})",
        )
    return parse_quantity, None


def _load_attribute() -> tuple[Callable[..., Any] | None, str | None]:
    try:
        from claimstream.claims.attribution import attribute
    except ImportError as exc:
        return None, f"speaker accuracy skipped: claimstream.claims.attribution.attribute unavailable ({exc})"
    return attribute, None


def score_extractor(
    extractor: Extractor,
    examples: Sequence[Any],
    docs: Mapping[str, str] | None = None,
    previous: Mapping[tuple[str, int], tuple[tuple[int, int], ...]] | None = None,
    voices: Mapping[str, DocumentVoice] | None = None,
) -> dict[str, Any]:
    """Run ``extractor`` over the examples (objects with doc_id, start, text, claims) and score it."""
    parse_quantity, q_note = _load_quantity()
    attribute, a_note = _load_attribute()
    t0 = time.perf_counter()
    preds = extractor.tag([ex.text for ex in examples])
    seconds = time.perf_counter() - t0
    counts = {t: [0, 0, 0] for t in CLAIM_TYPES}  # tp, n_pred, n_gold
    q_ok = q_n = s_ok = s_n = 0
    errors: list[str] = []
    for ex, spans in zip(examples, preds, strict=True):
        gold = [(c["type"], c["start"], c["end"]) for c in ex.claims]
        pred, quantities = [], []
        doc_text = docs.get(ex.doc_id) if docs else None
        voice = voices.get(ex.doc_id) if voices else None
        end = ex.start + len(ex.text)
        if voice is not None and doc_text is not None and voice.reporters_question(doc_text, ex.start, end):
            spans = []  # the claim builder emits nothing from a reporter's question
        for s in spans:
            if s.type not in counts:
                continue
            q = None
            if s.type == "troop_count" and parse_quantity is not None:
                try:
                    q = parse_quantity(ex.text[s.start : s.end], allow_bare=True)
                except Exception as exc:  # a parser bug must not sink the whole report
                    errors.append(f"parse_quantity: {type(exc).__name__}: {exc}")
                if q is None:
                    continue  # the claim builder emits no troop count without a readable number
            pred.append((s.type, s.start, s.end))
            quantities.append(q)
        for t, _, _ in gold:
            counts[t][2] += 1
        for t, _, _ in pred:
            counts[t][1] += 1
        for gi, pi in match_spans(gold, pred):
            g = ex.claims[gi]
            typ, ps, pe = pred[pi]
            counts[typ][0] += 1
            if typ == "troop_count" and parse_quantity is not None:
                q_n += 1
                q_ok += quantity_equal(quantities[pi], g.get("quantity"))
            if attribute is not None:
                s_n += 1
                try:
                    if docs is not None and ex.doc_id in docs:
                        text, off = docs[ex.doc_id], ex.start
                    else:
                        text, off = ex.text, 0
                    prev = previous.get((ex.doc_id, ex.start), ()) if previous else ()
                    att = attribute(
                        text,
                        off,
                        off + len(ex.text),
                        off + ps,
                        off + pe,
                        typ,
                        previous_sentences=prev,
                        voice=voice,
                    )
                    s_ok += speaker_equal(getattr(att, "speaker", None), g.get("speaker"))
                except Exception as exc:
                    errors.append(f"attribute: {type(exc).__name__}: {exc}")
    per_type = {t: prf(*c) for t, c in counts.items()}
    micro = prf(*(sum(c[i] for c in counts.values()) for i in range(3)))
    macro_f1 = sum(v["f1"] for v in per_type.values()) / len(per_type)
    rep: dict[str, Any] = {
        "name": getattr(extractor, "name", type(extractor).__name__),
        "version": getattr(extractor, "version", "?"),
        "sentences": len(examples),
        "per_type": per_type,
        "micro": micro,
        "macro_f1": macro_f1,
        "quantity": {
            "matched": q_n,
            "correct": q_ok,
            "accuracy": q_ok / q_n if q_n else None,
            "note": q_note,
        },
        "speaker": {"matched": s_n, "correct": s_ok, "accuracy": s_ok / s_n if s_n else None, "note": a_note},
        "seconds": round(seconds, 3),
        "sentences_per_s": round(len(examples) / seconds, 1) if seconds > 0 else None,
    }
    if errors:
        rep["errors"] = {"count": len(errors), "first": errors[:5]}
    return rep


def _previous_sentences(examples: Sequence[Any], docs: Mapping[str, str], n: int = 3) -> dict:
    """(start, end) document offsets of up to ``n`` sentences before each labelled sentence, as the
    claim builder passes them to ``attribute``."""
    try:
        from claimstream.text.sentences import split_sentences
    except ImportError:
        return {}
    out: dict[tuple[str, int], tuple[tuple[int, int], ...]] = {}
    by_doc: dict[str, list[int]] = {}
    for ex in examples:
        by_doc.setdefault(ex.doc_id, []).append(ex.start)
    for doc_id, starts in by_doc.items():
        text = docs.get(doc_id)
        if text is None:
            continue
        sents = [(s.start, s.end) for s in split_sentences(text)]
        for st in starts:
            before = [p for p in sents if p[1] <= st]
            out[(doc_id, st)] = tuple(before[-n:])
    return out


def evaluate(
    extractors: Mapping[str, Extractor],
    split: str = "eval",
    *,
    examples: Sequence[Any] | None = None,
    docs: Mapping[str, str] | None = None,
    titles: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Score each extractor on the labelled ``split`` (all files in data/labels/<split>/).
    Speakers are attributed as the claim builder does, with each document's title."""
    from claimstream.training.corpus import load_documents_and_titles, read_labels
    from claimstream.training.dataset import load_examples

    if examples is None:
        if docs is None:
            docs, read_titles = load_documents_and_titles({r["doc_id"] for r in read_labels(split)})
            titles = read_titles if titles is None else titles
        examples = load_examples(split, docs=dict(docs))
    previous = _previous_sentences(examples, docs) if docs else {}
    titles = titles or {}
    voices = (
        {d: DocumentVoice.of(docs[d], titles.get(d)) for d in {ex.doc_id for ex in examples} if d in docs}
        if docs
        else {}
    )
    gold_counts = {t: sum(c["type"] == t for ex in examples for c in ex.claims) for t in CLAIM_TYPES}
    report: dict[str, Any] = {
        "split": split,
        "sentences": len(examples),
        "sentences_with_claims": sum(bool(ex.claims) for ex in examples),
        "gold": gold_counts,
        "models": {
            name: score_extractor(ext, examples, docs, previous, voices) for name, ext in extractors.items()
        },
    }
    notes = {m.get(k, {}).get("note") for m in report["models"].values() for k in ("quantity", "speaker")}
    report["notes"] = sorted(n for n in notes if n)
    return report


def format_report(report: Mapping[str, Any]) -> str:
    """A side-by-side table, one column per extractor."""
    models = report["models"]
    names = list(models)
    w = max(12, *(len(n) for n in names))
    rows: list[tuple[str, list[str]]] = []

    def pct(x: float | None) -> str:
        return "-" if x is None else f"{100 * x:.1f}"

    for t in (*CLAIM_TYPES, "micro"):
        for k, lab in (("precision", "P"), ("recall", "R"), ("f1", "F1")):
            rows.append(
                (
                    f"{t} {lab}",
                    [pct((m["micro"] if t == "micro" else m["per_type"][t])[k]) for m in models.values()],
                )
            )
    rows.append(("macro F1", [pct(m["macro_f1"]) for m in models.values()]))
    rows.append(
        (
            "quantity acc",
            [
                f"{pct(m['quantity']['accuracy'])} ({m['quantity']['correct']}/{m['quantity']['matched']})"
                for m in models.values()
            ],
        )
    )
    rows.append(
        (
            "speaker acc",
            [
                f"{pct(m['speaker']['accuracy'])} ({m['speaker']['correct']}/{m['speaker']['matched']})"
                for m in models.values()
            ],
        )
    )
    rows.append(("sentences/s", [str(m["sentences_per_s"]) for m in models.values()]))
    lw = max(len(r[0]) for r in rows)
    head = f"{'':<{lw}}  " + "  ".join(f"{n:>{w}}" for n in names)
    lines = [
        f"split={report['split']} sentences={report['sentences']} "
        f"(with claims {report['sentences_with_claims']}) gold={report['gold']}",
        head,
        "-" * len(head),
    ]
    lines += [f"{lab:<{lw}}  " + "  ".join(f"{v:>{w}}" for v in vals) for lab, vals in rows]
    for name, m in models.items():
        lines.append(f"{name}: {m['version']}")
    if "int8_vs_fp32_f1_delta" in report:
        lines.append(f"int8 - fp32 micro F1: {100 * report['int8_vs_fp32_f1_delta']:+.2f} points")
    lines += [f"note: {n}" for n in report.get("notes", [])]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument(
        "--model-dir", type=Path, default=None, help="tagger directory (default: models/<current>)"
    )
    p.add_argument("--fp32", type=Path, default=None, help="fp32 ONNX file to score alongside the int8 model")
    p.add_argument("--no-baseline", action="store_true")
    p.add_argument("--split", default="eval")
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--out", type=Path, default=None, help="write the JSON report here")
    p.add_argument("out_path", nargs="?", type=Path, default=None, help="same as --out")
    args = p.parse_args(argv)

    from claimstream.extract.hybrid import GrammarAssistedTagger
    from claimstream.extract.onnx_tagger import OnnxTagger, default_model_dir

    # The product's extractor: the tagger with the quantity grammar beside it (extract/hybrid.py).
    model_dir = args.model_dir or default_model_dir()
    extractors: dict[str, Extractor] = {
        "model": GrammarAssistedTagger(OnnxTagger.load(model_dir, intra_op_num_threads=args.threads))
    }
    if args.fp32:
        extractors["model-fp32"] = GrammarAssistedTagger(
            OnnxTagger.load(model_dir, model_file=args.fp32.resolve(), intra_op_num_threads=args.threads)
        )
    if not args.no_baseline:
        try:
            from claimstream.extract.baseline import BaselineExtractor

            extractors["baseline"] = BaselineExtractor()
        except ImportError as exc:
            print(
                f"baseline column skipped: claimstream.extract.baseline unavailable ({exc})", file=sys.stderr
            )
    report = evaluate(extractors, args.split)
    if "model-fp32" in report["models"]:
        report["int8_vs_fp32_f1_delta"] = (
            report["models"]["model"]["micro"]["f1"] - report["models"]["model-fp32"]["micro"]["f1"]
        )
    print(format_report(report))
    out = args.out or args.out_path
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
        print(f"wrote {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
