"""Active-learning selection in the labelling workflow (training/labelling.py)."""

from __future__ import annotations

import numpy as np
import pytest
from claimstream.extract.base import CLAIM_TYPES
from claimstream.training.labelling import of_components, uncertainty


def _probs(inside_max: dict[str, float], n_tokens: int = 5, heads: int = 4) -> np.ndarray:
    """[n, heads, 3]: each type's most likely claim token has P(B) + P(I) = the given value."""
    p = np.zeros((n_tokens, heads, 3), dtype=np.float32)
    p[:, :, 0] = 1.0
    for typ, v in inside_max.items():
        k = CLAIM_TYPES.index(typ)
        p[2, k] = [1.0 - v, v, 0.0]
    return p


def test_a_sure_sentence_scores_low_either_way() -> None:
    assert uncertainty(_probs({}))[0] == pytest.approx(0.0)
    assert uncertainty(_probs({"threat": 1.0}))[0] == pytest.approx(0.0)


def test_the_least_certain_type_decides() -> None:
    score, k = uncertainty(_probs({"threat": 0.95, "commitment": 0.45, "troop_count": 0.1}))
    assert CLAIM_TYPES[k] == "commitment"
    assert score == pytest.approx(0.9)


def test_the_speaker_head_does_not_count() -> None:
    p = _probs({"threat": 0.0})
    p[1, 3] = [0.5, 0.5, 0.0]  # an unsure speaker token is no reason to label the sentence
    assert uncertainty(p)[0] == pytest.approx(0.0)


def test_an_empty_sentence_is_not_chosen() -> None:
    assert uncertainty(np.zeros((0, 4, 3), dtype=np.float32)) == (0.0, 0)


def test_a_draw_can_be_aimed_at_corpus_components() -> None:
    rows = [
        {"component": "ukraine_news_bias/articles.jsonl"},
        {"component": "fnc1/articles_security.jsonl"},
        {"component": "wh_briefings/articles_security.jsonl"},
    ]
    assert of_components(rows, ["ukraine_news_bias", "fnc1"]) == rows[:2]
    assert of_components(rows, None) == rows
