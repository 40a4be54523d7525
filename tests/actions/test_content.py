"""The content files, and their consistency with the domain and the rules."""

import re
from pathlib import Path

import pytest
import yaml
from domain_files import merged_domain

from actions.content import ContentError, content, find_terms, parse_glossary, parse_helplines, parse_topics
from actions.profile import _UK_PHONE, SMS_SHORT_CODE

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = merged_domain()
SOURCES = yaml.safe_load((ROOT / "content" / "sources.yml").read_text(encoding="utf-8"))


def rules_by_intent():
    """intent -> the first action its rule runs, from every file in data/rules/.

    Only rules that apply at any point count (no condition such as an active form).
    """
    mapping = {}
    for path in sorted((ROOT / "data" / "rules").glob("*.yml")):
        for rule in yaml.safe_load(path.read_text(encoding="utf-8"))["rules"]:
            steps = rule["steps"]
            if "condition" not in rule and "intent" in steps[0]:
                mapping[steps[0]["intent"]] = steps[1]["action"]
    return mapping


def answer_variations(channel=None):
    """(response name, variation) for every answer that states facts, on one channel."""
    rules = rules_by_intent()
    topics = content().topics
    intents = topics.topic_intents + ["ask_own_case_prediction"]
    for intent in intents:
        action = rules[intent]
        if action.startswith("utter_"):
            for variation in DOMAIN["responses"][action]:
                if variation.get("channel") == channel:
                    yield action, variation


def named_sources(text):
    """The source names in an answer's closing "Source: ..." sentence."""
    tail = text.strip().rsplit("Source: ", 1)[1]
    return [part.strip() for part in tail.rstrip(".").split(";")]


def test_every_topic_is_a_domain_intent_with_a_rule():
    rules = rules_by_intent()
    for intent in content().topics.topic_intents:
        assert intent in DOMAIN["intents"], intent
        assert intent in rules, f"no rule answers {intent}"


def test_every_domain_intent_has_a_rule():
    rules = rules_by_intent()
    missing = [i for i in DOMAIN["intents"] if i not in rules]
    assert missing == []


@pytest.mark.parametrize("name, variation", list(answer_variations()), ids=lambda v: v if isinstance(v, str) else "")
def test_answers_end_with_known_sources(name, variation):
    last_line = variation["text"].strip().splitlines()[-1]
    assert last_line.startswith("Source: "), f"{name} does not end with its source"
    known = {entry["short"] for entry in SOURCES.values()}
    unknown = [n for n in named_sources(last_line) if n not in known]
    assert unknown == [], f"{name} names sources not in content/sources.yml: {unknown}"


@pytest.mark.parametrize(
    "name, variation", list(answer_variations("twilio")), ids=lambda v: v if isinstance(v, str) else ""
)
def test_text_message_answers_are_short_plain_and_sourced(name, variation):
    text = variation["text"].strip()
    assert len(text) <= 300, f"{name}: more than two texts"
    assert all(ord(ch) < 128 for ch in text), f"{name}: a character that is not plain GSM-7"
    known = {entry["short"] for entry in SOURCES.values()}
    assert re.search(r"Source: [^.]+\.$", text), f"{name} does not end with its source"
    assert [n for n in named_sources(text) if n not in known] == []
    # The web variation with the same condition has the same buttons (less "Tell me more").
    plain = next(
        v for v in DOMAIN["responses"][name] if "channel" not in v and v.get("condition") == variation.get("condition")
    )
    assert variation.get("buttons") == follow_ups(plain)


def follow_ups(variation):
    """An answer's buttons without its "Tell me more"."""
    return [b for b in variation.get("buttons", []) if not b["payload"].startswith("/tell_me_more")]


def test_every_answer_has_a_text_message_version():
    """Each web variation, conditional ones too, has an SMS one with the same condition:
    Rasa prefers a conditional web variation to a plain SMS one."""
    missing = [
        (name, v.get("condition"))
        for name, v in answer_variations()
        if not any(t.get("condition") == v.get("condition") for n, t in answer_variations("twilio") if n == name)
    ]
    assert missing == []


@pytest.mark.parametrize("name, variation", list(answer_variations()), ids=lambda v: v if isinstance(v, str) else "")
def test_answers_say_what_the_parent_can_do_and_offer_follow_ups(name, variation):
    text = variation["text"]
    if name != "utter_cannot_predict":
        assert "What you can do" in text, name
    assert 2 <= len(follow_ups(variation)) <= 3, name


