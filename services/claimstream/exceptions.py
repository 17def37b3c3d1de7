"""Errors raised by claimstream. Each has a stable ``code`` that dead-letter records carry."""

from __future__ import annotations


class ClaimstreamError(Exception):
    """Base class for all claimstream errors."""

    code = "error"


class NotUtf8Error(ClaimstreamError):
    """The message value is not valid UTF-8."""

    code = "not_utf8"


class EmptyMessageError(ClaimstreamError):
    """The message has no value, or a value with no text."""

    code = "empty"


class NotJsonObjectError(ClaimstreamError):
    """The value looks like JSON but is not a JSON object (an array, a number, broken JSON)."""

    code = "not_json_object"


class SchemaError(ClaimstreamError):
    """The JSON article does not match the article schema (missing or mistyped fields)."""

    code = "schema"


class ArticleTooLargeError(ClaimstreamError):
    """The article is larger than the configured limit."""

    code = "too_large"


class ExtractionError(ClaimstreamError):
    """The model or the claim builder failed on an otherwise valid article."""

    code = "extraction_failed"


class ModelLoadError(ClaimstreamError):
    """The tagger model could not be loaded."""

    code = "model_load"
