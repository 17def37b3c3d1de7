"""Tests for claims/voice.py and its use by attribute(): who speaks in a transcript or statement.

All texts are our own wording, shaped like briefing transcripts and official statements."""

from __future__ import annotations

import pytest
from claimstream.claims.attribution import attribute
from claimstream.claims.voice import DocumentVoice

BRIEFING_TITLE = "Press Briefing by Press Secretary Dana Moreau and National Security Advisor Ravi Kapoor"
BRIEFING = (
    "1:14 P.M. EDT MS. MOREAU:  Good afternoon, everyone. We will keep sending aid to the region.\n"
    " Q    Will you send troops? There are 4,000 soldiers nearby, I am told.\n"
    " MS. MOREAU:  I will let Ravi take that.\n"
    " MR. KAPOOR:  Thanks, Dana. We will respond decisively if the border is crossed. "
    "THE PRESIDENT: We will never abandon our partners.\n"
    " MODERATOR:  Last question. We will stay on schedule.\n"
)


def _at(text: str, phrase: str) -> int:
    pos = text.find(phrase)
    assert pos >= 0, phrase
    return pos


@pytest.mark.parametrize(
    ("phrase", "speaker"),
    [
        ("We will keep sending aid", "Dana Moreau"),  # first name from the title
        ("There are 4,000 soldiers", None),  # a reporter's turn
        ("I will let Ravi", "Dana Moreau"),
        ("We will respond decisively", "Ravi Kapoor"),
        ("We will never abandon", "the President"),  # the title names no president
        ("We will stay on schedule", None),  # the host speaks for nobody
        ("Good afternoon", "Dana Moreau"),  # the clock time before the first label is stripped
    ],
)
def test_turn_labels_name_the_speaker(phrase: str, speaker: str | None) -> None:
    voice = DocumentVoice.of(BRIEFING, BRIEFING_TITLE)
    assert voice.speaker_at(_at(BRIEFING, phrase)) == speaker


def test_before_the_first_turn_nobody_speaks() -> None:
    text = "Aboard the aircraft, en route to the summit.\n MS. MOREAU:  We will announce it later."
    voice = DocumentVoice.of(text, BRIEFING_TITLE)
    assert voice.speaker_at(0) is None
    assert voice.speaker_at(_at(text, "We will")) == "Dana Moreau"


@pytest.mark.parametrize(
    ("title", "label", "speaker"),
    [
        ("Remarks by President Alvarez and Prime Minister Osei Before Bilateral Meeting", "THE PRESIDENT",
         "President Alvarez"),
        ("Remarks by President Lena Ortiz at the Naval Academy", "THE PRESIDENT", "President Lena Ortiz"),
        ("Remarks by Vice President Ito in a Town Hall", "THE VICE PRESIDENT", "Vice President Ito"),
        ("Remarks by Vice President Ito in a Town Hall", "THE PRESIDENT", "the President"),
        ("Remarks by President Alvarez and Prime Minister Osei", "PRIME MINISTER OSEI",
         "Prime Minister Osei"),
        ("Press Gaggle by Deputy Press Secretary Tom Reyes", "SECRETARY GENERAL-ELECT VAN DAM",
         "Secretary General-Elect Van Dam"),
        ("Background Press Call on the Summit", "SENIOR ADMINISTRATION OFFICIAL",
         "a senior administration official"),
        ("Press Gaggle by Deputy Press Secretary Tom Reyes", "MR. REYES", "Tom Reyes"),
        ("Press Gaggle by Deputy Press Secretary Tom Reyes", "DR. OKONJO-BELL", "Okonjo-Bell"),
    ],
)  # fmt: skip
def test_labels_resolve_to_names(title: str, label: str, speaker: str) -> None:
    text = f"{label}:  We will hold the line.\n"
    assert DocumentVoice.of(text, title).speaker_at(_at(text, "We will")) == speaker


