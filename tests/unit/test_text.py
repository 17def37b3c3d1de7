import re

from claimstream.text.boilerplate import content_regions, is_boilerplate
from claimstream.text.sentences import split_sentences


def test_sample_article_boilerplate_is_dropped(sample_text: str) -> None:
    kept = " ".join(sample_text[s:e] for s, e in content_regions(sample_text))
    for junk in (
        "See also",
        "3:52",
        "2:00",
        "Leave a Reply",
        "Akismet",
        "Related Posts",
        "Most Popular",
        "Social Media",
        "With input from",
    ):
        assert junk not in kept
    assert "up to 100,000 Russian troops" in kept
    assert "withdraw 10,000 soldiers" in kept


def test_regions_index_the_original_text(sample_text: str) -> None:
    for start, end in content_regions(sample_text):
        assert sample_text[start:end].strip() == sample_text[start:end]
        assert "\n" not in sample_text[start:end]


def test_prose_with_times_and_all_caps_words_is_kept() -> None:
    assert not is_boilerplate("The talks will begin at 3:30 pm, officials said, after NATO met.")
    assert not is_boilerplate("NATO and the EU agreed to send 3,000 troops to the border.")
    assert is_boilerplate("BREAKING: NATO SUMMIT LIVE UPDATES")
    assert is_boilerplate("Watch the president's remarks 4:12")
    assert is_boilerplate("Read more: how sanctions work")
    assert is_boilerplate("By Anna Chernova and Kevin Liptak")
    assert not is_boilerplate("By Friday, Russia had moved 10,000 troops.")
    assert is_boilerplate("Photo: Russian troops parade in Moscow on Victory Day (Reuters)")
    # a scrape ran the next paragraph into the credit's line: the line is prose
    assert not is_boilerplate(
        "Photo: HT Seeking to answer complaints by bus operators, the council said it would cut the"
        " levy on fuel for city buses next month, and that it would review the rates again in"
        " spring after hearing from the operators and the unions that represent their drivers."
    )


def test_sentences_keep_offsets(sample_text: str) -> None:
    sentences = split_sentences(sample_text, content_regions(sample_text))
    assert len(sentences) > 40
    for s in sentences:
        piece = sample_text[s.start : s.end]
        assert piece == piece.strip() and piece
    texts = [sample_text[s.start : s.end] for s in sentences]
    assert any(t.startswith("Since then, up to 100,000 Russian troops") for t in texts)


def test_abbreviations_do_not_split() -> None:
    text = "The U.S. and Gen. Smith met Mr. Jones on Jan. 5. Then they left."
    parts = [text[s.start : s.end] for s in split_sentences(text)]
    assert parts == ["The U.S. and Gen. Smith met Mr. Jones on Jan. 5.", "Then they left."]


def test_quotes_and_question_marks() -> None:
    text = "“We will respond,” he said. Will they? Yes! Nobody knows."
    parts = [text[s.start : s.end] for s in split_sentences(text)]
    assert parts == ["“We will respond,” he said.", "Will they?", "Yes!", "Nobody knows."]


def test_no_sentence_crosses_a_paragraph() -> None:
    text = "First line without stop\nSecond line. Third"
    parts = [text[s.start : s.end] for s in split_sentences(text)]
    assert parts == ["First line without stop", "Second line.", "Third"]
    assert all(not re.search(r"\n", p) for p in parts)


def test_section_headings_are_not_article_text(sample_text: str) -> None:
    kept = " ".join(sample_text[s:e] for s, e in content_regions(sample_text))
    assert "Commitment to allies" not in kept
    assert "The United States has pledged to keep Western European countries" in kept
    page = (
        "Russia has massed troops near the border.\n\nBacking for our partners\n\n"
        "NATO said it would send 3,000 more troops\nto Poland within weeks\nand stay there.\n\n"
        "Sanctions are coming, officials warned\n"
    )
    kept_lines = [page[s:e] for s, e in content_regions(page)]
    assert "Backing for our partners" not in kept_lines  # alone between blank lines, no punctuation
    assert "to Poland within weeks" in kept_lines  # a hard-wrapped line of a paragraph
    assert "Sanctions are coming, officials warned" in kept_lines  # a comma: prose missing its period
    assert content_regions("Russia will invade Ukraine") == [(0, 26)]  # the whole message
