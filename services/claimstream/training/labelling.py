"""Annotation workflow: sample sentences to label, and ingest annotators' answers as stand-off labels.

Batches with text live outside the repo (default /work/labelling); only stand-off labels
(doc id, offsets, fields) are written into data/labels/.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from claimstream.extract.base import CLAIM_TYPES
from claimstream.text.sentences import split_sentences
from claimstream.training.corpus import (
    DEFAULT_CORPUS,
    LABELS_DIR,
    SAMPLE_DOC_ID,
    SAMPLE_PATH,
    iter_corpus,
    load_documents,
    read_labels,
    split_of,
)

WORKDIR = Path("/work/labelling")

_NUM = r"(?:\d[\d,. ]*\d|\d+|\d+(?:\.\d+)?\s*(?:k|million|thousand)|(?:a |one |two |three |four |five |six |seven |eight |nine |ten |twelve |fifteen |twenty |thirty |forty |fifty |sixty |seventy |eighty |ninety |several |a few |a hundred |hundreds |thousands |tens )?(?:hundred|thousand|million|dozen)s?)"  # noqa: E501
TROOP = re.compile(
    _NUM + r"(?:\s+[\w\-’']+){0,3}?\s+(?:troops|soldiers|servicemen|service members|forces|personnel|"
    r"reservists|marines|paratroopers|fighters|mercenaries|militants|guardsmen|gunmen|members|men|"
    r"sailors|airmen|officers|recruits|combatants|rebels|guerrillas)\b",
    re.I,
)
THREAT = re.compile(
    r"\b(warn\w*|threat\w*|retaliat\w*|sanction\w*|respond\w* (decisively|forcefully|swiftly)|consequences|"
    r"costs|punish\w*|strike|destroy|invade|attack|military action|use force|all options|expel\w*|"
    r"crush|annihilat\w*|wipe|no plans to|not going to attack|response)\b",
    re.I,
)
COMMIT = re.compile(
    r"\b(pledg\w*|commit\w*|promis\w*|vow\w*|agree\w*|will provide|will send|will continue|will work|"
    r"announc\w*|intends? to|plans? to|prepared to|ready to|will (?:not )?\w+|would (?:not )?\w+|"
    r"guarantee\w*|undertak\w*)\b",
    re.I,
)


# Strong cues: a modal or announcement next to a coercive or pledging verb (dense in claims).
THREAT_STRONG = re.compile(
    r"\b(?:warn(?:ed|s)?\s+(?:that|of|against)|threaten(?:ed|s|ing)?\s+to|vow(?:ed|s)?\s+to\s+"
    r"(?:retaliat|respond|punish|destroy|crush|defeat|strike|hit)|"
    r"(?:will|would|could|is ready to|are ready to|prepared to)\s+(?:\w+\s+)?(?:retaliate|respond|strike|"
    r"attack|punish|impose|invade|destroy|expel|sanction|target|hit|cut off|sever|suspend)|"
    r"(?:severe|serious|swift|dire|grave|massive)\s+(?:costs|consequences)|held\s+accountable|"
    r"no\s+(?:plans?|intention)\s+(?:to|of)\s+(?:attack|invad|strik)|"
    r"(?:new|further|additional|more|tougher)\s+sanctions|all\s+options\s+(?:are\s+)?on\s+the\s+table)",
    re.I,
)
COMMIT_STRONG = re.compile(
    r"\b(?:pledg(?:e|ed|es)\s+to|promis(?:e|ed|es)\s+to|vow(?:ed|s)?\s+to|agreed\s+to|committed\s+to|"
    r"(?:will|would)\s+(?:continue\s+to\s+)?(?:provide|send|deliver|support|host|contribute|donate|"
    r"withdraw|deploy|help|fund|supply|establish|create|launch|hold|release|open)|"
    r"(?:is|are)\s+(?:ready|prepared|willing)\s+to|announced\s+(?:that\s+)?(?:it|they)\s+would)",
    re.I,
)


TROOP_STRONG = re.compile(
    r"\b(?:\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?\s*(?:million|thousand|k)|\d{2,}|(?:tens of |hundreds of |several )?thousands?)"  # noqa: E501
    r"(?:\s+(?:more|additional|new|extra|US|U\.S\.|American|Russian|Ukrainian|British|French|NATO|Israeli|"
    r"Iranian|Syrian|Turkish|foreign|combat|active-duty|elite|armed)){0,2}\s+"
    r"(?:troops|soldiers|servicemen|service\s+members|personnel|marines|paratroopers|reservists|fighters|"
    r"mercenaries|guardsmen|militants|rebels)\b",
    re.I,
)


# Loose: a number and a personnel word anywhere in the sentence (low yield, for the last troop counts).
_LOOSE_NOUN = re.compile(
    r"\b(?:troops|soldiers|servicemen|service members|personnel|marines|paratroopers|reservists|fighters|"
    r"mercenaries|guardsmen|militants|rebels|forces|army|strong)\b",
    re.I,
)
_LOOSE_NUM = re.compile(
    r"\b(?:\d{1,3}(?:,\d{3})+|\d{3,}|\d+(?:\.\d+)? ?(?:million|thousand|k)|thousands|hundreds|dozens|"
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|twenty|thirty|forty|fifty|sixty|seventy|eighty|"
    r"ninety|a|several|few) (?:hundred|thousand|dozen))\b",
    re.I,
)
_YEAR = re.compile(r"^(?:1[89]\d\d|20\d\d)$")


def _loose_troop(text: str) -> bool:
    nums = [m.group(0) for m in _LOOSE_NUM.finditer(text) if not _YEAR.match(m.group(0))]
    return bool(nums) and bool(_LOOSE_NOUN.search(text))


def _used_sentences() -> set[tuple[str, int]]:
    used = set()
    for split in ("train", "eval"):
        for row in read_labels(split):
            used.add((row["doc_id"], row["start"]))
    return used


def _category(text: str) -> str:
    if TROOP_STRONG.search(text):
        return "troop2"
    if TROOP.search(text):
        return "troop"
    if _loose_troop(text):
        return "troop3"
    if THREAT_STRONG.search(text):
        return "threat2"
    if COMMIT_STRONG.search(text):
        return "commit2"
    if THREAT.search(text):
        return "threat"
    if COMMIT.search(text):
        return "commit"
    return "other"


def _unlabelled(split: str, corpus: Path, skip_docs: set[str], rng: random.Random) -> list[dict[str, Any]]:
    """Sentences of ``split`` documents (shuffled by document) that no label file and no batch
    in WORKDIR holds yet, 25-1200 characters and five words or more."""
    used = _used_sentences()
    for path in WORKDIR.glob("*.jsonl"):
        if not path.name.endswith(".answers.jsonl"):
            for line in path.open("rb"):
                row = orjson.loads(line)
                if "doc_id" in row:
                    used.add((row["doc_id"], row["start"]))
    docs = list(iter_corpus(corpus))
    if SAMPLE_PATH.exists():
        docs.append({"id": SAMPLE_DOC_ID, "text": SAMPLE_PATH.read_text(), "component": "sample"})
    rng.shuffle(docs)
    rows: list[dict[str, Any]] = []
    for doc in docs:
        if split_of(doc["id"]) != split or doc["id"] in skip_docs:
            continue
        text = doc["text"]
        for sent in split_sentences(text):
            if (doc["id"], sent.start) in used:
                continue
            s = text[sent.start : sent.end]
            if not (25 <= len(s) <= 1200) or s.count(" ") < 4:
                continue
            rows.append(
                {
                    "doc_id": doc["id"],
                    "start": sent.start,
                    "end": sent.end,
                    "text": s,
                    "component": doc.get("component", ""),
                }
            )
    return rows


def _write_batch(name: str, chosen: list[dict[str, Any]]) -> None:
    WORKDIR.mkdir(parents=True, exist_ok=True)
    out = WORKDIR / f"{name}.jsonl"
    with out.open("wb") as fh:
        for i, row in enumerate(chosen):
            row["sid"] = f"{name}-{i:04d}"
            fh.write(orjson.dumps(row) + b"\n")
    print(f"wrote {len(chosen)} sentences to {out}", file=sys.stderr)


def sample(args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)
    pools: dict[str, list[dict[str, Any]]] = {
        k: [] for k in ("troop2", "troop", "troop3", "threat2", "commit2", "threat", "commit", "other")
    }
    comp_quota: Counter[str] = Counter()
    for row in _unlabelled(args.split, args.corpus, set(args.skip_docs or []), rng):
        pools[_category(row["text"])].append(row)
    print(
        "unlabelled sentences per cue category: " + ", ".join(f"{k} {len(v)}" for k, v in pools.items()),
        file=sys.stderr,
    )
    mix = {
        "troop2": args.troop_strong,
        "troop": args.troop,
        "troop3": args.troop_loose,
        "threat2": args.threat_strong,
        "commit2": args.commit_strong,
        "threat": args.threat,
        "commit": args.commit,
        "other": args.other,
    }
    chosen: list[dict[str, Any]] = []
    for cat, n in mix.items():
        pool = pools[cat]
        rng.shuffle(pool)
        # White House prose is over-represented: cap its share of each category.
        wh_cap = int(n * args.wh_share)
        taken = 0
        for row in pool:
            if taken >= n:
                break
            if row["component"].startswith("wh_"):
                if comp_quota[cat] >= wh_cap:
                    continue
                comp_quota[cat] += 1
            chosen.append(row)
            taken += 1
    rng.shuffle(chosen)
    _write_batch(args.name, chosen)


def uncertainty(probs: np.ndarray) -> tuple[float, int]:
    """How unsure a tagger is that a sentence holds a claim, from its token probabilities
    [n_tokens, n_heads, 3]: for each claim type the most likely claim token's P(B) + P(I), scored
    1 at 0.5 and 0 at 0 or 1; the sentence takes its least certain type (score, type index)."""
    n_types = len(CLAIM_TYPES)
    if len(probs) == 0:
        return 0.0, 0
    inside = 1.0 - probs[:, :n_types, 0]
    u = 1.0 - np.abs(inside.max(0) - 0.5) * 2
    k = int(u.argmax())
    return float(u[k]), k


def of_components(rows: list[dict[str, Any]], prefixes: list[str] | None) -> list[dict[str, Any]]:
    """The rows from corpus components whose names start with one of ``prefixes`` (all rows when
    none are given): a draw aimed at one kind of text, "--components ukraine_news_bias fnc1"."""
    if not prefixes:
        return rows
    return [r for r in rows if r["component"].startswith(tuple(prefixes))]


def uncertain(args: argparse.Namespace) -> None:
    """Active learning: the unlabelled sentences on which the model is least sure, at most
    ``--per-doc`` from a document and ``--wh-max`` White House sentences (official prose is where
    the model hesitates most, and is already well covered), split into ``--parts`` batches."""
    from claimstream.extract.onnx_tagger import OnnxTagger, default_model_dir

    rng = random.Random(args.seed)
    rows = _unlabelled(args.split, args.corpus, set(), rng)
    rows = of_components(rows, args.components)
    # a random share of the (huge) White House pool is scored, to keep the run in minutes
    rows = [r for r in rows if not r["component"].startswith("wh_") or rng.random() < args.wh_scored]
    tagger = OnnxTagger.load(args.model or default_model_dir())
    scored: list[tuple[float, int, dict[str, Any]]] = []
    for i in range(0, len(rows), 512):
        chunk = rows[i : i + 512]
        _, probs = tagger.token_probs([r["text"] for r in chunk])
        scored.extend((*uncertainty(p), r) for r, p in zip(chunk, probs, strict=True))
    scored.sort(key=lambda t: -t[0])
    per_doc: Counter[str] = Counter()
    wh = 0
    chosen: list[dict[str, Any]] = []
    for u, k, row in scored:
        is_wh = row["component"].startswith("wh_")
        if per_doc[row["doc_id"]] >= args.per_doc or (is_wh and wh >= args.wh_max):
            continue
        if not is_wh and len(chosen) - wh >= args.n - args.wh_max:
            continue
        per_doc[row["doc_id"]] += 1
        wh += is_wh
        chosen.append({**row, "uncertainty": round(u, 4), "unsure_of": CLAIM_TYPES[k]})
        if len(chosen) >= args.n:
            break
    rng.shuffle(chosen)
    size = -(-len(chosen) // args.parts)
    for j in range(args.parts):
        _write_batch(f"{args.name}{'abcdefghijklmnop'[j]}", chosen[j * size : (j + 1) * size])


def _locate(sentence: str, span: str) -> tuple[int, int] | None:
    idx = sentence.find(span)
    if idx >= 0:
        return idx, idx + len(span)
    # Tolerate whitespace and quote differences in the annotator's copy of the span.
    pattern = re.escape(span.strip())
    pattern = re.sub(r"(\\\s)+|\\ ", r"\\s+", pattern)
    for a, b in (("'", "['’‘]"), ('"', '["“”]')):
        pattern = pattern.replace(re.escape(a), b)
    m = re.search(pattern, sentence)
    return (m.start(), m.end()) if m else None


def ingest(args: argparse.Namespace) -> None:
    batch = WORKDIR / f"{args.name}.jsonl"
    answers = WORKDIR / f"{args.name}.answers.jsonl"
    sentences = {r["sid"]: r for r in map(orjson.loads, batch.open("rb"))}
    labelled: dict[str, list[dict[str, Any]]] = {}
    for n, line in enumerate(answers.open("rb"), 1):
        if not line.strip():
            continue
        try:
            ans = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            print(f"{answers}:{n}: bad JSON: {exc}", file=sys.stderr)
            continue
        labelled[ans["sid"]] = ans.get("claims", [])
    problems = 0
    rows = []
    counts: Counter[str] = Counter()
    for sid, sent in sentences.items():
        if sid not in labelled:
            continue
        claims = []
        for c in labelled[sid]:
            loc = _locate(sent["text"], c["text"])
            if loc is None or c.get("type") not in ("threat", "commitment", "troop_count"):
                problems += 1
                print(f"{sid}: cannot place {c.get('type')} span {c.get('text')!r}", file=sys.stderr)
                continue
            counts[c["type"]] += 1
            claims.append(
                {
                    "type": c["type"],
                    "start": sent["start"] + loc[0],
                    "end": sent["start"] + loc[1],
                    "speaker": c.get("speaker"),
                    "target": c.get("target"),
                    "conditional": bool(c.get("conditional", False)),
                    "negated": bool(c.get("negated", False)),
                    "quantity": c.get("quantity") if c["type"] == "troop_count" else None,
                }
            )
        rows.append(
            {
                "doc_id": sent["doc_id"],
                "start": sent["start"],
                "end": sent["end"],
                "claims": claims,
                "source": args.name,
            }
        )
    split = args.into or (split_of(rows[0]["doc_id"]) if rows else "train")
    out = LABELS_DIR / split / f"{args.name}.jsonl"
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("wb") as fh:
        for row in rows:
            fh.write(orjson.dumps(row) + b"\n")
    missing = len(sentences) - len(rows)
    print(f"{out}: {len(rows)} sentences, {dict(counts)}; {missing} unanswered, {problems} problems")


def context(args: argparse.Namespace) -> None:
    """Write <name>.txt: each sentence to label with the text just before it, for attribution."""
    batch = WORKDIR / f"{args.name}.jsonl"
    rows = [orjson.loads(line) for line in batch.open("rb")]
    docs = load_documents({r["doc_id"] for r in rows})
    out = WORKDIR / f"{args.name}.txt"
    with out.open("w", encoding="utf-8") as fh:
        for r in rows:
            text = docs[r["doc_id"]]
            before = text[max(0, r["start"] - args.chars) : r["start"]].replace("\n", " / ")
            fh.write(f"### {r['sid']}\n[context] ...{before}\n[SENTENCE] {r['text']}\n\n")
    print(f"wrote {out}")


def blind(args: argparse.Namespace) -> None:
    """Write batches of already-labelled sentences, labels withheld, for an independent annotator.

    Every sentence holding a claim is taken, plus a uniform sample of the others; each row records
    the weight (others in the split / others sampled) that scales its false positives back up to
    the whole split, so agreement estimates precision over the split and not over the sample.
    """
    rows = sorted(read_labels(args.split), key=lambda r: (r["doc_id"], r["start"]))
    rng = random.Random(args.seed)
    positives = [r for r in rows if r["claims"]]
    others = [r for r in rows if not r["claims"]]
    negatives = rng.sample(others, min(args.negatives, len(others)))
    weight = len(others) / max(1, len(negatives))
    picked = [(r, 1.0) for r in positives] + [(r, weight) for r in negatives]
    rng.shuffle(picked)
    docs = load_documents({r["doc_id"] for r, _ in picked})
    WORKDIR.mkdir(parents=True, exist_ok=True)
    size = -(-len(picked) // args.parts)
    for part in range(args.parts):
        name = f"{args.name}{chr(ord('a') + part)}"
        with (WORKDIR / f"{name}.jsonl").open("wb") as fh:
            for i, (r, w) in enumerate(picked[part * size : (part + 1) * size]):
                text = docs[r["doc_id"]][r["start"] : r["end"]]
                row = {"doc_id": r["doc_id"], "start": r["start"], "end": r["end"], "text": text}
                fh.write(orjson.dumps({**row, "weight": round(w, 4), "sid": f"{name}-{i:04d}"}) + b"\n")
        print(f"wrote {WORKDIR / name}.jsonl")


def export(args: argparse.Namespace) -> None:
    """Turn a labels file back into a batch plus answers, for a second annotator to review."""
    rows = [orjson.loads(line) for line in Path(args.labels).read_bytes().splitlines() if line.strip()]
    docs = load_documents({r["doc_id"] for r in rows})
    WORKDIR.mkdir(parents=True, exist_ok=True)
    with (
        (WORKDIR / f"{args.name}.jsonl").open("wb") as batch,
        (WORKDIR / f"{args.name}.answers.jsonl").open("wb") as answers,
    ):
        for i, r in enumerate(rows):
            sid = f"{args.name}-{i:04d}"
            text = docs[r["doc_id"]]
            batch.write(
                orjson.dumps(
                    {
                        "doc_id": r["doc_id"],
                        "start": r["start"],
                        "end": r["end"],
                        "text": text[r["start"] : r["end"]],
                        "sid": sid,
                    }
                )
                + b"\n"
            )
            claims = [
                {
                    **{k: v for k, v in c.items() if k not in ("start", "end")},
                    "text": text[c["start"] : c["end"]],
                }
                for c in r["claims"]
            ]
            answers.write(orjson.dumps({"sid": sid, "claims": claims}) + b"\n")
    print(f"exported {len(rows)} sentences as batch {args.name}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sample", help="write a batch of sentences to label (outside the repo)")
    s.add_argument("name")
    s.add_argument("--split", choices=("train", "eval"), required=True)
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--troop", type=int, default=0)
    s.add_argument("--threat", type=int, default=0)
    s.add_argument("--commit", type=int, default=0)
    s.add_argument("--other", type=int, default=0)
    s.add_argument("--threat-strong", type=int, default=0)
    s.add_argument("--troop-strong", type=int, default=0)
    s.add_argument("--troop-loose", type=int, default=0)
    s.add_argument("--wh-share", type=float, default=0.4, help="most White House sentences, as a share")
    s.add_argument("--commit-strong", type=int, default=0)
    s.add_argument("--skip-docs", nargs="*")
    s.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    u = sub.add_parser(
        "uncertain", help="batches of the sentences the model is least sure of (active learning)"
    )
    u.add_argument("name", help="batches are written as <name>a, <name>b, ...")
    u.add_argument("--split", choices=("train", "eval"), default="train")
    u.add_argument("--model", type=Path, default=None, help="tagger directory (default: models/<current>)")
    u.add_argument("--n", type=int, default=1600)
    u.add_argument("--wh-max", type=int, default=600, help="most White House sentences")
    u.add_argument("--wh-scored", type=float, default=0.15, help="share of White House sentences scored")
    u.add_argument("--per-doc", type=int, default=3)
    u.add_argument("--parts", type=int, default=8)
    u.add_argument("--seed", type=int, default=6)
    u.add_argument("--components", nargs="*", help="draw only from corpus components with these prefixes")
    u.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    i = sub.add_parser("ingest", help="turn <name>.answers.jsonl into stand-off labels in data/labels")
    i.add_argument("name")
    i.add_argument("--into", default=None, help="labels subfolder (default: the split of the documents)")
    c = sub.add_parser("context", help="write <name>.txt, the batch with preceding context, to read")
    c.add_argument("name")
    c.add_argument("--chars", type=int, default=300)
    b = sub.add_parser("blind", help="write labelled sentences, labels withheld, for a second annotator")
    b.add_argument("name")
    b.add_argument("--split", default="eval")
    b.add_argument("--negatives", type=int, default=300, help="sentences without claims to sample")
    b.add_argument("--parts", type=int, default=5)
    b.add_argument("--seed", type=int, default=0)
    x = sub.add_parser("export", help="write a labels file back out as batch + answers for review")
    x.add_argument("labels")
    x.add_argument("name")
    args = parser.parse_args(argv)
    commands = {"sample": sample, "uncertain": uncertain, "ingest": ingest, "context": context}
    commands |= {"export": export, "blind": blind}
    commands[args.cmd](args)


if __name__ == "__main__":
    main()
