"""The tagger's speaker head: the training targets it learns from, how the runtime decodes it,
and how the claim builder uses its mentions. Sentences are our own wording."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from claimstream.claims.attribution import attribute
from claimstream.claims.builder import build_claims
from claimstream.extract.base import CLAIM_TYPES, SPEAKER, Span
from claimstream.extract.onnx_tagger import OnnxTagger, default_model_dir
from claimstream.text.sentences import Sentence
from claimstream.training.dataset import (
    HEADS,
    IGNORE,
    Example,
    featurize,
    load_tokenizer,
    locate_speaker,
    speaker_spans,
)


def _claim(text: str, span: str, speaker: str | None, typ: str = "commitment") -> dict[str, Any]:
    start = text.index(span)
    return {"type": typ, "start": start, "end": start + len(span), "speaker": speaker}


# --- training targets ---------------------------------------------------------------------


def test_locate_speaker_takes_the_mention_nearest_the_claim() -> None:
    text = "Smith met Jones on Monday, and Jones said Ruritania would send 200 medics."
    claim = _claim(text, "Ruritania would send 200 medics", "Jones")
    where = locate_speaker(text, "jones", claim["start"], claim["end"])
    assert where is not None and text[where[0] : where[1]] == "Jones"
    assert where[0] == text.rindex("Jones")


def test_locate_speaker_falls_back_to_the_surname() -> None:
    text = "Mr. Brandt promised to reopen the border crossing."
    claim = _claim(text, "promised to reopen the border crossing", "Karl Brandt")
    where = locate_speaker(text, "Karl Brandt", claim["start"], claim["end"])
    assert where is not None and text[where[0] : where[1]] == "Brandt"
    assert locate_speaker(text, "the minister", claim["start"], claim["end"]) is None


def test_speaker_spans_none_when_a_speaker_is_named_elsewhere() -> None:
    text = "He vowed to rebuild every school within a year."
    claims = [_claim(text, "vowed to rebuild every school within a year", "the governor")]
    assert speaker_spans(text, claims) is None
    # a claim without a speaker asks for no mention
    assert speaker_spans(text, [_claim(text, "rebuild every school", None)]) == []


def test_featurize_adds_a_speaker_column_and_ignores_it_where_the_speaker_is_unseen() -> None:
    # the shipped model's tokenizer: the base encoder's package is a training extra
    tok = load_tokenizer(default_model_dir() / "tokenizer.json")
    named = "The mayor pledged to rebuild the bridge."
    elsewhere = "She pledged to rebuild the bridge."
    c1 = [_claim(named, "pledged to rebuild the bridge", "The mayor")]
    c2 = [_claim(elsewhere, "pledged to rebuild the bridge", "the mayor")]
    exs = [
        Example("d", 0, named, [(c["type"], c["start"], c["end"]) for c in c1], c1, speaker_spans(named, c1)),
        Example(
            "d",
            50,
            elsewhere,
            [(c["type"], c["start"], c["end"]) for c in c2],
            c2,
            speaker_spans(elsewhere, c2),
        ),
    ]
    f1, f2 = featurize(exs, tok)
    k = HEADS.index(SPEAKER)
    assert f1.tags.shape[1] == len(HEADS) == len(CLAIM_TYPES) + 1
    inner1 = f1.tags[1:-1, k].tolist()
    # "the mayor" -> B I, everything else O
    assert inner1[:2] == [1, 2] and set(inner1[2:]) == {0}
    assert set(f2.tags[:, k].tolist()) == {IGNORE}
    # the claim columns are untouched by the speaker head
    assert f1.positive and f2.positive
    assert (f2.tags[1:-1, : len(CLAIM_TYPES)] != IGNORE).all()


# --- attribution --------------------------------------------------------------------------


def test_a_tagged_mention_names_the_speaker_the_rules_miss() -> None:
    text = "The accord reached by the two ministries lets cargo flights resume next week."
    span = "cargo flights resume next week"
    s, e = text.index(span), text.index(span) + len(span)
    assert attribute(text, 0, len(text), s, e, "commitment").speaker is None
    who = text.index("the two ministries")
    named = [(who, who + len("the two ministries"))]
    assert attribute(text, 0, len(text), s, e, "commitment", named=named).speaker == "the two ministries"
    # of two mentions, the one nearer the claim
    acc = text.index("The accord")
    far = [(acc, acc + len("The accord")), *named]
    assert attribute(text, 0, len(text), s, e, "commitment", named=far).speaker == "the two ministries"


def test_a_tagged_mention_beats_the_rules_but_not_for_a_troop_count() -> None:
    text = "Officials in Arden said the Northern Alliance would send 400 troops to the pass."
    span = "the Northern Alliance would send 400 troops to the pass"
    s, e = text.index(span), text.index(span) + len(span)
    ruled = attribute(text, 0, len(text), s, e, "commitment").speaker
    assert ruled is not None and "Officials" in ruled
    who = text.index("the Northern Alliance")
    named = [(who, who + len("the Northern Alliance"))]
    assert attribute(text, 0, len(text), s, e, "commitment", named=named).speaker == "the Northern Alliance"
    count = "400 troops"
    cs, ce = text.index(count), text.index(count) + len(count)
    plain = attribute(text, 0, len(text), cs, ce, "troop_count").speaker
    assert attribute(text, 0, len(text), cs, ce, "troop_count", named=named).speaker == plain


def test_a_tagged_pronoun_is_never_the_speaker() -> None:
    text = "They said cargo flights resume next week."
    span = "cargo flights resume next week"
    s, e = text.index(span), text.index(span) + len(span)
    plain = attribute(text, 0, len(text), s, e, "commitment").speaker
    assert attribute(text, 0, len(text), s, e, "commitment", named=[(0, 4)]).speaker == plain


def test_a_tagged_lone_determiner_is_never_the_speaker() -> None:
    # the head sometimes tags only the first token of a name: "The" names no one
    text = "The United States and its allies will respond decisively if Russia invades."
    e = len(text) - 1
    plain = attribute(text, 0, len(text), 0, e, "threat").speaker
    assert plain == "The United States and its allies"
    assert attribute(text, 0, len(text), 0, e, "threat", named=[(0, 3)]).speaker == plain


def test_builder_never_turns_a_speaker_mention_into_a_claim() -> None:
    text = "The governor said the state would hire 300 more nurses."
    span = "the state would hire 300 more nurses"
    s = text.index(span)
    spans = [[Span("commitment", s, s + len(span), 0.9), Span(SPEAKER, 0, len("The governor"), 0.8)]]
    claims = build_claims("a1", text, [Sentence(0, len(text))], spans, model_version="t", extracted_at="now")
    assert [c.type for c in claims] == ["commitment"]
    assert claims[0].text == span and text[claims[0].start : claims[0].end] == span
    assert claims[0].speaker == "The governor"


# --- runtime decoding ---------------------------------------------------------------------


class _FakeSession:
    def get_inputs(self) -> list[Any]:
        return []


@pytest.fixture(scope="module")
def four_head_tagger() -> OnnxTagger:
    from tokenizers import Tokenizer

    src = default_model_dir()
    meta = json.loads((src / "labels.json").read_text(encoding="utf-8"))
    meta["heads"] = [*CLAIM_TYPES, SPEAKER]
    meta["decode"] = {"mode": "tags", "threshold": 0.5, "min_score": 0.0, "max_gap": 0}
    tok = Tokenizer.from_file(str(Path(src) / "tokenizer.json"))
    return OnnxTagger(_FakeSession(), tok, meta)


def _probs(n: int, marks: dict[int, dict[int, int]]) -> np.ndarray:
    """[n, 4, 3] one-hot probabilities: O everywhere except {head: {token: tag}}."""
    p = np.zeros((n, len(HEADS), 3), dtype=np.float32)
    p[:, :, 0] = 1.0
    for head, tokens in marks.items():
        for i, tag in tokens.items():
            p[i, head] = np.eye(3)[tag]
    return p


def test_speaker_spans_come_out_only_beside_a_claim(four_head_tagger: OnnxTagger) -> None:
    text = "Officials said talks resume Monday"
    enc = four_head_tagger.tokenizer.encode(text, add_special_tokens=False)
    n = len(enc.ids)
    spk = HEADS.index(SPEAKER)
    com = CLAIM_TYPES.index("commitment")
    with_claim = _probs(n, {spk: {0: 1}, com: {2: 1, 3: 2, 4: 2}})
    spans = four_head_tagger.decode(text, enc.offsets, with_claim)
    got = {(s.type, text[s.start : s.end]) for s in spans}
    assert got == {(SPEAKER, "Officials"), ("commitment", "talks resume Monday")}
    alone = _probs(n, {spk: {0: 1}})
    assert four_head_tagger.decode(text, enc.offsets, alone) == []


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        ("The United States and its allies will respond decisively.", "The United States and its allies"),
        (
            "Britain and its European partners pledged to keep the corridor open.",
            "Britain and its European partners",
        ),
        ("Russia and Ukraine agreed to talk.", "Russia"),  # two parties, not one with its allies
    ],
)
def test_a_tagged_name_takes_its_allies_along(text: str, speaker: str) -> None:
    first = text.split(" and ")[0]
    span = text.split(" will ")[-1] if " will " in text else text.split(" ", 3)[-1]
    s = text.index(span)
    got = attribute(text, 0, len(text), s, len(text) - 1, "commitment", named=[(0, len(first))]).speaker
    assert got == speaker


def test_a_tagged_head_noun_takes_the_rules_full_noun_phrase() -> None:
    text = "We are ready to host the talks, the foreign minister said."
    a = text.index("minister")
    e = text.index(",")
    got = attribute(text, 0, len(text), 0, e, "commitment", named=[(a, a + len("minister"))]).speaker
    assert got == "the foreign minister"


def test_a_pronoun_or_contraction_before_the_tagged_name_is_not_taken_along() -> None:
    from claimstream.claims.attribution import _completes

    text = "We’ve seen Republicans who have threatened to block it."
    a = text.index("Republicans")
    assert not _completes(text, a, "Republicans", "We’ve seen Republicans")
    text = "President Biden will travel to Poland."
    a = text.index("Biden")
    assert _completes(text, a, "Biden", "President Biden")
    assert not _completes(text, a, "Biden", "United States President Joe Biden")  # not the words before it


def test_a_tagged_common_noun_keeps_its_article() -> None:
    text = "The president made it clear that the allies will respond decisively."
    e = len(text) - 1
    got = attribute(text, 0, len(text), 0, e, "threat", named=[(4, 13)]).speaker
    assert got == "The president"


def test_a_tagged_addressee_is_not_the_speaker() -> None:
    # "X told [State] Department staff that he would resign": the head tagged the people told
    text = "The envoy Ana Ruiz told State Department staff that she would resign by June."
    span = "told State Department staff that she would resign by June"
    s = text.index(span)
    a = text.index("Department")
    got = attribute(text, 0, len(text), s, s + len(span), "commitment", named=[(a, a + len("Department"))])
    assert got.speaker == "The envoy Ana Ruiz"


@pytest.mark.parametrize(
    ("text", "mention", "speaker"),
    [
        ("Officials said the U.S. government will impose costs on the cartel.", "S", "U.S"),
        ("The visit will underscore United States commitment to stand beside Sudria.", "States",
         "United States"),
        ("The arrest came after the police chief threatened to close the port.", "chief",
         "the police chief"),
        ("Officials said Foreign Minister Lavrov warned that Moscow would respond.", "Lavrov",
         "Foreign Minister Lavrov"),
        # never across a sentence boundary, never past an article the head already took
        ("He met the Security Ministry. Fernandez pledged to send aid to Sudria.", "Fernandez", "Fernandez"),
        ("They signed the Framework Agreement. The leaders pledged to send aid.", "The leaders",
         "The leaders"),
    ],
)  # fmt: skip
def test_a_name_the_head_cut_short_is_taken_whole(text: str, mention: str, speaker: str) -> None:
    a = text.index(mention)
    got = attribute(text, 0, len(text), 0, len(text) - 1, "threat", named=[(a, a + len(mention))])
    assert got.speaker == speaker
