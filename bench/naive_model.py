"""The naive peer's model: the service's fine-tuned weights as a transformers checkpoint (torch fp32).

``ensure(model_dir)`` returns a directory that ``transformers.pipeline("token-classification")``
loads: a ``BertForTokenClassification`` with 3 outputs per head (3 claim types, and from 1.7.0
the speaker head, x O/B/I: the same linear head as the service's tagger) plus the tagger's
tokenizer. It is built once per model version under ``build/naive-peer/`` (gitignored) from, in
order of preference:

1. the torch checkpoint of the same version that ``make train`` leaves under ``var/``
   (``var/*/checkpoint.pt`` with a ``train_meta.json`` naming the version): the exact fp32 weights;
2. otherwise (a fresh clone has no ``var/``) the committed int8 ONNX model, de-quantised back to
   fp32: the same fine-tuned weights up to int8 rounding. Each quantised MatMul is named after
   the module it came from, so no guessing is involved.

Either way the result is checked against the int8 ONNX model on a probe sentence and the
largest probability difference is reported. Needs torch and transformers (``pip install '.[train]'``):
only the benchmark uses this module, never the service.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
BUILD = REPO / "build" / "naive-peer"
TAGS = ("O", "B", "I")
#: all-MiniLM-L6-v2's architecture, used when the base model package is not installed
BERT_CONFIG = {
    "architectures": ["BertForTokenClassification"],
    "model_type": "bert",
    "vocab_size": 30522,
    "hidden_size": 384,
    "num_hidden_layers": 6,
    "num_attention_heads": 12,
    "intermediate_size": 1536,
    "hidden_act": "gelu",
    "hidden_dropout_prob": 0.1,
    "attention_probs_dropout_prob": 0.1,
    "max_position_embeddings": 512,
    "type_vocab_size": 2,
    "initializer_range": 0.02,
    "layer_norm_eps": 1e-12,
    "pad_token_id": 0,
}


def labels(types: list[str]) -> dict[int, str]:
    """Output k = type index * 3 + tag; every O is plain "O" so the pipeline skips it."""
    return {
        t * 3 + k: ("O" if tag == "O" else f"{tag}-{typ}")
        for t, typ in enumerate(types)
        for k, tag in enumerate(TAGS)
    }


def find_checkpoint(version: str, var: Path = REPO / "var") -> Path | None:
    for meta in sorted(var.glob("*/train_meta.json")):
        try:
            if (
                json.loads(meta.read_text(encoding="utf-8")).get("version") == version
                and (meta.parent / "checkpoint.pt").exists()
            ):
                return meta.parent
        except (OSError, ValueError):
            continue
    return None


def state_from_checkpoint(ckpt: Path) -> dict[str, Any]:
    import torch

    state = torch.load(ckpt / "checkpoint.pt", map_location="cpu")
    out = {}
    for k, v in state.items():
        if k.startswith("encoder.") and not k.startswith("encoder.pooler."):
            out["bert." + k.removeprefix("encoder.")] = v
        elif k.startswith("head."):
            out["classifier." + k.removeprefix("head.")] = v
    return out


def state_from_onnx(path: Path) -> dict[str, Any]:
    """fp32 weights of BertForTokenClassification from the int8 ONNX graph (dynamic or static)."""
    import onnx
    import torch
    from onnx import numpy_helper

    graph = onnx.load(str(path)).graph
    init = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    out: dict[str, Any] = {}

    def put(name: str, arr: np.ndarray) -> None:
        out[name] = torch.from_numpy(np.array(arr, dtype=np.float32, copy=True))

    def deq(base: str) -> np.ndarray:
        q = init[base + "_quantized"].astype(np.float32)
        zp = init.get(base + "_zero_point")
        scale = init[base + "_scale"]
        if scale.ndim == 1 and scale.size > 1 and scale.size != q.shape[-1]:
            # per-row scales (a per-channel Gather table): broadcast along the rows
            scale = scale.reshape(-1, *([1] * (q.ndim - 1)))
            zp = zp.reshape(scale.shape) if zp is not None else None
        return (q - (zp.astype(np.float32) if zp is not None else 0.0)) * scale

    for name, arr in init.items():
        if name.startswith("inner.") and not name.endswith(("_quantized", "_scale", "_zero_point")):
            put(_hf_name(name.removeprefix("inner.")), arr)
        elif name.startswith("inner.") and name.endswith("_quantized"):
            put(
                _hf_name(name.removeprefix("inner.").removesuffix("_quantized")),
                deq(name.removesuffix("_quantized")),
            )
    # MatMul weights are anonymous; the node's output names the module it came from. Dynamic int8
    # graphs hold MatMulInteger nodes, static ones QLinearMatMul, and MatMuls kept fp32 (the head)
    # stay MatMul with a plain initializer.
    for node in graph.node:
        if node.op_type == "MatMulInteger":
            w = node.input[1]
        elif node.op_type == "QLinearMatMul":
            w = node.input[3]
        elif node.op_type == "MatMul" and node.input[1] in init:
            w = node.input[1]
        else:
            continue
        m = re.match(r"/inner/(.+)/MatMul_output_0(?:_quantized)?$", node.output[0])
        if not m:
            raise ValueError(f"unexpected MatMul {node.output[0]!r}")
        module = m.group(1).replace("/", ".")
        weight = deq(w.removesuffix("_quantized")) if w.endswith("_quantized") else init[w]
        put(_hf_name(module + ".weight"), weight.T)  # [in, out] -> [out, in]
    return out


def _hf_name(name: str) -> str:
    """``encoder.encoder.layer.0...`` (TaggerModel) -> ``bert.encoder.layer.0...``; head -> classifier."""
    if name.startswith("head."):
        return "classifier." + name.removeprefix("head.")
    return "bert." + name.removeprefix("encoder.")


def _config(types: list[str]) -> dict[str, Any]:
    cfg = dict(BERT_CONFIG)
    try:
        from claimstream.training.dataset import base_model_dir

        base = json.loads((base_model_dir() / "config.json").read_text(encoding="utf-8"))
        cfg.update({k: base[k] for k in BERT_CONFIG if k in base and k != "architectures"})
    except Exception:  # the base model package is optional here
        pass
    id2label = labels(types)
    cfg["id2label"] = {str(k): v for k, v in id2label.items()}
    cfg["label2id"] = {v: k for k, v in id2label.items()}
    cfg["num_labels"] = len(id2label)
    return cfg


def ensure(
    model_dir: Path, build: Path = BUILD, *, log: Any = print, from_onnx: bool = False
) -> tuple[Path, dict[str, Any]]:
    """The transformers checkpoint of ``model_dir``'s tagger, built if missing; and how it was made."""
    meta = json.loads((model_dir / "labels.json").read_text(encoding="utf-8"))
    version = meta["version"]
    out = build / re.sub(r"[^A-Za-z0-9._-]", "_", version)
    info_path = out / "naive-source.json"
    if info_path.exists() and (out / "model.safetensors").exists():
        return out, json.loads(info_path.read_text(encoding="utf-8"))
    import torch
    from transformers import BertConfig, BertForTokenClassification

    # every output head (from 1.7.0 the claim types and "speaker"), so that the linear head fits
    types = list(meta.get("heads", meta.get("types", ["threat", "commitment", "troop_count"])))
    ckpt = None if from_onnx else find_checkpoint(version)
    if ckpt is not None:
        state, source = state_from_checkpoint(ckpt), f"torch checkpoint {ckpt.relative_to(REPO)}"
    else:
        state, source = state_from_onnx(model_dir / "model.int8.onnx"), "int8 ONNX de-quantised to fp32"
    log(f"naive peer model: {version} from {source}")
    model = BertForTokenClassification(BertConfig(**_config(types)))
    missing, unexpected = model.load_state_dict(state, strict=False)
    missing = [k for k in missing if not k.endswith("position_ids")]
    if missing or unexpected:
        raise RuntimeError(f"weights do not fit: missing {missing[:5]}, unexpected {unexpected[:5]}")
    model.eval()
    diff = _probe_diff(model, model_dir, len(types))
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    model.save_pretrained(tmp)
    for name in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"):
        if (model_dir / name).exists():
            shutil.copyfile(model_dir / name, tmp / name)
    info = {
        "version": version,
        "source": source,
        "max_abs_prob_diff_vs_int8_onnx": diff,
        "torch": torch.__version__,
    }
    (tmp / "naive-source.json").write_text(json.dumps(info, indent=2), encoding="utf-8")
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    return out, info


