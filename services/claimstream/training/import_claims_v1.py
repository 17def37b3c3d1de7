"""Turn the shared claims-v1 document labels into the repo's per-sentence stand-off labels.

Every sentence of a listed document is a labelled sentence (claims-v1 labels all claims of
each document), so unlabelled sentences become negatives.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import orjson

from claimstream.text.boilerplate import content_regions
from claimstream.text.sentences import split_sentences
from claimstream.training.corpus import DEFAULT_CORPUS, DEFAULT_DATA, LABELS_DIR, load_documents, split_of

FIELDS = ("type", "start", "end", "speaker", "target", "conditional", "negated", "quantity")


def convert(labels_path: Path, documents_path: Path, corpus: Path) -> dict[str, list[dict[str, Any]]]:
    doc_ids = [line.strip() for line in documents_path.read_text().splitlines() if line.strip()]
    labels = [orjson.loads(line) for line in labels_path.read_bytes().splitlines() if line.strip()]
    docs = load_documents(set(doc_ids), corpus)
    by_doc: dict[str, list[dict[str, Any]]] = {}
    for lab in labels:
        by_doc.setdefault(lab["doc_id"], []).append(lab)
    out: dict[str, list[dict[str, Any]]] = {"train": [], "eval": []}
    for doc_id in doc_ids:
        text = docs[doc_id]
        sentences = [[s.start, s.end] for s in split_sentences(text, content_regions(text))]
        claims = sorted(by_doc.get(doc_id, []), key=lambda c: c["start"])
        rows: list[dict[str, Any]] = [
            {"doc_id": doc_id, "start": s, "end": e, "claims": [], "source": "claims-v1"}
            for s, e in sentences
        ]
        for claim in claims:
            home = next(
                (r for r in rows if r["start"] <= claim["start"] < r["end"]),
                None,
            )
            if home is None:
                # The claim sits in text our cleaner dropped or between sentences: keep it whole.
                home = {
                    "doc_id": doc_id,
                    "start": claim["start"],
                    "end": claim["end"],
                    "claims": [],
                    "source": "claims-v1",
                }
                rows.append(home)
            home["end"] = max(home["end"], claim["end"])
            home["claims"].append({k: claim[k] for k in FIELDS})
        # A claim that ran over a false sentence break swallows the next sentence.
        rows.sort(key=lambda r: r["start"])
        merged: list[dict[str, Any]] = []
        for row in rows:
            if merged and row["start"] < merged[-1]["end"]:
                merged[-1]["end"] = max(merged[-1]["end"], row["end"])
                merged[-1]["claims"].extend(row["claims"])
            else:
                merged.append(row)
        out[split_of(doc_id)].extend(merged)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    base = DEFAULT_DATA / "labelled" / "claims-v1"
    parser.add_argument("--labels", type=Path, default=base / "labels.jsonl")
    parser.add_argument("--documents", type=Path, default=base / "documents.txt")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument(
        "--splits",
        nargs="+",
        default=["train"],
        help="splits to write (the eval part, re-checked by a second annotator, is eval/ev1.jsonl)",
    )
    args = parser.parse_args(argv)
    for split, rows in convert(args.labels, args.documents, args.corpus).items():
        if split not in args.splits:
            continue
        path = LABELS_DIR / split / "claims-v1.jsonl"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
        n = sum(len(r["claims"]) for r in rows)
        print(f"{path}: {len(rows)} sentences, {n} claims")


if __name__ == "__main__":
    main()
