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
# Short news snippets from two nearby labelled sets, used as extra evaluation documents only:
# outlets the corpus lacks, to measure generalisation.
CASE2021_PATH = DEFAULT_DATA / "labelled" / "case2021-task2" / "test_set_final_release_with_labels.tsv"
PLOVER_PATH = DEFAULT_DATA / "labelled" / "plover-gsr" / "sentences.jsonl"
EVAL_ONLY_PREFIXES = ("case2021:", "plover:")


def split_of(doc_id: str) -> str:
    """Deterministic document-level split: one document in five goes to evaluation."""
    if doc_id == SAMPLE_DOC_ID or doc_id.startswith(EVAL_ONLY_PREFIXES):
        return "eval"
    digest = int(hashlib.sha1(doc_id.encode()).hexdigest()[:8], 16)
    return "eval" if digest % 5 == 0 else "train"


def iter_corpus(path: Path = DEFAULT_CORPUS) -> Iterator[dict[str, Any]]:
    with gzip.open(path, "rb") as fh:
        for line in fh:
            yield orjson.loads(line)


def iter_extra_documents(data_dir: Path = DEFAULT_DATA) -> Iterator[tuple[str, str]]:
    """(doc id, text) of the eval-only snippet documents (CASE 2021 task 2, PLOVER gold standard)."""
    import csv

    case = data_dir / CASE2021_PATH.relative_to(DEFAULT_DATA)
    if case.exists():
        csv.field_size_limit(1 << 24)
        with case.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh, delimiter="\t"):
                if row.get("EventSnippet"):
                    yield f"case2021:{row['id']}", row["EventSnippet"]
    plover = data_dir / PLOVER_PATH.relative_to(DEFAULT_DATA)
    if plover.exists():
        with plover.open("rb") as fh:
            for line in fh:
                row = orjson.loads(line)
                if row.get("text"):
                    yield f"plover:{row['id']}", row["text"]


def load_documents(ids: set[str] | None = None, path: Path = DEFAULT_CORPUS) -> dict[str, str]:
    """Map doc id -> text for the wanted ids (all when ``ids`` is None), the sample included."""
    return load_documents_and_titles(ids, path)[0]


def load_documents_and_titles(
    ids: set[str] | None = None, path: Path = DEFAULT_CORPUS
) -> tuple[dict[str, str], dict[str, str]]:
    """As :func:`load_documents`, and in the same pass over the corpus, doc id -> title for the
    documents that have one (the speaker of a statement or transcript is often named only there)."""
    docs: dict[str, str] = {}
    titles: dict[str, str] = {}
    for doc in iter_corpus(path):
        if ids is None or doc["id"] in ids:
            docs[doc["id"]] = doc["text"]
            if doc.get("title"):
                titles[doc["id"]] = doc["title"]
    if ids is None or any(i.startswith(EVAL_ONLY_PREFIXES) for i in ids):
        for doc_id, text in iter_extra_documents(path.parents[1]):
            if ids is None or doc_id in ids:
                docs[doc_id] = text
    if (ids is None or SAMPLE_DOC_ID in ids) and SAMPLE_PATH.exists():
        docs[SAMPLE_DOC_ID] = SAMPLE_PATH.read_text(encoding="utf-8")
    return docs, titles


def read_labels(split: str, labels_dir: Path = LABELS_DIR) -> list[dict[str, Any]]:
    """All labelled sentences of a split (``train`` or ``eval``), in file order."""
    rows: list[dict[str, Any]] = []
    for file in sorted((labels_dir / split).glob("*.jsonl")):
        with file.open("rb") as fh:
            rows.extend(orjson.loads(line) for line in fh if line.strip())
    return rows
