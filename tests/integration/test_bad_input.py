"""Bad input through the real worker: over 10,000 hypothesis-generated messages, one huge article.

Every message must end in exactly one place: a summary (good article, with exactly the claims
an offline extraction finds) or a dead letter with the original bytes and the reason the
offline decoder gives. The worker must not crash, restart or slow to a halt on any of them.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import time
from pathlib import Path
from typing import Any

import orjson
import pytest
from aiokafka import AIOKafkaProducer
from claimstream.delivery import TRUNCATED_PREFIX_BYTES
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from .harness import Topics, Worker
from .reliability import RssSampler, Truth, offline_truth, read_all

pytestmark = pytest.mark.kafka

N_MESSAGES = 10_000
CHUNKS = 10
CLAIM = "The minister warned that Russia would face severe consequences if it invaded."
SCRIPTS = [
    "Министр пообещал направить 5000 военнослужащих.",
    "وقال المتحدث إن الحكومة ستدعم الاتفاق.",
    "部长表示将派遣五千名士兵。",
    "Ο υπουργός δήλωσε ότι θα στείλει βοήθεια.",
    "מקור ביטחוני אמר כי הכוחות יישארו.",
    "नेता ने कहा कि सरकार समर्थन करेगी।",
    "🚀🔥 emoji ✅ and ZWJ 👩‍👩‍👧 sequences",
]
HTML = (
    "<!DOCTYPE html><html><head><title>{title}</title><script>var x = '<p>';</script></head>"
    "<body><nav>Home | World | Politics</nav><article><h1>{title}</h1><p>{body}</p>"
    "<p>{claim}</p></article><footer>© 2026 News Corp. All rights reserved.</footer></body></html>"
)

# --------------------------------------------------------------------------- strategies

text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=200)
controls = st.text(st.characters(min_codepoint=0, max_codepoint=0x1F), min_size=1, max_size=20)
ident = st.text(st.characters(codec="ascii", min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=40)
int64 = st.integers(-(2**63), 2**63 - 1)
json_scalar = st.one_of(
    st.none(), st.booleans(), int64, st.floats(allow_nan=False, allow_infinity=False), text
)
json_value = st.recursive(
    json_scalar,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
    max_leaves=12,
)
optional_fields = st.fixed_dictionaries(
    {},
    optional={
        "title": st.none() | text,
        "url": st.none() | st.just("https://example.org/a"),
        "source": st.none() | text,
        "lang": st.none() | st.sampled_from(["en", "ru", "zh"]),
    },
)


def article(art_id: Any, body: str, extra: dict[str, Any] | None = None) -> bytes:
    return orjson.dumps({"id": art_id, "text": body, **(extra or {})})


@st.composite
def valid(draw: st.DrawFn) -> tuple[str, bytes | None, bytes]:
    art_id = draw(ident)
    body = draw(text) + " " + CLAIM + " " + draw(text)
    return "good", art_id.encode(), article(art_id, body, draw(optional_fields))


@st.composite
def extra_fields(draw: st.DrawFn) -> tuple[str, bytes | None, bytes]:
    art_id = draw(ident)
    extra = draw(
        st.dictionaries(
            text.filter(lambda k: k not in {"id", "text", "title", "url", "source", "published_at", "lang"}),
            json_value,
            min_size=1,
            max_size=5,
        )
    )
    return "good", art_id.encode(), article(art_id, CLAIM + draw(text), extra)


@st.composite
def mixed_scripts(draw: st.DrawFn) -> tuple[str, bytes | None, bytes]:
    art_id = draw(ident)
    parts = draw(st.lists(st.sampled_from(SCRIPTS), min_size=1, max_size=6))
    return "good", art_id.encode(), article(art_id, " ".join([*parts, CLAIM]))


@st.composite
def control_characters(draw: st.DrawFn) -> tuple[str, bytes | None, bytes]:
    art_id = draw(ident)
    body = draw(controls) + CLAIM + draw(controls) + draw(text) + draw(controls)
    return "good", art_id.encode(), article(art_id, body)


@st.composite
def html_page(draw: st.DrawFn) -> tuple[str, bytes | None, bytes]:
    art_id = draw(ident)
    page = HTML.format(title=draw(text).replace("<", ""), body=draw(text), claim=CLAIM)
    return "good", art_id.encode(), page.replace("\x00", "").encode()


@st.composite
def duplicate_id(draw: st.DrawFn) -> tuple[str, bytes | None, bytes]:
    art_id = draw(st.sampled_from(["dup-1", "dup-2", "dup-3"]))
    return "good", art_id.encode(), article(art_id, CLAIM + " " + draw(text))


@st.composite
def plain_text_without_key(draw: st.DrawFn) -> tuple[str, bytes | None, bytes]:
    return "good", None, (CLAIM + " " + draw(text).replace("\x00", "")).encode()


@st.composite
def truncated(draw: st.DrawFn) -> tuple[str, bytes | None, bytes]:
    art_id = draw(ident)
    whole = article(art_id, CLAIM + draw(text), draw(optional_fields))
    cut = draw(st.integers(1, len(whole) - 1))
    return "bad", art_id.encode(), whole[:cut]


@st.composite
def deeply_nested(draw: st.DrawFn) -> tuple[str, bytes | None, bytes]:
    depth = draw(st.integers(1, 3000))
    inner = "[" * depth + "]" * depth
    where = draw(st.sampled_from(["top", "text", "field"]))
    if where == "top":
        value = inner
    elif where == "text":
        value = '{"id": "nested", "text": ' + inner + "}"
    else:
        value = '{"id": "nested", "meta": ' + inner + "}"
    return "bad", b"nested", value.encode()


@st.composite
def wrong_types(draw: st.DrawFn) -> tuple[str, bytes | None, bytes]:
    field = draw(st.sampled_from(["id", "text", "title", "lang"]))
    bad = draw(
        st.one_of(
            st.booleans(),
            st.floats(allow_nan=False, allow_infinity=False),
            st.lists(int64, max_size=3),
            st.dictionaries(ident, int64, max_size=2),
            int64,
        )
    )
    doc: dict[str, Any] = {"id": "typed", "text": CLAIM, field: bad}
    if field == "id" and isinstance(bad, int) and not isinstance(bad, bool):
        doc["text"] = 12345  # an integer id is allowed; make the text wrong instead
    return "bad", b"typed", orjson.dumps(doc)


@st.composite
def missing_fields(draw: st.DrawFn) -> tuple[str, bytes | None, bytes]:
    keep = draw(st.sampled_from([{"id": "missing"}, {"text": CLAIM}, {}, {"title": "only a title"}]))
    keep.update(
        draw(st.dictionaries(st.sampled_from(["title", "url", "lang", "x", "y"]), json_value, max_size=3))
    )
    return "bad", b"missing", orjson.dumps(keep)


@st.composite
def big_numbers(draw: st.DrawFn) -> tuple[str, bytes | None, bytes]:
    number = draw(st.integers(2**63, 2**80) | st.integers(-(2**80), -(2**63) - 1))
    value = '{"id": "big", "text": "' + CLAIM + '", "count": ' + str(number) + "}"
    return "either", b"big", value.encode()


@st.composite
def random_bytes(draw: st.DrawFn) -> tuple[str, bytes | None, bytes]:
    return "either", draw(st.none() | st.binary(max_size=16)), draw(st.binary(max_size=400))


@st.composite
def invalid_utf8(draw: st.DrawFn) -> tuple[str, bytes | None, bytes]:
    good = draw(text).encode()
    bad = draw(st.sampled_from([b"\xff", b"\xc3\x28", b"\xe2\x82", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80"]))
    cut = draw(st.integers(0, len(good)))
    return "bad", b"bytes", good[:cut] + bad + good[cut:]


@st.composite
def empty(draw: st.DrawFn) -> tuple[str, bytes | None, bytes | None]:
    blank = draw(st.text(st.sampled_from(" \t\n\r\x0b\x0c"), max_size=30))
    value = draw(st.sampled_from([None, blank.encode(), orjson.dumps({"id": "e", "text": blank})]))
    return "bad", b"empty", value


@st.composite
def surrogates(draw: st.DrawFn) -> tuple[str, bytes | None, bytes]:
    escape = draw(st.sampled_from(["\\ud800", "\\udfff", "\\ud83d"]))
    around = draw(ident).replace("\\", "").replace('"', "")
    return "bad", b"surrogate", ('{"id": "s", "text": "' + around + escape + CLAIM + '"}').encode()


@st.composite
def huge(draw: st.DrawFn) -> tuple[str, bytes | None, bytes]:
    size = draw(st.sampled_from([300_000, 1_000_000, 2_100_000, 3_000_000]))
    chunk = draw(text).replace("\n", " ") + " Officials met in Geneva on Tuesday." * 8 + "\n"
    body = (CLAIM + " " + chunk * (size // len(chunk.encode()) + 1))[:size]
    art_id = f"huge-{size}"
    return "either", art_id.encode(), article(art_id, body)


MESSAGE = st.one_of(
    valid(),
    extra_fields(),
    mixed_scripts(),
    control_characters(),
    html_page(),
    duplicate_id(),
    plain_text_without_key(),
    truncated(),
    deeply_nested(),
    wrong_types(),
    missing_fields(),
    random_bytes(),
    big_numbers(),
    invalid_utf8(),
    empty(),
    surrogates(),
)


def generate(n: int, *, with_huge: bool = False) -> list[tuple[str, bytes | None, bytes | None]]:
    """About ``n`` messages drawn by hypothesis (and four huge ones first), in generation order."""
    out: list[tuple[str, bytes | None, bytes | None]] = []
    per_example = 100

    @settings(
        max_examples=-(-n // per_example),
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(st.lists(MESSAGE, min_size=per_example, max_size=per_example, unique_by=lambda m: m[2]))
    def collect(batch: list[tuple[str, bytes | None, bytes | None]]) -> None:
        out.extend(batch)

    @settings(
        max_examples=4,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(huge())
    def collect_huge(message: tuple[str, bytes | None, bytes]) -> None:
        out.append(message)

    if with_huge:
        collect_huge()
    collect()
    return out


# --------------------------------------------------------------------------- test


def original_matches(dead: dict[str, Any], value: bytes | None) -> bool:
    stored = base64.b64decode(dead["value_b64"])
    extra = dead.get("extra") or {}
    if extra.get("value_truncated"):
        whole = value or b""
        return (
            stored == whole[:TRUNCATED_PREFIX_BYTES]
            and extra["value_bytes"] == len(whole)
            and extra["value_sha256"] == hashlib.sha256(whole).hexdigest()
        )
    return stored == (value or b"")


@pytest.mark.timeout(420)
async def test_ten_thousand_generated_messages_each_end_in_a_summary_or_a_dead_letter(
    kafka_bootstrap: str, create_topics: Any, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    t0 = time.monotonic()
    topics = Topics()
    await create_topics(topics.articles, topics.claims, topics.summaries, topics.dlq, partitions=1)
    worker = Worker(kafka_bootstrap, topics, tmp_path, CLAIMSTREAM_EXTRACTOR="baseline").start()
    worker.wait_ready()
    assert worker.proc is not None
    # in chunks: the worker (its own process, the other core) works on one chunk while this
    # process generates the next one and extracts the last one offline
    messages: list[tuple[str, bytes | None, bytes | None]] = []
    truths: list[Truth] = []
    offsets: list[int] = []
    producer = AIOKafkaProducer(
        bootstrap_servers=kafka_bootstrap, acks="all", enable_idempotence=True, max_request_size=16 * 2**20
    )
    await producer.start()
    with RssSampler(worker.proc.pid, interval=0.5) as rss:
        try:
            for chunk_no in range(CHUNKS):
                chunk = await asyncio.to_thread(generate, N_MESSAGES // CHUNKS, with_huge=chunk_no == 0)
                futures = [await producer.send(topics.articles, value=v, key=k) for _, k, v in chunk]
                messages.extend(chunk)
                truths.extend(
                    await asyncio.to_thread(lambda c=chunk: [offline_truth([(k, v)]) for _, k, v in c])
                )
                offsets.extend(r.offset for r in await asyncio.gather(*futures))
        finally:
            await producer.stop()
        generated_s = time.monotonic() - t0
        assert len(messages) >= 10_000
        n_good = sum(1 for t in truths if t.good)
        summaries, dead = await asyncio.gather(
            read_all(kafka_bootstrap, topics.summaries, until=lambda rs: len(rs) >= n_good, timeout=300),
            read_all(
                kafka_bootstrap,
                topics.dlq,
                until=lambda rs: len(rs) >= len(messages) - n_good,
                timeout=300,
                raw=False,
            ),
        )
    alive = worker.proc.poll() is None
    assert worker.stop() == 0
    assert alive, "the worker died"
    log = worker.log()
    assert "CRITICAL" not in log and "Traceback" not in log, log[-3000:]

    by_offset_summary: dict[int, list[dict[str, Any]]] = {}
    for s in summaries:
        by_offset_summary.setdefault(s["source_offset"], []).append(s)
    by_offset_dead: dict[int, list[dict[str, Any]]] = {}
    for d in dead:
        by_offset_dead.setdefault(d["offset"], []).append(d)
    counts: dict[str, int] = {}
    for (kind, key, value), truth, offset in zip(messages, truths, offsets, strict=True):
        got_summary = by_offset_summary.get(offset, [])
        got_dead = by_offset_dead.get(offset, [])
        assert len(got_summary) + len(got_dead) == 1, (
            offset,
            kind,
            key,
            value and value[:200],
            got_summary,
            got_dead,
        )
        if truth.good:
            assert kind in ("good", "either"), (kind, value and value[:200])
            assert got_summary, (offset, kind, value and value[:200], got_dead)
            ((article_id, claim_ids),) = truth.good.items()
            assert got_summary[0]["article_id"] == article_id
            assert got_summary[0]["claim_ids"] == claim_ids
            counts["good"] = counts.get("good", 0) + 1
        else:
            assert kind in ("bad", "either"), (kind, value and value[:200], truth.bad)
            assert got_dead, (offset, kind, value and value[:200], got_summary)
            record = got_dead[0]
            (expected_code,) = truth.bad.values()
            assert record["error_code"] == expected_code and record["error_message"]
            assert original_matches(record, value), (offset, kind)
            assert (base64.b64decode(record["key_b64"]) if record["key_b64"] is not None else None) == key
            counts[expected_code] = counts.get(expected_code, 0) + 1
    request.node.user_properties.append(("messages", len(messages)))
    print(
        f"\n[fuzz] messages={len(messages)} generated_and_produced_s={generated_s:.1f} outcomes={counts} "
        f"peak_rss_mb={rss.peak_mb:.0f} seconds={time.monotonic() - t0:.1f}"
    )
