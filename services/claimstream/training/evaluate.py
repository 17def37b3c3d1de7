"""Claim-level evaluation of any ``Extractor`` against the labelled evaluation split.

    python -m claimstream.training.evaluate [--model-dir DIR] [--fp32 PATH] [--no-baseline]
        [--gold-spans] [--out report.json]

The extractor's spans go through the claim builder exactly as in the worker (a troop count
without a readable number is dropped, a reporter's question yields nothing, speakers and
quantities are filled in with the document and its title), and the claims that come out are
scored. Matching: a claim matches a gold claim of the same type whose character span it overlaps;
one-to-one, greedily by overlap length (largest first). Per type and micro-averaged precision,
recall, F1, in all and by source (corpus news, news from sources training never saw, and official
White House text). On matched troop counts,
quantity accuracy: value, lower, upper and qualifier all equal gold. On all matched claims,
speaker accuracy, compared with gold word by word (equal when the naming words of either are all
among the other's; both None is correct). On matched threats and commitments, target accuracy
(compared the same way) and flag accuracy (conditional and negated both as gold). With
``--gold-spans``, a column that feeds the gold claim spans (and the model's speaker mentions) to
the claim builder: its speaker, target and flag accuracy are attribution alone, on every gold
claim the builder keeps, apart from what the tagger finds.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from claimstream.claims.builder import build_claims
from claimstream.extract.base import CLAIM_TYPES, SPEAKER, Extractor, Span
from claimstream.records import Claim
from claimstream.text.boilerplate import content_regions
from claimstream.text.sentences import Sentence, split_sentences
from claimstream.training.corpus import EVAL_ONLY_PREFIXES, SAMPLE_DOC_ID

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


def prf(tp: float, n_pred: float, n_gold: float) -> dict[str, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"tp": tp, "fp": n_pred - tp, "fn": n_gold - tp, "precision": p, "recall": r, "f1": f}


# Words that name nobody on their own: a speaker of only these ("the", "he", "they each") matches
# no gold name, and they do not count when one name is compared with another.
_NAMELESS = frozenset((
    "a", "an", "the", "of", "and", "both", "each", "all", "some", "he", "she", "it", "they", "we",
    "i", "you", "him", "her", "his", "its", "them", "their", "our", "my", "your", "this", "that",
    "these", "those",
))  # fmt: skip
# Titles and roles: a name made only of these ("the President") is too vague to match a fuller
# one ("President Alvarez"), which may be another holder of the title.
_TITLE_WORDS = frozenset((
    "president", "vice", "prime", "minister", "secretary", "chancellor", "premier", "king", "queen",
    "spokesman", "spokeswoman", "spokesperson", "official", "officials", "director", "ambassador",
    "senator", "governor", "mayor", "chief", "commander", "general", "leader", "leaders", "mr",
    "mrs", "ms", "dr", "sen", "rep", "gen", "press",
))  # fmt: skip
_WORD_RE = re.compile(r"[^\W_]+(?:['’.-][^\W_]+)*")


def _name_words(name: str) -> frozenset[str]:
    return frozenset(w for w in _WORD_RE.findall(name.casefold()) if w not in _NAMELESS)


def speaker_equal(pred: str | None, gold: str | None) -> bool:
    """Case-insensitive, word by word: equal when the naming words of one are all among those of
    the other ("Putin" / "President Vladimir Putin", "President Biden" / "President Joe Biden");
    words that name nobody on their own ("the", "he", "both") are not compared, a speaker of only
    such words matches nothing, and a bare title ("the President") matches only itself. Both None
    is correct."""
    if not pred or not gold:
        return not pred and not gold
    a, b = _name_words(pred), _name_words(gold)
    if not a or not b:
        return False
    if a == b:
        return True
    small, big = (a, b) if len(a) < len(b) else (b, a)
    return small <= big and not small <= _TITLE_WORDS


_QFIELDS = ("value", "lower", "upper", "qualifier")


def quantity_equal(pred: Any, gold: Mapping[str, Any] | None) -> bool:
    """``pred`` is a Quantity (or None/dict); value, lower, upper and qualifier must all agree."""
    if gold is None or pred is None:
        return gold is None and pred is None

    def get(obj: Any, k: str) -> Any:
        v = obj.get(k) if isinstance(obj, Mapping) else getattr(obj, k, None)
        return getattr(v, "value", v)  # enums -> their value

    return all(get(pred, k) == get(gold, k) for k in _QFIELDS)


def _context_sentences(doc: str, labelled: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The document's sentences as the worker splits them, with each labelled sentence in place of
    those it overlaps, so the claim builder sees the sentences before a labelled one (a speaker named
    there)."""
    marks = sorted(labelled)
    out = list(marks)
    for s in split_sentences(doc):
        if not any(s.start < e and st < s.end for st, e in marks):
            out.append((s.start, s.end))
    return sorted(out)


