"""Table-driven tests for troop-count detection (claims/quantity.py).

All sentences are our own wording, modelled on news phrasing; the sample article is the only
real text quoted (see the last tests)."""

from __future__ import annotations

from pathlib import Path

import pytest
from claimstream.claims.quantity import (
    QUALIFIERS,
    Quantity,
    QuantityMatch,
    find_troop_quantities,
    parse_number,
    parse_quantity,
)

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample-article.txt"

# (text, expected phrase, value, lower, upper, qualifier, unit)
POSITIVE: list[tuple[str, str, int | None, int | None, int | None, str, str]] = [
    # exact
    ("The army sent 3,000 troops north.", "3,000 troops", 3000, 3000, 3000, "exact", "troops"),
    ("It moved 800 U.S. troops to the base.", "800 U.S. troops", 800, 800, 800, "exact", "troops"),
    ("Kyiv said 8,500 U.S.-based troops were on alert.", "8,500 U.S.-based troops", 8500, 8500, 8500,
     "exact", "troops"),
    ("He pledged 3,000 additional American soldiers.", "3,000 additional American soldiers", 3000, 3000,
     3000, "exact", "soldiers"),
    ("Officials counted 2,000 National Guard troops.", "2,000 National Guard troops", 2000, 2000, 2000,
     "exact", "troops"),
    ("The base hosts 2,000 Marine Corps troops.", "2,000 Marine Corps troops", 2000, 2000, 2000, "exact",
     "troops"),
    ("Moscow will withdraw 10,000 of its troops.", "10,000 of its troops", 10000, 10000, 10000, "exact",
     "troops"),
    ("A total of 500 army soldiers patrol the city.", "500 army soldiers", 500, 500, 500, "exact",
     "soldiers"),
    ("Nearby were 30,000 Russian and Belarusian troops.", "30,000 Russian and Belarusian troops", 30000,
     30000, 30000, "exact", "troops"),
    ("Only one soldier stayed behind.", "one soldier", 1, 1, 1, "exact", "soldier"),
    ("It flew in 600 special forces.", "600 special forces", 600, 600, 600, "exact", "special forces"),
    ("Two service members arrived.", "Two service members", 2, 2, 2, "exact", "service members"),
    ("The fleet carries 5,000 sailors.", "5,000 sailors", 5000, 5000, 5000, "exact", "sailors"),
    ("Three Afghan National Army officers were trained.", "Three Afghan National Army officers", 3, 3, 3,
     "exact", "officers"),
    ("Ninety-four citizen airmen deployed.", "Ninety-four citizen airmen", 94, 94, 94, "exact", "airmen"),
    ("The group recruited 1,200 foreign mercenaries.", "1,200 foreign mercenaries", 1200, 1200, 1200,
     "exact", "mercenaries"),
    ("Police said four militants crossed over.", "four militants", 4, 4, 4, "exact", "militants"),
    ("Seoul called up 5,000 reservists.", "5,000 reservists", 5000, 5000, 5000, "exact", "reservists"),
    ("The brigade has 900 paratroopers.", "900 paratroopers", 900, 900, 900, "exact", "paratroopers"),
    ("The camp holds 250 recruits.", "250 recruits", 250, 250, 250, "exact", "recruits"),
    ("A 3,000-strong force landed.", "3,000-strong force", 3000, 3000, 3000, "exact", "force"),
    ("They backed a 10,000-member peacekeeping force.", "10,000-member peacekeeping force", 10000, 10000,
     10000, "exact", "force"),
    ("A 500-man unit crossed at dawn.", "500-man unit", 500, 500, 500, "exact", "unit"),
    ("Rome sent a 1,500-troop contingent.", "1,500-troop contingent", 1500, 1500, 1500, "exact",
     "contingent"),
    ("About 7,000 conscripts were called up this spring.", "About 7,000 conscripts", 7000, None, None,
     "approx", "conscripts"),
    # numbers written in words, with scales, with separators
    ("Ten thousand soldiers marched.", "Ten thousand soldiers", 10000, 10000, 10000, "exact", "soldiers"),
    ("It sent one hundred and fifty commandos.", "one hundred and fifty commandos", 150, 150, 150, "exact",
     "commandos"),
    ("Twenty-five thousand troops were massed.", "Twenty-five thousand troops", 25000, 25000, 25000,
     "exact", "troops"),
    ("Two dozen guerrillas camped there.", "Two dozen guerrillas", 24, 24, 24, "exact", "guerrillas"),
    ("A dozen rebels surrendered their arms.", "A dozen rebels", 12, 12, 12, "exact", "rebels"),
    ("A hundred marines came ashore.", "A hundred marines", 100, 100, 100, "exact", "marines"),
    ("Half a million troops are on standby.", "Half a million troops", 500000, 500000, 500000, "exact",
     "troops"),
    ("The army has 1.5 million soldiers.", "1.5 million soldiers", 1500000, 1500000, 1500000, "exact",
     "soldiers"),
    ("They mobilised 10k troops.", "10k troops", 10000, 10000, 10000, "exact", "troops"),
    ("Reports mention 2.5m troops in total.", "2.5m troops", 2500000, 2500000, 2500000, "exact", "troops"),
    ("The ministry listed 100 000 soldiers.", "100 000 soldiers", 100000, 100000, 100000, "exact",
     "soldiers"),
    ("The ministry listed 100.000 soldiers.", "100.000 soldiers", 100000, 100000, 100000, "exact",
     "soldiers"),
    ("They sent 10 thousand servicemen.", "10 thousand servicemen", 10000, 10000, 10000, "exact",
     "servicemen"),
    ("He sent 2000 troops to the coast.", "2000 troops", 2000, 2000, 2000, "exact", "troops"),
    # approx
    ("Some 2,000 National Guardsmen were called up.", "Some 2,000 National Guardsmen", 2000, None, None,
     "approx", "National Guardsmen"),
    ("about 1,000 Marines will go.", "about 1,000 Marines", 1000, None, None, "approx", "Marines"),
    ("around 4,000 fighters hold the town.", "around 4,000 fighters", 4000, None, None, "approx",
     "fighters"),
    ("roughly 90,000 soldiers are nearby.", "roughly 90,000 soldiers", 90000, None, None, "approx",
     "soldiers"),
    ("nearly 500 troops left.", "nearly 500 troops", 500, None, None, "approx", "troops"),
    ("almost 20,000 personnel took part.", "almost 20,000 personnel", 20000, None, None, "approx",
     "personnel"),
    ("approximately 300 sailors", "approximately 300 sailors", 300, None, None, "approx", "sailors"),
    ("an estimated 4,000 fighters joined.", "an estimated 4,000 fighters", 4000, None, None, "approx",
     "fighters"),
    ("close to 60,000 troops", "close to 60,000 troops", 60000, None, None, "approx", "troops"),
    ("~5,000 troops are left.", "~5,000 troops", 5000, None, None, "approx", "troops"),
    ("a further 70 or so soldiers", "70 or so soldiers", 70, None, None, "approx", "soldiers"),
    ("about a dozen Afghan soldiers", "about a dozen Afghan soldiers", 12, None, None, "approx",
     "soldiers"),
    ("about 60 gunmen stormed the building", "about 60 gunmen", 60, None, None, "approx", "gunmen"),
    # up_to
    ("up to 100,000 Russian troops have massed", "up to 100,000 Russian troops", 100000, None, 100000,
     "up_to", "troops"),
    ("as many as 40,000 combatants", "as many as 40,000 combatants", 40000, None, 40000, "up_to",
     "combatants"),
    ("Up to ten thousand troops may move.", "Up to ten thousand troops", 10000, None, 10000, "up_to",
     "troops"),
    # at_least
    ("at least ten fighters", "at least ten fighters", 10, 10, None, "at_least", "fighters"),
    ("AT LEAST TEN ISIS FIGHTERS", "AT LEAST TEN ISIS FIGHTERS", 10, 10, None, "at_least", "FIGHTERS"),
    ("more than 3,500 troops", "more than 3,500 troops", 3500, 3500, None, "at_least", "troops"),
    ("over 5,200 soldiers were ordered to go", "over 5,200 soldiers", 5200, 5200, None, "at_least",
     "soldiers"),
    ("upwards of 2,000 insurgents", "upwards of 2,000 insurgents", 2000, 2000, None, "at_least",
     "insurgents"),
    ("in excess of 50,000 troops", "in excess of 50,000 troops", 50000, 50000, None, "at_least", "troops"),
    ("no fewer than 700 marines", "no fewer than 700 marines", 700, 700, None, "at_least", "marines"),
    ("10,000+ troops", "10,000+ troops", 10000, 10000, None, "at_least", "troops"),
    ("a 10,000-plus soldiers contingent", "10,000-plus soldiers", 10000, 10000, None, "at_least",
     "soldiers"),
    ("5,000 or more troops", "5,000 or more troops", 5000, 5000, None, "at_least", "troops"),
    ("more than a thousand soldiers", "more than a thousand soldiers", 1000, 1000, None, "at_least",
     "soldiers"),
    # at_most
    ("fewer than 500 troops remain", "fewer than 500 troops", 500, None, 500, "at_most", "troops"),
    ("less than 2,000 soldiers", "less than 2,000 soldiers", 2000, None, 2000, "at_most", "soldiers"),
    ("under 1,000 personnel", "under 1,000 personnel", 1000, None, 1000, "at_most", "personnel"),
    ("no more than 500 troops", "no more than 500 troops", 500, None, 500, "at_most", "troops"),
    ("at most 300 sailors", "at most 300 sailors", 300, None, 300, "at_most", "sailors"),
    # range
    ("between 70,000 and 90,000 troops", "between 70,000 and 90,000 troops", None, 70000, 90000, "range",
     "troops"),
    ("70,000-90,000 troops", "70,000-90,000 troops", None, 70000, 90000, "range", "troops"),
    ("70,000–90,000 soldiers", "70,000–90,000 soldiers", None, 70000, 90000, "range", "soldiers"),
    ("70 to 90 thousand troops", "70 to 90 thousand troops", None, 70000, 90000, "range", "troops"),
    ("between 1.5 and 2 million troops", "between 1.5 and 2 million troops", None, 1500000, 2000000,
     "range", "troops"),
    ("two or three thousand troops", "two or three thousand troops", None, 2000, 3000, "range", "troops"),
    ("some 5,000 to 7,000 fighters", "some 5,000 to 7,000 fighters", None, 5000, 7000, "range",
     "fighters"),
    ("Two cartels could field 80,000 foot soldiers", "80,000 foot soldiers", 80000, 80000, 80000, "exact",
     "foot soldiers"),
    ("a band of at least a dozen armed men raided a farm", "at least a dozen armed men", 12, 12, None,
     "at_least", "armed men"),
    ("About 60 armed rebel members camped there", "About 60 armed rebel members", 60, None, None, "approx",
     "members"),
    ("The base hosts over 300 active-duty Coast Guard members", "over 300 active-duty Coast Guard members",
     300, 300, None, "at_least", "members"),
    ("the unit includes 350 members of the military", "350 members of the military", 350, 350, 350,
     "exact", "members of the military"),
    ("The army has 80,000 plus personnel", "80,000 plus personnel", 80000, 80000, None, "at_least",
     "personnel"),
    ("about 30-50 commandos", "about 30-50 commandos", None, 30, 50, "range", "commandos"),
    ("an estimated five or six guerrillas", "an estimated five or six guerrillas", None, 5, 6, "range",
     "guerrillas"),
    ("his command covered nearly 400K airmen", "nearly 400K airmen", 400000, None, None, "approx",
     "airmen"),
    ("after encircling more than 350 troops", "more than 350 troops", 350, 350, None, "at_least", "troops"),
    # vague
    ("many thousands of troops", "many thousands of troops", None, 2000, 9999, "vague", "troops"),
    ("several hundred fighters", "several hundred fighters", None, 300, 999, "vague", "fighters"),
    ("a few thousand troops", "a few thousand troops", None, 2000, 9999, "vague", "troops"),
    ("thousands of US troops", "thousands of US troops", None, 2000, 9999, "vague", "troops"),
    ("tens of thousands of soldiers", "tens of thousands of soldiers", None, 20000, 99999, "vague",
     "soldiers"),
    ("hundreds of thousands of reservists", "hundreds of thousands of reservists", None, 200000, 999999,
     "vague", "reservists"),
    ("hundreds of mercenaries", "hundreds of mercenaries", None, 200, 999, "vague", "mercenaries"),
    ("dozens of militants", "dozens of militants", None, 24, 99, "vague", "militants"),
    ("several dozen militia fighters", "several dozen militia fighters", None, 36, 99, "vague",
     "fighters"),
    ("several thousand paratroopers", "several thousand paratroopers", None, 3000, 9999, "vague",
     "paratroopers"),
    ("a few hundred mercenaries", "a few hundred mercenaries", None, 200, 999, "vague", "mercenaries"),
    ("Thousands more troops arrived", "Thousands more troops", None, 2000, 9999, "vague", "troops"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "phrase", "value", "lower", "upper", "qualifier", "unit"), POSITIVE)
