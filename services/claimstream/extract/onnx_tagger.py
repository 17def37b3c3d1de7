"""Int8 ONNX token-classification tagger: onnxruntime + tokenizers only (never torch).

The model (trained by ``claimstream.training.train``, exported by ``...export``) reads
``input_ids`` and ``attention_mask`` [batch, seq] and returns ``probs`` [batch, seq, heads, 3]:
for every token, one O/B/I distribution per claim type (threat, commitment, troop_count),
so spans of different types may overlap, and (models from 1.7.0) one for the speaker head,
which marks where the sentence names the speaker of its claims: those come out as spans of
type ``"speaker"`` beside the claim spans, for the claim builder to read. Sentences longer
than the model's window are split into overlapping windows; each token's prediction comes from
the window in which it sits furthest from an edge. Nothing is truncated.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from claimstream.batching import plan_batches
from claimstream.extract.base import CLAIM_TYPES, SPEAKER, Span

REPO = Path(__file__).resolve().parents[3]
MODELS_DIR = REPO / "models"
_B, _I = 1, 2
# labels.json["decode"]: the span decoding (decode_spans' keyword arguments) and the support the
# grammar needs to add an untagged troop count (extract/hybrid.py); chosen on the dev split
DECODE_DEFAULTS: dict[str, Any] = {
    "mode": "tags",
    "threshold": 0.5,
    "min_score": 0.0,
    "max_gap": 0,
    "grammar_min_inside": 0.0,
}
# Characters stripped from the ends of a span (whitespace is always stripped).
_EDGE_PUNCT = set(",;:.!?\"'“”‘’«»()[]{}-–—/*")
_APOSTROPHES = "’'"


def default_model_dir(models_dir: Path = MODELS_DIR) -> Path:
    """``models/<current>/``: the directory named in ``models/CURRENT``, else the newest
    ``claim-tagger-*`` directory holding a ``labels.json``."""
    current = models_dir / "CURRENT"
    if current.exists():
        name = current.read_text(encoding="utf-8").strip()
        if name and (models_dir / name / "labels.json").exists():
            return models_dir / name
    found = sorted(p.parent for p in models_dir.glob("claim-tagger-*/labels.json"))
    if not found:
        raise FileNotFoundError(f"no claim-tagger model under {models_dir}")
    return found[-1]


def windows(n: int, size: int, stride: int) -> list[tuple[int, int]]:
    """Overlapping [a, b) windows of at most ``size`` tokens covering ``n`` tokens."""
    if n <= size:
        return [(0, n)]
    out, a = [], 0
    while True:
        b = min(a + size, n)
        out.append((a, b))
        if b == n:
            return out
        a = b - stride


def _clitic_at(text: str, i: int) -> bool:
    """Whether ``text[i]`` is the s of a possessive ("Russia’s"), a word piece of its own."""
    return (
        0 < i < len(text)
        and text[i] in "sS"
        and text[i - 1] in _APOSTROPHES
        and (i + 1 == len(text) or not text[i + 1].isalnum())
    )


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen to whole words, then strip whitespace and punctuation at both ends. A span that
    opens on a possessive's s ("s border with Ukraine") opens after it; one that ends on the
    apostrophe keeps the s."""
    while start > 0 and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum() and text[end - 1].isalnum():
        end += 1
    if _clitic_at(text, end):
        end += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in _EDGE_PUNCT):
        end -= 1
    while start < end and (text[start].isspace() or text[start] in _EDGE_PUNCT or _clitic_at(text, start)):
        start += 1
    return start, end


def _tag_runs(tags: np.ndarray, offsets: Sequence[tuple[int, int]], max_gap: int) -> list[list[Any]]:
    """[first token, last token + 1, tagged token indices] per argmax B/I run."""
    runs: list[list[Any]] = []
    if not tags.any():  # most sentences hold no claim of a given type
        return runs
    i, n = 0, len(offsets)
    while i < n:
        if tags[i] == 0 or offsets[i][1] <= offsets[i][0]:
            i += 1
            continue
        j = i + 1
        while j < n and tags[j] == _I:
            j += 1
        if runs and tags[i] == _I and i - runs[-1][1] <= max_gap:
            runs[-1][1] = j
            runs[-1][2].extend(range(i, j))
        else:
            runs.append([i, j, list(range(i, j))])
        i = j
    return runs


def _inside_runs(
    inside: np.ndarray, offsets: Sequence[tuple[int, int]], threshold: float, max_gap: int
) -> list[list[Any]]:
    """[first token, last token + 1, inside token indices] per run of tokens at or above ``threshold``."""
    runs: list[list[Any]] = []
    for i in np.flatnonzero(inside >= threshold).tolist():
        if offsets[i][1] <= offsets[i][0]:
            continue
        if runs and i - runs[-1][1] <= max_gap:
            runs[-1][1] = i + 1
            runs[-1][2].append(i)
        else:
            runs.append([i, i + 1, [i]])
    return runs