def test_full_name_from_the_text_when_the_title_lacks_it() -> None:
    text = (
        "MS. MOREAU:  Joining us is Admiral Jo Brandt.\n"
        " ADMIRAL BRANDT:  Thanks. We will stay.\n MR. LUND: Yes."
    )
    voice = DocumentVoice.of(text, "Press Briefing, May 4")
    assert voice.speaker_at(_at(text, "We will stay")) == "Admiral Brandt"
    assert voice.speaker_at(_at(text, "Yes.")) == "Lund"  # no first name anywhere: the surname


@pytest.mark.parametrize(
    ("title", "author"),
    [
        ("Remarks by President Alvarez on the Economy | Denver, CO", "President Alvarez"),
        ("Statement from President Lena Ortiz on the Ceasefire", "President Lena Ortiz"),
        ("Statement by National Security Advisor Ravi Kapoor Regarding New Sanctions",
         "National Security Advisor Ravi Kapoor"),
        ("Joint Statement by the United States and Chile", "the United States and Chile"),
        ("Joint Declaration by the Prime Minister of Norland and the President of Sudria",
         "the Prime Minister of Norland and the President of Sudria"),
        ("Joint Communiqué of the Leaders of Norland and Sudria", "the Leaders of Norland and Sudria"),
        ("G9 Leaders’ Statement on Energy Security", "G9 Leaders"),
        ("Background Press Call Previewing the Trip", "a senior administration official"),
        ("Joint Statement of Norland, the Republic of Sudria, and the United States",
         "Norland, the Republic of Sudria, and the United States"),  # a list of authors, whole
        ("Joint Statement from the Governments of Norland, Sudria and Estmark on Shipping",
         "the Governments of Norland, Sudria and Estmark"),
        ("Statement by President Alvarez, Denver", "President Alvarez"),  # a place, not a list
        ("Remarks by Assistant to the President for Homeland Security, Dr. Ana Ruiz on Floods",
         "Dr. Ana Ruiz"),
        ("Joint Declaration of Support for the Recovery of Sudria", None),  # a topic, not an author
        ("Rebels Pledge to Lay Down Arms by March", None),  # a news headline names no author
        ("Defence Minister Says Army Will Stay", None),
    ],
)  # fmt: skip
def test_title_names_the_author_of_an_unlabelled_document(title: str, author: str | None) -> None:
    text = "We will stand with our partners for as long as it takes."
    assert DocumentVoice.of(text, title).speaker_at(3) == author


def test_capitalised_words_inside_a_sentence_are_no_turn() -> None:
    text = "MS. MOREAU: The memo was titled SECURITY UPDATE: read it. We will act."
    voice = DocumentVoice.of(text, BRIEFING_TITLE)
    assert voice.speaker_at(_at(text, "We will act")) == "Dana Moreau"
    heading = "FACT SHEET: New Support\nThe United States will provide aid."
    assert DocumentVoice.of(heading, "FACT SHEET: New Support").speaker_at(_at(heading, "The United")) is None


def _attr(text: str, sentence: str, span: str, claim_type: str, voice: DocumentVoice | None):  # type: ignore[no-untyped-def]
    s = _at(text, sentence)
    b = text.find(span, s)
    return attribute(text, s, s + len(sentence), b, b + len(span), claim_type, voice=voice)


def test_attribute_uses_the_voice_only_where_the_sentence_names_nobody() -> None:
    text = (
        "THE PRESIDENT:  We will respond if they cross the line. "
        "General Dahl said the army would stay. I have ordered 2,000 troops to the border. "
        "They vowed to fight on, the rebels said."
    )
    voice = DocumentVoice.of(text, "Remarks by President Alvarez on Border Security")
    first = "We will respond if they cross the line."
    assert (
        _attr(text, first, "We will respond if they cross the line", "threat", voice).speaker
        == "President Alvarez"
    )
    assert _attr(text, first, "We will respond if they cross the line", "threat", None).speaker is None
    second = "General Dahl said the army would stay."
    assert _attr(text, second, "the army would stay", "commitment", voice).speaker == "General Dahl"
    third = "I have ordered 2,000 troops to the border."
    assert _attr(text, third, "2,000 troops", "troop_count", voice).speaker == "President Alvarez"
    fourth = "They vowed to fight on, the rebels said."
    assert _attr(text, fourth, "They vowed to fight on", "threat", voice).speaker == "the rebels"


