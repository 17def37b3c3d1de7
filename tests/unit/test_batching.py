"""Batch planning: length bucketing under a token budget, token-sized micro-batch chunks."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from claimstream.batching import estimated_tokens, padded_tokens, plan_batches, split_by_budget
from claimstream.extract.onnx_tagger import default_model_dir
from hypothesis import given
from hypothesis import strategies as st
from tokenizers import Tokenizer

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample-article.txt"


def test_sorted_and_cut_by_padded_size() -> None:
    lengths = [10, 3, 7, 3, 10, 5]
    batches = plan_batches(lengths, max_tokens=20, max_rows=8)
    assert batches == [[1, 3, 5], [2, 0], [4]]  # 3x5=15, then 2x10=20, then 10
    assert padded_tokens(lengths, batches) == 15 + 20 + 10


def test_row_cap() -> None:
    assert plan_batches([4] * 5, max_tokens=1000, max_rows=2) == [[0, 1], [2, 3], [4]]


def test_a_row_longer_than_the_budget_gets_a_pass_of_its_own() -> None:
    assert plan_batches([2, 50, 2], max_tokens=16, max_rows=8) == [[0, 2], [1]]


def test_empty() -> None:
    assert plan_batches([], max_tokens=16, max_rows=8) == []
    assert split_by_budget([], 10) == []


def test_bad_limits() -> None:
    with pytest.raises(ValueError):
        plan_batches([1], max_tokens=0, max_rows=1)
    with pytest.raises(ValueError):
        plan_batches([1], max_tokens=8, max_rows=1, pass_cost=-1)
    with pytest.raises(ValueError):
        split_by_budget([1], 0)


@given(
    st.lists(st.integers(1, 130), max_size=300),
    st.integers(1, 4096),
    st.integers(1, 64),
)
def test_plan_covers_every_row_once_within_limits(lengths: list[int], max_tokens: int, max_rows: int) -> None:
    batches = plan_batches(lengths, max_tokens=max_tokens, max_rows=max_rows)
    flat = [i for b in batches for i in b]
    assert sorted(flat) == list(range(len(lengths)))
    for b in batches:
        assert 1 <= len(b) <= max_rows
        assert len(b) == 1 or len(b) * max(lengths[i] for i in b) <= max_tokens
    # length-sorted across passes: no pass holds a row shorter than one in the pass before
    for prev, cur in itertools.pairwise(batches):
        assert max(lengths[i] for i in prev) <= min(lengths[i] for i in cur)


def plan_cost(lengths: list[int], batches: list[list[int]], pass_cost: int) -> int:
    return padded_tokens(lengths, batches) + pass_cost * len(batches)


def brute_force_cost(lengths: list[int], max_tokens: int, max_rows: int, pass_cost: int) -> int:
    """Cheapest cut of the sorted rows into contiguous passes, by trying every cut."""
    s = sorted(lengths)
    best = None
    for mask in range(1 << (len(s) - 1)):
        cuts = [0, *(k + 1 for k in range(len(s) - 1) if mask >> k & 1), len(s)]
        groups = [s[a:b] for a, b in itertools.pairwise(cuts)]
        if any(len(g) > max_rows or (len(g) > 1 and len(g) * g[-1] > max_tokens) for g in groups):
            continue
        cost = sum(pass_cost + len(g) * g[-1] for g in groups)
        best = cost if best is None else min(best, cost)
    assert best is not None
    return best


def test_pass_cost_cuts_at_the_jumps_in_length() -> None:
    lengths = [10, 11, 12, 100, 101, 102]
    # greedy fills passes of up to 4 rows: [10 11 12 100] pads the short rows to 100
    assert plan_batches(lengths, max_tokens=1000, max_rows=4) == [[0, 1, 2, 3], [4, 5]]
    # with a pass cost the plan cuts between the short and the long rows
    assert plan_batches(lengths, max_tokens=1000, max_rows=4, pass_cost=20) == [[0, 1, 2], [3, 4, 5]]
    # a high pass cost merges everything that fits
    assert plan_batches([10, 11, 12, 100], max_tokens=1000, max_rows=4, pass_cost=1000) == [[0, 1, 2, 3]]


@given(
    st.lists(st.integers(1, 130), min_size=1, max_size=9),
    st.integers(130, 1024),
    st.integers(1, 6),
    st.integers(1, 200),
)
def test_pass_cost_plan_is_optimal(lengths: list[int], max_tokens: int, max_rows: int, cost: int) -> None:
    batches = plan_batches(lengths, max_tokens=max_tokens, max_rows=max_rows, pass_cost=cost)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    assert plan_cost(lengths, batches, cost) == brute_force_cost(lengths, max_tokens, max_rows, cost)


@given(
    st.lists(st.integers(1, 130), max_size=300),
    st.integers(1, 4096),
    st.integers(1, 64),
    st.integers(1, 200),
)
def test_pass_cost_plan_within_limits_and_never_worse_than_greedy(
    lengths: list[int], max_tokens: int, max_rows: int, pass_cost: int
) -> None:
    batches = plan_batches(lengths, max_tokens=max_tokens, max_rows=max_rows, pass_cost=pass_cost)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    for b in batches:
        assert 1 <= len(b) <= max_rows
        assert len(b) == 1 or len(b) * max(lengths[i] for i in b) <= max_tokens
    greedy = plan_batches(lengths, max_tokens=max_tokens, max_rows=max_rows)
    assert plan_cost(lengths, batches, pass_cost) <= plan_cost(lengths, greedy, pass_cost)


def test_split_by_budget_keeps_order() -> None:
    assert split_by_budget([3, 3, 3, 9, 1, 1], 6) == [slice(0, 2), slice(2, 3), slice(3, 4), slice(4, 6)]


@given(st.lists(st.integers(0, 500), max_size=100), st.integers(1, 1000))
def test_split_by_budget_partitions(weights: list[int], budget: int) -> None:
    parts = split_by_budget(weights, budget)
    assert [i for s in parts for i in range(len(weights))[s]] == list(range(len(weights)))
    for s in parts:
        chunk = weights[s]
        assert chunk and (len(chunk) == 1 or sum(chunk) <= budget)


def test_estimated_tokens_over_estimates_english() -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    try:
        tok = Tokenizer.from_file(str(default_model_dir() / "tokenizer.json"))
    except (FileNotFoundError, OSError):
        pytest.skip("no model")
    real = len(tok.encode(text, add_special_tokens=False).ids)
    assert real <= estimated_tokens(len(text.encode())) <= 2 * real
