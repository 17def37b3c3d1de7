"""Shared by all tests: repository paths. Kafka fixtures live in tests/integration/conftest.py."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
TEST_DATA = REPO_ROOT / "tests" / "data"
SAMPLE_ARTICLE = TEST_DATA / "sample-article.txt"  # doc id "sample:cnn-2021-12-30" in labels


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def sample_article_path() -> Path:
    return SAMPLE_ARTICLE