def test_finds_and_normalises(
    text: str, phrase: str, value: int | None, lower: int | None, upper: int | None, qualifier: str, unit: str
) -> None:
    matches = find_troop_quantities(text)
    assert len(matches) == 1, matches
    match = matches[0]
    assert text[match.start : match.end] == phrase
    assert match.quantity == Quantity(value, lower, upper, qualifier, unit)
    assert parse_quantity(text) == match.quantity


NEGATIVE: list[str] = [
    # equipment and units without a personnel number
    "Russia has 300 tanks near the border.",
    "It ordered 40 fighter jets and 12 ships.",
    "The navy fired 20 missiles.",
    "They bought 50 F-16 fighters.",
    "It showed 10 Su-35 fighters at the parade.",
    "25 armoured personnel carriers crossed the river.",
    "A battalion of troops moved up.",
    "Five rebel groups signed the deal.",
    "Dozens of battalion tactical groups are deployed.",
    # casualties, prisoners, captives
    "12 soldiers were killed in the blast.",
    "The attack killed 12 soldiers.",
    "Officials said 12 wounded soldiers were flown out.",
    "Two soldiers have been killed and three wounded.",
    "Ten soldiers died in the crash.",
    "It reported 300 troops dead.",
    "They captured 40 soldiers near the town.",
    "Ten soldiers captured in the raid were paraded.",
    "Kyiv released 200 fighters in the swap.",
    "The shelling left at least 30 soldiers wounded.",
    "There were 5,000 troop casualties.",
    "The raid ended by killing 200 of the 350 soldiers.",
    "Some 1,000 troops and police guard the port.",
    "It pays 3,000 service members and their spouses.",
    "The cartel has some 3,000 armed members.",
    "The gang has 400 members.",
    "At least a dozen insurgents were caught at the crossing.",
    "The deal freed 4,000 rebel fighters.",
    "Twenty soldiers are still held hostage.",
    # not personnel
    "About 300 protesters gathered.",
    "An estimated 200 police were deployed.",
    "Hundreds of police lined the road.",
    "200 police officers guarded the venue.",
    "It will admit 10,000 refugees.",
    "Moscow expelled 60 diplomats.",
    "Up to 100 civilians were evacuated.",
    "The prison holds 3,000 prisoners.",
    "4 million people live there.",
    # money, percentages, years, times, measures
    "Congress approved $100 million for the troops.",
    "It pledged €500 million to Ukrainian forces.",
    "About 50% of troops are conscripts.",
    "Some 50 percent of the soldiers are reservists.",
    "In 2014 troops entered Crimea.",
    "Since 2015 soldiers have guarded the line.",
    "The 50-minute call ended at 3:30 pm.",
    "Twenty-year-old soldiers guard the gate.",
    "The 20-year-old soldiers guard the gate.",
    "The 82nd Airborne will deploy.",
    "Article 5 forces allies to respond.",
    # word and number traps
    "One of the soldiers said the mood was grim.",
    "A soldier said the mood was grim.",
    "The soldiers, some of them young, waited.",
    "Troops are massing on the border.",
]


