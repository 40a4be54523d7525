"""Takes out what identifies people before a message is stored or logged.

Plain Python over spaCy's tokenizer (blank English pipeline). Replaced with
a tag in square brackets:
- UK phone numbers, email addresses, UK postcodes, NHS numbers;
- dates of birth (a date after "born", "DOB", "date of birth", "birthday");
- names where the text says whose they are: "my son Jayden", "I'm Sarah",
  "my name is Sarah Jones", "her name is Mia", "called Leo".
Dates of meetings are kept: the conference date is not personal data and
the bot needs it.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import List, Tuple

import spacy
from spacy.matcher import Matcher

PHONE = re.compile(r"(?<![\w+])(?:\+44\s?\(?0?\)?\s?|\(?0)\d(?:[\s\-()]{0,2}\d){8,9}(?!\w)")
EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)
NHS_NUMBER = re.compile(r"(?<!\d)\d{3}[\s\-]?\d{3}[\s\-]?\d{4}(?!\d)")
DATE_WORDS = (r"\d{1,2}(?:st|nd|rd|th)?[\s/.\-]+(?:\d{1,2}|jan\w*|feb\w*|mar\w*|apr\w*|may|jun\w*|jul\w*|"
              r"aug\w*|sep\w*|oct\w*|nov\w*|dec\w*)(?:[\s/.\-,]+\d{2,4})?")
BIRTH = re.compile(r"\b(born(?:\s+on)?|d\.?o\.?b\.?:?|date\s+of\s+birth:?|birthday\s+is)\s+(" + DATE_WORDS + r")",
                   re.IGNORECASE)

RELATIONS = ["son", "daughter", "child", "boy", "girl", "baby", "kid", "partner", "husband", "wife",
             "ex", "boyfriend", "girlfriend", "mum", "mam", "mom", "dad", "brother", "sister",
             "stepson", "stepdaughter", "nephew", "niece", "grandson", "granddaughter",
             "social", "worker", "sw"]
# Words that follow "my son" or "I'm" but are not names.
NOT_NAMES = {
    "is", "was", "has", "had", "and", "but", "or", "who", "that", "he", "she", "they", "it", "will",
    "would", "can", "could", "does", "did", "not", "to", "in", "on", "at", "with", "for", "of", "a",
    "an", "the", "so", "very", "really", "just", "also", "too", "still", "being", "been", "going",
    "gonna", "scared", "worried", "nervous", "frightened", "anxious", "sorry", "not", "fine", "ok",
    "okay", "here", "there", "home", "at", "from", "sure", "afraid", "terrified", "upset", "angry",
    "pregnant", "struggling", "trying", "getting", "feeling", "stressed", "confused", "late", "new",
    "his", "her", "their", "my", "your", "our", "when", "if", "because", "as", "by", "about",
    "aged", "age", "years", "year", "months", "old", "only", "now", "then", "all", "doing",
    "attending", "coming", "going", "asking", "wondering", "lost", "done", "sick", "ill", "tired",
    "mum", "dad", "mother", "father", "parent", "carer", "single", "disabled", "deaf", "blind",
    "staying", "living", "off", "out", "up", "down", "back", "always", "never", "currently",
}
# "my son Jayden": only a capitalised word counts as a name after these,
# so "my ex lives in Leeds" keeps its words.
RELATION = [[{"LOWER": "my"}, {"LOWER": {"IN": RELATIONS}}]]
# "my son's name is jayden", "I'm sarah", "called leo": any case.
NAMING = [
    [{"LOWER": "my"}, {"LOWER": {"IN": RELATIONS}}, {"LOWER": {"IN": ["'s", "s"]}, "OP": "?"},
     {"LOWER": {"IN": ["name", "called", "named"]}}, {"LOWER": {"IN": ["is"]}, "OP": "?"}],
    [{"LOWER": "i"}, {"LOWER": {"IN": ["'m", "am", "m"]}}],
    [{"LOWER": "im"}],
    [{"LOWER": {"IN": ["name", "names", "called", "named"]}}, {"LOWER": {"IN": ["is", "'s"]}, "OP": "?"}],
]


@lru_cache(maxsize=1)
def _pipeline():
    nlp = spacy.blank("en")
    matcher = Matcher(nlp.vocab)
    matcher.add("relation", RELATION)
    matcher.add("naming", NAMING)
    return nlp, matcher


def _name_spans(text: str) -> List[Tuple[int, int]]:
    """Character spans of names that follow an introduction ("my son ...")."""
    nlp, matcher = _pipeline()
    doc = nlp.make_doc(text)
    spans = []
    for match_id, start, end in matcher(doc):
        needs_capital = nlp.vocab.strings[match_id] == "relation"
        position = end
        name_end = None
        # Up to two name-like words: "Sarah", "Sarah Jones".
        while position < len(doc) and position < end + 2:
            token = doc[position]
            if not token.is_alpha or token.lower_ in NOT_NAMES or token.lower_ in RELATIONS \
                    or token.is_stop or (needs_capital and not token.is_title):
                break
            name_end = position + 1
            position += 1
        if name_end is not None:
            spans.append((doc[end].idx, doc[name_end - 1].idx + len(doc[name_end - 1])))
    return spans


def redact(text: str) -> str:
    """``text`` with identifying details replaced by [phone], [email], [name] ..."""
    if not text:
        return text
    text = EMAIL.sub("[email]", text)
    text = BIRTH.sub(lambda m: f"{m.group(1)} [date of birth]", text)
    text = PHONE.sub("[phone]", text)
    text = NHS_NUMBER.sub("[NHS number]", text)
    text = POSTCODE.sub("[postcode]", text)
    for start, end in sorted(set(_name_spans(text)), reverse=True):
        text = text[:start] + "[name]" + text[end:]
    return text
