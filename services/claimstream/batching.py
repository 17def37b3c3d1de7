"""Batch planning for the model: length bucketing under a token budget, and token-sized micro-batches.

Pure functions over lengths, no model and no Kafka, shared by the tagger, the agent and the
benchmark (bench/run.py), and unit-tested on their own (tests/unit/test_batching.py).
"""

from __future__ import annotations

from collections.abc import Sequence


def plan_batches(lengths: Sequence[int], *, max_tokens: int, max_rows: int) -> list[list[int]]:
    """Indices of ``lengths`` grouped into forward passes.

    Rows are sorted by length (so that a pass pads little) and cut greedily so that each
    pass's padded size, rows x longest row, stays within ``max_tokens`` and its rows within
    ``max_rows``. A row longer than ``max_tokens`` gets a pass of its own. Every index appears
    exactly once.
    """
    if max_tokens < 1 or max_rows < 1:
        raise ValueError("max_tokens and max_rows must be positive")
    order = sorted(range(len(lengths)), key=lengths.__getitem__)
    batches: list[list[int]] = []
    current: list[int] = []
    for i in order:
        # sorted ascending: the new row is the longest of the pass
        if current and (len(current) >= max_rows or (len(current) + 1) * lengths[i] > max_tokens):
            batches.append(current)
            current = []
        current.append(i)
    if current:
        batches.append(current)
    return batches


def padded_tokens(lengths: Sequence[int], batches: Sequence[Sequence[int]]) -> int:
    """Tokens the passes compute, padding included."""
    return sum(len(b) * max(lengths[i] for i in b) for b in batches if b)


def split_by_budget(weights: Sequence[int], budget: int) -> list[slice]:
    """Consecutive slices of ``weights`` whose sums stay within ``budget`` (a single item over
    the budget makes a slice of its own). Keeps order: a micro-batch of messages is cut into
    chunks sized by their estimated tokens, each sent as soon as it is done."""
    if budget < 1:
        raise ValueError("budget must be positive")
    out: list[slice] = []
    start, total = 0, 0
    for k, w in enumerate(weights):
        if k > start and total + w > budget:
            out.append(slice(start, k))
            start, total = k, 0
        total += w
    if start < len(weights):
        out.append(slice(start, len(weights)))
    return out


def estimated_tokens(n_bytes: int) -> int:
    """Model tokens of a UTF-8 article of ``n_bytes``, over-estimated (WordPiece on English news
    averages about 4.5 characters a token) so that a budget is rarely exceeded."""
    return n_bytes // 4 + 1
