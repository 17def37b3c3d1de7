"""The versioned JSON Schemas in schemas/v1, loaded once, for validation in tests and tools."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import orjson
from jsonschema import Draft202012Validator

from claimstream.settings import REPO_ROOT

SCHEMA_DIR = REPO_ROOT / "schemas" / "v1"
NAMES = ("article", "claim", "summary", "dead-letter")


@cache
def validator(name: str, schema_dir: Path = SCHEMA_DIR) -> Draft202012Validator:
    """A validator for one schema: ``article``, ``claim``, ``summary`` or ``dead-letter``."""
    schema = orjson.loads((schema_dir / f"{name}.schema.json").read_bytes())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def validate(name: str, record: dict[str, Any]) -> None:
    """Raise jsonschema.ValidationError if ``record`` does not match the named schema."""
    validator(name).validate(record)
