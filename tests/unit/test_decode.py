import pytest
from claimstream.decode import decode_article, text_id
from claimstream.exceptions import (
    ArticleTooLargeError,
    EmptyMessageError,
    NotJsonObjectError,
    NotUtf8Error,
    SchemaError,
)

LIMIT = 1_000_000


def test_json_article_with_optional_fields() -> None:
    art = decode_article(
        b'{"id": "a1", "text": "Hello there.", "title": "T", "lang": "en"}', None, max_bytes=LIMIT
    )
    assert (art.id, art.text, art.title, art.lang) == ("a1", "Hello there.", "T", "en")


def test_integer_id_is_accepted_as_string() -> None:
    assert decode_article(b'{"id": 7, "text": "x y"}', None, max_bytes=LIMIT).id == "7"


def test_plain_text_uses_key_as_id() -> None:
    art = decode_article(b"Troops moved.", b"doc-9", max_bytes=LIMIT)
    assert art.id == "doc-9" and art.text == "Troops moved."


def test_plain_text_without_key_gets_stable_hash_id() -> None:
    a = decode_article(b"Some text here.", None, max_bytes=LIMIT)
    b = decode_article(b"Some text here.", None, max_bytes=LIMIT)
    assert a.id == b.id == text_id("Some text here.")


def test_timestamp_is_kept() -> None:
    assert decode_article(b"abc def", None, max_bytes=LIMIT, timestamp_ms=123).produced_at_ms == 123


@pytest.mark.parametrize(
    ("value", "error", "fragment"),
    [
        (b"", EmptyMessageError, "no value"),
        (None, EmptyMessageError, "no value"),
        (b"   \n", EmptyMessageError, "no value"),
        (b"\xff\xfe\xfa broken", NotUtf8Error, "UTF-8"),
        (b"[1, 2, 3]", NotJsonObjectError, "list"),
        (b'{"id": "x", "text": ', NotJsonObjectError, "does not parse"),
        (b'{"id": "x"}', SchemaError, "'text'"),
        (b'{"id": "x", "text": 42}', SchemaError, "must be a string"),
        (b'{"id": "x", "text": "   "}', EmptyMessageError, "empty"),
        (b'{"text": "abc"}', SchemaError, "'id'"),
        (b'{"id": ["x"], "text": "abc"}', SchemaError, "'id'"),
        (b'{"id": "x", "text": "abc", "title": 5}', SchemaError, "'title'"),
        (b"plain\x00text", NotUtf8Error, "NUL"),
    ],
)
def test_bad_messages_raise_a_named_reason(
    value: bytes | None, error: type[Exception], fragment: str
) -> None:
    with pytest.raises(error, match=fragment):
        decode_article(value, None, max_bytes=LIMIT)


def test_too_large_is_rejected_before_decoding() -> None:
    with pytest.raises(ArticleTooLargeError, match="limit is 10"):
        decode_article(b"x" * 11, None, max_bytes=10)


def test_error_codes_are_distinct() -> None:
    codes = {
        e.code
        for e in (NotUtf8Error, EmptyMessageError, NotJsonObjectError, SchemaError, ArticleTooLargeError)
    }
    assert len(codes) == 5