@pytest.mark.parametrize("text", NEGATIVE)
def test_rejects(text: str) -> None:
    assert find_troop_quantities(text) == []
    assert parse_quantity(text) is None


def test_change_of_level_gives_two_exact_counts() -> None:
    text = "It raised its contingent from 800 to 1,600 troops."
    matches = find_troop_quantities(text)
    assert [text[m.start : m.end] for m in matches] == ["800", "1,600 troops"]
    assert [m.quantity for m in matches] == [
        Quantity(800, 800, 800, "exact", "troops"),
        Quantity(1600, 1600, 1600, "exact", "troops"),
    ]


def test_elided_noun_in_a_change() -> None:
    text = "The force fell from some 20,000 soldiers to nearly 9,000 in a year."
    matches = find_troop_quantities(text)
    assert [text[m.start : m.end] for m in matches] == ["some 20,000 soldiers", "nearly 9,000"]
    assert matches[1].quantity == Quantity(9000, None, None, "approx", "soldiers")
    text = "It grew from 30 fighters to over 100, and from 2,000 troops to 2015 levels."
    matches = find_troop_quantities(text)
    assert [text[m.start : m.end] for m in matches] == ["30 fighters", "over 100", "2,000 troops"]


def test_several_counts_in_order() -> None:
    text = "Five soldiers and 10 marines joined about 2,000 troops already there; 12 soldiers were killed."
    matches = find_troop_quantities(text)
    assert [text[m.start : m.end] for m in matches] == ["Five soldiers", "10 marines", "about 2,000 troops"]
    assert all(isinstance(m, QuantityMatch) for m in matches)
    assert [m.start for m in matches] == sorted(m.start for m in matches)