def _in_regions(regions: Sequence[tuple[int, int]], sentence: Sentence) -> bool:
    return any(a < sentence.end and sentence.start < b for a, b in regions)


def emitted_claims(
    examples: Sequence[Any],
    preds: Sequence[Sequence[Span]],
    docs: Mapping[str, str] | None = None,
    titles: Mapping[str, str] | None = None,
    errors: list[str] | None = None,
) -> list[list[Claim]]:
    """What the claim builder emits from each example's tagged spans, with offsets into the
    example's sentence: the worker's own rules (nothing from a line it reads as boilerplate or a
    heading, no troop count without a readable number, nothing from a reporter's question,
    speaker, quantity). An example whose document is not in ``docs`` is an article of one
    sentence."""
    out: list[list[Claim]] = [[] for _ in examples]
    # (article id, text, title, example index by sentence start, sentences)
    articles: list[tuple[str, str, str | None, dict[int, int], list[Sentence]]] = []
    in_docs: dict[str, list[int]] = {}
    for i, ex in enumerate(examples):
        if docs is not None and ex.doc_id in docs:
            in_docs.setdefault(ex.doc_id, []).append(i)
        else:
            title = titles.get(ex.doc_id) if titles else None
            articles.append((ex.doc_id, ex.text, title, {0: i}, [Sentence(0, len(ex.text))]))
    for doc_id, idx in in_docs.items():
        text = docs[doc_id]  # type: ignore[index]
        labelled = [(examples[i].start, examples[i].start + len(examples[i].text)) for i in idx]
        sentences = [Sentence(s, e) for s, e in _context_sentences(text, labelled)]
        title = titles.get(doc_id) if titles else None
        articles.append((doc_id, text, title, {examples[i].start: i for i in idx}, sentences))
    for doc_id, text, title, where, sentences in articles:
        # the worker never tags a line it reads as boilerplate or a heading ("Commitment to allies")
        regions = content_regions(text) if len(sentences) > 1 else [(0, len(text))]
        spans = [
            list(preds[where[s.start]]) if s.start in where and _in_regions(regions, s) else []
            for s in sentences
        ]
        try:
            claims = build_claims(
                doc_id, text, sentences, spans, model_version="", extracted_at="", title=title
            )
        except Exception as exc:  # a builder bug must not sink the whole report
            if errors is not None:
                errors.append(f"build_claims({doc_id}): {type(exc).__name__}: {exc}")
            continue
        for c in claims:
            i = where[c.sentence_start]
            off = c.sentence_start
            out[i].append(dataclasses.replace(c, start=c.start - off, end=c.end - off))
    return out


