"""Kafka-free extraction: articles in, claims out. The worker and ``claimstream extract`` share it."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from claimstream.claims.builder import build_claims
from claimstream.exceptions import ExtractionError, ModelLoadError
from claimstream.extract.base import Extractor
from claimstream.records import Article, ArticleSummary, Claim
from claimstream.settings import Settings
from claimstream.text.boilerplate import content_regions
from claimstream.text.sentences import Sentence, split_sentences


@dataclass(frozen=True, slots=True)
class ArticleResult:
    """Everything extracted from one article: its claims and its completion summary."""

    article: Article
    claims: list[Claim]
    summary: ArticleSummary


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def load_extractor(settings: Settings) -> Extractor:
    """The extractor the settings ask for: the trained tagger by default, or the rule baseline."""
    if settings.extractor == "baseline":
        from claimstream.extract.baseline import BaselineExtractor

        return BaselineExtractor()
    try:
        from claimstream.extract.hybrid import GrammarAssistedTagger
        from claimstream.extract.onnx_tagger import OnnxTagger, default_model_dir

        model_dir: Path = settings.model_dir or default_model_dir()
        threads = settings.inference_threads or len(os.sched_getaffinity(0))
        parallel = settings.inference_parallel_passes
        tagger = OnnxTagger.load(
            model_dir,
            threads=1 if parallel else threads,
            parallel_passes=threads if parallel else 1,
            max_tokens_per_batch=settings.batch_max_tokens,
            max_batch_size=settings.batch_max_rows,
            pass_cost=settings.batch_pass_cost,
            session_config={"session.intra_op.allow_spinning": "1" if settings.inference_spinning else "0"},
        )
        return GrammarAssistedTagger(tagger)
    except Exception as exc:  # any failure to load is fatal at start-up, with the reason
        raise ModelLoadError(f"cannot load the tagger model: {exc}") from exc


def article_sentences(text: str) -> list[Sentence]:
    """Sentences of the article's own text, boilerplate left out, offsets into ``text``."""
    return split_sentences(text, content_regions(text))


class Pipeline:
    """Cleans, splits, tags (one batched model call per batch of articles) and builds claims."""

    def __init__(self, extractor: Extractor) -> None:
        self.extractor = extractor
        self.model_version = extractor.version

    def process(self, articles: Sequence[Article]) -> list[ArticleResult]:
        per_article = [article_sentences(a.text) for a in articles]
        return self._run(articles, per_article)

    def _run(
        self, articles: Sequence[Article], per_article: Sequence[Sequence[Sentence]]
    ) -> list[ArticleResult]:
        flat = [
            a.text[s.start : s.end] for a, sents in zip(articles, per_article, strict=True) for s in sents
        ]
        try:
            tagged = self.extractor.tag(flat) if flat else []
        except Exception as exc:
            raise ExtractionError(f"tagger failed: {type(exc).__name__}: {exc}") from exc
        results: list[ArticleResult] = []
        cursor = 0
        extracted_at = now_iso()
        for article, sentences in zip(articles, per_article, strict=True):
            spans = tagged[cursor : cursor + len(sentences)]
            cursor += len(sentences)
            claims = build_claims(
                article.id,
                article.text,
                sentences,
                spans,
                model_version=self.model_version,
                extracted_at=extracted_at,
                title=article.title,
            )
            counts = Counter(c.type for c in claims)
            summary = ArticleSummary(
                article_id=article.id,
                claim_count=len(claims),
                claim_ids=[c.claim_id for c in claims],
                counts={t: counts.get(t, 0) for t in ("threat", "commitment", "troop_count")},
                model_version=self.model_version,
                extracted_at=extracted_at,
            )
            results.append(ArticleResult(article, claims, summary))
        return results
