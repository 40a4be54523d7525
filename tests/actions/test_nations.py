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
  Northern Ireland its Health and Social Care Trusts;
- in Scotland no answer, button, date word or glossary part calls the meeting
  a conference (the rule is written out above its test);
- a fact that holds in some nations only (ONLY_IN) says which nation it is
  about wherever another nation's parent can read it.
"""

import re

import pytest
import yaml
from answer_selection import DOMAIN, NATIONS, candidates, chosen, filled, slot_states
from domain_files import ROOT

from actions.content import ContentError, parse_glossary
from actions.jargon import glossary_part
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
        ("scotland", "utter_venue", "at least 5 days before"),
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


# ------------------------------------------------------------ Scotland's meeting
# In Scotland the meeting is a Child Protection Planning Meeting (CPPM), not a
# conference. The rule, for every fixed answer a Scottish parent can get (each
# response Rasa would send there, web and SMS, with its buttons; the menu and
# other buttons in content/; the date answers' words in content/dates.yml):
# a sentence (or button title) that says "conference" must also name Scotland's
# term, as the glossary's CPPM entry does ("...called a conference elsewhere"),
# or be about England ("in England"). Names of other things are not the
# meeting: "family group conference" (a family-led meeting) and the bot's name.
# Source lines name documents and are left out.
SCOTLAND_TERM = re.compile(r"Child Protection Planning Meeting|\bCPPMs?\b")
NOT_THE_MEETING = re.compile(r"Conference Companion|family group conferences?", re.IGNORECASE)
CONFERENCE = re.compile(r"conferences?", re.IGNORECASE)


def sentences(text):
    for sentence in re.split(r"(?<=[.!?])\s+|\n+", text):
        if sentence.strip() and not sentence.strip().startswith("Source: "):
            yield sentence.strip()


def calls_the_meeting_a_conference(sentence):
    """True if the sentence calls Scotland's meeting a conference (the rule above)."""
    rest = NOT_THE_MEETING.sub("", sentence)
    if not CONFERENCE.search(rest):
        return False
    return not (SCOTLAND_TERM.search(sentence) or "in england" in sentence.lower())


def scottish_answers():
    """(where, text) for every fixed answer and button title a Scottish parent can get."""
    slots = STATES["scotland"]
    for name in sorted(DOMAIN["responses"]):
        for channel in (None, "twilio"):
            variation = chosen(name, channel, slots)
            where = f"{name} ({channel or 'web'})"
            yield where, filled(variation["text"], slots)
            for button in variation.get("buttons") or []:
                yield f"{where} button", button["title"]
    for path in ("topics.yml", "jargon.yml", "unavailable.yml"):
        for where, text in _leaves(_content(path), path):
            yield where, text
    meeting = load_timescales("scotland").meeting
    for where, text in _leaves(_content("dates.yml"), "dates.yml"):
        yield where, text.replace("{meeting}", meeting)
    part = 1
    while glossary_part(part, "scotland"):
        text, buttons = glossary_part(part, "scotland")
        yield f"glossary part {part}", text
        for button in buttons:
            yield f"glossary part {part} button", button["title"]
        part += 1


# {conference} and {date} in content/dates.yml are dates in words.
A_DAY = "Thursday 3 December 2026"


def _content(name):
    return yaml.safe_load((ROOT / "content" / name).read_text(encoding="utf-8"))


def _leaves(data, where):
    """(where, text) for every string in a content file (keys are not shown)."""
    if isinstance(data, str):
        yield where, data.replace("{conference}", A_DAY).replace("{date}", A_DAY)
    elif isinstance(data, dict):
        for key, value in data.items():
            if key != "payload":  # an intent's name, not shown
                yield from _leaves(value, f"{where}: {key}")
    elif isinstance(data, list):
        for n, value in enumerate(data):
            yield from _leaves(value, f"{where}[{n}]")


def test_scotland_never_calls_the_meeting_a_conference():
    wrong = [
        (where, sentence)
        for where, text in scottish_answers()
        for sentence in sentences(text)
        if calls_the_meeting_a_conference(sentence)
    ]
    print("\n".join(map(str, wrong)))
    assert wrong == []


