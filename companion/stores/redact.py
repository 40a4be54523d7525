"""Takes out what identifies people before a message is stored or logged.

Plain Python over spaCy's tokenizer (blank English pipeline). Replaced with
a tag in square brackets:
- UK phone numbers, email addresses, UK postcodes, NHS numbers, National
  Insurance numbers, bank card numbers (13 to 19 digits passing the Luhn
  check), street addresses ("12 Acacia Avenue", "Flat 3, 4 mill lane",
  "Church Road");
- dates of birth (a date after "born", "DOB", "date of birth", "birthday");
- names where the text says whose they are: "my son Jayden", "I'm Sarah",
  "my name is Sarah Jones", "her name is Mia", "called Leo", "Jayden is my
  boy", "Mrs Okafor"; hyphenated names whole ("Mary-Jane"); and, with no cue
  at all, a capitalised first name from content/first_names.txt with the
  capitalised surname after it ("Sarah Jones came round");
- school names: "Oakwood Primary School", "St Mary's Academy", "his school
  is Oakwood".
Dates of meetings are kept: the conference date is not personal data and
the bot needs it.

find() gives the character spans (so the tracker store can also take out an
entity or a slot value read from one); redact() gives the redacted text.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Dict, FrozenSet, List, NamedTuple, Tuple

import spacy
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.matcher import Matcher
from spacy.tokens import Token

from companion.paths import CONTENT_DIR

NAMES_PATH = CONTENT_DIR / "first_names.txt"

PHONE = re.compile(r"(?<![\w+])(?:\+44\s?\(?0?\)?\s?|\(?0)\d(?:[\s\-()]{0,2}\d){8,9}(?!\w)")
EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)
NHS_NUMBER = re.compile(r"(?<!\d)\d{3}[\s\-]?\d{3}[\s\-]?\d{4}(?!\d)")
# "QQ 12 34 56 C" (capitals, spaced or not), or "qq123456c" (any case, unspaced).
NI_NUMBER = re.compile(r"\b(?:[A-Z]{2}(?:[\s\-]?\d{2}){3}[\s\-]?[A-D]|(?i:[a-z]{2}\d{6}[a-d]))\b")
CARD = re.compile(r"(?<![\d\-])(?:\d[\s\-]?){12,18}\d(?![\d\-])")
MONTHS = r"jan\w*|feb\w*|mar\w*|apr\w*|may|jun\w*|jul\w*|aug\w*|sep\w*|oct\w*|nov\w*|dec\w*"
DAY = r"\d{1,2}(?:st|nd|rd|th)?"
DATE_WORDS = (
    rf"(?:{DAY}[\s/.\-]+(?:of\s+)?(?:\d{{1,2}}|{MONTHS})(?:[\s/.\-,]+\d{{2,4}})?"
    rf"|(?:{MONTHS})\s+{DAY}(?:,?\s+\d{{4}})?)"
)
BIRTH = re.compile(
    r"\b(born(?:\s+on)?|d\.?o\.?b\.?:?|date\s+of\s+birth(?:\s+is)?:?|birth\s?date(?:\s+is)?:?"
    r"|birthday(?:\s+is)?(?:\s+on)?:?)\s*(?:the\s+)?(" + DATE_WORDS + r")",
    re.IGNORECASE,
)
STREET_TYPES = (
    r"road|rd|street|st|avenue|ave|lane|ln|close|drive|dr|way|crescent|cres|court|ct|place|pl"
    r"|gardens|gdns|terrace|grove|hill|park|square|sq|walk|row|mews|view|rise|green|parade|vale"
)
ADDRESS = re.compile(
    rf"\b(?:(?:flat|apartment|apt|unit)\s+\d+[a-z]?,?\s+)?\d{{1,4}}[a-z]?,?\s+"
    rf"(?:[a-z][a-z'’\-]*\s+){{1,3}}(?:{STREET_TYPES})\b\.?",
    re.IGNORECASE,
)
NAMED_STREET = re.compile(
    r"\b(?:[A-Z][a-z'’\-]+\s+){1,3}(?:Road|Street|Avenue|Lane|Close|Drive|Crescent|Court"
    r"|Gardens|Terrace|Grove|Mews|Square|Parade)\b"
)
SCHOOL_KINDS = r"(?:primary|infants?|juniors?|secondary|grammar|nursery|academy|college|school)"
SCHOOL = re.compile(
    r"\b((?:(?:St\.?|[A-Z][\w'’\-]*)\s+){1,4})((?i:" + SCHOOL_KINDS + r")(?:\s+(?i:" + SCHOOL_KINDS + r"))?)\b"
)
SCHOOL_AFTER = re.compile(
    r"\b(?:school|nursery|academy|college)(?:'s name)?\s*(?:is\s+(?:called\s+)?|called\s+"
    r"|named\s+|:\s*)((?:(?:St\.?|[A-Z][\w'’\-]*)\s?){1,4})",
    re.IGNORECASE,
)
TITLED = re.compile(r"\b(?:mr|mrs|ms|miss|mx|dr)\b\.?\s+([a-z][\w'’\-]*(?:\s+[a-z][\w'’\-]*)?)", re.IGNORECASE)
HYPHENATED = re.compile(r"(?:[\-'’][A-Za-z]+)+")
LUHN_DIGITS = re.compile(r"\d")

RELATIONS = [
    "son",
    "daughter",
    "child",
    "boy",
    "girl",
    "baby",
    "kid",
    "partner",
    "husband",
    "wife",
    "ex",
    "boyfriend",
    "girlfriend",
    "mum",
    "mam",
    "mom",
    "dad",
    "brother",
    "sister",
    "stepson",
    "stepdaughter",
    "nephew",
    "niece",
    "grandson",
    "granddaughter",
    "social",
    "worker",
    "sw",
]
# "Jayden is my boy": the words that may follow "is my".
IS_MY = re.compile(
    r"\b([A-Z][a-z]+(?:[\-'’][A-Z][a-z]+)?(?:\s+[A-Z][a-z]+(?:[\-'’][A-Z][a-z]+)?)?)\s+(?:is|'s|’s)"
    r"\s+my\s+(?:" + "|".join(RELATIONS) + r"|little|eldest|oldest|youngest|baby)\b"
)
# Words that follow "my son" or "I'm" but are not names.
NOT_NAMES = {
    "is",
    "was",
    "has",
    "had",
    "and",
    "but",
    "or",
    "who",
    "that",
    "he",
    "she",
    "they",
    "it",
    "will",
    "would",
    "can",
    "could",
    "does",
    "did",
    "not",
    "to",
    "in",
    "on",
    "at",
    "with",
    "for",
    "of",
    "a",
    "an",
    "the",
    "so",
    "very",
    "really",
    "just",
    "also",
    "too",
    "still",
    "being",
    "been",
    "going",
    "gonna",
    "scared",
    "worried",
    "nervous",
    "frightened",
    "anxious",
    "sorry",
    "fine",
    "ok",
    "okay",
    "here",
    "there",
    "home",
    "from",
    "sure",
    "afraid",
    "terrified",
    "upset",
    "angry",
    "pregnant",
    "struggling",
    "trying",
    "getting",
    "feeling",
    "stressed",
    "confused",
    "late",
    "new",
    "his",
    "her",
    "their",
    "my",
    "your",
    "our",
    "when",
    "if",
    "because",
    "as",
    "by",
    "about",
    "aged",
    "age",
    "years",
    "year",
    "months",
    "old",
    "only",
    "now",
    "then",
    "all",
    "doing",
    "attending",
    "coming",
    "asking",
    "wondering",
    "lost",
    "done",
    "sick",
    "ill",
    "tired",
    "mum",
    "dad",
    "mother",
    "father",
    "parent",
    "carer",
    "single",
    "disabled",
    "deaf",
    "blind",
    "staying",
    "living",
    "off",
    "out",
    "up",
    "down",
    "back",
    "always",
    "never",
    "currently",
    "this",
    "these",
    "those",
    "what",
    "where",
    "which",
    "why",
    "how",
    "we",
    "you",
    "i",
    "me",
    "us",
    "him",
    "them",
    "social",
    "worker",
    "chair",
    "conference",
    "meeting",
    "school",
    "nursery",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
}
# "my son Jayden": only a capitalised word counts as a name after these,
# so "my ex lives in Leeds" keeps its words.
RELATION: List[List[Dict[str, Any]]] = [[{"LOWER": "my"}, {"LOWER": {"IN": RELATIONS}}]]
# "my son's name is jayden", "I'm sarah", "called leo": any case.
NAMING: List[List[Dict[str, Any]]] = [
    [
        {"LOWER": "my"},
        {"LOWER": {"IN": RELATIONS}},
        {"LOWER": {"IN": ["'s", "s"]}, "OP": "?"},
        {"LOWER": {"IN": ["name", "called", "named"]}},
        {"LOWER": {"IN": ["is"]}, "OP": "?"},
    ],
    [{"LOWER": "i"}, {"LOWER": {"IN": ["'m", "am", "m"]}}],
    [{"LOWER": "im"}],
    [{"LOWER": {"IN": ["name", "names", "called", "named"]}}, {"LOWER": {"IN": ["is", "'s"]}, "OP": "?"}],
]


class Span(NamedTuple):
    start: int
    end: int
    replacement: str


@lru_cache(maxsize=1)
def _pipeline() -> Tuple[spacy.language.Language, Matcher]:
    nlp = spacy.blank("en")
    matcher = Matcher(nlp.vocab)
    matcher.add("relation", RELATION)
    matcher.add("naming", NAMING)
    return nlp, matcher


@lru_cache(maxsize=1)
def first_names() -> FrozenSet[str]:
    lines = NAMES_PATH.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def _name_like(token: Token, needs_capital: bool) -> bool:
    return (
        bool(token.is_alpha)
        and token.lower_ not in NOT_NAMES
        and token.lower_ not in RELATIONS
        and not token.is_stop
        and (token.is_title or not needs_capital)
    )


def _name_spans(text: str) -> List[Tuple[int, int]]:
    """Character spans of names that follow an introduction ("my son ..."),
    and of listed first names with the surname after them."""
    nlp, matcher = _pipeline()
    doc = nlp.make_doc(text)
    spans = []
    for match_id, _start, end in matcher(doc):
        needs_capital = nlp.vocab.strings[match_id] == "relation"
        position = end
        name_end = None
        # Up to two name-like words: "Sarah", "Sarah Jones".
        while position < len(doc) and position < end + 2 and _name_like(doc[position], needs_capital):
            name_end = position + 1
            position += 1
        if name_end is not None:
            spans.append((doc[end].idx, doc[name_end - 1].idx + len(doc[name_end - 1])))
    names = first_names()
    for i, token in enumerate(doc):
        if token.is_title and token.lower_ in names and token.lower_ not in NOT_NAMES:
            last = token
            if i + 1 < len(doc) and _name_like(doc[i + 1], True):
                last = doc[i + 1]
            spans.append((token.idx, last.idx + len(last)))
    return spans


def _luhn(number: str) -> bool:
    digits = [int(d) for d in LUHN_DIGITS.findall(number)]
    total = 0
    for position, digit in enumerate(reversed(digits)):
        if position % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def _not_all_small_words(words: str) -> bool:
    return any(w.lower().strip(".") not in NOT_NAMES | STOP_WORDS | {"st"} for w in words.split())


def _leading_names(words: str) -> str:
    """The first one or two of ``words`` that could be names ("Sarah Okafor" of "Sarah Okafor is")."""
    kept: List[str] = []
    for word in words.split():
        if word.lower().strip(".") in NOT_NAMES | STOP_WORDS or (kept and not word[:1].isupper()):
            break
        kept.append(word)
    return " ".join(kept)


def find(text: str) -> List[Span]:
    """What to take out of ``text``, as non-overlapping spans in text order."""
    if not text:
        return []
    found: List[Span] = []
    found += [Span(m.start(), m.end(), "[email]") for m in EMAIL.finditer(text)]
    found += [Span(m.start(), m.end(), f"{m.group(1)} [date of birth]") for m in BIRTH.finditer(text)]
    found += [Span(m.start(), m.end(), "[card-number]") for m in CARD.finditer(text) if _luhn(m.group())]
    found += [Span(m.start(), m.end(), "[NI-number]") for m in NI_NUMBER.finditer(text)]
    found += [Span(m.start(), m.end(), "[phone]") for m in PHONE.finditer(text)]
    found += [Span(m.start(), m.end(), "[NHS number]") for m in NHS_NUMBER.finditer(text)]
    found += [Span(m.start(), m.end(), "[postcode]") for m in POSTCODE.finditer(text)]
    found += [Span(m.start(), m.end(), "[address]") for m in ADDRESS.finditer(text)]
    found += [Span(m.start(), m.end(), "[address]") for m in NAMED_STREET.finditer(text)]
    found += [Span(m.start(), m.end(), "[school]") for m in SCHOOL.finditer(text) if _not_all_small_words(m.group(1))]
    found += [
        Span(m.start(1), m.start(1) + len(m.group(1).rstrip()), "[school]")
        for m in SCHOOL_AFTER.finditer(text)
        if _not_all_small_words(m.group(1))
    ]
    for m in TITLED.finditer(text):
        words = _leading_names(m.group(1))
        if words:
            found.append(Span(m.start(1), m.start(1) + len(words), "[name]"))
    found += [Span(m.start(1), m.end(1), "[name]") for m in IS_MY.finditer(text) if _not_all_small_words(m.group(1))]
    for start, end in _name_spans(text):
        joined = HYPHENATED.match(text, end)  # "Mary-Jane", "O'Neill": the whole name
        found.append(Span(start, joined.end() if joined else end, "[name]"))
    chosen: List[Span] = []
    for span in sorted(found, key=lambda s: (s.start, -(s.end - s.start))):
        if chosen and span.start < chosen[-1].end:
            if span.end > chosen[-1].end and span.replacement == chosen[-1].replacement:
                chosen[-1] = chosen[-1]._replace(end=span.end)
            continue
        chosen.append(span)
    return chosen


def redact(text: str) -> str:
    """``text`` with identifying details replaced by [phone], [email], [name] ..."""
    if not text:
        return text
    for span in reversed(find(text)):
        text = text[: span.start] + span.replacement + text[span.end :]
    return text