def score_claims(
    examples: Sequence[Any], emitted: Sequence[Sequence[Any]], weights: Sequence[float] | None = None
) -> dict[str, Any]:
    """Per type and micro P/R/F1 of the emitted claims (objects with type, start, end, quantity,
    speaker, target, conditional, negated) against gold; quantity accuracy on matched troop counts;
    speaker accuracy on all matched claims; target accuracy (compared like speakers) and flag
    accuracy (conditional and negated both right) on matched threats and commitments. ``weights``
    scale each example's counts (a sampled sentence standing for several); the accuracies stay
    plain counts."""
    counts = {t: [0.0, 0.0, 0.0] for t in CLAIM_TYPES}  # tp, n_pred, n_gold
    q_ok = q_n = s_ok = s_n = t_ok = f_ok = t_n = 0
    for i, (ex, claims) in enumerate(zip(examples, emitted, strict=True)):
        w = 1.0 if weights is None else weights[i]
        gold = [(c["type"], c["start"], c["end"]) for c in ex.claims if c["type"] in counts]
        pred = [(c.type, c.start, c.end) for c in claims if c.type in counts]
        for t, _, _ in gold:
            counts[t][2] += w
        for t, _, _ in pred:
            counts[t][1] += w
        for gi, pi in match_spans(gold, pred):
            g, c = ex.claims[gi], claims[pi]
            counts[c.type][0] += w
            if c.type == "troop_count":
                q_n += 1
                q_ok += quantity_equal(c.quantity, g.get("quantity"))
            s_n += 1
            s_ok += speaker_equal(c.speaker, g.get("speaker"))
            if c.type != "troop_count":
                t_n += 1
                t_ok += speaker_equal(getattr(c, "target", None), g.get("target"))
                f_ok += all(bool(getattr(c, f, False)) == bool(g.get(f)) for f in ("conditional", "negated"))
    per_type = {t: prf(*c) for t, c in counts.items()}
    return {
        "sentences": len(examples),
        "per_type": per_type,
        "micro": prf(*(sum(c[i] for c in counts.values()) for i in range(3))),
        "macro_f1": sum(v["f1"] for v in per_type.values()) / len(per_type),
        "quantity": {"matched": q_n, "correct": q_ok, "accuracy": q_ok / q_n if q_n else None},
        "speaker": {"matched": s_n, "correct": s_ok, "accuracy": s_ok / s_n if s_n else None},
        "target": {"matched": t_n, "correct": t_ok, "accuracy": t_ok / t_n if t_n else None},
        "flags": {"matched": t_n, "correct": f_ok, "accuracy": f_ok / t_n if t_n else None},
    }


def source_of(doc_id: str) -> str:
    """``official`` for White House statements, briefings and speeches; ``unseen`` for news from
    sources no training sentence comes from (the CASE 2021 and PLOVER snippets, the sample
    article); ``news`` for the corpus's news components, which training also draws on."""
    if doc_id.startswith("wh:"):
        return "official"
    if doc_id == SAMPLE_DOC_ID or doc_id.startswith(EVAL_ONLY_PREFIXES):
        return "unseen"
    return "news"


SOURCES = ("news", "unseen", "official")


def scores_by_source(
    examples: Sequence[Any], emitted: Sequence[Sequence[Any]], weights: Sequence[float] | None = None
) -> dict[str, dict[str, Any]]:
    """:func:`score_claims` for each source that has examples."""
    out = {}
    for src in SOURCES:
        keep = [i for i, ex in enumerate(examples) if source_of(ex.doc_id) == src]
        if keep:
            out[src] = score_claims(
                [examples[i] for i in keep],
                [emitted[i] for i in keep],
                None if weights is None else [weights[i] for i in keep],
            )
    return out


