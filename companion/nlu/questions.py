"""The questions in a parent's message.

A long message is mostly story ("sorry this is long... the school rang...")
with the question at the end, and some messages ask two things ("can I bring
my mum and who will be there?"). This module finds the sentences that ask
something, and splits one sentence that asks two things, so each question
can be classified on its own words instead of the story's.

Plain Python: spaCy's rule-based sentencizer in a blank English pipeline
(nothing to download), and a few rules for how questions start.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import List, Sequence

import spacy

# How a question starts, after "and", "so", "also", "but", "please"...
# "y" is a texted "why" ("and y r they doing a conf"), not "y'know".
OPENERS = (
    "can|could|will|would|should|shall|may|might|must|do|does|did|is|are|am|was|were|have|has|had|"
    "what|whats|what's|when|where|who|whos|who's|whom|why|y(?!['’])|how|hows|how's|which|wat|wot|wen|"
    "if|what if|any|anyone|is there|are there|tell me|explain|i need|i want|need|please"
)
_LEAD = (
    r"(?:(?:and|so|also|but|plus|ok|okay|right|oh|well|sorry|please|then|just|now|basically"
    r"|honestly|actually|really|roughly|seriously|anyway)\W+)*"
)
_OPENS = re.compile(rf"^\W*{_LEAD}(?:{OPENERS})\b", re.IGNORECASE)
_ASKS = re.compile(
    r"\?|\b(?:i (?:want|need|would like) to know|i'?m wondering|wondering|not sure (?:if|whether|what|how)"
    r"|i don'?t (?:know|understand) (?:what|why|how|if|whether|where|who|when)|do you know"
    r"|could you|can you|help me)\b",
    re.IGNORECASE,
)
# Where one sentence asks a second thing: "... and who will be there", "... also can I ...".
_JOIN = re.compile(
    rf"(?:,\s*|\s+)(?:and also|and|also|plus|oh and|as well as that|n)\s+{_LEAD}(?=(?:{OPENERS})\b)", re.IGNORECASE
)
MIN_WORDS = 3  # a part shorter than this is not a question on its own
SHORT_MESSAGE = 30  # words: every sentence of a message this short may be a question
CONTEXT_BELOW = 6  # words: a question this short that points back ("what does that mean")
_POINTS_BACK = re.compile(r"\b(?:that|this|it|those|these|they|them|there|one)\b", re.IGNORECASE)


@lru_cache(maxsize=1)
def _sentencizer():
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


def sentences(text: str) -> List[str]:
    """The message's sentences: spaCy's sentencizer, and every line apart."""
    out: List[str] = []
    for line in (text or "").splitlines():
        if line.strip():
            out += _line_sentences(line)
    return out


@lru_cache(maxsize=64)
def _line_sentences(line: str) -> tuple[str, ...]:
    """One line's sentences, remembered: the steps of one parse ask for the
    same message's sentences several times (its focus, its questions, its
    parts), about 2.5 spaCy runs a message before."""
    return tuple(s.text.strip() for s in _sentencizer()(line).sents if s.text.strip())


def asks(sentence: str) -> bool:
    """Whether a sentence asks something (a question mark, or how it starts)."""
    return bool(_ASKS.search(sentence) or _OPENS.search(sentence))


def split_joined(sentence: str) -> List[str]:
    """One sentence that asks two things, as two parts; otherwise itself."""
    parts, start = [], 0
    for join in _JOIN.finditer(sentence):
        left = sentence[start : join.start()].strip(" ,")
        if len(left.split()) >= MIN_WORDS and len(sentence[join.end() :].split()) >= MIN_WORDS:
            parts.append(left)
            start = join.end()
    parts.append(sentence[start:].strip(" ,"))
    return [p for p in parts if p]


def questions(text: str) -> List[str]:
    """The questions the message asks, in order: the sentences that ask
    something, each split where it asks a second thing. A message with no
    such sentence gives its last sentence (where parents end with what they
    want), and an empty message gives nothing."""
    found = [sentences_part for s in sentences(text) if asks(s) for sentences_part in split_joined(s)]
    found = [q for q in found if len(q.split()) >= MIN_WORDS or "?" in q]
    if found:
        return found
    every = sentences(text)
    return every[-1:] if every else []


def parts(text: str) -> List[str]:
    """What to classify one by one. A short message: every sentence ("i still
    haven't had the report. also can i bring my sister" asks two things);
    a long one: its questions, not its story. A very short question that
    points back ("what does that mean?") is read with the sentence before it."""
    every = sentences(text)
    if len(every) <= 3 and len((text or "").split()) <= SHORT_MESSAGE:
        found = [p for s in every for p in split_joined(s)]
        found = [q for q in found if len(q.split()) >= MIN_WORDS or "?" in q]
    else:
        found = questions(text)
    out = []
    for part in found:
        before = (
            next((s for s in reversed(every) if s != part and text.find(s) < text.find(part)), None)
            if len(part.split()) < CONTEXT_BELOW and _POINTS_BACK.search(part)
            else None
        )
        out.append(f"{before} {part}" if before and part not in before else part)
    return out


# A message's last question that goes on with the one before it, not a
# second question: a sentence of its own, with no "and"/"also" before it,
# that points back to what was just asked ("is it the same as the first
# one?", "would that end up in court?", "can she come too?"). "They",
# "them" and "there" are left out: "can they take my kids?" and "is there
# any help?" are about the council or nothing before them.
_REFERS_BACK = re.compile(r"\b(?:that|this|it|those|these|one|he|she|him|her)\b", re.IGNORECASE)
_MARKED = re.compile(r"^\W*(?:and|also|plus|oh and|as well|another thing|one more thing|btw)\b", re.IGNORECASE)


def continues(text: str, asked: Sequence[str]) -> List[bool]:
    """For each part of ``text`` (as `parts` gives them), whether it is the
    message's last part and goes on with the question before it (above)."""
    every = sentences(text)
    last = len(asked) - 1
    return [
        i == last > 0 and part in every and not _MARKED.search(part) and bool(_REFERS_BACK.search(part))
        for i, part in enumerate(asked)
    ]


def marked(text: str, asked: Sequence[str]) -> List[bool]:
    """For each part of ``text`` (as `parts` gives them), whether the parent
    marked it as a question of its own: a later part split off at "and",
    "also" or "n" before a question word ("who goes and can i bring my mum"),
    or a sentence that starts with such a word ("And is it on Teams?"). A
    short question read with the sentence before it ("... how long does it
    last?") is not one."""
    every = sentences(text)

    def split_off(part: str) -> bool:
        return part not in every and not any(part.startswith(f"{s} ") for s in every)

    return [i > 0 and (split_off(part) or bool(_MARKED.search(part))) for i, part in enumerate(asked)]


# QuestionTopics' default `max_questions`: the parts of a message it reads one by one.
MAX_QUESTIONS = 4


def first_parts(text: str, most: int = MAX_QUESTIONS) -> List[str]:
    """The parts QuestionTopics reads in ``text`` one by one (at most ``most``)."""
    return parts(text)[:most]


def one_question(text: str, asked: Sequence[str]) -> bool:
    """The message is its one question (or none): QuestionTopics reads it whole only."""
    return len(asked) <= 1 and (not asked or asked[0].strip() == text.strip())


# What a question asks, without the story said in the same sentence: from
# the last place a clause starts with a question word ("I've no car and it's
# two buses away, can I join by video" -> "can I join by video").
_CLAUSE_OPENS = re.compile(
    rf"(?:^|[,;:(]|\s-\s|\b(?:and|so|but|also|plus|then|because)\b)\s*{_LEAD}(?=(?:{OPENERS})\b)", re.IGNORECASE
)
FOCUS_WORDS = 10  # a question's first words are what it asks; the rest is more story
FOCUS_PARTS = 2  # a long message's last questions


def focus(text: str) -> List[str]:
    """What each of the message's last questions asks: the clause that
    starts with its question word (or the whole question when none does),
    at most FOCUS_WORDS words."""
    out = []
    for part in questions(text)[-FOCUS_PARTS:]:
        starts = [m.end() for m in _CLAUSE_OPENS.finditer(part)]
        starts = [s for s in starts if len(part[s:].split()) >= MIN_WORDS] or [0]
        out.append(" ".join(part[starts[-1] :].split()[:FOCUS_WORDS]))
    return out