def test_every_button_leads_to_a_known_intent():
    for name, variations in DOMAIN["responses"].items():
        for variation in variations:
            for button in variation.get("buttons", []):
                intent = re.match(r"^/(\w+)", button["payload"]).group(1)
                assert intent in DOMAIN["intents"], f"{name}: button to unknown {intent}"


def test_profile_variables_only_in_conditional_variations():
    slots = set(DOMAIN["slots"])
    for name, variations in DOMAIN["responses"].items():
        for variation in variations:
            used = set(re.findall(r"{(\w+)}", variation["text"]))
            assert used <= slots, f"{name} uses unknown variables {used - slots}"
            if used:
                condition = variation.get("condition") or []
                assert {"type": "slot", "name": "profile_loaded", "value": True} in condition, name
        if any(re.search(r"{\w+}", v["text"]) for v in variations):
            assert any("condition" not in v for v in variations), f"{name} has no plain variation"


def test_every_source_has_an_address_or_says_who_supplied_it():
    for key, entry in SOURCES.items():
        address, supplied = entry.get("address"), entry.get("supplied")
        assert bool(address) != bool(supplied), f"{key}: give an address or say who supplied it, not both"
        if address:
            assert address.startswith("https://"), key


def test_helpline_numbers_are_uk_numbers():
    for line in content().helplines.values():
        pattern = SMS_SHORT_CODE if line.text_only else _UK_PHONE
        assert pattern.match(line.phone), line.key
        assert line.source


def test_every_number_in_an_answer_is_a_listed_helpline():
    """Numbers the bot gives come from content/helplines.yml (or the profile, via slots)."""
    listed = {re.sub(r"\D", "", line.phone) for line in content().helplines.values()}
    for name, variations in DOMAIN["responses"].items():
        for variation in variations:
            for number in re.findall(r"(?<![\w{])\+?\d[\d ]{2,}\d(?![\w}])", variation["text"]):
                digits = re.sub(r"\D", "", number)
                if len(digits) >= 3 and not re.fullmatch(r"\d{1,2}", digits):
                    assert digits in listed, f"{name} gives {number}, not in content/helplines.yml"


def test_helplines_need_nations():
    with pytest.raises(ContentError, match="helplines.yml: x: nations"):
        parse_helplines({"x": {"name": "X", "phone": "0800 000 000", "hours": "h", "description": "d", "source": "s"}})


def test_topics_reject_duplicates_and_missing_titles():
    data = {
        "menu_intro": "a",
        "suggest_intro": "b",
        "suggest_menu_intro": "c",
        "none_of_these": "d",
        "too_long": "e",
        "sections": {
            "one": {"title": "One", "topics": {"greet": "Hi"}},
            "two": {"title": "Two", "topics": {"greet": "Hello"}},
        },
    }
    with pytest.raises(ContentError, match="already listed in section one"):
        parse_topics(data)
    data["sections"]["two"]["topics"] = {"bye": ""}
    with pytest.raises(ContentError, match="two.topics.bye: needs a button title"):
        parse_topics(data)


def test_suggestions_skip_untitled_and_weak_intents():
    topics = content().topics
    ranking = [
        ("nlu_fallback", 0.5),
        ("greet", 0.2),
        ("ask_core_group", 0.15),
        ("ask_core_group", 0.1),
        ("ask_review_conference", 0.1),
        ("ask_for_human", 0.06),
        ("ask_cp_plan", 0.04),
    ]
    assert topics.suggestions(ranking) == [
        ("ask_core_group", "What is a core group?"),
        ("ask_review_conference", "When is the review?"),
        ("ask_for_human", "Talk to a person"),
    ]
    assert topics.suggestions([("greet", 0.9)]) == []


@pytest.mark.parametrize(
    "text, names",
    [
        ("what does ICPC mean", ["ICPC"]),
        ("whats an iro and what is camhs", ["IRO", "CAMHS"]),
        ("what does s47 mean", ["Section 47"]),
        ("the letter says child protection plan", ["CPP"]),
        ("what is the senco?", ["SENCO"]),
        ("pricpcing", []),  # letters inside a word do not count
        ("", []),
    ],
)
def test_find_terms(text, names):
    assert [t.name for t in find_terms(text, content().glossary)] == names


def test_glossary_needs_match_words():
    with pytest.raises(ContentError, match="glossary.yml: X: match"):
        parse_glossary({"X": {"meaning": "m", "source": "s"}})
