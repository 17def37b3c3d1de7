"""Score an ensemble of taggers: their token probabilities averaged, decoded once.

    python -m claimstream.training.ensemble MODEL_DIR MODEL_DIR [...] [--eval]

A measurement, not a served extractor: it asks how much of the model's error is the spread
between training runs (which averaging removes) rather than what every run gets wrong. The
decode settings of the average are tuned on the dev sentences, as `make train` tunes one
model's; the dev and evaluation scores go through the claim builder, as in `make eval`.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from claimstream.exceptions import ModelLoadError
from claimstream.extract.base import Span


class AveragedTagger:
    """Taggers of one tokenizer and one head layout, read as one: each token's O/B/I
    probabilities are the mean of theirs; spans are decoded with the first tagger's decoder
    and ``decode_settings`` (tune them for the average: :func:`tune_average`)."""

    def __init__(self, taggers: Sequence[Any]) -> None:
        if len(taggers) < 2:
            raise ModelLoadError("an ensemble needs at least two taggers")
        lead = taggers[0]
        for t in taggers[1:]:
            if list(t.heads) != list(lead.heads) or list(t.types) != list(lead.types):
                raise ModelLoadError(f"{t.version} has other heads than {lead.version}")
        self.taggers = list(taggers)
        self.lead = lead
        self.types = lead.types
        self.heads = lead.heads
        self.name = lead.name
        self.version = " + ".join(t.version for t in taggers)
        self.decode_settings: dict[str, Any] = dict(lead.decode_settings)
        self.grammar_min_inside: float = float(lead.grammar_min_inside)
        # tuning and then scoring read the same dev sentences: run the models over them once
        self._last: tuple[list[str], tuple[list[Any], list[np.ndarray]]] | None = None

    def token_probs(self, sentences: Sequence[str]) -> tuple[list[Any], list[np.ndarray]]:
        sentences = list(sentences)
        if self._last is None or self._last[0] != sentences:
            self._last = (sentences, self._average(sentences))
        return self._last[1]

    def _average(self, sentences: list[str]) -> tuple[list[Any], list[np.ndarray]]:
        runs = [t.token_probs(sentences) for t in self.taggers]
        encs = runs[0][0]
        for other, _ in runs[1:]:
            if any(list(a.ids) != list(b.ids) for a, b in zip(encs, other, strict=True)):
                raise ModelLoadError("the taggers tokenize the same sentence differently")
        probs = [np.mean([r[1][i] for r in runs], axis=0) for i in range(len(encs))]
        return encs, probs

    def decode(self, text: str, offsets: Sequence[tuple[int, int]], probs: np.ndarray) -> list[Span]:
        saved = self.lead.decode_settings
        self.lead.decode_settings = self.decode_settings
        try:
            return list(self.lead.decode(text, offsets, probs))
        finally:
            self.lead.decode_settings = saved

    def tag(self, sentences: Sequence[str]) -> list[list[Span]]:
        encs, probs = self.token_probs(sentences)
        return [
            self.decode(s, e.offsets, p) if len(e.ids) else []
            for s, e, p in zip(sentences, encs, probs, strict=True)
        ]


def tune_average(tagger: AveragedTagger, dev: Sequence[Any]) -> dict[str, Any]:
    """Set ``tagger``'s decode settings to the best on the dev examples (training/decoding.py's
    grid and tie-breaks); returns what :func:`claimstream.training.decoding.tune` found."""
    from claimstream.training.decoding import DECODE_KEYS, tune

    texts = [e.text for e in dev]
    encs, probs = tagger.token_probs(texts)
    best = tune(texts, [e.spans for e in dev], [e.offsets for e in encs], probs)
    tagger.decode_settings = {k: best[k] for k in DECODE_KEYS if k != "grammar_min_inside"}
    tagger.grammar_min_inside = float(best["grammar_min_inside"])
    return best


def main(argv: list[str] | None = None) -> None:
    from claimstream.extract.hybrid import GrammarAssistedTagger
    from claimstream.extract.onnx_tagger import OnnxTagger
    from claimstream.training.corpus import split_of
    from claimstream.training.decoding import is_dev
    from claimstream.training.evaluate import evaluate, format_report, load_split

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("model_dirs", nargs="+", type=Path, help="two or more tagger directories")
    p.add_argument("--eval", action="store_true", help="also score the evaluation set")
    p.add_argument("--threads", type=int, default=None)
    args = p.parse_args(argv)

    taggers = [OnnxTagger.load(d, intra_op_num_threads=args.threads) for d in args.model_dirs]
    ensemble = AveragedTagger(taggers)
    examples, docs, titles = load_split("train")
    dev = [e for e in examples if split_of(e.doc_id) == "train" and is_dev(e.doc_id)]
    best = tune_average(ensemble, dev)
    print(
        f"decode settings tuned on {len(dev)} dev sentences: {ensemble.decode_settings}, "
        f"grammar_min_inside {ensemble.grammar_min_inside}; dev span F1 {100 * best['dev']['f1']:.1f}"
    )
    extractors = {
        **{f"model{i + 1}": GrammarAssistedTagger(t) for i, t in enumerate(taggers)},
        "average": GrammarAssistedTagger(ensemble),
    }
    print(format_report(evaluate(extractors, "train", examples=dev, docs=docs, titles=titles)))
    if args.eval:
        print(format_report(evaluate(extractors, "eval")))


if __name__ == "__main__":
    main()