def decode_spans(
    text: str,
    offsets: Sequence[tuple[int, int]],
    probs: np.ndarray,
    types: Sequence[str] = CLAIM_TYPES,
    *,
    mode: str = "tags",
    threshold: float = 0.5,
    min_score: float = 0.0,
    max_gap: int = 0,
) -> list[Span]:
    """Spans from per-type O/B/I probabilities ``probs`` [n_tokens, n_types, 3] of tokens with
    character ``offsets`` into ``text`` (no special tokens).

    ``mode="tags"``: B (or an I with no open span) opens a span, I continues it; runs of the same
    type separated by at most ``max_gap`` O tokens are joined when the later run starts with I; a
    span's ``score`` is the mean of its tagged tokens' winning-tag probability.
    ``mode="inside"``: a token is inside a span of a type when P(B) + P(I) >= ``threshold``; runs
    separated by at most ``max_gap`` outside tokens are joined, and a span's score is the mean
    inside probability of its inside tokens. Argmax tags break one evidence clause into pieces
    wherever the model hesitates between B and I; the inside probability does not.
    Spans scoring below ``min_score`` are dropped in both modes."""
    if mode == "tags":
        tags, score = probs.argmax(-1), probs.max(-1)
    elif mode == "inside":
        score = 1.0 - probs[..., 0]
    else:
        raise ValueError(f"unknown decode mode {mode!r}")
    spans: list[Span] = []
    for k, typ in enumerate(types):
        runs = (
            _tag_runs(tags[:, k], offsets, max_gap)
            if mode == "tags"
            else _inside_runs(score[:, k], offsets, threshold, max_gap)
        )
        found: list[tuple[int, int, float]] = []
        for i, j, idx in runs:
            sc = float(score[idx, k].mean())
            if sc < min_score:
                continue
            s, e = _trim(text, offsets[i][0], offsets[j - 1][1])
            if e > s:
                found.append((s, e, sc))
        # merge spans that overlap after widening to word boundaries
        found.sort()
        merged: list[list[Any]] = []
        for s, e, sc in found:
            if merged and s < merged[-1][1]:
                m = merged[-1]
                m[1] = max(m[1], e)
                m[2] = max(m[2], sc)
            else:
                merged.append([s, e, sc])
        spans.extend(Span(typ, s, e, round(sc, 4)) for s, e, sc in merged)
    spans.sort(key=lambda sp: (sp.start, sp.end, sp.type))
    return spans


