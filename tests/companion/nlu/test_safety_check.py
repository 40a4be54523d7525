"""The safety check: every danger and crisis message routed, few false alarms."""

import re
from pathlib import Path

import pytest
import yaml

from companion.nlu.safety import SafetyCheck, SafetyRulesError, load_safety_check, safety_check

MESSAGES = yaml.safe_load((Path(__file__).parent / "safety_messages.yml").read_text(encoding="utf-8"))
MAX_FALSE_ALARMS = 3


def test_the_message_sets_are_big_enough():
    assert len(MESSAGES["child_in_danger"]) + len(MESSAGES["parent_in_crisis"]) >= 80
    assert len(MESSAGES["ordinary"]) >= 80


@pytest.mark.parametrize("intent", ["child_in_danger", "parent_in_crisis"])
def test_every_danger_and_crisis_message_is_routed(intent):
    missed = []
    for text in MESSAGES[intent]:
        finding = safety_check().check(text)
        if finding is None or finding.intent != intent:
            missed.append((text, finding and finding.intent))
    assert missed == []


def test_false_alarms_are_counted_and_kept_low():
    alarms = [(text, safety_check().check(text).rule) for text in MESSAGES["ordinary"] if safety_check().check(text)]
    print(f"\nfalse alarms: {len(alarms)} of {len(MESSAGES['ordinary'])} ordinary messages")
    for text, rule in alarms:
        print(f"  {rule}: {text}")
    assert len(alarms) <= MAX_FALSE_ALARMS


@pytest.mark.parametrize(
    "text, tokens",
    [
        ("He's hitting her RN!!", ["he", "is", "hitting", "her", "right", "now"]),
        ("my son hasn’t come home", ["my", "son", "has", "not", "come", "home"]),
        ("kms", ["kill", "myself"]),
    ],
)
def test_text_is_tidied_before_matching(text, tokens):
    assert safety_check().tokens(text) == tokens


def test_crisis_is_checked_before_child_danger():
    assert safety_check().check("going to kill myself tonight").intent == "parent_in_crisis"
    assert safety_check().check("my toddler swallowed some pills").intent == "child_in_danger"


@pytest.mark.parametrize("text", ["", "   ", "😭😭😭", "<script>alert(1)</script>", "x" * 10_000])
def test_odd_input_is_not_an_alarm_and_does_not_crash(text):
    assert safety_check().check(text) is None


def minimal_rules(**changes):
    rules = {
        "classes": {"child": ["(son|daughter)"], "harm": ["hitting"]},
        "rules": [{"name": "r", "intent": "child_in_danger", "all": ["harm", "child"], "within": 3}],
    }
    rules.update(changes)
    return rules


def test_within_limits_the_distance_between_words():
    check = SafetyCheck(minimal_rules())
    assert check.check("he is hitting my son").rule == "r"
    assert check.check("hitting a b c d e f g my son") is None


def test_end_of_message_marker():
    check = SafetyCheck(minimal_rules(classes={"child": ["go on $"], "harm": ["can"]}))
    assert check.check("i can not go on") is not None
    assert check.check("i can not go on the date") is None


@pytest.mark.parametrize(
    "rules, message",
    [
        (minimal_rules(classes={"child": ["(son|no one)"], "harm": ["x"]}), "no spaces inside brackets"),
        (minimal_rules(rules=[{"intent": "child_in_danger", "all": ["nope"]}]), "unknown: ['nope']"),
        (minimal_rules(rules=[{"intent": "greet", "all": ["child"]}]), "needs an intent"),
        (minimal_rules(rules=[]), "has no rules"),
        (minimal_rules(classes={"child": [], "harm": ["x"]}), "classes.child: needs a list"),
        ("just text", "should contain"),
    ],
)
def test_bad_rules_are_explained(rules, message):
    with pytest.raises(SafetyRulesError, match=re.escape(message)):
        SafetyCheck(rules)


def test_missing_rules_file(tmp_path):
    with pytest.raises(SafetyRulesError, match="file not found"):
        load_safety_check(tmp_path / "none.yml")


@pytest.mark.parametrize(
    "text",
    [
        "i feel completely useless",
        "im so worthless",
        "everything feels so hopeless",
        "i feel just hopeless",
    ],
)
def test_hopeless_words_reach_crisis_help(text):
    finding = safety_check().check(text)
    assert finding is not None and finding.intent == "parent_in_crisis"


def _every_phrase_at_every_token(check, tokens):
    """The spans as found before the search was pruned: each phrase tried at each token."""
    from companion.nlu.safety import _ends

    found = {}
    for name, phrases in check._classes.items():
        spans = {(s, e) for p in phrases for s in range(len(tokens)) for e in _ends(p, tokens, s) if e > s}
        if spans:
            found[name] = sorted(spans)
    return found


def test_the_pruned_search_finds_the_same_spans_as_trying_everywhere():
    check = load_safety_check()  # its own remembered words, not the shared instance's
    texts = [text for kind in MESSAGES.values() for text in kind]
    texts += [" ".join(texts[n : n + 6]) for n in range(0, len(texts), 6)]  # long messages, words repeated
    for text in texts + texts:  # the second time, every word is remembered
        tokens = check.tokens(text)
        assert check.spans(tokens) == _every_phrase_at_every_token(check, tokens), text
    assert any(check.spans(check.tokens(text)) for text in texts)  # not vacuous


def test_optional_first_words_and_gaps_still_match():
    check = SafetyCheck(
        {
            "classes": {"hurt": ["(really)? hurt ... him", "(very)? scared $"], "never": ["never"]},
            "rules": [{"name": "r", "intent": "child_in_danger", "all": ["hurt"], "unless": ["never"]}],
        }
    )
    assert check.spans(check.tokens("they hurt my little boy him")) == {"hurt": [(1, 6)]}
    assert check.spans(check.tokens("really hurt him")) == {"hurt": [(0, 3), (1, 3)]}
    assert check.spans(check.tokens("i am very scared")) == {"hurt": [(2, 4), (3, 4)]}
    assert check.spans(check.tokens("scared of the dark")) == {}
    for text in ("they hurt my little boy him", "really hurt him", "i am very scared", "never hurt him"):
        assert check.spans(check.tokens(text)) == _every_phrase_at_every_token(check, check.tokens(text))


def test_what_each_phrase_needs_is_worked_out_at_load_not_for_every_message():
    check = load_safety_check()
    texts = [text for kind in MESSAGES.values() for text in kind]
    before = {text: check.spans(check.tokens(text)) for text in texts}

    class Untouched(dict):
        def items(self):
            raise AssertionError("the phrases were looked through again for a message")

    check._classes = Untouched(check._classes)  # before: spans() walked every phrase's parts here
    assert {text: check.spans(check.tokens(text)) for text in texts} == before
    needed = {p for phrases in check._phrases.values() for _, needs, _ in phrases for p in needs}
    assert needed and needed <= set(check._patterns)