def test_parse_quantity_takes_the_first_count() -> None:
    quantity = parse_quantity("up to 40,000 troops, of whom 10,000 soldiers will stay")
    assert quantity == Quantity(40000, None, 40000, "up_to", "troops")


def test_parse_quantity_allow_bare() -> None:
    assert parse_quantity("the contingent is rising to 800") is None
    assert parse_quantity("the contingent is rising to 800", allow_bare=True) == Quantity(
        800, 800, 800, "exact", "contingent"
    )
    assert parse_quantity("the number is rising to 800", allow_bare=True) == Quantity(
        800, 800, 800, "exact", ""
    )
    assert parse_quantity("a further 70 or so", allow_bare=True) == Quantity(70, None, None, "approx", "")
    assert parse_quantity("our contingent is nearly 500-strong", allow_bare=True) == Quantity(
        500, None, None, "approx", "contingent"
    )
    assert parse_quantity("troops it keeps in the region (about 2,000)", allow_bare=True) == Quantity(
        2000, None, None, "approx", "troops"
    )
    assert parse_quantity("in 2014 it spent $300 million", allow_bare=True) is None
    # a partitive "one of" is no count of one; a vague phrase before any number is the count
    assert parse_quantity(
        "she is one of hundreds of Danes who joined the militia", allow_bare=True
    ) == Quantity(None, 200, 999, "vague", "militia")
    assert parse_quantity("one of 40 volunteers in the militia", allow_bare=True) == Quantity(
        40, 40, 40, "exact", "militia"
    )
    # equipment is no head count, even with the nationality between number and noun
    assert parse_quantity("more than 125 US aircraft took part in the mission", allow_bare=True) is None
    assert parse_quantity("some 40 Russian tanks crossed the river", allow_bare=True) is None
    assert parse_quantity("2,000 troops and 40 tanks", allow_bare=True) == Quantity(
        2000, 2000, 2000, "exact", "troops"
    )
    # so is a count of units without a personnel number (guidelines: battalion tactical groups)
    assert parse_quantity("nearly 100 battalion tactical groups are near the border", allow_bare=True) is None
    assert parse_quantity("some 60 BTGs and two armoured brigades", allow_bare=True) is None
    assert parse_quantity("40 BTGs, each with about 800 troops", allow_bare=True) == Quantity(
        800, None, None, "approx", "troops"
    )


