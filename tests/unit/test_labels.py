"""The committed stand-off labels: splits by document, offsets inside their sentence, fields the
training and evaluation code rely on. Reads data/labels only (no corpus text)."""

from __future__ import annotations

from typing import Any

import pytest
from claimstream.training.corpus import read_labels, split_of

TYPES = {"threat", "commitment", "troop_count"}


@pytest.fixture(scope="module")
def labels() -> dict[str, list[dict[str, Any]]]:
    return {split: read_labels(split) for split in ("train", "eval", "agreement")}


def test_documents_never_cross_the_split(labels: dict[str, list[dict[str, Any]]]) -> None:
    train = {r["doc_id"] for r in labels["train"]}
    evaluation = {r["doc_id"] for r in labels["eval"]}
    assert train and evaluation
    assert not train & evaluation
    assert {split_of(d) for d in train} == {"train"}
    assert {split_of(d) for d in evaluation} == {"eval"}


def test_the_second_annotation_covers_evaluation_sentences_only(
    labels: dict[str, list[dict[str, Any]]],
) -> None:
    sentences = {(r["doc_id"], r["start"], r["end"]) for r in labels["eval"]}
    second = [(r["doc_id"], r["start"], r["end"]) for r in labels["agreement"]]
    assert second, "data/labels/agreement/ is empty"
    assert len(set(second)) == len(second)
    assert set(second) <= sentences


@pytest.mark.parametrize("split", ["train", "eval", "agreement"])
def test_claims_sit_inside_their_sentence_with_the_fields_filled(
    labels: dict[str, list[dict[str, Any]]], split: str
) -> None:
    seen = set()
    for r in labels[split]:
        key = (r["doc_id"], r["start"])
        assert key not in seen, f"{split}: sentence labelled twice: {key}"
        seen.add(key)
        assert r["start"] < r["end"]
        for c in r["claims"]:
            assert c["type"] in TYPES
            assert r["start"] <= c["start"] < c["end"] <= r["end"], (key, c)
            assert isinstance(c["conditional"], bool) and isinstance(c["negated"], bool)
            if c["type"] == "troop_count":
                q = c["quantity"]
                assert q and q["qualifier"] in {
                    "exact",
                    "approx",
                    "up_to",
                    "at_least",
                    "at_most",
                    "range",
                    "vague",
                }
            else:
                assert c["quantity"] is None


def test_training_spans_of_one_type_never_overlap(labels: dict[str, list[dict[str, Any]]]) -> None:
    """Per-type BIO tags cannot hold two overlapping spans of one type: such a label would teach
    the tagger a boundary inside a claim."""
    bad = [
        (r["doc_id"], r["start"])
        for r in labels["train"]
        for i, a in enumerate(r["claims"])
        for b in r["claims"][i + 1 :]
        if a["type"] == b["type"] and a["start"] < b["end"] and b["start"] < a["end"]
    ]
    assert bad == []


def test_pending_labels_are_new_training_sentences(labels: dict[str, list[dict[str, Any]]]) -> None:
    """data/labels/pending/ holds labelled training sentences that the next model will train on."""
    pending = read_labels("pending")
    trained = {(r["doc_id"], r["start"]) for r in labels["train"]}
    assert {split_of(r["doc_id"]) for r in pending} <= {"train"}
    assert not {(r["doc_id"], r["start"]) for r in pending} & trained


def test_pledge_warm_up_reads_the_english_manifesto_sentences() -> None:
    from claimstream.training.pledges import PLEDGES_PATH, load_pledges

    if not PLEDGES_PATH.exists():
        pytest.fail(f"{PLEDGES_PATH} is missing: the shared data is part of the set-up")
    rows = load_pledges()
    # the shared data's README: 12,827 manifesto sentences, 7,729 of them English
    assert len(rows) == 7729
    assert {y for _, y in rows} == {0, 1}
    assert 0.1 < sum(y for _, y in rows) / len(rows) < 0.5
    assert all(text.strip() for text, _ in rows)


def test_an_evaluation_sentence_reprinted_in_a_training_document_is_not_trained_on() -> None:
    from claimstream.training.dataset import Example, without_texts_of

    held = [Example("fnc1:test:9", 0, "The rebels said they would free the hostages.", [], [], [])]
    train = [
        Example("fnc1:train:1", 40, "The rebels said they would free the hostages!", [], [], []),
        Example("fnc1:train:1", 90, "THE REBELS SAID  they would free the hostages", [], [], []),
        Example("fnc1:train:2", 0, "The rebels said they would free two hostages.", [], [], []),
    ]
    assert [e.text for e in without_texts_of(train, held)] == [
        "The rebels said they would free two hostages."
    ]
