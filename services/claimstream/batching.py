"""Batch planning for the model: length bucketing under a token budget, and token-sized micro-batches.

Pure functions over lengths, no model and no Kafka, shared by the tagger, the agent and the
benchmark (bench/run.py), and unit-tested on their own (tests/unit/test_batching.py).
"""

from __future__ import annotations

from collections.abc import Sequence


def plan_batches(
    lengths: Sequence[int], *, max_tokens: int, max_rows: int, pass_cost: int = 0
) -> list[list[int]]:
    """Indices of ``lengths`` grouped into forward passes, shortest rows first.

    Rows are sorted by length, so that a pass pads little, and cut into passes of at most
    ``max_rows`` rows whose padded size (rows x longest row) stays within ``max_tokens`` (a
    row longer than that gets a pass of its own). Every index appears exactly once.

    ``pass_cost`` = 0: passes are filled greedily. ``pass_cost`` > 0: the fixed cost of one
    forward pass in padded tokens; the cuts then minimise ``sum(pass_cost + rows x longest)``
    (dynamic programming over the sorted rows, O(n x max_rows)): few full passes where many
    rows have similar lengths (a large micro-batch), cuts at the big jumps in length where
    they do not (a lone article), instead of one fixed pass size for both.
    """
    if max_tokens < 1 or max_rows < 1 or pass_cost < 0:
        raise ValueError("max_tokens and max_rows must be positive, pass_cost not negative")
    order = sorted(range(len(lengths)), key=lengths.__getitem__)
    if pass_cost == 0:
        return _greedy(order, lengths, max_tokens, max_rows)
    n = len(order)
    sorted_lengths = [lengths[i] for i in order]
    cost = [0] + [0] * n  # cost[j]: cheapest plan of the j shortest rows
    cut = [0] * (n + 1)  # cut[j]: where that plan's last pass starts
    for j in range(1, n + 1):
        width = sorted_lengths[j - 1]  # the longest row of any pass ending at j
        best, best_i = cost[j - 1] + pass_cost + width, j - 1
        for i in range(j - 2, max(0, j - max_rows) - 1, -1):
            if (j - i) * width > max_tokens:
                break
            c = cost[i] + pass_cost + (j - i) * width
            if c < best:
                best, best_i = c, i
        cost[j], cut[j] = best, best_i
    batches: list[list[int]] = []
    j = n
    while j > 0:
        batches.append(order[cut[j] : j])
        j = cut[j]
    batches.reverse()
    return batches


def _greedy(order: list[int], lengths: Sequence[int], max_tokens: int, max_rows: int) -> list[list[int]]:
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