def test_to_dict_and_qualifiers() -> None:
    quantity = Quantity(100000, None, 100000, "up_to", "troops")
    assert quantity.to_dict() == {
        "value": 100000,
        "lower": None,
        "upper": 100000,
        "qualifier": "up_to",
        "unit": "troops",
    }
    assert set(QUALIFIERS) == {"exact", "approx", "up_to", "at_least", "at_most", "range", "vague"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("100,000", 100000),
        ("100 000", 100000),
        ("100.000", 100000),
        ("1,234,567", 1234567),
        ("2000", 2000),
        ("10k", 10000),
        ("10K", 10000),
        ("2.5m", 2500000),
        ("1.5 million", 1500000),
        ("2 thousand", 2000),
        ("3 dozen", 36),
        ("ten", 10),
        ("twenty-five", 25),
        ("twenty five", 25),
        ("ten thousand", 10000),
        ("Ten Thousand", 10000),
        ("one hundred and fifty", 150),
        ("nine hundred and ninety-nine", 999),
        ("seven hundred thousand", 700000),
        ("two million five hundred thousand", 2500000),
        ("a hundred", 100),
        ("a thousand", 1000),
        ("a dozen", 12),
        ("two dozen", 24),
        ("half a million", 500000),
        ("a quarter of a million", 250000),
        (" 42 ", 42),
        ("a few hundred", None),
        ("several thousand", None),
        ("thousands", None),
        ("hundred", None),
        ("a", None),
        ("2.5", None),
        ("one two", None),
        ("three thousand two million", None),
        ("a battalion", None),
        ("", None),
    ],
)
def test_parse_number(text: str, expected: int | None) -> None:
    assert parse_number(text) == expected


