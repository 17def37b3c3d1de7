"""Choosing the span decoding on dev sentences (training/decoding.py)."""

import numpy as np
from claimstream.extract.base import CLAIM_TYPES
from claimstream.training.decoding import DECODE_KEYS, is_dev, span_scores, tune

TEXT = "Russia will respond with force if attacked"
OFFSETS = [(0, 6), (7, 11), (12, 19), (20, 24), (25, 30), (31, 33), (34, 42)]


def _probs(rows: list[tuple[float, float, float]], typ: str = "threat") -> np.ndarray:
    probs = np.zeros((len(OFFSETS), len(CLAIM_TYPES), 3), dtype=np.float32)
    probs[:, :, 0] = 1.0
    probs[:, CLAIM_TYPES.index(typ)] = np.array(rows, dtype=np.float32)
    return probs


# the model hesitates between B and I inside one threat: argmax tags split it in three
HESITANT = [(0.9, 0.05, 0.05), (0.1, 0.8, 0.1), (0.1, 0.1, 0.8), (0.2, 0.45, 0.35),
            (0.1, 0.1, 0.8), (0.3, 0.4, 0.3), (0.2, 0.1, 0.7)]  # fmt: skip


def test_span_scores_count_one_to_one_matches_per_type() -> None:
    gold = [("threat", 7, 42)]
    split = span_scores([TEXT], [gold], [OFFSETS], [_probs(HESITANT)], {"mode": "tags"})
    assert split["per_type"]["threat"] == {"precision": 1 / 3, "recall": 1.0, "f1": 0.5}
    whole = span_scores([TEXT], [gold], [OFFSETS], [_probs(HESITANT)], {"mode": "inside", "threshold": 0.5})
    assert whole["per_type"]["threat"]["f1"] == 1.0
    assert whole["per_type"]["commitment"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0}


def test_tune_prefers_the_settings_with_the_best_dev_f1() -> None:
    gold = [[("threat", 7, 42)], []]
    quiet = _probs([(0.95, 0.03, 0.02)] * len(OFFSETS))
    best = tune([TEXT, TEXT], gold, [OFFSETS, OFFSETS], [_probs(HESITANT), quiet])
    assert set(DECODE_KEYS) <= set(best)
    assert best["dev"]["f1"] == 1.0
    assert best["dev_argmax"]["f1"] < best["dev"]["f1"]


def test_dev_membership_depends_on_the_document_id_only() -> None:
    ids = [f"doc-{i}" for i in range(2000)]
    first = [is_dev(d) for d in ids]
    assert first == [is_dev(d) for d in ids]
    assert 0.07 < sum(first) / len(ids) < 0.13
    assert not any(is_dev(d, 0.0) for d in ids)
