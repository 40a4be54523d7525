"""The danger words skip a message with no term at once (companion/nlu/danger_words.py)."""

import re

from companion.nlu.danger_words import DangerWords, _any_of, load_danger_words

# Written for this test: none is a term, then near misses and terms.
NO_TERM = [
    "We have the conference on Tuesday at ten. Can my sister come with me?",
    "The social worker said the plan is to keep things as they are.",
    "i dont understand the report, what does section 47 mean",
]
WITH_TERMS = [
    "He hit her last night and he is coming back tonight.",
    "I want to end it all",
    "my son is scared, his dad hurts him when he's drunk",
]


def test_a_message_with_no_term_is_not_read_any_further(monkeypatch):
    words = load_danger_words()
    assert words._any_term is not None
    asked = []
    monkeypatch.setattr(words, "_says_now", lambda sentence: asked.append(sentence) or False)
    for text in NO_TERM:
        assert words.signals(text) == []
    assert not asked  # before: every sentence was asked whether it says now


def test_the_joined_pattern_finds_a_term_exactly_where_one_of_the_terms_does():
    words = load_danger_words()
    for text in NO_TERM + WITH_TERMS:
        for sentence in re.split(r"(?<=[.,?!])\s+", text.lower()) + [text.lower()]:
            one = any(term.pattern.search(sentence) for term in words._terms)
            assert bool(words._any_term.search(sentence)) is one, sentence


def test_the_signals_are_the_same_with_and_without_the_joined_pattern():
    words = load_danger_words()
    found = [words.signals(text) for text in NO_TERM + WITH_TERMS]
    assert any(found)
    words._any_term = None
    assert [words.signals(text) for text in NO_TERM + WITH_TERMS] == found


def test_patterns_with_back_references_or_named_groups_are_not_joined():
    assert _any_of([re.compile(r"(a)b\1"), re.compile("c")]) is None
    assert _any_of([re.compile(r"(?P<x>a)"), re.compile("c")]) is None
    assert _any_of([re.compile("a"), re.compile("c")]).pattern == "(?:a)|(?:c)"
    assert isinstance(load_danger_words(), DangerWords)