def _probe_diff(model: Any, model_dir: Path, n_types: int) -> float:
    """Largest |p_torch - p_onnx| over the probe's tokens and tags."""
    import onnxruntime as ort
    import torch
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    text = "The United States will respond decisively if Russia invades, and 8,500 troops are on alert."
    ids = np.array([tok.encode(text).ids], dtype=np.int64)
    mask = np.ones_like(ids)
    sess = ort.InferenceSession(str(model_dir / "model.int8.onnx"), providers=["CPUExecutionProvider"])
    want = sess.run(["probs"], {"input_ids": ids, "attention_mask": mask})[0]
    with torch.no_grad():
        logits = model(input_ids=torch.from_numpy(ids), attention_mask=torch.from_numpy(mask)).logits
    got = logits.view(*logits.shape[:2], n_types, 3).softmax(-1).numpy()
    return round(float(np.abs(got - want).max()), 4)


if __name__ == "__main__":
    import sys

    from claimstream.extract.onnx_tagger import default_model_dir

    args = [a for a in sys.argv[1:] if a != "--from-onnx"]
    build = BUILD.with_name("naive-peer-from-onnx") if "--from-onnx" in sys.argv else BUILD
    path, how = ensure(
        Path(args[0]) if args else default_model_dir(), build, from_onnx="--from-onnx" in sys.argv
    )
    print(path, json.dumps(how))
