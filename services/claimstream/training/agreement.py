"""How far two careful annotators agree on the evaluation set, and where the model stands beside them.

    python -m claimstream.training.agreement [--model-dir DIR] [--out report.json]

data/labels/agreement/ holds a second annotation, made blind (labels withheld, by annotators who
never saw the evaluation labels), of part of the evaluation split: every sentence holding a gold
claim in the sample drawn by ``labelling blind`` plus a uniform sample of the sentences without one.
The second annotator, the model and the rule baseline are each scored against the evaluation labels
on those sentences with ``make eval``'s matching. A sampled sentence without a gold claim stands for
N_without / n_without_sampled such sentences, so false positives there count with that weight and
precision estimates precision over the whole split, not over a claim-dense sample.

The second annotator's F1 is the ceiling the guidelines allow in practice: a model scored against
one annotator cannot be expected to beat the agreement between two.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from claimstream.extract.base import CLAIM_TYPES, Extractor
from claimstream.training.evaluate import emitted_claims, score_claims, scores_by_source

SECOND = "agreement"


def second_claims(example: Any, row: Mapping[str, Any]) -> list[SimpleNamespace]:
    """The second annotator's claims on one example, with offsets into the example's sentence."""
    return [
        SimpleNamespace(
            type=c["type"],
            start=c["start"] - example.start,
            end=c["end"] - example.start,
            quantity=c.get("quantity"),
            speaker=c.get("speaker"),
        )
        for c in row["claims"]
    ]


def sample_weights(examples: Sequence[Any], n_without_in_split: int) -> list[float]:
    """1 for a sentence with a gold claim (all were taken); N_without / n_without_sampled otherwise."""
    n_without = sum(not ex.claims for ex in examples)
    w = n_without_in_split / n_without if n_without else 1.0
    return [1.0 if ex.claims else w for ex in examples]


def agreement(
    examples: Sequence[Any],
    second: Mapping[tuple[str, int], Mapping[str, Any]],
    n_without_in_split: int,
    predicted: Mapping[str, Sequence[Sequence[Any]]] | None = None,
) -> dict[str, Any]:
    """Score the second annotation (and each of ``predicted``'s claim lists, one per example) against
    the gold labels of ``examples``, the examples the second annotation covers."""
    weights = sample_weights(examples, n_without_in_split)
    columns: dict[str, Sequence[Sequence[Any]]] = {
        "annotator-2": [second_claims(ex, second[(ex.doc_id, ex.start)]) for ex in examples]
    }
    columns.update(predicted or {})
    per_column = {name: scores_by_source(examples, claims, weights) for name, claims in columns.items()}
    # regrouped source first, as the report prints it
    by_source = {
        src: {name: per_column[name][src] for name in columns} for src in next(iter(per_column.values()))
    }
    return {
        "sentences": len(examples),
        "sentences_with_claims": sum(bool(ex.claims) for ex in examples),
        "weight_without_claims": max(weights, default=1.0),
        "gold": {t: sum(c["type"] == t for ex in examples for c in ex.claims) for t in CLAIM_TYPES},
        "columns": {name: score_claims(examples, claims, weights) for name, claims in columns.items()},
        "by_source": by_source,
    }


def format_agreement(report: Mapping[str, Any]) -> str:
    cols = report["columns"]
    w = max(16, *(len(n) for n in cols)) + 2
    lw = 24

    def f1_rows(prefix: str, by_name: Mapping[str, Any], keys: Sequence[tuple[str, str]]) -> list[str]:
        out = []
        for t in (*CLAIM_TYPES, "micro"):
            for k, lab in keys:
                vals = [(c["micro"] if t == "micro" else c["per_type"][t])[k] for c in by_name.values()]
                out.append(f"{prefix + t + ' ' + lab:<{lw}}" + "".join(f"{100 * v:>{w}.1f}" for v in vals))
        return out

    lines = [
        f"sentences={report['sentences']} (with claims {report['sentences_with_claims']}; "
        f"each without counts {report['weight_without_claims']:.2f}x) gold={report['gold']}",
        f"{'':<{lw}}" + "".join(f"{n:>{w}}" for n in cols),
    ]
    lines += f1_rows("", cols, (("precision", "P"), ("recall", "R"), ("f1", "F1")))
    for key in ("quantity", "speaker"):
        cells = [
            f"{100 * v['accuracy']:.1f} ({v['correct']}/{v['matched']})" if v["matched"] else "-"
            for v in (c[key] for c in cols.values())
        ]
        lines.append(f"{key + ' acc':<{lw}}" + "".join(f"{x:>{w}}" for x in cells))
    for src, by_name in report.get("by_source", {}).items():
        lines.append(f"-- {src} ({next(iter(by_name.values()))['sentences']} sentences)")
        lines += f1_rows(f"{src} ", by_name, (("f1", "F1"),))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument(
        "--model-dir", type=Path, default=None, help="tagger directory (default: models/<current>)"
    )
    p.add_argument("--out", type=Path, default=None, help="write the JSON report here")
    args = p.parse_args(argv)

    from claimstream.extract.baseline import BaselineExtractor
    from claimstream.extract.hybrid import GrammarAssistedTagger
    from claimstream.extract.onnx_tagger import OnnxTagger, default_model_dir
    from claimstream.training.corpus import load_documents_and_titles, read_labels
    from claimstream.training.dataset import load_examples

    second = {(r["doc_id"], r["start"]): r for r in read_labels(SECOND)}
    if not second:
        sys.exit(f"no second annotation in data/labels/{SECOND}/")
    gold_rows = read_labels("eval")
    docs, titles = load_documents_and_titles({r["doc_id"] for r in gold_rows})
    everything = load_examples("eval", docs=dict(docs))
    examples = [ex for ex in everything if (ex.doc_id, ex.start) in second]
    if missing := len(second) - len(examples):
        print(f"{missing} second-annotation sentences are no longer in the evaluation split", file=sys.stderr)
    extractors: dict[str, Extractor] = {
        "model": GrammarAssistedTagger(OnnxTagger.load(args.model_dir or default_model_dir())),
        "baseline": BaselineExtractor(),
    }
    predicted = {
        name: emitted_claims(examples, ext.tag([ex.text for ex in examples]), docs, titles)
        for name, ext in extractors.items()
    }
    report = agreement(examples, second, sum(not ex.claims for ex in everything), predicted)
    print(format_agreement(report))
    if args.out:
        args.out.write_text(json.dumps(report, indent=2, default=str))


if __name__ == "__main__":
    main()