def score_extractor(
    extractor: Extractor,
    examples: Sequence[Any],
    docs: Mapping[str, str] | None = None,
    titles: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Run ``extractor`` over the examples (objects with doc_id, start, text, claims), pass its
    spans through the claim builder as the worker does, and score what comes out, in all and by
    source."""
    t0 = time.perf_counter()
    preds = extractor.tag([ex.text for ex in examples])
    seconds = time.perf_counter() - t0
    errors: list[str] = []
    emitted = emitted_claims(examples, preds, docs, titles, errors)
    rep: dict[str, Any] = {
        "name": getattr(extractor, "name", type(extractor).__name__),
        "version": getattr(extractor, "version", "?"),
        **score_claims(examples, emitted),
        "seconds": round(seconds, 3),
        "sentences_per_s": round(len(examples) / seconds, 1) if seconds > 0 else None,
    }
    rep["by_source"] = scores_by_source(examples, emitted)
    if errors:
        rep["errors"] = {"count": len(errors), "first": errors[:5]}
    return rep


class Remembered:
    """``extractor`` that remembers its last answer: the gold-spans column asks the model for its
    speaker mentions on the very sentences the model column has just tagged."""

    def __init__(self, extractor: Extractor) -> None:
        self.extractor = extractor
        self.name = getattr(extractor, "name", type(extractor).__name__)
        self.version = getattr(extractor, "version", "?")
        self._last: tuple[list[str], list[list[Span]]] | None = None

    def tag(self, sentences: Sequence[str]) -> list[list[Span]]:
        sentences = list(sentences)
        if self._last is None or self._last[0] != sentences:
            self._last = (sentences, self.extractor.tag(sentences))
        return [list(spans) for spans in self._last[1]]


class GoldSpans:
    """The gold claim spans of ``examples`` as if tagged, with the speaker mentions ``hints`` tags
    beside them: scored, it measures the claim builder (speaker attribution, its drops) on its own."""

    name = "gold-spans"

    def __init__(self, examples: Sequence[Any], hints: Extractor | None = None) -> None:
        self.examples = list(examples)
        self.hints = hints
        self.version = f"gold spans, speaker mentions of {hints.version}" if hints else "gold spans"

    def tag(self, sentences: Sequence[str]) -> list[list[Span]]:
        if [ex.text for ex in self.examples] != list(sentences):
            raise ValueError("GoldSpans tags only the sentences of its own examples, in their order")
        hinted = self.hints.tag(sentences) if self.hints else [[] for _ in sentences]
        return [
            [Span(c["type"], c["start"], c["end"], 1.0) for c in ex.claims if c["type"] in CLAIM_TYPES]
            + [s for s in spans if s.type == SPEAKER]
            for ex, spans in zip(self.examples, hinted, strict=True)
        ]


def load_split(split: str) -> tuple[list[Any], dict[str, str], dict[str, str]]:
    """The labelled examples of ``split`` joined with their documents, and the documents' titles."""
    from claimstream.training.corpus import load_documents_and_titles, read_labels
    from claimstream.training.dataset import load_examples

    docs, titles = load_documents_and_titles({r["doc_id"] for r in read_labels(split)})
    return load_examples(split, docs=dict(docs)), dict(docs), dict(titles)


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
    if examples is None:
        if docs is None:
            examples, docs, read_titles = load_split(split)
            titles = read_titles if titles is None else titles
        else:
            from claimstream.training.dataset import load_examples

            examples = load_examples(split, docs=dict(docs))
    gold_counts = {t: sum(c["type"] == t for ex in examples for c in ex.claims) for t in CLAIM_TYPES}
    return {
        "split": split,
        "sentences": len(examples),
        "sentences_with_claims": sum(bool(ex.claims) for ex in examples),
        "gold": gold_counts,
        "models": {name: score_extractor(ext, examples, docs, titles) for name, ext in extractors.items()},
    }


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
    for key in ("quantity", "speaker", "target", "flags"):
        rows.append(
            (
                f"{key} acc",
                [
                    f"{pct(m[key]['accuracy'])} ({m[key]['correct']}/{m[key]['matched']})"
                    if key in m
                    else "-"
                    for m in models.values()
                ],
            )
        )
    # the gold-spans column reads the model column's remembered tags: its speed means nothing
    speed = ["-" if n == GoldSpans.name else str(m["sentences_per_s"]) for n, m in models.items()]
    rows.append(("sentences/s", speed))
    for src in SOURCES:
        parts = [m.get("by_source", {}).get(src) for m in models.values()]
        if not any(parts):
            continue
        first = next(p for p in parts if p)
        claims = round(first["micro"]["tp"] + first["micro"]["fn"])
        rows.append((f"-- {src} ({first['sentences']} sentences, {claims} claims)", ["" for _ in parts]))
        for t in (*CLAIM_TYPES, "micro"):
            rows.append(
                (
                    f"{src} {t} F1",
                    [
                        pct((p["micro"] if t == "micro" else p["per_type"][t])["f1"]) if p else "-"
                        for p in parts
                    ],
                )
            )
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
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument(
        "--model-dir", type=Path, default=None, help="tagger directory (default: models/<current>)"
    )
    p.add_argument("--fp32", type=Path, default=None, help="fp32 ONNX file to score alongside the int8 model")
    p.add_argument("--no-baseline", action="store_true")
    p.add_argument(
        "--gold-spans",
        action="store_true",
        help="add a column that scores the claim builder on the gold spans (speaker attribution alone)",
    )
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
        "model": Remembered(
            GrammarAssistedTagger(OnnxTagger.load(model_dir, intra_op_num_threads=args.threads))
        )
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
    examples, docs, titles = load_split(args.split)
    if args.gold_spans:
        extractors["gold-spans"] = GoldSpans(examples, hints=extractors["model"])
    report = evaluate(extractors, args.split, examples=examples, docs=docs, titles=titles)
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
