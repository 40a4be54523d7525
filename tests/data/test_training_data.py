"""The training data, the held-out set and the test stories stay apart.

A held-out message or a test-story phrasing that also appears in data/nlu/
would make the scores meaningless, so this fails if one leaks in.
"""

import re
from collections import Counter
from difflib import SequenceMatcher
from pathlib import Path

import pytest
import yaml
from domain_files import merged_domain

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = merged_domain()
MIN_TRAINING = 25
MIN_HOLDOUT = 8


def normalise(text):
    return re.sub(r"[^a-z0-9 ]", "", " ".join(text.lower().split()))


def examples(path):
    """(intent, text) pairs from one NLU file."""
    pairs = []
    for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
        if "intent" in block:
            for line in block["examples"].splitlines():
                if line.strip().startswith("- "):
                    pairs.append((block["intent"], line.strip()[2:]))
    return pairs


TRAINING = [pair for path in sorted((ROOT / "data" / "nlu").glob("*.yml")) for pair in examples(path)]
HOLDOUT = examples(ROOT / "tests" / "nlu_holdout.yml")
STORY_TEXTS = [
    (step["intent"], step["user"].strip())
    for path in sorted((ROOT / "tests" / "stories").glob("test_*.yml"))
    for story in yaml.safe_load(path.read_text(encoding="utf-8"))["stories"]
    for step in story["steps"]
    if "user" in step and not step["user"].strip().startswith("/")
]


def test_every_intent_has_enough_training_examples():
    counts = Counter(intent for intent, _ in TRAINING)
    short = {i: counts[i] for i in DOMAIN["intents"] if counts[i] < MIN_TRAINING}
    assert short == {}


def test_no_example_is_given_two_intents():
    seen = {}
    clashes = []
    for intent, text in TRAINING:
        key = normalise(text)
        if key in seen and seen[key] != intent:
            clashes.append((text, seen[key], intent))
        seen[key] = intent
    assert clashes == []


def test_every_intent_has_enough_held_out_messages():
    counts = Counter(intent for intent, _ in HOLDOUT)
    short = {i: counts[i] for i in DOMAIN["intents"] if counts[i] < MIN_HOLDOUT}
    assert short == {}


def set_messages(path):
    """(intents, text) pairs of a message list (tests/tuning/understanding*.yml)."""
    return [(tuple(m["intents"]), str(m["text"])) for m in yaml.safe_load(path.read_text(encoding="utf-8"))["messages"]]


UNDERSTANDING_TUNING = [
    (path.name, set_messages(path))
    for path in sorted((ROOT / "tests" / "tuning").glob("*.yml"))
    if path.name.startswith(("understanding", "two_questions"))
]


@pytest.mark.parametrize(
    "name, messages",
    [("held-out set", HOLDOUT), ("test stories", STORY_TEXTS), *UNDERSTANDING_TUNING],
)
def test_evaluation_messages_are_not_training_examples(name, messages):
    trained = {normalise(text) for _, text in TRAINING}
    leaked = [text for _, text in messages if normalise(text) in trained]
    assert leaked == [], f"{name} messages also in data/nlu/: {leaked}"


def tuning_texts(path):
    """The messages of a tuning set of the safety routes (tests/tuning/*.yml)."""
    return [str(m["text"]) for m in yaml.safe_load(path.read_text(encoding="utf-8"))["messages"]]


SAFETY_TUNING = tuning_texts(ROOT / "tests" / "tuning" / "safety.yml")


def test_safety_tuning_messages_are_not_training_or_bank_examples():
    """The safety net's tuning set says how the net does on words it has not
    seen: none of its messages may be a training example or in the sentence
    bank (content/safety_bank.yml)."""
    bank = yaml.safe_load((ROOT / "content" / "safety_bank.yml").read_text(encoding="utf-8"))
    known = {normalise(re.sub(r"\[([^\]]+)\](?:\{[^}]*\}|\([^)]*\))", r"\1", t)) for _, t in TRAINING}
    known |= {normalise(t) for texts in bank.values() for t in texts}
    leaked = [text for text in SAFETY_TUNING if normalise(text) in known]
    assert len(SAFETY_TUNING) > 600 and leaked == []


def nearly_the_same(a, b):
    """Two texts that differ by a word or two (difflib's ratio at least 0.9)."""
    matcher = SequenceMatcher(None, normalise(a), normalise(b), autojunk=False)
    return matcher.real_quick_ratio() >= 0.9 and matcher.quick_ratio() >= 0.9 and matcher.ratio() >= 0.9


def test_no_safety_tuning_message_is_nearly_a_bank_example():
    """Nor nearly one: a bank example that is a tuning message with a word or
    two changed would flatter the tuning figures."""
    bank = yaml.safe_load((ROOT / "content" / "safety_bank.yml").read_text(encoding="utf-8"))
    examples = {t for texts in bank.values() for t in texts}
    near = [(text, example) for text in SAFETY_TUNING for example in examples if nearly_the_same(text, example)]
    assert near == []


def test_nearly_the_same_catches_a_changed_word_only():
    assert nearly_the_same("baby not breathin right", "Baby not breathing right!")
    assert not nearly_the_same("he has a knife", "he has a knife at the door")
    assert not nearly_the_same("can I bring my mum", "he has a knife")


def test_every_topic_has_two_story_phrasings():
    counts = Counter(intent for intent, _ in STORY_TEXTS)
    missing = {i: counts[i] for i in DOMAIN["intents"] if counts[i] < 2}
    assert missing == {}


ALWAYS_RELATIVE = re.compile(
    r"\b(today|tonight|tomorrow|tmrw|tomoz|yesterday|next week|in \d+ (days?|weeks?))\b", re.IGNORECASE
)
# A weekday or "the 10th" is fixed only when the same message gives the year.
FIXED_BY_A_YEAR = re.compile(r"\b((mon|tues|wednes|thurs|fri|satur|sun)day|the \d{1,2}(st|nd|rd|th))\b", re.IGNORECASE)
A_YEAR = re.compile(r"\b20\d\d\b")


def relative_dates(text: str) -> bool:
    return bool(ALWAYS_RELATIVE.search(text)) or bool(FIXED_BY_A_YEAR.search(text) and not A_YEAR.search(text))


def test_story_texts_use_no_relative_dates():
    """The date extractor's values for "tomorrow" change daily; stories must not."""
    relative = [text for _, text in STORY_TEXTS if relative_dates(text)]
    assert relative == []


def test_a_weekday_with_the_year_is_not_relative():
    assert not relative_dates("on [friday 4th december 2026]{...}, when do i need to get there")
    assert relative_dates("my conference is on friday, when do i get the report")
    assert relative_dates("it's tomorrow 2026")
