"""The int8 ONNX tagger: loads, offsets slice the input, batch order, long inputs, no torch."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from claimstream.extract.base import CLAIM_TYPES, SPEAKER, Extractor, Span
from claimstream.extract.onnx_tagger import OnnxTagger, decode_spans, default_model_dir, windows

# Our own sentences (no corpus text in the repo).
SENTENCES = [
    "The defence minister said the country would send 3,000 troops to the border next month.",
    "Officials warned that any incursion would be met with severe consequences.",
    "It rained in the capital on Tuesday.",
    "The company pledged to stop all flights to the region by the end of the year, a spokeswoman said.",
    "",
    "   ",
    "Up to 40,000 soldiers have gathered near the frontier, according to satellite images.",
]


@pytest.fixture(scope="module")
def tagger() -> OnnxTagger:
    try:
        model_dir = default_model_dir()
    except FileNotFoundError:
        pytest.skip("no tagger model under models/")
    return OnnxTagger.load(model_dir, intra_op_num_threads=1)


def test_loads_and_is_an_extractor(tagger: OnnxTagger) -> None:
    assert isinstance(tagger, Extractor)
    meta = json.loads((default_model_dir() / "labels.json").read_text())
    assert tagger.version == meta["version"]
    assert tagger.version.startswith("claim-tagger-")
    assert meta["labels"][0] == "O" and len(meta["labels"]) == 7
    assert tuple(meta["types"]) == CLAIM_TYPES


def test_spans_slice_the_sentence_exactly(tagger: OnnxTagger) -> None:
    out = tagger.tag(SENTENCES)
    assert len(out) == len(SENTENCES)
    assert out[4] == [] and out[5] == []
    found = 0
    for text, spans in zip(SENTENCES, out, strict=True):
        for sp in spans:
            found += 1
            # claim spans, and the speaker head's mentions beside them
            assert isinstance(sp, Span) and sp.type in (*CLAIM_TYPES, SPEAKER)
            assert 0 <= sp.start < sp.end <= len(text)
            piece = text[sp.start : sp.end]
            assert (piece == piece.strip() and piece[0].isalnum()) or piece[0] in "$€£"
            assert piece[-1] not in ",;:.!? "
            # whole words only
            assert sp.start == 0 or not (text[sp.start - 1].isalnum() and piece[0].isalnum())
            assert sp.end == len(text) or not (text[sp.end].isalnum() and piece[-1].isalnum())
            assert 0.0 < sp.score <= 1.0
    assert found > 0, "the model found nothing in sentences full of claims"


def test_finds_obvious_claims(tagger: OnnxTagger) -> None:
    out = tagger.tag(SENTENCES)
    assert any(s.type == "troop_count" and "40,000" in SENTENCES[6][s.start : s.end] for s in out[6])
    assert any(s.type == "commitment" for s in out[3])


def _covered(spans: list[Span], others: list[Span], min_score: float = 0.8) -> bool:
    """Every confident span of ``spans`` overlaps a span of the same type in ``others``."""
    return all(
        any(o.type == s.type and o.start < s.end and s.start < o.end for o in others)
        for s in spans
        if s.score >= min_score
    )


def test_batch_order_preserved(tagger: OnnxTagger) -> None:
    # int8 dynamic quantisation takes activation scales per batch tensor, so probabilities move with
    # the batch's composition (the fp32 graph is exact): borderline spans may appear, vanish or change
    # their ends; confident ones stay. The exact check of ordering is the fake-session test below.
    one_by_one = [tagger.tag([s])[0] for s in SENTENCES]
    batched = tagger.tag(SENTENCES)
    backwards = tagger.tag(SENTENCES[::-1])[::-1]
    for a, b, c in zip(one_by_one, batched, backwards, strict=True):
        assert _covered(a, b) and _covered(b, a)
        assert _covered(b, c) and _covered(c, b)
    assert any(s.type == "troop_count" for s in batched[6]) and not batched[2]


class _FakeInput:
    def __init__(self, name: str) -> None:
        self.name = name


class FakeSession:
    """Deterministic per-token 'model': a token is tagged troop_count B when its id is odd, I when
    the previous token's id is odd too; every row is independent of the rest of the batch."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, int]] = []

    def get_inputs(self) -> list[_FakeInput]:
        return [_FakeInput("input_ids"), _FakeInput("attention_mask")]

    def run(self, names: list[str], feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
        ids = feeds["input_ids"]
        self.calls.append(ids.shape)
        odd = (ids % 2 == 1) & (feeds["attention_mask"] == 1)
        prev = np.zeros_like(odd)
        prev[:, 1:] = odd[:, :-1]
        tag = np.where(odd & prev, 2, np.where(odd, 1, 0))
        probs = np.full((*ids.shape, 3, 3), 0.05, dtype=np.float32)
        probs[..., 0] = 0.9  # O for every type...
        k = CLAIM_TYPES.index("troop_count")
        probs[:, :, k, :] = 0.05
        np.put_along_axis(probs[:, :, k, :], tag[..., None], 0.9, axis=-1)
        return [probs]


def test_subbatching_windows_and_order_exact() -> None:
    try:
        model_dir = default_model_dir()
    except FileNotFoundError:
        pytest.skip("no tokenizer under models/")
    real = OnnxTagger.load(model_dir, intra_op_num_threads=1)
    meta = {"version": "fake", "types": list(CLAIM_TYPES), "max_length": 16}
    long_text = " ".join(f"word{i} troops {i * 7}" for i in range(60))  # far beyond 16 tokens
    texts = [*SENTENCES, long_text, "short one"]
    results = []
    for cap, order in ((8192, 1), (40, 1), (20, -1)):
        fake = FakeSession()
        t = OnnxTagger(fake, real.tokenizer, meta, max_tokens_per_batch=cap, stride=4)
        out = t.tag(texts[::order])[::order]
        assert all(r * c <= max(cap, 16) for r, c in fake.calls)
        results.append([[(s.type, s.start, s.end) for s in x] for x in out])
    assert results[0] == results[1] == results[2]
    # one sentence at a time gives the same answer
    fake = FakeSession()
    t = OnnxTagger(fake, real.tokenizer, meta, stride=4)
    assert [[(s.type, s.start, s.end) for s in t.tag([x])[0]] for x in texts] == results[0]
    # every token of the long text was seen: the spans reach its last words
    assert max(e for _, _, e in results[0][len(SENTENCES)]) > len(long_text) - 30


def test_long_input_is_not_truncated(tagger: OnnxTagger) -> None:
    filler = "the weather stayed mild and the markets were calm, "
    claim = "the defence minister said the country would send 3,000 troops to the border next month"
    text = "In other news, " + filler * 60 + claim + "."
    n_tokens = len(tagger.tokenizer.encode(text, add_special_tokens=False).ids)
    assert n_tokens > 512
    [spans] = tagger.tag([text])
    tail = len(text) - len(claim) - 1
    assert all(0 <= s.start < s.end <= len(text) for s in spans)
    assert any(
        s.type == "troop_count" and s.start >= tail and "3,000" in text[s.start : s.end] for s in spans
    )
    # the context differs from the sentence alone, so the spans may differ a little, but the claim
    # at the end of a >512-token input is found where it is
    [alone] = tagger.tag([claim])
    types_alone = {s.type for s in alone}
    assert types_alone <= {s.type for s in spans if s.end > tail}


def test_windows_cover_every_token() -> None:
    for n in (0, 1, 126, 127, 300, 1000):
        ws = windows(n, 126, 32)
        covered = set()
        for a, b in ws:
            assert 0 <= a < b <= max(n, 1) or n == 0
            assert b - a <= 126
            covered.update(range(a, b))
        assert covered == set(range(n))


def test_decode_spans_per_type_overlap_and_trimming() -> None:
    text = "They will send 5,000 troops."
    offsets = [(0, 4), (5, 9), (10, 14), (15, 16), (16, 17), (17, 20), (21, 27), (27, 28)]
    tags = {  # commitment over "will send 5,000 troops.", troop_count over "5,000 troops"
        "commitment": [0, 1, 2, 2, 2, 2, 2, 2],
        "troop_count": [0, 0, 0, 1, 2, 2, 2, 0],
    }
    probs = np.zeros((len(offsets), 3, 3), dtype=np.float32)
    probs[:, :, 0] = 1.0
    for typ, seq in tags.items():
        k = CLAIM_TYPES.index(typ)
        probs[:, k, :] = np.eye(3, dtype=np.float32)[seq] * 0.9 + 0.1 / 3 * (1 - np.eye(3)[seq])
    spans = decode_spans(text, offsets, probs)
    got = {(s.type, text[s.start : s.end]) for s in spans}
    assert got == {("commitment", "will send 5,000 troops"), ("troop_count", "5,000 troops")}
    assert all(abs(s.score - 0.9) < 1e-4 for s in spans)


@pytest.mark.parametrize(
    ("text", "piece", "evidence"),
    [
        ("on Russia’s border with Ukraine", "s border with Ukraine", "border with Ukraine"),
        ("on Russia's border with Ukraine", "s border", "border"),
        ("on Russia’s border with Ukraine", "’s border", "border"),  # the piece the tagger opened on
        ("the warning of Russia’s leaders", "the warning of Russia’", "the warning of Russia’s"),
        ("Moscow's plans, Kyiv’s fears", "Kyiv’s fears", "Kyiv’s fears"),
        ("as Mr Ross said", "s said", "Ross said"),  # an s that is no possessive widens to its word
    ],
)
def test_a_possessive_s_is_never_a_span_edge_of_its_own(text: str, piece: str, evidence: str) -> None:
    from claimstream.extract.onnx_tagger import _trim

    a = text.index(piece)
    start, end = _trim(text, a, a + len(piece))
    assert text[start:end] == evidence


def test_runtime_never_imports_torch() -> None:
    code = textwrap.dedent(
        """
        import sys, time
        t = time.perf_counter()
        from claimstream.extract.onnx_tagger import OnnxTagger, default_model_dir
        tagger = OnnxTagger.load(default_model_dir(), intra_op_num_threads=1)
        ready = time.perf_counter() - t
        out = tagger.tag(["The minister said the country would send 3,000 troops to the border."])
        assert isinstance(out, list) and len(out) == 1
        assert "torch" not in sys.modules, "torch was imported"
        assert "transformers" not in sys.modules, "transformers was imported"
        print(f"ready_s={ready:.2f}")
        """
    )
    try:
        default_model_dir()
    except FileNotFoundError:
        pytest.skip("no tagger model under models/")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    ready = float(res.stdout.strip().split("ready_s=")[1])
    assert ready < 15.0  # target < 5 s on an idle machine; generous for loaded CI boxes


def test_decode_joins_small_gaps_and_drops_weak_spans() -> None:
    text = "They will surely send troops soon"
    offsets = [(0, 4), (5, 9), (10, 16), (17, 21), (22, 28), (29, 33)]
    k = CLAIM_TYPES.index("commitment")
    probs = np.zeros((len(offsets), 3, 3), dtype=np.float32)
    probs[:, :, 0] = 1.0
    # O B O I I O for commitment: one span with a one-token hole
    for i, (tag, p) in enumerate(zip([0, 1, 0, 2, 2, 0], [0.9, 0.9, 0.6, 0.9, 0.9, 0.9], strict=True)):
        probs[i, k] = (1 - p) / 2
        probs[i, k, tag] = p
    plain = decode_spans(text, offsets, probs)
    assert [text[s.start : s.end] for s in plain] == ["will", "send troops"]
    joined = decode_spans(text, offsets, probs, max_gap=1)
    assert [text[s.start : s.end] for s in joined] == ["will surely send troops"]
    assert joined[0].score == pytest.approx(0.9, abs=1e-4)
    assert decode_spans(text, offsets, probs, max_gap=1, min_score=0.95) == []


def test_inside_decoding_keeps_a_clause_whole_where_argmax_splits_it() -> None:
    text = "Russia will respond with force if attacked"
    offsets = [(0, 6), (7, 11), (12, 19), (20, 24), (25, 30), (31, 33), (34, 42)]
    k = CLAIM_TYPES.index("threat")
    probs = np.zeros((len(offsets), 3, 3), dtype=np.float32)
    probs[:, :, 0] = 1.0
    # (O, B, I) per token: the model hesitates between B and I on "with" and "if"
    rows = [(0.9, 0.05, 0.05), (0.1, 0.8, 0.1), (0.1, 0.1, 0.8), (0.2, 0.45, 0.35),
            (0.1, 0.1, 0.8), (0.3, 0.4, 0.3), (0.2, 0.1, 0.7)]  # fmt: skip
    probs[:, k] = np.array(rows, dtype=np.float32)
    argmax = decode_spans(text, offsets, probs)
    assert [text[s.start : s.end] for s in argmax] == ["will respond", "with force", "if attacked"]
    inside = decode_spans(text, offsets, probs, mode="inside", threshold=0.5)
    assert [text[s.start : s.end] for s in inside] == ["will respond with force if attacked"]
    assert inside[0].score == pytest.approx(np.mean([0.9, 0.9, 0.8, 0.9, 0.7, 0.8]), abs=1e-4)
    # a lower inside probability than the threshold on "with" cuts the span there, unless the gap is joined
    probs[3, k] = (0.6, 0.2, 0.2)
    cut = decode_spans(text, offsets, probs, mode="inside", threshold=0.5)
    assert [text[s.start : s.end] for s in cut] == ["will respond", "force if attacked"]
    joined = decode_spans(text, offsets, probs, mode="inside", threshold=0.5, max_gap=1)
    assert [text[s.start : s.end] for s in joined] == ["will respond with force if attacked"]
    assert decode_spans(text, offsets, probs, mode="inside", min_score=0.95) == []
    with pytest.raises(ValueError, match="decode mode"):
        decode_spans(text, offsets, probs, mode="crf")


def test_a_sentence_gets_the_same_probabilities_alone_and_in_any_batch(tagger: OnnxTagger) -> None:
    # static int8: fixed activation scales, so a redelivered article gets the same claims (and
    # claim ids) whatever else shares its micro-batch
    target = "The minister warned that the army would strike back if the border was crossed again."
    others = [
        "Up to 100,000 Russian troops have been massing near the border for weeks.",
        "He said it" + " very" * 90 + " loudly.",
        "Officials promised to deliver 40 ambulances by March.",
        "x",
    ]
    _, [alone] = tagger.token_probs([target])
    for batch in ([target, *others], [*others, target], [others[1], target, others[0]] * 3):
        _, probs = tagger.token_probs(batch)
        for i, s in enumerate(batch):
            if s == target:
                np.testing.assert_array_equal(probs[i], alone)