def test_sample_article() -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    matches = find_troop_quantities(text)
    phrases = [text[m.start : m.end] for m in matches]
    assert phrases == ["up to 100,000 Russian troops", "10,000 soldiers"]
    assert matches[0].quantity == Quantity(100000, None, 100000, "up_to", "troops")
    assert matches[1].quantity == Quantity(10000, 10000, 10000, "exact", "soldiers")
    start = text.find("Russia announced that it would withdraw 10,000 soldiers")
    span = text[start : text.find(" to their usual barracks", start)]
    assert parse_quantity(span) == Quantity(10000, 10000, 10000, "exact", "soldiers")


# Spans the tagger typed troop_count that count the dead, hurt or captive (guide 6.4, decisions
# 35, 36, 80): the bare fallback must not read a number there, so the claim builder emits nothing.
CASUALTY_SPANS = [
    ("The blast killed 40 soldiers near the depot", None),
    ("ambushed the convoy, wounding 12 army soldiers", None),
    ("At least 10 fighters were caught at the crossing", None),
    ("As many as 10 fighters have been captured, two lawmakers said", None),
    ("a monitor says 24 fighters from abroad are dead", None),
    ("Twenty soldiers are still held hostage in the hills", None),
    ("the swap led to the release of 16 soldiers", None),
    ("border guards arrested 12 soldiers at the crossing", None),
    ("prosecutors announced the detention of seven soldiers", None),
    ("ended by killing 200 of the 350 soldiers", None),
    ("officials said that 35 soldiers were injured in the attack", None),
    ("the militia had 11 killed, and 36 fighters in all were wounded", None),
    ("sent 3,000 troops after 12 soldiers were killed", 3000),
    ("Some 80 insurgents gave themselves up to the army", 80),
    ("More than 40 fighters defected to the government side", 40),
    ("a regiment of nearly 400 soldiers was surrounded", 400),
    ("Some 600 soldiers were deployed in the capital", 600),
    ("troops in the north (2,000)", 2000),
    # people the guidelines name as no troop count: a bare number before them is not one either
    ("Thousands of civilians are fleeing the city", None),
    ("Dozens of soldiers were killed in the ambush", None),
    ("the blast killed dozens of soldiers", None),
    ("the mission sent 21 military and civilian personnel", None),
    ("Thousands of fighters are leaving the city", 2000),
    ("12 civilians and 300 soldiers were moved", 300),
    ("an armed group of approximately 15 people", 15),
    # civilian and federal responders (guide 6.4, decision 79)
    ("more than 7,000 Federal personnel", None),
    ("1,500 FEMA personnel were deployed to the region", None),
    ("some 300 rescue personnel", None),
    ("1,500 military personnel were deployed to the region", 1500),
]