class OnnxTagger:
    """The int8 ONNX claim tagger (``Extractor`` protocol)."""

    name = "onnx-tagger"

    def __init__(
        self,
        session: Any,
        tokenizer: Any,
        meta: dict[str, Any],
        *,
        max_tokens_per_batch: int = 8192,
        max_batch_size: int = 64,
        stride: int = 32,
        pass_cost: int = 0,
        parallel_passes: int = 1,
    ) -> None:
        self.session = session
        self.tokenizer = tokenizer
        self.meta = meta
        self.version: str = meta["version"]
        self.types: tuple[str, ...] = tuple(meta.get("types", CLAIM_TYPES))
        # the output's heads: the claim types, then (models from 1.7.0) the speaker head
        self.heads: tuple[str, ...] = tuple(meta.get("heads", self.types))
        self._speaker_head: int | None = self.heads.index(SPEAKER) if SPEAKER in self.heads else None
        self.max_length: int = int(meta.get("max_length", 128))
        self.max_tokens_per_batch = max_tokens_per_batch
        self.max_batch_size = max_batch_size
        self.stride = stride
        self.pass_cost = pass_cost  # fixed cost of a forward pass in padded tokens (0: fill greedily)
        # >1: that many forward passes at once, each on its own thread (session intra-op threads 1)
        self._pool = (
            ThreadPoolExecutor(parallel_passes, thread_name_prefix="claimstream-pass")
            if parallel_passes > 1
            else None
        )
        decode = {**DECODE_DEFAULTS, **meta.get("decode", {})}
        # read by extract/hybrid.py: the support an untagged grammar troop count needs to be added
        self.grammar_min_inside = float(decode["grammar_min_inside"])
        self.decode_settings: dict[str, Any] = {
            k: decode[k] for k in DECODE_DEFAULTS if k != "grammar_min_inside"
        }
        self._cls = tokenizer.token_to_id("[CLS]")
        self._sep = tokenizer.token_to_id("[SEP]")
        self._pad = tokenizer.token_to_id("[PAD]") or 0
        self._inputs = {i.name for i in session.get_inputs()}

    @classmethod
    def load(
        cls,
        model_dir: Path | str,
        *,
        model_file: str | Path = "model.int8.onnx",
        intra_op_num_threads: int | None = None,
        threads: int | None = None,
        session_config: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> OnnxTagger:
        """Load ``model_dir/{model_file, tokenizer.json, labels.json}``. ``model_file`` may be an
        absolute path (e.g. the fp32 export kept outside the repo). ``threads`` is an alias of
        ``intra_op_num_threads`` (0 or None: onnxruntime's default, or $CLAIMSTREAM_ORT_THREADS).
        ``session_config``: onnxruntime session config entries."""
        if intra_op_num_threads is None:
            intra_op_num_threads = threads or None
        import onnxruntime as ort
        from tokenizers import Tokenizer

        model_dir = Path(model_dir)
        meta = json.loads((model_dir / "labels.json").read_text(encoding="utf-8"))
        tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        tok.no_truncation()
        tok.no_padding()
        opts = ort.SessionOptions()
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        if intra_op_num_threads is None:
            env = os.environ.get("CLAIMSTREAM_ORT_THREADS")
            intra_op_num_threads = int(env) if env else 0
        opts.intra_op_num_threads = intra_op_num_threads  # 0 = onnxruntime's default
        opts.inter_op_num_threads = 1
        opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        for key, value in (session_config or {}).items():  # e.g. session.intra_op.allow_spinning
            opts.add_session_config_entry(key, value)
        path = Path(model_file)
        if not path.is_absolute():
            path = model_dir / path
        session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
        return cls(session, tok, meta, **kwargs)

    def _run(self, batch: list[list[int]]) -> np.ndarray:
        width = max(len(x) for x in batch)
        ids = np.full((len(batch), width), self._pad, dtype=np.int64)
        mask = np.zeros((len(batch), width), dtype=np.int64)
        for r, x in enumerate(batch):
            ids[r, : len(x)] = x
            mask[r, : len(x)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        return self.session.run(["probs"], feeds)[0]

    def tag(self, sentences: Sequence[str]) -> list[list[Span]]:
        if not sentences:
            return []
        encs, probs = self.token_probs(sentences)
        return [
            self.decode(s, e.offsets, p) if len(e.ids) else []
            for s, e, p in zip(sentences, encs, probs, strict=True)
        ]

    def decode(self, text: str, offsets: Sequence[tuple[int, int]], probs: np.ndarray) -> list[Span]:
        """Spans of one sentence from its token probabilities, with the model's decode settings;
        speaker mentions (plain argmax tags) only in a sentence that holds a claim span."""
        spans = decode_spans(text, offsets, probs, self.types, **self.decode_settings)
        if spans and self._speaker_head is not None:
            k = self._speaker_head
            spans.extend(decode_spans(text, offsets, probs[:, k : k + 1], (SPEAKER,)))
        return spans

    def token_probs(self, sentences: Sequence[str]) -> tuple[list[Any], list[np.ndarray]]:
        """Per sentence: its tokenizer encoding and O/B/I probabilities [n_tokens, n_heads, 3]
        (the claim types first, as in ``types``)."""
        encs = self.tokenizer.encode_batch(list(sentences), add_special_tokens=False)
        n_heads = len(self.heads)
        size = self.max_length - 2
        # per sentence: token probs and the distance of each token from its window's edge
        probs = [np.zeros((len(e.ids), n_heads, 3), dtype=np.float32) for e in encs]
        best = [np.full(len(e.ids), -1, dtype=np.int64) for e in encs]
        items = [(i, a, b) for i, e in enumerate(encs) for a, b in windows(len(e.ids), size, self.stride)]
        items = [it for it in items if it[2] > it[1]]
        # forward passes of windows of similar length (claimstream.batching: length bucketing)
        plan = plan_batches(
            [b - a + 2 for _, a, b in items],
            max_tokens=self.max_tokens_per_batch,
            max_rows=self.max_batch_size,
            pass_cost=self.pass_cost,
        )
        chunks = [[items[t] for t in rows] for rows in plan]

        def forward(chunk: list[tuple[int, int, int]]) -> np.ndarray:
            return self._run([[self._cls, *encs[i].ids[a:b], self._sep] for i, a, b in chunk])

        # passes run concurrently on the pass pool (when there is one), taken back in order here
        outs = self._pool.map(forward, chunks) if self._pool is not None else map(forward, chunks)
        for chunk, out in zip(chunks, outs, strict=True):
            for r, (i, a, b) in enumerate(chunk):
                pos = np.arange(a, b)
                n = len(encs[i].ids)
                # distance to the nearest window edge that cuts the sentence
                left = pos - a if a > 0 else np.full(b - a, n)
                right = b - 1 - pos if b < n else np.full(b - a, n)
                dist = np.minimum(left, right)
                take = dist > best[i][a:b]
                best[i][a:b] = np.where(take, dist, best[i][a:b])
                probs[i][a:b][take] = out[r, 1 : 1 + b - a][take]
        return encs, probs
