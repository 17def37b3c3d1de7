"""What `claimstream consume` prints for a claim: every field as text, never read as rich markup."""

import io

from claimstream.cli import _print_claim
from rich.console import Console


def _printed(claim: dict) -> str:
    out = io.StringIO()
    _print_claim(Console(file=out, width=200, color_system=None), claim)
    return out.getvalue()


def _claim(**fields: object) -> dict:
    base = {
        "type": "threat",
        "article_id": "a[1]",
        "start": 0,
        "end": 9,
        "text": "we will act",
        "speaker": None,
        "target": None,
        "conditional": False,
        "negated": False,
        "quantity": None,
        "confidence": 0.5,
    }
    return {**base, **fields}


def test_a_troop_count_shows_its_quantity() -> None:
    q = {"value": 100000, "lower": None, "upper": 100000, "qualifier": "up_to", "unit": "troops"}
    shown = _printed(_claim(type="troop_count", text="up to 100,000 Russian troops", quantity=q))
    assert "[up_to 100000 troops]" in shown
    assert "“up to 100,000 Russian troops” (0.50)" in shown


def test_brackets_in_the_text_speaker_and_id_are_printed_as_they_are() -> None:
    shown = _printed(
        _claim(text="drive him out, throw [him] out", speaker="[bold]Kravchenko", conditional=True)
    )
    assert "“drive him out, throw [him] out”" in shown
    assert "[bold]Kravchenko → -" in shown
    assert shown.startswith("threat      a[1]:0-9 C  ")