@pytest.mark.parametrize(
    "sentence, wrong",
    [
        ("Your Child Protection Conference is on Monday.", True),
        ("The conference is about you and your child.", True),
        ("Pre-birth conferences", True),
        ("Ask about a family group conference.", False),
        ("Hello. I'm Conference Companion.", False),
        ("A Child Protection Planning Meeting (CPPM) is called a conference elsewhere.", False),
        ("In England this is often called a transfer-in conference.", False),
        ("The meeting is about you and your child.", False),
    ],
)
def test_the_conference_rule_can_fail(sentence, wrong):
    assert calls_the_meeting_a_conference(sentence) is wrong


def whole_glossary(nation):
    part, text = 1, ""
    while glossary_part(part, nation):
        text += glossary_part(part, nation)[0] + "\n"
        part += 1
    return text


def test_the_whole_glossary_in_scotland_has_its_own_words():
    scotland, england = whole_glossary("scotland"), whole_glossary("england")
    assert "CPPM: Child Protection Planning Meeting." in scotland
    assert "ICPC:" not in scotland and "Section 47:" not in scotland
    assert "ICPC: Initial Child Protection Conference." in england
    # Without a nation (no profile yet), every word.
    assert "ICPC:" in whole_glossary(None) and "CPPM:" in whole_glossary(None)


def test_a_glossary_word_names_real_nations():
    entry = {"match": ["icpc"], "meaning": "A meeting.", "source": "A parent's guide", "nations": ["narnia"]}
    with pytest.raises(ContentError, match="ICPC: nations should list"):
        parse_glossary({"ICPC": entry})


# ------------------------------------------------------------ England-only facts
# Facts that hold only in some nations, each with the nations where it holds
# and its source. In any other nation, a sentence that states one must say
# which nation it is about ("in England", "English and Welsh law"). Checked in
# the text as written (before the profile's values are filled in: a council's
# own name is the deployment's, not a fact about a nation).
ONLY_IN = {
    r"section 47": ({"england", "wales"}, "Children Act 1989 s47 (England and Wales)"),
    r"councils say": ({"england"}, "Brighton and Hove Council's complaints page"),
    r"many councils": ({"england"}, "local rules in England (research L-rows)"),
    r"council'?s? offices?|your council|between councils": (
        {"england", "wales", "scotland"},
        "in NI, Health and Social Care Trusts run social work and take complaints (SBNI procedures)",
    ),
    r"no longer (keeps )?a register|no register any more": ({"england"}, "England has no register since 2010"),
    r"legal aid|letter before proceedings|pre-proceedings": ({"england", "wales"}, "FRG: the PLO is England and Wales"),
    r"transfer-in conference": ({"england"}, "Pan-Sussex and Tees procedures"),
    r"my conference pack": ({"england"}, "Wakefield's pack for children"),
}


def only_in_wrong(nation, text):
    out = []
    for sentence in sentences(text):
        lower = sentence.lower()
        for pattern, (nations, _) in ONLY_IN.items():
            if nation not in nations and re.search(pattern, lower) and not re.search(r"\bengl(and|ish)\b", lower):
                out.append((pattern, sentence))
    return out


@pytest.mark.parametrize("nation", NATIONS)
def test_facts_from_one_nation_say_which(nation):
    slots = STATES[nation]
    wrong = [
        (name, channel or "web", pattern, sentence)
        for name in sorted(DOMAIN["responses"])
        for channel in (None, "twilio")
        for pattern, sentence in only_in_wrong(nation, chosen(name, channel, slots)["text"])
    ]
    print("\n".join(map(str, wrong)))
    assert wrong == []


@pytest.mark.parametrize("nation", NATIONS)
def test_the_whole_glossary_says_which_nation_too(nation):
    wrong = only_in_wrong(nation, whole_glossary(nation))
    print("\n".join(map(str, wrong)))
    assert wrong == []


@pytest.mark.parametrize("nation", NATIONS)
def test_the_date_words_say_which_nation_too(nation):
    """content/dates.yml's words go with every nation's dates."""
    wrong = [
        (where, pattern, sentence)
        for where, text in _leaves(_content("dates.yml"), "dates.yml")
        for pattern, sentence in only_in_wrong(nation, text)
    ]
    print("\n".join(map(str, wrong)))
    assert wrong == []


def test_the_one_nation_rule_can_fail():
    assert only_in_wrong("scotland", "Councils say a complaint should not count against you.")
    assert not only_in_wrong("england", "Councils say a complaint should not count against you.")
    assert not only_in_wrong("wales", "Section 47 is part of the law in England and Wales.")
    assert only_in_wrong("northern_ireland", "They meet at the council's offices.")
