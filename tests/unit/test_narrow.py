"""Int8 weights narrowed to 7 bits: the same products on CPUs with and without VNNI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from claimstream.extract.onnx_tagger import default_model_dir
from claimstream.training.narrow import WEIGHT_BOUND, main, narrow_weights, widest_weight
from onnx import TensorProto, helper, numpy_helper

K, N = 32, 6


def pairwise_saturating(a: np.ndarray, w: np.ndarray) -> np.ndarray:
    """a @ w as the non-VNNI x86 kernel sums it: each pair of u8 x s8 products along K added into a
    saturating int16 (VPMADDUBSW), then the pairs added in int32."""
    prod = a.astype(np.int32)[:, :, None] * w.astype(np.int32)[None, :, :]  # [M, K, N]
    pairs = prod[:, 0::2, :] + prod[:, 1::2, :]
    return np.clip(pairs, -32768, 32767).sum(axis=1)


def _model(path: Path, weights: np.ndarray, scales: np.ndarray) -> Path:
    """A graph of one QLinearMatMul: uint8 activations [M, K] by int8 weights [K, N] per column."""
    inits = [
        numpy_helper.from_array(np.array(0.05, dtype=np.float32), "a_scale"),
        numpy_helper.from_array(np.array(0, dtype=np.uint8), "a_zero"),
        numpy_helper.from_array(weights.astype(np.int8), "w"),
        numpy_helper.from_array(scales.astype(np.float32), "w_scale"),
        numpy_helper.from_array(np.zeros(N, dtype=np.int8), "w_zero"),
        numpy_helper.from_array(np.array(4.0, dtype=np.float32), "y_scale"),
        numpy_helper.from_array(np.array(128, dtype=np.uint8), "y_zero"),
    ]
    node = helper.make_node(
        "QLinearMatMul",
        ["a", "a_scale", "a_zero", "w", "w_scale", "w_zero", "y_scale", "y_zero"],
        ["y"],
        name="mm_quant",
    )
    graph = helper.make_graph(
        [node],
        "g",
        [helper.make_tensor_value_info("a", TensorProto.UINT8, ["m", K])],
        [helper.make_tensor_value_info("y", TensorProto.UINT8, ["m", N])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, str(path))
    return path


def _weights(path: Path) -> tuple[np.ndarray, np.ndarray]:
    inits = {t.name: numpy_helper.to_array(t) for t in onnx.load(str(path)).graph.initializer}
    return inits["w"], inits["w_scale"]


@pytest.fixture
def full_range(tmp_path: Path) -> Path:
    rng = np.random.default_rng(0)
    w = rng.integers(-128, 128, size=(K, N))
    w[:, 0] = np.clip(w[:, 0], -40, 40)  # one column already narrow
    w[0:2, 1] = 127  # a pair that saturates against activations of 255
    return _model(tmp_path / "full.onnx", w, np.linspace(0.01, 0.06, N))


def test_full_range_weights_saturate_the_non_vnni_kernel(full_range: Path) -> None:
    w, _ = _weights(full_range)
    a = np.full((1, K), 255, dtype=np.uint8)
    assert not np.array_equal(pairwise_saturating(a, w), a.astype(np.int32) @ w.astype(np.int32))


def test_narrowed_weights_never_saturate(full_range: Path, tmp_path: Path) -> None:
    out = tmp_path / "narrow.onnx"
    stats = narrow_weights(full_range, out)
    w, _ = _weights(out)
    assert widest_weight(out) <= WEIGHT_BOUND
    assert stats == {"matmuls": 1, "columns": N, "columns_narrowed": N - 1}
    rng = np.random.default_rng(1)
    acts = np.vstack([np.full((1, K), 255), rng.integers(0, 256, size=(200, K))]).astype(np.uint8)
    worst = np.where(w > 0, 255, 0).T.astype(np.uint8)  # per column, the largest positive sum
    for a in (acts, worst):
        assert np.array_equal(pairwise_saturating(a, w), a.astype(np.int32) @ w.astype(np.int32))


def test_narrowing_keeps_the_products_and_leaves_narrow_columns(full_range: Path, tmp_path: Path) -> None:
    out = tmp_path / "narrow.onnx"
    narrow_weights(full_range, out)
    w0, s0 = _weights(full_range)
    w1, s1 = _weights(out)
    assert np.array_equal(w0[:, 0], w1[:, 0]) and s0[0] == s1[0]
    real0 = w0.astype(np.float64) * s0
    real1 = w1.astype(np.float64) * s1
    # each weight moves by at most half of its column's new step
    assert np.all(np.abs(real1 - real0) <= s1 / 2 + 1e-9)
    a = np.random.default_rng(2).integers(0, 256, size=(64, K)).astype(np.uint8)
    y0, y1 = (
        ort.InferenceSession(str(p), providers=["CPUExecutionProvider"]).run(["y"], {"a": a})[0]
        for p in (full_range, out)
    )
    # outputs are uint8 on a step of 4.0; narrowing moves them by a step or two at most
    assert np.abs(y0.astype(int) - y1.astype(int)).max() <= 2


def test_cli_writes_a_new_version_beside_the_old(full_range: Path, tmp_path: Path) -> None:
    src = tmp_path / "models" / "claim-tagger-0.0.1"
    src.mkdir(parents=True)
    (src / "model.int8.onnx").write_bytes(full_range.read_bytes())
    (src / "labels.json").write_text(json.dumps({"version": "claim-tagger-0.0.1+x"}), encoding="utf-8")
    (src / "tokenizer.json").write_text("{}", encoding="utf-8")
    main([str(src), "--version", "claim-tagger-0.0.2+x"])
    dst = tmp_path / "models" / "claim-tagger-0.0.2"
    labels = json.loads((dst / "labels.json").read_text(encoding="utf-8"))
    assert labels == {"version": "claim-tagger-0.0.2+x", "narrowed_from": "claim-tagger-0.0.1+x"}
    assert (dst / "tokenizer.json").exists()
    assert widest_weight(dst / "model.int8.onnx") <= WEIGHT_BOUND < widest_weight(src / "model.int8.onnx")
    with pytest.raises(SystemExit):
        main([str(src), "--version", "claim-tagger-0.0.1+y"])


def test_the_shipped_model_computes_alike_on_every_cpu() -> None:
    assert 0 < widest_weight(default_model_dir() / "model.int8.onnx") <= WEIGHT_BOUND