def test_news_article_troop_count_keeps_no_speaker() -> None:
    text = "Up to 90,000 troops have massed near the border. Officials fear an attack."
    voice = DocumentVoice.of(text, "Troops Mass Near the Border as Talks Stall")
    s = "Up to 90,000 troops have massed near the border."
    assert _attr(text, s, "Up to 90,000 troops have massed", "troop_count", voice).speaker is None


def test_reporters_questions_are_known() -> None:
    voice = DocumentVoice.of(BRIEFING, BRIEFING_TITLE)
    ask = "Will you send troops?"
    tell = "There are 4,000 soldiers nearby, I am told."
    assert voice.reporters_question(BRIEFING, _at(BRIEFING, ask), _at(BRIEFING, ask) + len(ask))
    assert not voice.reporters_question(BRIEFING, _at(BRIEFING, tell), _at(BRIEFING, tell) + len(tell))
    own = "Who will stop us now?"  # a briefer's own rhetorical question is hers to make
    text = f"MS. MOREAU:  We will respond. {own}"
    voice = DocumentVoice.of(text, BRIEFING_TITLE)
    assert not voice.reporters_question(text, _at(text, own), _at(text, own) + len(own))


def test_builder_emits_no_claim_from_a_reporters_question() -> None:
    from claimstream.claims.builder import build_claims
    from claimstream.extract.base import Span
    from claimstream.text.sentences import split_sentences

    text = (
        "MS. MOREAU:  We will send 500 troops to the border.\n"
        " Q    Will the 500 troops stay after the pullout? I hear 700 soldiers are already there.\n"
    )
    sentences = split_sentences(text)
    spans = []
    for s in sentences:
        sent = text[s.start : s.end]
        found = [sent.find(p) for p in ("500 troops", "700 soldiers")]
        spans.append(
            [Span("troop_count", f, f + 10 if sent[f] == "5" else f + 12, 0.9) for f in found if f >= 0]
        )
    claims = build_claims(
        "a1", text, sentences, spans, model_version="t", extracted_at="now", title=BRIEFING_TITLE
    )
    assert [(c.text, c.speaker) for c in claims] == [("500 troops", "Dana Moreau"), ("700 soldiers", None)]
    for c in claims:
        assert text[c.start : c.end] == c.text


def test_a_written_statement_states_its_figures_in_its_own_voice() -> None:
    text = "We will stand with our partners. Some 9,000 troops remain deployed in the region."
    statement = DocumentVoice.of(text, "Statement from President Lena Ortiz on the Ceasefire")
    speech = DocumentVoice.of(text, "Remarks by President Lena Ortiz on the Ceasefire")
    assert statement.speaker_at(0) == speech.speaker_at(0) == "President Lena Ortiz"
    assert statement.speaker_at(_at(text, "Some 9,000"), count=True) is None
    assert speech.speaker_at(_at(text, "Some 9,000"), count=True) == "President Lena Ortiz"


@pytest.mark.parametrize(
    ("text", "title", "author"),
    [
        ("We, the Leaders of the Group of Nine (G9), met today.\nWe will stand with our partners.",
         "Joint Declaration of Support for the Recovery of Sudria", "the Leaders of the Group of Nine (G9)"),
        ("We, the leaders of Norland, the Republic of Sudria, and Estmark, met today. We will stand firm.",
         None, "the leaders of Norland, the Republic of Sudria, and Estmark"),
        # the title's author comes first
        ("We, the ministers, met today. We will stand firm.", "Joint Statement by Norland and Sudria",
         "Norland and Sudria"),
        # a news headline keeps the document's own voice nameless
        ("We, the people, will not forget, the mayor said. We will stand firm.",
         "Mayor Vows to Rebuild", None),
    ],
)  # fmt: skip
def test_a_statement_names_its_authors_in_its_opening_words(
    text: str, title: str | None, author: str | None
) -> None:
    voice = DocumentVoice.of(text, title)
    assert voice.speaker_at(text.rindex("We will")) == author
