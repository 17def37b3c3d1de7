"""A short warm-up of the encoder on election pledges before it learns to tag claims.

The shared data's MiMac set (``labelled/mimac-pledges``) marks each manifesto sentence as a pledge
or not: the issue names these nearby sets as extra pre-training signal, and a pledge is close to
a commitment in a different register. The warm-up classifies the English sentences from the
[CLS] vector with a throw-away linear head, then hands the encoder to the tagger's training.
"""

from __future__ import annotations

import gzip
import json
import math
import random
import time
from pathlib import Path
from typing import Any

from claimstream.training.corpus import DEFAULT_DATA
from claimstream.training.dataset import MAX_LENGTH

PLEDGES_PATH = DEFAULT_DATA / "labelled" / "mimac-pledges" / "sentences.jsonl.gz"


def load_pledges(path: Path = PLEDGES_PATH) -> list[tuple[str, int]]:
    """(text, 1 if a pledge else 0) of the English sentences."""
    rows = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            if r["file"].startswith("English") and r["text"].strip():
                rows.append((r["text"], int(r["binary_pledge"])))
    return rows


def warm_up(
    encoder: Any,
    tokenizer: Any,
    rows: list[tuple[str, int]],
    steps: int,
    *,
    batch_size: int = 16,
    lr: float = 1e-4,
    seed: int = 13,
) -> dict[str, Any]:
    """Train ``encoder`` (its trainable parameters) with a fresh pledge head for ``steps`` steps
    of ``batch_size`` sentences: linear warm-up over the first 10 %, then linear decay to zero."""
    import torch  # training only: the runtime never imports torch
    from torch import nn

    t0 = time.time()
    rng = random.Random(seed)
    encs = [tokenizer.encode(text).ids[:MAX_LENGTH] for text, _ in rows]
    labels = [y for _, y in rows]
    hidden: int = encoder.config.hidden_size
    device = next(encoder.parameters()).device  # train.py --device: the warm-up follows the encoder
    head = nn.Sequential(nn.Dropout(0.1), nn.Linear(hidden, 2)).to(device)
    params = [p for p in encoder.parameters() if p.requires_grad] + list(head.parameters())
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=0.01)
    warm = max(1, steps // 10)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: (s + 1) / warm if s < warm else max(0.0, (steps - s) / max(steps - warm, 1))
    )
    loss_fn = nn.CrossEntropyLoss()
    encoder.train()
    head.train()
    order: list[int] = []
    losses: list[float] = []
    for _ in range(steps):
        if len(order) < batch_size:
            order += rng.sample(range(len(encs)), len(encs))
        batch, order = order[:batch_size], order[batch_size:]
        width = max(len(encs[i]) for i in batch)
        ids = torch.zeros((len(batch), width), dtype=torch.long)
        mask = torch.zeros((len(batch), width), dtype=torch.long)
        for r, i in enumerate(batch):
            ids[r, : len(encs[i])] = torch.tensor(encs[i])
            mask[r, : len(encs[i])] = 1
        cls = encoder(input_ids=ids.to(device), attention_mask=mask.to(device)).last_hidden_state[:, 0]
        loss = loss_fn(head(cls), torch.tensor([labels[i] for i in batch], device=device))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        sched.step()
        opt.zero_grad(set_to_none=True)
        losses.append(loss.item())
    tail = losses[-max(1, math.ceil(steps / 10)) :]
    return {
        "sentences": len(rows),
        "pledges": sum(labels),
        "steps": steps,
        "batch_size": batch_size,
        "final_loss": round(sum(tail) / len(tail), 4),
        "seconds": round(time.time() - t0, 1),
    }
