"""Read the shared corpus and the repo's stand-off labels, and join them at run time."""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

REPO = Path(__file__).resolve().parents[3]
DEFAULT_DATA = REPO.parent / "shared" / "data"
DEFAULT_CORPUS = DEFAULT_DATA / "corpus" / "news.jsonl.gz"
LABELS_DIR = REPO / "data" / "labels"
SAMPLE_DOC_ID = "sample:cnn-2021-12-30"
SAMPLE_PATH = REPO / "tests" / "data" / "sample-article.txt"


def split_of(doc_id: str) -> str:
    """Deterministic document-level split: one document in five goes to evaluation."""
    if doc_id == SAMPLE_DOC_ID:
        return "eval"
    digest = int(hashlib.sha1(doc_id.encode()).hexdigest()[:8], 16)
    return "eval" if digest % 5 == 0 else "train"


def iter_corpus(path: Path = DEFAULT_CORPUS) -> Iterator[dict[str, Any]]:
    with gzip.open(path, "rb") as fh:
        for line in fh:
            yield orjson.loads(line)


def load_documents(ids: set[str] | None = None, path: Path = DEFAULT_CORPUS) -> dict[str, str]:
    """Map doc id -> text for the wanted ids (all when ``ids`` is None), the sample included."""
    docs: dict[str, str] = {}
    for doc in iter_corpus(path):
        if ids is None or doc["id"] in ids:
            docs[doc["id"]] = doc["text"]
    if (ids is None or SAMPLE_DOC_ID in ids) and SAMPLE_PATH.exists():
        docs[SAMPLE_DOC_ID] = SAMPLE_PATH.read_text(encoding="utf-8")
    return docs


def read_labels(split: str, labels_dir: Path = LABELS_DIR) -> list[dict[str, Any]]:
    """All labelled sentences of a split (``train`` or ``eval``), in file order."""
    rows: list[dict[str, Any]] = []
    for file in sorted((labels_dir / split).glob("*.jsonl")):
        with file.open("rb") as fh:
            rows.extend(orjson.loads(line) for line in fh if line.strip())
    return rows
