"""A threat or commitment span of under three words is a fragment, not a claim (claims/builder.py)."""

from claimstream.claims.builder import build_claims
from claimstream.extract.base import Span
from claimstream.text.sentences import Sentence


def test_the_builder_emits_no_threat_or_commitment_from_a_fragment() -> None:
    """Under three words is no statement of who will do what; a troop count may be that short."""
    text = "Officials have resolved it. The DPRK will retaliate. 500 soldiers arrived."
    s1, s2, s3 = Sentence(0, 27), Sentence(28, 52), Sentence(53, len(text))
    spans = [
        [Span("commitment", 10, 18, 0.9)],  # "resolved"
        [Span("threat", 0, 8, 0.9), Span("threat", 4, 23, 0.9)],  # "The DPRK", "DPRK will retaliate"
        [Span("troop_count", 0, 12, 0.9)],  # "500 soldiers"
    ]
    claims = build_claims("a1", text, [s1, s2, s3], spans, model_version="t", extracted_at="now")
    assert [(c.type, c.text) for c in claims] == [
        ("threat", "DPRK will retaliate"),
        ("troop_count", "500 soldiers"),
    ]
    assert all(text[c.start : c.end] == c.text for c in claims)
