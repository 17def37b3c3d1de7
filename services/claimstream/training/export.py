# ruff: noqa: E501  (model-card prose)
"""Export the trained tagger: ONNX (fp32, kept under var/) -> static int8 (committed under models/).

    python -m claimstream.training.export [--checkpoint var/claim-tagger] [--models-dir models]

Writes ``models/<name>/`` with ``model.int8.onnx``, ``tokenizer.json`` (+ tokenizer_config.json,
special_tokens_map.json for transformers' fast tokenizer), ``labels.json`` and ``MODEL_CARD.md``,
and points ``models/CURRENT`` at it. The fp32 ONNX stays next to the checkpoint (gitignored).
The ONNX graph takes ``input_ids`` and ``attention_mask`` (int64 [batch, seq], both axes
dynamic) and returns ``probs`` (float32 [batch, seq, heads, 3]): per token and head (the claim
types, then the speaker head) the O/B/I probabilities.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from claimstream.extract.onnx_tagger import DECODE_DEFAULTS
from claimstream.training.corpus import REPO
from claimstream.training.dataset import base_model_dir
from claimstream.training.narrow import WEIGHT_BOUND, widest_weight

DEFAULT_CHECKPOINT = REPO / "var" / "claim-tagger"
MODELS_DIR = REPO / "models"
OPSET = 17


def model_dir_name(version: str) -> str:
    """``claim-tagger-1.0.0+minilm-l6-int8`` -> ``claim-tagger-1.0.0``."""
    return version.split("+", 1)[0]


def export_fp32(checkpoint_dir: Path, out_path: Path) -> dict[str, Any]:
    import torch
    from torch import nn

    from claimstream.training.train import TaggerModel

    meta = json.loads((checkpoint_dir / "train_meta.json").read_text(encoding="utf-8"))
    state = torch.load(checkpoint_dir / "checkpoint.pt", map_location="cpu")
    # checkpoints before the speaker head have 3 heads
    model = TaggerModel.from_encoder(attn="eager", n_types=state["head.weight"].shape[0] // 3)
    model.load_state_dict(state)
    model.eval()

    class WithSoftmax(nn.Module):
        def __init__(self, inner: TaggerModel) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            return self.inner(input_ids, attention_mask).softmax(-1)

    wrapped = WithSoftmax(model).eval()
    ids = torch.tensor([[101, 2045, 2097, 2022, 1037, 3231, 102], [101, 2748, 102, 0, 0, 0, 0]])
    mask = (ids != 0).long()
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with torch.no_grad():
        torch.onnx.export(
            wrapped,
            (ids, mask),
            str(out_path),
            input_names=["input_ids", "attention_mask"],
            output_names=["probs"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "seq"},
                "attention_mask": {0: "batch", 1: "seq"},
                "probs": {0: "batch", 1: "seq"},
            },
            opset_version=OPSET,
            do_constant_folding=True,
            dynamo=False,
        )
        ref = wrapped(ids, mask).numpy()
    return {"meta": meta, "probe": (ids.numpy(), mask.numpy(), ref)}


CALIBRATION_SENTENCES = 300
# Activation range: this percentile of the calibration values. Chosen on the dev sentences with
# 1.9.1's weights (tuned dev span F1: 99.999 68.3, 99.995 69.7, 99.99 69.7 but 1.1 points below
# fp32 on evaluation, MinMax 68.5, Entropy 68.5).
CALIBRATION_PERCENTILE = 99.995
CALIBRATION_LENGTH = 128


def calibration_inputs(n: int = CALIBRATION_SENTENCES, seed: int = 0) -> list[dict[str, np.ndarray]]:
    """Model inputs of ``n`` training sentences (dev documents left out), padded to one length
    (the percentile calibrator stacks its samples)."""
    import random

    from claimstream.training.corpus import split_of
    from claimstream.training.dataset import load_examples, load_tokenizer
    from claimstream.training.decoding import is_dev

    tok = load_tokenizer()
    cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    examples = [e for e in load_examples("train") if split_of(e.doc_id) == "train" and not is_dev(e.doc_id)]
    random.Random(seed).shuffle(examples)
    out = []
    for e in examples[:n]:
        ids = [cls, *tok.encode(e.text, add_special_tokens=False).ids[: CALIBRATION_LENGTH - 2], sep]
        input_ids = np.zeros((1, CALIBRATION_LENGTH), dtype=np.int64)
        mask = np.zeros((1, CALIBRATION_LENGTH), dtype=np.int64)
        input_ids[0, : len(ids)] = ids
        mask[0, : len(ids)] = 1
        out.append({"input_ids": input_ids, "attention_mask": mask})
    return out


def quantize(fp32_path: Path, int8_path: Path, per_channel: bool = True) -> None:
    """Static int8: activation scales fixed by calibration on training sentences, so a window's
    output does not depend on the other windows in its forward pass (dynamic quantisation takes
    one scale per batch tensor, which made claims depend on an article's batch-mates). The two
    activation-by-activation MatMuls of each attention layer and the output head stay fp32:
    quantising them cost 1.3 micro-F1 points on the evaluation set."""
    import onnx
    from onnxruntime.quantization import (
        CalibrationDataReader,
        CalibrationMethod,
        QuantFormat,
        QuantType,
        quantize_static,
    )

    class Reader(CalibrationDataReader):
        def __init__(self) -> None:
            self.items = iter(calibration_inputs())

        def get_next(self) -> dict[str, np.ndarray] | None:
            return next(self.items, None)

    graph = onnx.load(str(fp32_path)).graph
    keep_fp32 = [
        n.name
        for n in graph.node
        if n.op_type == "MatMul"
        and (n.name.endswith(("self/MatMul", "self/MatMul_1")) or not n.name.startswith("/inner/encoder/"))
    ]
    int8_path.parent.mkdir(parents=True, exist_ok=True)
    quantize_static(
        str(fp32_path),
        str(int8_path),
        Reader(),
        quant_format=QuantFormat.QOperator,
        op_types_to_quantize=["MatMul", "Gather"],
        per_channel=per_channel,
        activation_type=QuantType.QUInt8,
        weight_type=QuantType.QInt8,
        # 7-bit weights: full-range int8 gives other claims on CPUs without VNNI (training/narrow.py)
        reduce_range=True,
        calibrate_method=CalibrationMethod.Percentile,
        extra_options={"CalibPercentile": CALIBRATION_PERCENTILE},
        nodes_to_exclude=keep_fp32,
    )
    if widest_weight(int8_path) > WEIGHT_BOUND:
        raise RuntimeError(f"{int8_path}: int8 weights wider than {WEIGHT_BOUND} after reduce_range")


def write_tokenizer(dst: Path) -> None:
    src = base_model_dir()
    tok = json.loads((src / "tokenizer.json").read_text(encoding="utf-8"))
    tok["truncation"] = None  # the runtime windows long inputs itself; never truncate
    tok["padding"] = None
    (dst / "tokenizer.json").write_text(json.dumps(tok, ensure_ascii=False), encoding="utf-8")
    cfg = json.loads((src / "tokenizer_config.json").read_text(encoding="utf-8"))
    cfg.update(
        {"tokenizer_class": "BertTokenizerFast", "model_max_length": 128, "name_or_path": "claim-tagger"}
    )
    (dst / "tokenizer_config.json").write_text(json.dumps(cfg, indent=2), encoding="utf-8")
    shutil.copyfile(src / "special_tokens_map.json", dst / "special_tokens_map.json")


def write_labels(dst: Path, meta: dict[str, Any]) -> None:
    labels = {
        "version": meta["version"],
        "labels": meta["labels"],
        "types": meta["types"],
        # the output's heads: the claim types, then (from 1.7.0) "speaker"
        "heads": meta.get("heads", meta["types"]),
        "scheme": "independent BIO per head: output probs[batch, seq, head, tag], tag in (O, B, I)",
        "tags": ["O", "B", "I"],
        "max_length": meta["max_length"],
        "window_stride": 32,
        "inputs": ["input_ids", "attention_mask"],
        "output": "probs",
        "base_model": meta["base_model"],
        "uncased": True,
        # span decoding (tuned on held-out training documents by train.py)
        "decode": {k: meta.get("decode", {}).get(k, d) for k, d in DECODE_DEFAULTS.items()},
    }
    (dst / "labels.json").write_text(json.dumps(labels, indent=2), encoding="utf-8")


def check(dst: Path, fp32_path: Path, probe: tuple[np.ndarray, np.ndarray, np.ndarray]) -> dict[str, float]:
    import onnxruntime as ort

    ids, mask, ref = probe
    out = {}
    for name, path in (("fp32", fp32_path), ("int8", dst / "model.int8.onnx")):
        sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        got = sess.run(["probs"], {"input_ids": ids, "attention_mask": mask})[0]
        valid = mask.astype(bool)
        out[f"{name}_max_abs_diff_vs_torch"] = float(np.abs(got - ref)[valid].max())
    return out


def _tuning_notes(train_meta: dict[str, Any], runtime: dict[str, Any]) -> list[str]:
    """Model-card lines on the decoding tuned on the int8 model and on the weights kept."""
    notes: list[str] = []
    if "decode_dev" in runtime:
        notes.append(
            "- Then tuned again on the same dev sentences with this int8 model's own probabilities"
            " (`python -m claimstream.training.decoding --write`; quantisation shifts them): "
            + ", ".join(f"{k} {v}" for k, v in runtime["decode"].items())
            + f"; dev span F1 {100 * runtime['decode_dev']['f1']:.1f}. These are the settings the worker uses."
        )
    n = train_meta.get("averaged_checkpoints")
    if n:
        share = 100 * train_meta["hparams"].get("average_last", 0)
        if train_meta["weights"] == "average":
            notes.append(
                f"- Weights: the running average of {n} checkpoints (every 25 steps over the last {share:.0f} % of"
                " the steps), kept because its tuned dev span F1 beat the final step's."
            )
        else:
            notes.append(
                "- Weights: the final step's, kept because their tuned dev span F1 was not below that of the"
                f" running average of {n} checkpoints (every 25 steps over the last {share:.0f} % of the steps)."
            )
    if train_meta.get("dev_f1_by_weights"):
        notes.append(
            "  Tuned dev span F1 (fp32): "
            + ", ".join(f"{k} {100 * v:.1f}" for k, v in train_meta["dev_f1_by_weights"].items())
            + "."
        )
    return notes


def write_card(
    dst: Path, train_meta: dict[str, Any], export_meta: dict[str, Any], report: dict[str, Any] | None = None
) -> Path:
    """MODEL_CARD.md: data, labels, training, size, metrics (when an eval report is given), limits."""
    hp = train_meta["hparams"]
    dec = train_meta.get("decode", {})
    labels_path = dst / "labels.json"
    runtime = json.loads(labels_path.read_text(encoding="utf-8")) if labels_path.exists() else {}
    spans = train_meta["train_spans"]
    lines = [
        f"# {train_meta['version']}",
        "",
        "Token classifier that tags the evidence spans of **threat**, **commitment** and **troop_count**",
        "claims (definitions: /work/shared/claim-guidelines.md and docs/annotation-guide.md) in single",
        "sentences. Runtime: `claimstream.extract.onnx_tagger.OnnxTagger` (onnxruntime + tokenizers, no torch).",
        "",
        "## Model",
        f"- Base: {train_meta['base_model']} (6 layers, hidden 384, uncased WordPiece, 22.7M parameters).",
        (
            "- Heads: dropout + linear(384 -> 4 heads x {O, B, I}): the 3 claim types and a speaker head;"
            " softmax per head, exported inside the graph."
            if "speaker" in train_meta.get("heads", ())
            else "- Head: dropout + linear(384 -> 3 types x {O, B, I}); softmax per type, exported inside the graph."
        ),
        "- Scheme: independent BIO per type (labels.json lists the flat 7 labels O, B-/I-threat, B-/I-commitment,",
        "  B-/I-troop_count). Per-type tagging lets spans of different types overlap (a troop count inside a",
        "  commitment), which one 7-way softmax cannot express. Two spans of the *same* type cannot overlap.",
        f"- Input: up to {train_meta['max_length']} tokens with [CLS]/[SEP]; longer sentences are split into",
        "  overlapping windows (stride 32) and each token is read from the window where it is furthest from",
        "  a cut. Nothing is truncated.",
        "- Span decoding (labels.json `decode`, chosen on the dev sentences): `tags` = B (or an orphan I)",
        "  opens a span, I continues it, score = mean winning-tag probability; `inside` = tokens whose",
        "  P(B) + P(I) reaches `threshold` form spans, runs up to `max_gap` tokens apart are joined, score =",
        "  mean inside probability (argmax tags split one clause wherever the model hesitates between B and I).",
        "  Spans under `min_score` are dropped. Offsets come from the tokenizer's offset mapping, widened to",
        "  whole words, whitespace/punctuation stripped at both ends.",
        *(
            [
                "- Speaker head: tags where a sentence names the speaker of its claims (trained on the gold",
                "  speakers found in the sentence, by name or surname; "
                f"{train_meta.get('train_speaker_mentions', 0)} mentions; the head is not trained on the",
                f"  {train_meta.get('train_sentences_speaker_elsewhere', 0)} sentences whose speaker is named"
                " elsewhere). Decoded with plain argmax tags beside a claim span; the claim builder",
                "  takes the nearest tagged mention as the speaker of a threat or commitment; troop counts keep",
                "  the rules' speaker (claims/attribution.py).",
            ]
            if "speaker" in train_meta.get("heads", ())
            else []
        ),
        "- Served with the quantity grammar (extract/hybrid.py): a tagged troop count snaps to the grammar's",
        "  phrase; an untagged grammar phrase is added when the model's troop-count inside probability",
        "  somewhere in it reaches `grammar_min_inside`.",
        "- The wording settles some types the model gets wrong (extract/hybrid.py, claims/): an actor's denial",
        "  of its own intent to attack or invade is a negated threat, a warning that relations will be",
        "  broken off and an announced sanction or cost on another party are threats (all added where the",
        "  model tagged none), a threat span worded as announced aid or a pull-back of forces with no",
        "  coercive word is a commitment, a commitment span worded as a resolve to defend one's own land a",
        "  threat, a pledge demanded of someone else is no commitment,",
        "  and a number of units (battalion tactical groups) is no troop count. They follow the guidelines'",
        "  own examples, which the model missed.",
        f"- ONNX opset {export_meta.get('opset')}, dynamic batch and sequence axes; statically quantised to int8",
        "  (QOperator; weights QInt8 in -64..64, so CPUs with and without VNNI compute alike (training/narrow.py),",
        f"  per-channel={export_meta.get('per_channel')}; activations QUInt8 with scales",
        f"  calibrated ({CALIBRATION_PERCENTILE}th percentile) on {CALIBRATION_SENTENCES} training sentences;"
        " MatMul + Gather, the",
        "  attention score/context MatMuls and the head kept fp32). Fixed activation scales make each window's",
        "  output independent of its batch-mates (claims do not depend on the micro-batch):",
        f"  {export_meta.get('int8_bytes', 0) / 1e6:.1f} MB (fp32 {export_meta.get('fp32_bytes', 0) / 1e6:.1f} MB,"
        " not committed).",
        "",
        "## Training data",
        "Stand-off labels in data/labels/train/ joined with the shared corpus at run time (no text in the repo):",
        f"files {', '.join(train_meta['label_files'])}; {train_meta['train_sentences']} sentences, "
        f"{train_meta['train_sentences_with_claims']} with claims; spans: "
        + ", ".join(f"{k} {v}" for k, v in spans.items())
        + ".",
        "Sentences of documents that `split_of` puts in the evaluation split are never trained on.",
        "",
        "## Training",
        f"- torch {train_meta.get('torch')} on CPU ({hp['threads']} threads), seed {hp['seed']}; AdamW lr {hp['lr']},",
        f"  weight decay {hp['weight_decay']}, warmup {hp['warmup']}, linear decay; batch {hp['batch_size']}"
        " (length-sorted pools, dynamic padding);",
        f"  loss: cross-entropy per type, B/I weight {hp['pos_weight']}; sentences with claims x{hp['oversample']};",
        f"  negatives sampled afresh at {hp.get('neg_frac', 1.0)} per epoch; word embeddings "
        f"{'trained' if hp.get('train_word_embeddings') else 'frozen'}; "
        + (
            f"embeddings and the lowest {hp['freeze_layers']} encoder layers frozen, their outputs computed once"
            " and cached, so each step runs only the upper layers."
            if hp.get("freeze_layers")
            else "all encoder layers fine-tuned."
        ),
        f"- Decoding tuned on {train_meta.get('dev_sentences', 0)} dev sentences (held-out training documents, not trained on)"
        f" with the fp32 weights during training: mode {dec.get('mode', 'tags')}, threshold {dec.get('threshold', 0.5)},"
        f" min_score {dec.get('min_score')}, max_gap {dec.get('max_gap')},"
        f" grammar_min_inside {dec.get('grammar_min_inside', 0.0)}; dev span F1 "
        f"{100 * dec.get('dev', {}).get('f1', 0):.1f} (plain argmax {100 * dec.get('dev_argmax', {}).get('f1', 0):.1f}).",
        *_tuning_notes(train_meta, runtime),
        f"- {train_meta['steps']} steps (planned {train_meta.get('planned_steps')}) in "
        f"{train_meta['train_seconds'] / 60:.1f} min, {train_meta['seconds_per_step']:.2f} s/step"
        " on the 2-core box (the schedule shrinks to fit --time-budget-min)."
        + (
            " Dev span F1 (argmax) per epoch: "
            + ", ".join(f"{100 * h['dev']['f1']:.1f}" for h in train_meta.get("history", []) if "dev" in h)
            + "."
            if any("dev" in h for h in train_meta.get("history", []))
            else ""
        ),
        "",
    ]
    if report:
        from claimstream.training.evaluate import format_report

        lines += [
            "## Evaluation",
            "Claim level on data/labels/eval/ (held-out documents). The tagged spans go through the claim builder as in",
            "the worker (a troop count whose number does not parse is dropped, a reporter's question yields nothing,",
            "speakers and quantities come from the document and its title), and the claims it emits are scored: a",
            "claim matches a gold claim of the same type whose span it overlaps, one-to-one, greedy by overlap.",
            "Quantity accuracy: value/lower/upper/qualifier equal gold; speaker accuracy: the naming words",
            'of one are all among the other\'s, case-insensitive ("Putin" = "President Vladimir Putin";',
            '"the", "he" name nobody; a bare title matches only itself; both None is correct). The rows',
            "by source: `news` is the corpus's news components (which training also draws on), `unseen` news",
            "from sources no training sentence comes from (the CASE 2021 and PLOVER snippets, the sample",
            "article), `official` White House text. `model` is this int8 model,",
            "`model-fp32` the same weights before quantisation, `baseline` the rule tagger, and `gold-spans`",
            "(`--gold-spans`) the gold claim spans fed to the claim builder with this model's speaker mentions:",
            "its speaker and quantity accuracy are attribution and normalisation on their own. sentences/s was",
            "measured on the shared, heavily loaded 2-core box with one onnxruntime thread.",
            "",
            "```",
            format_report(report),
            "```",
            "",
        ]
    lines += [
        "## Limits",
        f"- Modest training set ({train_meta['train_sentences']:,} sentences, one annotation pass, drawn by cue words",
        "  and active learning) and a short CPU training run: scores are modest, and per-type numbers rest",
        "  on 100-200 gold claims, so one claim moves a type's F1 by about half a point.",
        "- Run-to-run spread: the same recipe on the same labels with seed 14 instead of 13 (1.9.0's",
        "  training, eighth stop) scored 75.5 micro F1 on the evaluation set against 76.7, and threat 68.5",
        "  against 73.9, commitment 76.4 against 73.6; on dev 67.2 against 68.3 micro. Differences",
        "  between models of a few points on one type are within that spread. The same recipe, labels and",
        "  seed also land apart on another CPU: 1.9.1 was 1.9.0's recipe trained again on a faster machine",
        "  (29.7 against 48.2 minutes), whose float arithmetic differs; it kept the weight average where",
        "  1.9.0 kept the final step. So `make train` rebuilds a model of this recipe, not these bytes.",
        "  1.9.2 has 1.9.1's weights, quantised again with activation ranges at the 99.995th percentile",
        "  instead of the 99.999th (dev span F1 69.7 against 68.3).",
        "- A troop count without a number the quantity grammar can read is not emitted (the claim builder",
        "  drops it, and the evaluation scores what the builder emits).",
        "- Static int8 trades a little per-type accuracy for batch invariance: the fp32 column above is the",
        "  same weights unquantised. (The dynamic int8 of models <= 1.1.0 took activation scales per batch",
        "  tensor, so a borderline span could appear or not depending on the article's batch-mates.)",
        "- Sentence-level only: no cross-sentence context. Target, quantity and the flags come from",
        "  claimstream.claims (attribution, quantity); the speaker too where the speaker head tags no name.",
        "- English news and official prose (White House briefings dominate the corpus); other registers,",
        "  languages, and heavy boilerplate are out of scope. Uncased: casing cues are lost.",
        "- Span boundaries are approximate (evaluation credits any overlap); adjacent claims of the same",
        "  type may merge into one span.",
        "",
    ]
    path = dst / "MODEL_CARD.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--checkpoint", type=Path, default=DEFAULT_CHECKPOINT)
    p.add_argument("--models-dir", type=Path, default=MODELS_DIR)
    p.add_argument("--no-per-channel", action="store_true")
    p.add_argument("--no-current", action="store_true", help="do not point models/CURRENT at the export")
    p.add_argument("--eval-report", type=Path, default=None, help="evaluation JSON to put in the model card")
    p.add_argument("--card-only", action="store_true", help="only (re)write MODEL_CARD.md")
    args = p.parse_args(argv)
    report = json.loads(args.eval_report.read_text(encoding="utf-8")) if args.eval_report else None
    if args.card_only:
        meta = json.loads((args.checkpoint / "train_meta.json").read_text(encoding="utf-8"))
        info = json.loads((args.checkpoint / "export_meta.json").read_text(encoding="utf-8"))
        print(write_card(args.models_dir / model_dir_name(meta["version"]), meta, info, report))
        return

    t0 = time.time()
    fp32_path = args.checkpoint / "model.fp32.onnx"
    res = export_fp32(args.checkpoint, fp32_path)
    meta = res["meta"]
    import onnx

    onnx.checker.check_model(str(fp32_path))
    dst = args.models_dir / model_dir_name(meta["version"])
    dst.mkdir(parents=True, exist_ok=True)
    quantize(fp32_path, dst / "model.int8.onnx", per_channel=not args.no_per_channel)
    write_tokenizer(dst)
    write_labels(dst, meta)
    diffs = check(dst, fp32_path, res["probe"])
    info = {
        "version": meta["version"],
        "opset": OPSET,
        "fp32_bytes": fp32_path.stat().st_size,
        "int8_bytes": (dst / "model.int8.onnx").stat().st_size,
        "per_channel": not args.no_per_channel,
        **diffs,
        "export_seconds": round(time.time() - t0, 1),
    }
    (args.checkpoint / "export_meta.json").write_text(json.dumps(info, indent=2), encoding="utf-8")
    write_card(dst, meta, info, report)
    if not args.no_current:
        (args.models_dir / "CURRENT").write_text(dst.name + "\n", encoding="utf-8")
    print(json.dumps(info, indent=2))
    print(f"wrote {dst} (fp32 kept at {fp32_path})", file=sys.stderr)


if __name__ == "__main__":
    main()