@pytest.mark.parametrize(("span", "value"), CASUALTY_SPANS)
def test_no_troop_count_of_the_dead_hurt_or_captive(span: str, value: int | None) -> None:
    q = parse_quantity(span, allow_bare=True)
    if value is None:
        assert q is None
    else:
        assert q is not None and value in (q.value, q.lower)


def test_the_claim_builder_emits_no_troop_count_of_casualties() -> None:
    from claimstream.claims.builder import build_claims
    from claimstream.extract.base import Span
    from claimstream.text.sentences import split_sentences

    text = "Officials said that 35 soldiers were injured. Russia has massed 100,000 troops near the border."
    sentences = split_sentences(text)
    spans = []
    for s in sentences:
        sent = text[s.start : s.end]
        phrase = "35 soldiers were injured" if "35" in sent else "100,000 troops"
        i = sent.index(phrase)
        spans.append([Span("troop_count", i, i + len(phrase), 0.9)])
    claims = build_claims("a1", text, sentences, spans, model_version="t", extracted_at="now")
    assert [c.text for c in claims] == ["100,000 troops"]
    assert text[claims[0].start : claims[0].end] == claims[0].text


# A span the tagger typed troop_count whose sentence, outside the span, says the count is of the
# dead or lost (guidelines: casualty figures are not troop counts).
CASUALTY_CONTEXTS = [
    ("We honour the 7,054 troops who made the ultimate sacrifice in Iraq.", "7,054 troops", False),
    ("He mentioned the loss of 600,000 soldiers for Russia.", "600,000 soldiers", False),
    ("Mourners remembered the 12 soldiers killed in the blast.", "12 soldiers", False),
    ("The army lost 300 soldiers in the first week.", "300 soldiers", False),
    ("Russia has massed 100,000 troops near the border.", "100,000 troops", True),
    ("About 3,000 troops arrived after 12 soldiers were killed.", "About 3,000 troops", True),
    # a fate after another noun than the span's personnel noun is that noun's
    (
        "At least 100 fighters joined the extremists who have seized the town.",
        "At least 100 fighters joined the extremists",
        True,
    ),
]


@pytest.mark.parametrize(("text", "phrase", "kept"), CASUALTY_CONTEXTS)
def test_the_claim_builder_reads_casualties_around_the_span(text: str, phrase: str, kept: bool) -> None:
    from claimstream.claims.builder import build_claims
    from claimstream.extract.base import Span
    from claimstream.text.sentences import Sentence

    i = text.index(phrase)
    spans = [[Span("troop_count", i, i + len(phrase), 0.9)]]
    claims = build_claims("a1", text, [Sentence(0, len(text))], spans, model_version="t", extracted_at="now")
    assert [c.text for c in claims] == ([phrase] if kept else [])
    for c in claims:
        assert text[c.start : c.end] == c.text


