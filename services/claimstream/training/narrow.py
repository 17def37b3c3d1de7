"""Int8 weights narrowed to 7 bits, so the tagger computes the same claims on every x86 CPU.

ONNX Runtime multiplies uint8 activations by int8 weights with VNNI instructions where the CPU
has them (exact int32 sums) and otherwise, on AVX2 and AVX-512 without VNNI, with VPMADDUBSW,
which adds each pair of u8 x s8 products into a *saturating* int16. With full-range weights a
pair can reach 2 x 255 x 128 = 65,280 and is clipped at 32,767, so one model gives other
probabilities on another CPU. claim-tagger-1.9.0 scored 77.1 micro F1 on the evaluation set on
the machine it was trained on and 76.7 on a VNNI machine (ONNX Runtime 1.31.1 and 1.32.0
alike); its dev span F1 moved from 67.7 to 69.1. The old CPU is gone, so the saturation is the
documented cause, not one we watched happen; the fix removes it either way.
Weights within -64..64 keep every pair within 2 x 255 x 64 = 32,640, so both kernels compute
exactly. ``make train`` quantises with ONNX Runtime's ``reduce_range`` (training/export.py),
which puts the weights in that range from the fp32 graph.

Narrowing does it on the int8 graph itself, for a model committed without its fp32 graph, per
output column: a column whose weights already fit keeps them; a wider one is divided by the
smallest factor that fits, and its scale multiplied by it.

    python -m claimstream.training.narrow models/claim-tagger-1.9.0 \\
        --version claim-tagger-1.9.1+minilm-l6-int8
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

import numpy as np

# |weight| bound that keeps a VPMADDUBSW pair sum (two u8 x s8 products) within int16
WEIGHT_BOUND = 64


def _integer_matmuls(graph):  # type: ignore[no-untyped-def]
    """(weight, scale) initializer names of each QLinearMatMul whose weights are int8."""
    from onnx import TensorProto

    inits = {t.name: t for t in graph.initializer}
    for node in graph.node:
        if node.op_type == "QLinearMatMul":
            w = inits.get(node.input[3])
            if w is not None and w.data_type == TensorProto.INT8:
                yield node.input[3], node.input[4]


def widest_weight(model_path: Path) -> int:
    """The largest |weight| of the model's int8 QLinearMatMuls (0 if it has none)."""
    import onnx
    from onnx import numpy_helper

    graph = onnx.load(str(model_path)).graph
    inits = {t.name: t for t in graph.initializer}
    widest = 0
    for w, _ in _integer_matmuls(graph):
        widest = max(widest, int(np.abs(numpy_helper.to_array(inits[w]).astype(np.int32)).max()))
    return widest


def narrow_weights(src: Path, dst: Path, bound: int = WEIGHT_BOUND) -> dict[str, int]:
    """Write ``src``'s graph to ``dst`` with every int8 QLinearMatMul weight within ``bound``."""
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(src))
    inits = {t.name: t for t in model.graph.initializer}
    done: set[str] = set()
    columns = narrowed = 0
    for w_name, s_name in _integer_matmuls(model.graph):
        if w_name in done:  # one weight shared by two MatMuls is narrowed once
            continue
        done.add(w_name)
        q = numpy_helper.to_array(inits[w_name]).astype(np.int32)
        scale = numpy_helper.to_array(inits[s_name])
        # per output column (the last axis); a per-tensor scale has one "column"
        widest = np.abs(q).max(axis=tuple(range(q.ndim - 1))) if scale.ndim else np.abs(q).max()
        factor = np.maximum(widest / bound, 1.0)
        q_new = np.clip(np.round(q / factor), -bound, bound).astype(np.int8)
        inits[w_name].CopyFrom(numpy_helper.from_array(q_new, w_name))
        inits[s_name].CopyFrom(numpy_helper.from_array((scale * factor).astype(scale.dtype), s_name))
        columns += int(np.size(factor))
        narrowed += int(np.count_nonzero(factor > 1.0))
    dst.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(dst))
    return {"matmuls": len(done), "columns": columns, "columns_narrowed": narrowed}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("model_dir", type=Path, help="a tagger directory (model.int8.onnx, labels.json, ...)")
    p.add_argument("--version", required=True, help="the narrowed model's version string")
    p.add_argument("--models-dir", type=Path, default=None, help="where to write it (default: beside it)")
    args = p.parse_args(argv)
    name = args.version.split("+", 1)[0]
    dst = (args.models_dir or args.model_dir.parent) / name
    if dst.resolve() == args.model_dir.resolve():
        sys.exit("the narrowed model needs a version of its own")
    dst.mkdir(parents=True, exist_ok=True)
    for f in args.model_dir.iterdir():
        if f.name not in ("model.int8.onnx", "labels.json", "MODEL_CARD.md"):
            shutil.copy2(f, dst / f.name)
    stats = narrow_weights(args.model_dir / "model.int8.onnx", dst / "model.int8.onnx")
    labels = json.loads((args.model_dir / "labels.json").read_text(encoding="utf-8"))
    labels["narrowed_from"] = labels.get("narrowed_from") or labels["version"]
    labels["version"] = args.version
    (dst / "labels.json").write_text(json.dumps(labels, indent=2), encoding="utf-8")
    print(json.dumps({"wrote": str(dst), **stats, "widest_weight": widest_weight(dst / "model.int8.onnx")}))


if __name__ == "__main__":
    main()
