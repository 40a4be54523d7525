"""Each nation in its own words (issue 18).

For each nation, the answer Rasa would send there (web and SMS, with the
example profile set to that nation) is checked:
- every timescale it states ("10 working days", "3 months", "two weeks")
  agrees with content/timescales/<nation>.yml, unless its sentence says
  "in England", when it must agree with England's file;
- in the plain (England) variations, a timescale that another nation's file
  does not share says "in England" in its sentence;
- no two conditional variations match at once (Rasa would pick at random);
- Scotland says Child Protection Planning Meeting, Wales the outline plan,
  Northern Ireland its Health and Social Care Trusts.
"""

import re

import pytest
import yaml
from answer_selection import DOMAIN, NATIONS, candidates, chosen, filled, slot_states
from domain_files import ROOT

from actions.timeline import load_timescales

STATES = slot_states()
WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "ten": 10, "fifteen": 15, "twenty": 20}
UNIT = r"(working days?|days?|weeks?|months?|hours?|minutes?)"
TIMESCALE = re.compile(r"\b(\d+|" + "|".join(WORDS) + r")\s+" + UNIT + r"\b", re.IGNORECASE)
# Numbers that are not conference timescales, each with where it comes from.
NOT_TIMESCALES = {
    (10, "minutes"): "a break of about 10 minutes (Council FAQ)",
    (15, "minutes"): "arriving 15 minutes early: in every nation's file as arrive_early",
    (30, "days"): "how long the conversation is kept (the profile's privacy.retention_days)",
}
# Timescales a nation's procedures state that its file does not date, with
# the row of docs/research/timescales.md.
EXTRA = {"wales": {(6, "week"): "W5: core groups no more than six weeks apart"}}


def allowed(nation):
    """(amount, unit) pairs the nation's file states, in days/weeks/months/hours/minutes."""
    pairs = set(EXTRA.get(nation, {}))
    for rule in load_timescales(nation).rules:
        if rule.amount is not None:
            pairs.add((rule.amount, rule.unit.rstrip("s").replace("working_day", "working day")))
            if rule.unit == "days" and rule.amount % 7 == 0:
                pairs.add((rule.amount // 7, "week"))
    return pairs


ALLOWED = {nation: allowed(nation) for nation in NATIONS}


def stated(text):
    """(amount, unit, sentence) for each timescale in the text."""
    for sentence in re.split(r"(?<=[.!?])\s+|\n+", text):
        if sentence.strip().startswith("Source: "):
            continue
        for amount, unit in TIMESCALE.findall(sentence):
            number = int(amount) if amount.isdigit() else WORDS[amount.lower()]
            yield number, unit.lower().rstrip("s").replace("working days", "working day"), sentence


def sent_in(nation):
    slots = STATES[nation]
    for name in sorted(DOMAIN["responses"]):
        for channel in (None, "twilio"):
            yield name, channel, filled(chosen(name, channel, slots)["text"], slots)


@pytest.mark.parametrize("nation", NATIONS)
def test_every_number_agrees_with_the_nations_timescales(nation):
    wrong = []
    for name, channel, text in sent_in(nation):
        for amount, unit, sentence in stated(text):
            if (amount, unit) in {(a, u.rstrip("s")) for a, u in NOT_TIMESCALES}:
                continue
            own = "england" if "in england" in sentence.lower() else nation
            if (amount, unit) not in ALLOWED[own]:
                wrong.append((name, channel or "web", f"{amount} {unit}", sentence.strip()))
    print("\n".join(map(str, wrong)))
    assert wrong == []


def test_england_only_numbers_say_in_england():
    shared = set.intersection(*ALLOWED.values())
    missing = []
    for name, variations in sorted(DOMAIN["responses"].items()):
        for variation in variations:
            if any(c["name"] == "answer_nation" for c in variation.get("condition") or []):
                continue
            for amount, unit, sentence in stated(variation["text"]):
                if (amount, unit) in shared or (amount, unit) in {(a, u.rstrip("s")) for a, u in NOT_TIMESCALES}:
                    continue
                if "in england" not in sentence.lower():
                    missing.append((name, f"{amount} {unit}", sentence.strip()))
    print("\n".join(map(str, missing)))
    assert missing == []


@pytest.mark.parametrize("state", sorted(STATES))
def test_no_two_conditional_variations_match_at_once(state):
    clashes = [
        (name, channel)
        for name in DOMAIN["responses"]
        for channel in (None, "twilio")
        if len(candidates(name, channel, STATES[state])) > 1
    ]
    assert clashes == []


@pytest.mark.parametrize(
    "nation, response, words",
    [
        ("scotland", "utter_what_is_conference", "Child Protection Planning Meeting"),
        ("scotland", "utter_review_conference", "within 6 months"),
        ("scotland", "utter_cp_plan", "child protection register"),
        ("wales", "utter_cp_plan", "outline plan should reach you within 5 working days"),
        ("wales", "utter_minutes_confidentiality", "within 20 working days"),
        ("northern_ireland", "utter_complaint", "Health and Social Care Trust"),
        ("northern_ireland", "utter_section_47", "Health and Social Care Trust"),
        ("england", "utter_core_group", "In England the first core group"),
    ],
)
def test_each_nation_uses_its_own_words(nation, response, words):
    assert words in chosen(response, None, STATES[nation])["text"]


def test_the_number_check_can_fail():
    assert ((3, "month") in ALLOWED["scotland"]) is False
    found = list(stated("The first review is within 3 months. In England it is 10 working days."))
    assert [(a, u) for a, u, _ in found] == [(3, "month"), (10, "working day")]


def test_the_profile_nation_fills_answer_nation():
    profile = yaml.safe_load((ROOT / "profile.yml").read_text(encoding="utf-8"))
    assert STATES["england"]["answer_nation"] == profile["nation"] == "england"
