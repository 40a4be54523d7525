"""Each topic has at least 60 training examples that are really different.

Near-duplicates ("can i bring my mum" / "can i bring my mam") teach the
classifier little and would make the count look better than it is, so
examples are counted after folding near-duplicates together: two examples of
one intent are near-duplicates when, lower-cased and stripped of
punctuation, their text is at least 90 % the same (difflib's ratio).
"""

import difflib
import re
from collections import defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
MIN_DISTINCT = 60
NEAR = 0.9
ANNOTATION = re.compile(r"\[([^\]]+)\](?:\{[^}]*\}|\([^)]*\))")


def normalise(text):
    return " ".join(re.sub(r"[^a-z0-9 ]", " ", ANNOTATION.sub(r"\1", text).lower()).split())


def near(a, b):
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return matcher.real_quick_ratio() >= NEAR and matcher.quick_ratio() >= NEAR and matcher.ratio() >= NEAR


def distinct(texts):
    """The examples left when each near-duplicate of an earlier one is dropped."""
    kept = []
    for text in texts:
        if not any(near(text, other) for other in kept):
            kept.append(text)
    return kept


def training_examples():
    by_intent = defaultdict(list)
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            if "intent" in block:
                by_intent[block["intent"]] += [
                    normalise(line.strip()[2:])
                    for line in block["examples"].splitlines()
                    if line.strip().startswith("- ")
                ]
    return by_intent


def test_near_duplicates_are_found():
    assert near(normalise("can i bring my mum?"), normalise("Can I bring my mam"))
    assert not near(normalise("can i bring my mum"), normalise("will my mum be invited"))
    assert distinct(["can i bring my mum", "can i bring my mam", "who will be there"]) == [
        "can i bring my mum",
        "who will be there",
    ]


def test_every_intent_has_enough_distinct_examples():
    short = {
        intent: len(distinct(texts))
        for intent, texts in training_examples().items()
        if len(distinct(texts)) < MIN_DISTINCT
    }
    assert short == {}
