"""The ensemble measurement's averaged tagger: probabilities averaged token by token, decoded once."""

from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from claimstream.exceptions import ModelLoadError
from claimstream.extract.onnx_tagger import OnnxTagger, decode_spans, default_model_dir
from claimstream.training.ensemble import AveragedTagger

SENTENCE = "Russia will invade Ukraine"
OFFSETS = [(0, 6), (7, 11), (12, 18), (19, 26)]


class FakeTagger:
    """One head (threat), fixed inside probabilities for the four tokens of SENTENCE."""

    name = "fake"
    types = ("threat",)
    heads: tuple[str, ...] = ("threat",)
    grammar_min_inside = 0.0

    def __init__(self, version: str, inside: list[float], ids: list[int] | None = None) -> None:
        self.version = version
        self.inside = inside
        self.ids = ids or [1, 2, 3, 4]
        self.decode_settings: dict[str, Any] = {"mode": "inside", "threshold": 0.5}

    def token_probs(self, sentences: list[str]) -> tuple[list[Any], list[np.ndarray]]:
        p = np.zeros((len(self.inside), 1, 3), dtype=np.float32)
        p[:, 0, 2] = self.inside
        p[:, 0, 0] = 1.0 - p[:, 0, 2]
        enc = SimpleNamespace(ids=self.ids, offsets=OFFSETS)
        return [enc for _ in sentences], [p for _ in sentences]

    def decode(self, text: str, offsets: list[tuple[int, int]], probs: np.ndarray) -> list[Any]:
        return decode_spans(text, offsets, probs, self.types, **self.decode_settings)


def test_probabilities_are_averaged_and_decoded_with_the_ensembles_settings() -> None:
    sure = FakeTagger("a", [0.0, 0.9, 0.9, 0.9])
    unsure = FakeTagger("b", [0.0, 0.3, 0.3, 0.1])
    assert unsure.decode(SENTENCE, OFFSETS, unsure.token_probs([SENTENCE])[1][0]) == []
    ensemble = AveragedTagger([sure, unsure])
    _, probs = ensemble.token_probs([SENTENCE])
    assert probs[0][:, 0, 2] == pytest.approx([0.0, 0.6, 0.6, 0.5])
    (span,) = ensemble.tag([SENTENCE])[0]
    assert SENTENCE[span.start : span.end] == "will invade Ukraine"
    ensemble.decode_settings = {"mode": "inside", "threshold": 0.55}
    (span,) = ensemble.tag([SENTENCE])[0]
    assert SENTENCE[span.start : span.end] == "will invade"
    # the lead tagger's own settings are left as they were
    assert sure.decode_settings == {"mode": "inside", "threshold": 0.5}
    assert ensemble.version == "a + b"


def test_taggers_that_cannot_be_averaged_are_refused() -> None:
    with pytest.raises(ModelLoadError, match="at least two"):
        AveragedTagger([FakeTagger("a", [0, 0, 0, 0])])
    other = FakeTagger("b", [0, 0, 0, 0])
    other.heads = ("threat", "speaker")
    with pytest.raises(ModelLoadError, match="other heads"):
        AveragedTagger([FakeTagger("a", [0, 0, 0, 0]), other])
    split_differently = AveragedTagger(
        [FakeTagger("a", [0, 0, 0, 0]), FakeTagger("b", [0] * 4, [1, 2, 3, 5])]
    )
    with pytest.raises(ModelLoadError, match="tokenize"):
        split_differently.token_probs([SENTENCE])


def test_the_shipped_model_averaged_with_itself_tags_as_it_does_alone() -> None:
    model = OnnxTagger.load(default_model_dir())
    twice = AveragedTagger([model, OnnxTagger.load(default_model_dir())])
    sentences = [
        "Putin warned that Russia would respond with military measures if NATO expanded.",
        "The United States will send 3,000 more troops to Poland, the Pentagon said.",
        "It rained in Kyiv on Tuesday.",
    ]
    alone = model.tag(sentences)
    assert any(alone)
    assert twice.tag(sentences) == alone
