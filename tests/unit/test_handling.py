import base64

import orjson
import pytest
from claimstream.exceptions import ExtractionError
from claimstream.extract.base import Span
from claimstream.extract.baseline import BaselineExtractor
from claimstream.handling import BatchHandler, RawMessage
from claimstream.pipeline import Pipeline
from claimstream.schemas import validate


def msg(value: bytes | None, offset: int = 0, key: bytes | None = None) -> RawMessage:
    return RawMessage("articles", 0, offset, key, value, 1_700_000_000_000)


@pytest.fixture
def handler() -> BatchHandler:
    return BatchHandler(Pipeline(BaselineExtractor()), max_article_bytes=100_000)


def test_good_and_bad_messages_are_routed(handler: BatchHandler, sample_text: str) -> None:
    batch = [
        msg(sample_text.encode(), 0, b"sample"),
        msg(b"[1,2]", 1),
        msg(b'{"id": "a", "text": "Nothing here at all."}', 2),
        msg(b"\xff\xfe", 3, b"k"),
    ]
    out = handler.handle(batch)
    assert [r.article.id for _, r in out.results] == ["sample", "a"]
    assert [(d.offset, d.error_code) for d in out.dead_letters] == [(1, "not_json_object"), (3, "not_utf8")]
    dead = out.dead_letters[1]
    assert base64.b64decode(dead.value_b64) == b"\xff\xfe" and base64.b64decode(dead.key_b64 or "") == b"k"
    validate("dead-letter", dead.to_dict())
    sample, empty = (r for _, r in out.results)
    assert empty.claims == [] and empty.summary.claim_count == 0
    assert sample.summary.claim_count == len(sample.claims) > 0
    for claim in sample.claims:
        validate("claim", orjson.loads(orjson.dumps(claim.to_dict())))
        assert sample_text[claim.start : claim.end] == claim.text
    validate("summary", sample.summary.to_dict())


class ExplodingOn:
    """A tagger that fails on sentences containing a marker word, like a model crashing on odd input."""

    name = "exploding"
    version = "test-1"

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def tag(self, sentences: list[str]) -> list[list[Span]]:
        if any(self.marker in s for s in sentences):
            raise RuntimeError("kaboom")
        return [[] for _ in sentences]


def test_a_failing_article_is_isolated_and_dead_lettered() -> None:
    handler = BatchHandler(Pipeline(ExplodingOn("POISON")), max_article_bytes=10_000)
    out = handler.handle([msg(b"Fine text here.", 0), msg(b"POISON pill text.", 1), msg(b"Also fine.", 2)])
    assert sorted(m.offset for m, _ in out.results) == [0, 2]
    assert [(d.offset, d.error_code) for d in out.dead_letters] == [(1, ExtractionError.code)]
    assert "kaboom" in out.dead_letters[0].error_message


def test_claim_ids_are_deterministic(handler: BatchHandler, sample_text: str) -> None:
    a = handler.handle([msg(sample_text.encode(), 0, b"x")]).results[0][1].claims
    b = handler.handle([msg(sample_text.encode(), 9, b"x")]).results[0][1].claims
    assert [c.claim_id for c in a] == [c.claim_id for c in b]
    c = handler.handle([msg(sample_text.encode(), 0, b"y")]).results[0][1].claims
    assert not {x.claim_id for x in a} & {x.claim_id for x in c}