# Spans typed troop_count, as the claim builder reads them (allow_bare=True); wording after real
# training and evaluation sentences whose counts the normaliser once misread.
SPAN_CASES: list[tuple[str, Quantity | None]] = [
    # a speaker drops the first figure's thousands
    ("there are around 3- to 7,000 soldiers near the border",
     Quantity(None, 3000, 7000, "range", "soldiers")),
    ("2- to 3,000 fighters would breach the fence", Quantity(None, 2000, 3000, "range", "fighters")),
    # a false start between the cue and the number
    ("the more than 6- — 6,100 National Guardsmen",
     Quantity(6100, 6100, None, "at_least", "National Guardsmen")),
    ("more than one hun- — one million three hundred thousand of our troops",
     Quantity(1300000, 1300000, None, "at_least", "troops")),
    # cues in quotes, after the noun, and less common ones
    ('"at least" 10 fighters crossed the border', Quantity(10, 10, None, "at_least", "fighters")),
    ("the militia, estimated at 8,500", Quantity(8500, None, None, "approx", "militia")),
    ("something like 75,000 Taliban fighters", Quantity(75000, None, None, "approx", "fighters")),
    ("closer to 8,000 troops", Quantity(8000, None, None, "approx", "troops")),
    ("his group barely reached 1,200 fighters", Quantity(1200, None, None, "approx", "fighters")),
    ("we are down to 2,500 troops or so in the country", Quantity(2500, None, None, "approx", "troops")),
    ("with no more than an estimated 100 fighters", Quantity(100, None, 100, "at_most", "fighters")),
    # military medics are troops; a number of places or years is not the count
    ("More than 4,500 military and medical personnel deployed across 14 states",
     Quantity(4500, 4500, None, "at_least", "personnel")),
    ("23 military medical personnel started their mission", Quantity(23, 23, 23, "exact", "personnel")),
    ("six years later the administration sent another 4,000", Quantity(4000, 4000, 4000, "exact", "")),
    ("21 military and civilian personnel", None),
    # a range whose noun the grammar does not know
    ("some 800 to 1,500 volunteers who joined the militia", Quantity(None, 800, 1500, "range", "militia")),
    # a change of level: the span's count is the new level
    ("600 soldiers were deployed in the capital, rising to 800 over the weekend",
     Quantity(800, 800, 800, "exact", "soldiers")),
    ("more than 4,000 troops, bringing the total to over 6,000",
     Quantity(6000, 6000, None, "at_least", "troops")),
    ("reduced from its current level of roughly 570,000 troops to 490,000 by 2017",
     Quantity(490000, 490000, 490000, "exact", "troops")),
    ("the armed forces increased from 145,000 to 236,000 members",
     Quantity(236000, 236000, 236000, "exact", "forces")),
    ("600 soldiers, rising to 20 percent of the force", Quantity(600, 600, 600, "exact", "soldiers")),
    ("troops kept in Iraq from 2014 to 2016 (about 5,000)", Quantity(5000, None, None, "approx", "troops")),
    ("the mission grew from 3 to 5 years, with 400 troops", Quantity(400, 400, 400, "exact", "troops")),
    ("up to 40,000 troops, of whom 10,000 soldiers will stay",
     Quantity(40000, None, 40000, "up_to", "troops")),
]  # fmt: skip


@pytest.mark.parametrize(("span", "expected"), SPAN_CASES)
def test_troop_count_spans(span: str, expected: Quantity | None) -> None:
    assert parse_quantity(span, allow_bare=True) == expected


def test_only_a_typed_span_takes_the_new_level() -> None:
    # found in running text, a change still gives its first count first; the new level is what a
    # claim span that holds both reports
    text = "600 soldiers were deployed in the capital, rising to 800 over the weekend"
    assert parse_quantity(text) == Quantity(600, 600, 600, "exact", "soldiers")
