"""Turn a raw Kafka message into an :class:`Article`, or raise the reason it cannot be one."""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Any

import orjson

from claimstream.exceptions import (
    ArticleTooLargeError,
    EmptyMessageError,
    NotJsonObjectError,
    NotUtf8Error,
    SchemaError,
)
from claimstream.records import Article

_OPTIONAL = ("title", "url", "source", "published_at", "lang")
_MAX_ID_LENGTH = 512


def text_id(text: str) -> str:
    """A stable id for a plain-text article that came without a key."""
    return "sha1:" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:20]


def _from_json(obj: Any) -> Article:
    if not isinstance(obj, dict):
        raise NotJsonObjectError(f"expected a JSON object, got a JSON {type(obj).__name__}")
    text = obj.get("text")
    if "text" not in obj:
        raise SchemaError("missing required field 'text'")
    if not isinstance(text, str):
        raise SchemaError(f"field 'text' must be a string, got {type(text).__name__}")
    if not text.strip():
        raise EmptyMessageError("field 'text' is empty")
    art_id = obj.get("id")
    if art_id is None:
        raise SchemaError("missing required field 'id'")
    if isinstance(art_id, bool) or not isinstance(art_id, (str, int)):
        raise SchemaError(f"field 'id' must be a string, got {type(art_id).__name__}")
    art_id = str(art_id)
    if not art_id.strip() or len(art_id) > _MAX_ID_LENGTH:
        raise SchemaError(f"field 'id' must be 1..{_MAX_ID_LENGTH} characters")
    for name in _OPTIONAL:
        value = obj.get(name)
        if value is not None and not isinstance(value, str):
            raise SchemaError(f"field {name!r} must be a string or null, got {type(value).__name__}")
    return Article(
        id=art_id,
        text=text,
        title=obj.get("title"),
        url=obj.get("url"),
        source=obj.get("source"),
        published_at=obj.get("published_at"),
        lang=obj.get("lang"),
    )


def decode_article(
    value: bytes | None,
    key: bytes | None = None,
    *,
    max_bytes: int,
    timestamp_ms: int | None = None,
) -> Article:
    """Decode one message value (a JSON article or plain UTF-8 text) into an Article.

    Raises a :class:`~claimstream.exceptions.ClaimstreamError` subclass naming the reason.
    """
    if value is None or not value.strip():
        raise EmptyMessageError("message has no value")
    if len(value) > max_bytes:
        raise ArticleTooLargeError(f"message is {len(value)} bytes, the limit is {max_bytes}")
    try:
        decoded = value.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NotUtf8Error(f"value is not valid UTF-8: {exc.reason} at byte {exc.start}") from None
    head = decoded.lstrip()[:1]
    if head in ("{", "["):
        try:
            obj = orjson.loads(value)
        except orjson.JSONDecodeError as exc:
            raise NotJsonObjectError(f"value starts like JSON but does not parse: {exc}") from None
        article = _from_json(obj)
    else:
        if "\x00" in decoded:
            raise NotUtf8Error("plain-text value contains NUL characters")
        art_id = None
        if key:
            try:
                art_id = key.decode("utf-8").strip() or None
            except UnicodeDecodeError:
                art_id = None
        article = Article(id=art_id or text_id(decoded), text=decoded)
    if timestamp_ms is not None:
        article = dataclasses.replace(article, produced_at_ms=timestamp_ms)
    return article
