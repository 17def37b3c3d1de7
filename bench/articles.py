"""The benchmark's articles: the repo's sample article plus news-length corpus documents.

Chosen at run time from the shared corpus (never copied into the repo) with a fixed seed,
round-robin over the corpus components so that no single register dominates.
"""

from __future__ import annotations

import gzip
import random
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import orjson

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO.parent / "shared" / "data" / "corpus" / "news.jsonl.gz"
SAMPLE = REPO / "tests" / "data" / "sample-article.txt"
#: news length: from a short wire story to a long feature (characters)
MIN_CHARS, MAX_CHARS = 1_000, 12_000


@dataclass(frozen=True, slots=True)
class BenchArticle:
    id: str
    text: str
    component: str

    def value(self) -> bytes:
        """The article as produced to the articles topic (JSON, schema v1)."""
        return orjson.dumps({"id": self.id, "text": self.text, "source": self.component})


def select(n: int = 240, seed: int = 20211230, corpus: Path = DEFAULT_CORPUS) -> list[BenchArticle]:
    """The sample article first, then ``n`` corpus documents of news length, shuffled."""
    by_component: dict[str, list[dict]] = defaultdict(list)
    with gzip.open(corpus, "rb") as fh:
        for line in fh:
            doc = orjson.loads(line)
            if MIN_CHARS <= len(doc["text"]) <= MAX_CHARS:
                by_component[doc["component"]].append(doc)
    rng = random.Random(seed)
    pools = []
    for name in sorted(by_component):
        docs = sorted(by_component[name], key=lambda d: d["id"])
        rng.shuffle(docs)
        pools.append(docs)
    chosen: list[dict] = []
    while len(chosen) < n and any(pools):
        for pool in pools:
            if pool and len(chosen) < n:
                chosen.append(pool.pop())
    rng.shuffle(chosen)
    out = [BenchArticle("bench-sample", SAMPLE.read_text(encoding="utf-8"), "sample")]
    out += [
        BenchArticle(f"bench-{i:04d}", d["text"], d["component"].split("/")[0]) for i, d in enumerate(chosen)
    ]
    return out
