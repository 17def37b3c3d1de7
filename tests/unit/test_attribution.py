"""Tests for claims/attribution.py: speaker, target, conditional, negated.

The table cases are our own wording. The last tests use the repo's sample article (the one
real text we may quote), locating sentences and spans with str.find."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import pytest
from claimstream.claims.attribution import Attribution, attribute

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample-article.txt"

ANY = object()  # "don't care" marker for a field


class Case(NamedTuple):
    sentences: tuple[str, ...]  # the last one holds the span; earlier ones are previous sentences
    span: str
    claim_type: str
    speaker: object = ANY
    target: object = ANY
    conditional: object = ANY
    negated: object = ANY


CASES: list[Case] = [
    # --- speaker: reporting frames ---------------------------------------------------------
    Case(("Moscow has no plans to attack its neighbour, the Kremlin spokesman said.",),
         "Moscow has no plans to attack its neighbour", "threat",
         speaker="the Kremlin spokesman", conditional=False, negated=True),
    Case(("Britain will expel more diplomats unless Moscow changes course, the foreign secretary warned.",),
         "Britain will expel more diplomats unless Moscow changes course", "threat",
         speaker="the foreign secretary", target="Moscow", conditional=True, negated=False),
    Case(("“We will not be intimidated,” the prime minister told parliament.",),
         "We will not be intimidated", "threat", speaker="the prime minister", negated=False),
    Case(("“We will never accept the annexation,” the prime minister told parliament.",),
         "We will never accept the annexation", "commitment", speaker="the prime minister", negated=True),
    Case(("“Our support will not waver,” said Defence Secretary Anna Berg.",),
         "Our support will not waver", "commitment", speaker="Defence Secretary Anna Berg", negated=False),
    Case(("The alliance will send two more battalions to the east, according to a senior diplomat.",),
         "The alliance will send two more battalions to the east", "commitment", speaker="a senior diplomat"),
    Case(("Secretary of State Ann Lee said Washington would stand with Manila.",),
         "Washington would stand with Manila", "commitment",
         speaker="Secretary of State Ann Lee", target="Manila", conditional=False, negated=False),
    Case(("Mr. Okafor said the army would withdraw by June.",),
         "the army would withdraw by June", "commitment", speaker="Mr. Okafor"),
    Case(("The talks were useful, but Lithuania warned it would close its airspace.",),
         "it would close its airspace", "threat", speaker="Lithuania"),
    Case(("A source familiar with the plans told reporters the brigade would move north.",),
         "the brigade would move north", "commitment", speaker="A source familiar with the plans"),
    Case(("US and Japanese officials later stated that the drills would go ahead.",),
         "the drills would go ahead", "commitment", speaker="US and Japanese officials"),
    # --- speaker: the claim's own verb / actor --------------------------------------------
    Case(("Germany pledged to send air defence systems to Ukraine.",),
         "Germany pledged to send air defence systems to Ukraine", "commitment",
         speaker="Germany", target="Ukraine", conditional=False, negated=False),
    Case(("The defence ministry vowed to retaliate against Minsk.",),
         "The defence ministry vowed to retaliate against Minsk", "threat",
         speaker="The defence ministry", target="Minsk"),
    Case(("Militants are threatening to kill a second hostage, officials say.",),
         "are threatening to kill a second hostage", "threat", speaker="Militants"),
    Case(("The Finnish government will keep its border closed until further notice.",),
         "The Finnish government will keep its border closed until further notice", "commitment",
         speaker="The Finnish government", conditional=False, negated=False),
    Case(("The summit welcomed Norway’s pledge to double its contribution.",),
         "Norway’s pledge to double its contribution", "commitment", speaker="Norway"),
    Case(("Ms. Ortiz stressed Governor Lamb’s pledge to rebuild the bridge.",),
         "Governor Lamb’s pledge to rebuild the bridge", "commitment", speaker="Governor Lamb"),
    Case(("Officials counted the funds promised by the European Union last spring.",),
         "the funds promised by the European Union", "commitment", speaker="the European Union"),
    Case(("The president spoke on Sunday, warning that any attack would meet a swift response.",),
         "warning that any attack would meet a swift response", "threat", speaker="The president"),
    Case(("The chancellor travelled to Vilnius to reaffirm Berlin’s commitment to the brigade.",),
         "to reaffirm Berlin’s commitment to the brigade", "commitment", speaker="The chancellor"),
    Case(("Paris has ruled out sending ground troops.",),
         "Paris has ruled out sending ground troops", "threat", speaker="Paris", negated=True),
    Case(("The rebels refused to lay down their arms.",),
         "The rebels refused to lay down their arms", "commitment", speaker="The rebels", negated=True),
    Case(("The Kremlin denied that it plans to invade.",),
         "The Kremlin denied that it plans to invade", "threat", speaker="The Kremlin", negated=True),
    # --- speaker: the noun phrase the span opens with, when nothing else names one ----------
    Case(("The command intends to hold three open meetings with residents next year.",),
         "The command intends to hold three open meetings with residents next year", "commitment",
         speaker="The command"),
    Case(("Ministries and agencies will keep sharing threat reports with the platforms.",),
         "Ministries and agencies will keep sharing threat reports with the platforms", "commitment",
         speaker="Ministries and agencies"),
    Case(("In 2019 the navy offered a reward for the smugglers' capture.",),
         "In 2019 the navy offered a reward for the smugglers' capture", "commitment", speaker="the navy"),
    Case(("The cartel now punishes late payers by burning their trucks.",),
         "The cartel now punishes late payers by burning their trucks", "threat", speaker="The cartel"),
    Case(("The relief funds will be disbursed through local banks.",),  # passive: no actor
         "The relief funds will be disbursed through local banks", "commitment", speaker=None),
    Case(("The program would prohibit investment in those firms, the official said.",),  # a frame wins
         "The program would prohibit investment in those firms", "threat", speaker="the official"),
    # --- speaker: quotes over several sentences, pronouns -----------------------------------
    Case(("Foreign Minister Paul Ek said the talks had failed.",
          "“We will close the embassy if Minsk expels our envoy,” he added."),
         "We will close the embassy if Minsk expels our envoy", "threat",
         speaker="Foreign Minister Paul Ek", target="Minsk", conditional=True, negated=False),
    Case(("“We will respond,” he said.",), "We will respond", "threat", speaker="he"),
    Case(("“We are ready to talk.", "But we will defend every village,” the commander said."),
         "We are ready to talk", "commitment", speaker="the commander"),  # the span is in sentence 1
    Case(("“The door is open,” the spokeswoman said.", "“Nobody will be forced to leave.”"),
         "Nobody will be forced to leave", "commitment", speaker="the spokeswoman"),
    Case(("“We will hold the line,” the colonel said.", "The enemy has lost many tanks, they claim."),
         "The enemy has lost many tanks", "threat", speaker=None),  # 'they' with no plural antecedent
    Case(("Officials were told that the base would close.",),
         "the base would close", "commitment", speaker=None),  # passive "were told": no frame
    # --- troop counts: writer's voice vs attributed -----------------------------------------
    Case(("About 5,000 soldiers are stationed near the town.",),
         "About 5,000 soldiers", "troop_count", speaker=None, target=None, conditional=False, negated=False),
    Case(("The ministry said 3,000 troops would stay in the region.",),
         "3,000 troops", "troop_count", speaker="The ministry", target=None),
    Case(("“We have 20,000 soldiers ready,” the general said.",),
         "20,000 soldiers", "troop_count", speaker="the general"),
    Case(("Despite the pledge, up to 8,000 reservists are already on the border.",),
         "up to 8,000 reservists", "troop_count", speaker=None),
    # --- target ---------------------------------------------------------------------------
    Case(("Hungary will face legal action if it blocks the fund, the commission warned.",),
         "Hungary will face legal action if it blocks the fund", "threat",
         speaker="the commission", target="Hungary", conditional=True),
    Case(("The alliance threatened fresh measures against Tehran.",),
         "The alliance threatened fresh measures against Tehran", "threat",
         speaker="The alliance", target="Tehran"),
    Case(("Washington will impose sanctions on Moscow’s banks.",),
         "Washington will impose sanctions on Moscow’s banks", "threat",
         speaker="Washington", target="Moscow"),
    Case(("Japan promised further aid to Kyiv.",),
         "Japan promised further aid to Kyiv", "commitment", speaker="Japan", target="Kyiv"),
    # --- conditional ----------------------------------------------------------------------
    Case(("If the ceasefire collapses, the government will mobilise reservists.",),
         "the government will mobilise reservists", "threat",
         speaker="the government", conditional=True, negated=False),
    Case(("Should talks fail, Warsaw is ready to close the crossing.",),
         "Warsaw is ready to close the crossing", "threat", speaker="Warsaw", conditional=True),
    Case(("The navy will escort the convoy in the event of an attack.",),
         "The navy will escort the convoy in the event of an attack", "commitment", conditional=True),
    Case(("Kyiv will get the jets provided that pilots finish training.",),
         "Kyiv will get the jets", "commitment", conditional=True),
    Case(("The guarantees stand only if Belgrade keeps its word.",),
         "The guarantees stand", "commitment", conditional=True),
    Case(("The bloc will help the country rebuild if necessary.",),
         "The bloc will help the country rebuild", "commitment", conditional=True),
    Case(("Allies should increase their spending, the minister said.",),
         "Allies should increase their spending", "commitment", conditional=False),
    Case(("She was asked if the navy would stay in the strait.",),
         "the navy would stay in the strait", "commitment", conditional=False),
    Case(("We will stand with Taipei for as long as it takes.",),
         "We will stand with Taipei for as long as it takes", "commitment", conditional=False),
    Case(("The assets will stay frozen until Moscow pays for the damage.",),
         "The assets will stay frozen until Moscow pays for the damage", "threat", conditional=True),
    Case(("We will share the figures when the count is finished.",),
         "We will share the figures when the count is finished", "commitment", conditional=True),
    Case(("When we can say more, we will let you know.",),
         "we will let you know", "commitment", conditional=True),
    Case(("The sanctions date from 2014, when the peninsula was annexed.",),
         "The sanctions date from 2014, when the peninsula was annexed", "threat", conditional=False),
    Case(("Were the junta to cross the river, the allies would strike.",),
         "the allies would strike", "threat", conditional=True),
    Case(("Firms must stop the shipments or face severe penalties, the treasury warned.",),
         "Firms must stop the shipments or face severe penalties", "threat", conditional=True),
    Case(("The agency will reply as soon as possible.",),
         "The agency will reply as soon as possible", "commitment", conditional=False),
    # --- speaker: more frames --------------------------------------------------------------
    Case(("Some 600 soldiers were posted in the capital, reported a local daily.",),
         "Some 600 soldiers", "troop_count", speaker="a local daily"),
    Case(("Canada, which has trained pilots for years, has said it is ready to send instructors.",),
         "it is ready to send instructors", "commitment", speaker="Canada"),
    Case(("A memo by chief adviser Lena Holt, who said the army would stay, leaked.",),
         "the army would stay", "commitment", speaker="chief adviser Lena Holt"),
    Case(("The group that holds parts of Syria is threatening to kill a pilot.",),
         "is threatening to kill a pilot", "threat", speaker=None),
    Case(("The heads of state and government stated that the border is inviolable.",),
         "the border is inviolable", "commitment", speaker="The heads of state and government"),
    Case(("Governor Ana Ruiz spoke on Friday.", "“And she’s committed to rebuilding the port.”"),
         "she’s committed to rebuilding the port", "commitment", speaker="Governor Ana Ruiz"),
    # --- negated --------------------------------------------------------------------------
    Case(("The bloc will impose new tariffs if Beijing does not lift its export ban.",),
         "The bloc will impose new tariffs if Beijing does not lift its export ban", "threat",
         speaker="The bloc", target="Beijing", conditional=True, negated=False),
    Case(("The coalition will not only train the army but also supply it with drones.",),
         "The coalition will not only train the army but also supply it with drones", "commitment",
         speaker="The coalition", negated=False),
    Case(("The fleet will sail whether or not the talks succeed.",),
         "The fleet will sail whether or not the talks succeed", "commitment", negated=False),
    Case(("The general warned civilians not to approach the border.",),
         "The general warned civilians not to approach the border", "threat",
         speaker="The general", negated=False),
    Case(("The government won’t send troops abroad, the spokesman said.",),
         "The government won’t send troops abroad", "commitment", speaker="the spokesman", negated=True),
    Case(("Oslo has no intention of leaving the alliance.",),
         "Oslo has no intention of leaving the alliance", "commitment", negated=True),
    Case(("The union will no longer supply the plant.",),
         "The union will no longer supply the plant", "commitment", negated=True),
    Case(("Both sides agreed to refrain from shelling the dam.",),
         "Both sides agreed to refrain from shelling the dam", "commitment",
         speaker="Both sides", negated=True),
    Case(("We will act to ensure that the militia never regroups.",),
         "We will act to ensure that the militia never regroups", "threat", negated=False),
    # --- speaker: "X and its allies" is one actor ------------------------------------------
    Case(("Britain and its partners vowed to impose costs on the junta.",),
         "vowed to impose costs on the junta", "threat", speaker="Britain and its partners"),
    Case(("The regime will not hesitate to strike back.",),
         "The regime will not hesitate to strike back", "threat", negated=False),
    # --- speaker: the one who told someone of a pledge, even under a news outlet's frame ------
    Case(("The envoy Ana Ruiz told ministry staff that she would resign by June, a newspaper reported.",),
         "told ministry staff that she would resign by June", "commitment", speaker="The envoy Ana Ruiz"),
    Case(("The officials told her they would not pay a ransom, the family said.",),
         "The officials told her they would not pay a ransom", "commitment", speaker="The officials"),
    # ... but not one told later in the claim, nor one who is told
    Case(("“We will stay until the government tells us to leave,” a spokesman said.",),
         "We will stay until the government tells us to leave", "commitment",
         speaker="a spokesman"),
    Case(("Members were told they would face charges, a spokeswoman said.",),
         "Members were told they would face charges", "threat", speaker="a spokeswoman"),
    # --- target: a commitment's target is what it is made to or for, else none; a threat's the
    # party it would harm, in capitals or not
    Case(("The company will build a new battery plant in Sherman, Texas, its chief said.",),
         "The company will build a new battery plant in Sherman, Texas", "commitment", target=None),
    Case(("The council will send blankets to Sudria.",),
         "The council will send blankets to Sudria", "commitment", target="Sudria"),
    Case(("The gang threatened to kill innocent people in the market.",),
         "threatened to kill innocent people in the market", "threat", target="innocent people"),
    Case(("The cartel will extort local business owners who refuse.",),
         "The cartel will extort local business owners who refuse", "threat",
         target="local business owners"),
    Case(("Officials said the punishment would be much harsher than the sanctions applied in 2014.",),
         "the punishment would be much harsher than the sanctions applied in 2014", "threat", target=None),
    Case(("Here’s what it would include: sanctions on Norland's banks.",),
         "Here’s what it would include: sanctions on Norland's banks", "threat", target="Norland"),
    # --- negated: a refusal that is resolve, or someone else's in a relative clause, is not ------
    Case(("We will not tolerate any attack on our communities, the minister said.",),
         "We will not tolerate any attack on our communities", "threat", negated=False),
    Case(("We are never going to stop hunting the men who did this.",),
         "We are never going to stop hunting the men who did this", "threat", negated=False),
    Case(("The president refused to rule out further strikes on the camps.",),
         "refused to rule out further strikes on the camps", "threat", negated=False),
    Case(("The gang will punish those who refuse to pay.",),
         "The gang will punish those who refuse to pay", "threat", negated=False),
    Case(("We will not send troops to Sudria.",),
         "We will not send troops to Sudria", "commitment", negated=True),  # a refusal stays one
    # --- conditional: an ultimatum ("do X or we will Y") ------------------------------------
    Case(("Stop persecuting the clan or we will start to kill.",),
         "Stop persecuting the clan or we will start to kill", "threat", conditional=True),
    Case(("Pay by Friday or we’ll burn the station down.",),
         "Pay by Friday or we’ll burn the station down", "threat", conditional=True),
    Case(("The navy will patrol the strait or the gulf this year.",),
         "The navy will patrol the strait or the gulf this year", "commitment", conditional=False),
    # --- speaker: a preposition that opens a sentence is no subject ---------------------------
    Case(("To this end, the council will fund two new shelters.",),
         "will fund two new shelters", "commitment", speaker="the council"),
    Case(("Within hours, the militia threatened to shell the port.",),
         "threatened to shell the port", "threat", speaker="the militia"),
]  # fmt: skip


def _layout(sentences: tuple[str, ...]) -> tuple[str, list[tuple[int, int]]]:
    text = ""
    bounds: list[tuple[int, int]] = []
    for sentence in sentences:
        if text:
            text += " "
        bounds.append((len(text), len(text) + len(sentence)))
        text += sentence
    return text, bounds


def _run(case: Case) -> Attribution:
    text, bounds = _layout(case.sentences)
    # The span is in the last sentence that contains it (the forward-quote case names sentence 1).
    index = max(i for i, (s, e) in enumerate(bounds) if case.span in text[s:e])
    sent_start, sent_end = bounds[index]
    start = text.find(case.span, sent_start, sent_end)
    end = start + len(case.span)
    assert text[start:end] == case.span
    return attribute(text, sent_start, sent_end, start, end, case.claim_type, bounds[:index])


@pytest.mark.parametrize("case", CASES, ids=[f"{i:02d}-{c.span[:40]}" for i, c in enumerate(CASES)])
def test_attribution_table(case: Case) -> None:
    result = _run(case)
    for field in ("speaker", "target", "conditional", "negated"):
        expected = getattr(case, field)
        if expected is not ANY:
            assert getattr(result, field) == expected, (field, result)


def test_attribution_is_frozen_value() -> None:
    result = Attribution("Putin", "Ukraine", False, True)
    assert result == Attribution(speaker="Putin", target="Ukraine", conditional=False, negated=True)
    with pytest.raises(AttributeError):
        result.speaker = "Biden"  # type: ignore[misc]


def test_offsets_out_of_order_are_tolerated() -> None:
    text = "Estonia said it would expel the envoy."
    start = text.find("it would expel the envoy")
    result = attribute(text, 0, len(text), start, start + 24, "threat", previous_sentences=[(50, 60)])
    assert result.speaker == "Estonia"


# --------------------------------------------------------------------------------------------
# The sample article (real text)
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def article() -> str:
    return SAMPLE.read_text(encoding="utf-8")


def _bounds(text: str, first: str, last: str) -> tuple[int, int]:
    start = text.find(first)
    assert start >= 0, first
    end = text.find(last, start)
    assert end >= 0, last
    return start, end + len(last)


def _sample(
    text: str,
    sentence: tuple[str, str],
    span: str,
    claim_type: str,
    previous: Sequence[tuple[str, str]] = (),
) -> Attribution:
    sent_start, sent_end = _bounds(text, *sentence)
    start = text.find(span, sent_start, sent_end)
    assert start >= 0, span
    end = start + len(span)
    assert text[start:end] == span
    prev = [_bounds(text, *p) for p in previous]
    return attribute(text, sent_start, sent_end, start, end, claim_type, prev)


def test_sample_psaki_conditional_threat(article: str) -> None:
    result = _sample(
        article,
        (
            "In a statement Thursday, White House press secretary Jen Psaki",
            "if Russia invades more Ukraine. “",
        ),
        "will respond decisively if Russia invades",
        "threat",
    )
    assert result.speaker is not None and "Psaki" in result.speaker
    assert result.speaker == "White House press secretary Jen Psaki"
    assert result.target == "Russia"
    assert result.conditional is True
    assert result.negated is False


def test_sample_troop_count_in_writers_voice(article: str) -> None:
    result = _sample(
        article,
        ("Since then, up to 100,000 Russian troops", "an invasion by Putin."),
        "up to 100,000 Russian troops",
        "troop_count",
    )
    assert result == Attribution(None, None, False, False)


def test_sample_russia_announced_withdrawal(article: str) -> None:
    sentence = ("Earlier this week, Russia announced", "to their usual barracks.")
    commitment = _sample(
        article, sentence, "Russia announced that it would withdraw 10,000 soldiers", "commitment"
    )
    assert commitment.speaker == "Russia"
    assert commitment.negated is False and commitment.conditional is False
    count = _sample(article, sentence, "10,000 soldiers", "troop_count")
    assert count.speaker == "Russia"
    assert count.target is None


def test_sample_official_costs_and_consequences(article: str) -> None:
    result = _sample(
        article,
        ("Which path is chosen", "with its regional aggression."),
        "serious costs and consequences if Russia proceeds",
        "threat",
    )
    assert result == Attribution("the official", "Russia", True, False)


def test_sample_agreed_according_to_official(article: str) -> None:
    result = _sample(
        article,
        ("The two men agreed on", "according to the official."),
        "The two men agreed on “pragmatic, results-driven diplomacy",
        "commitment",
    )
    assert result.speaker == "The two men"


def test_sample_pledge_to_allies(article: str) -> None:
    result = _sample(
        article,
        ("The United States has pledged", "on a diplomatic level."),
        "The United States has pledged to keep Western European countries and Ukraine itself informed",
        "commitment",
    )
    assert result.speaker == "The United States"
    assert result.target == "Western European countries"
    assert result.negated is False


def test_sample_putin_told_biden(article: str) -> None:
    result = _sample(
        article,
        ("Introducing a new round of sanctions", "presidential aide Yury Ushakov."),
        "Introducing a new round of sanctions against Russia by Ukraine would be a “colossal mistake”",
        "threat",
    )
    assert result.speaker == "Russian President Vladimir Putin"
    assert result.target == "Russia"


def test_sample_biden_warning_should_putin(article: str) -> None:
    result = _sample(
        article,
        ("(CNN) — President Joe Biden on Thursday urged", "carry out an invasion."),
        "again warning of dire economic consequences should Putin carry out an invasion",
        "threat",
    )
    assert result.speaker == "President Joe Biden"
    assert result.target == "Putin"
    assert result.conditional is True


def test_sample_sanctions_if_escalation_continues(article: str) -> None:
    result = _sample(
        article,
        ("In the conversation with Putin, Biden mentioned", "after the presidency. talks."),
        "Western countries will take large-scale sanctions on Russia’s economic, military"
        " and financial sectors",
        "threat",
    )
    assert result.speaker == "Ushakov"
    assert result.target == "Russia"
    assert result.conditional is True


def test_sample_quote_resolved_through_he_added(article: str) -> None:
    result = _sample(
        article,
        ("“The president mentioned that this", "as a colossal mistake."),
        "this, of course, would be a mistake",
        "threat",
        previous=[("“Putin replied: If the West decides", "Ushakov said.")],
    )
    assert result.speaker == "Ushakov"


def test_sample_quote_continues_from_previous_sentence(article: str) -> None:
    result = _sample(
        article,
        ("“It remains a continuing source", "around that border area.”"),
        "It remains a continuing source of grave concern",
        "threat",
        previous=[("“It is not totally static", "the official said.")],
    )
    assert result.speaker == "the official"


def test_sample_prepared_to_provide_if_necessary(article: str) -> None:
    result = _sample(
        article,
        ("The United States has also “made plans", "defend itself if necessary. ."),
        "is prepared to provide Ukraine with further assistance"
        " to help the country defend itself if necessary",
        "commitment",
    )
    assert result.speaker == "an official"
    assert result.target == "Ukraine"
    assert result.conditional is True
    assert result.negated is False


def test_sample_does_not_plan(article: str) -> None:
    result = _sample(
        article,
        ("The United States has prepared its own list", "to make it public."),
        "does not plan to make it public",
        "commitment",
    )
    assert result.negated is True
    assert result.speaker == "a senior US government official"
