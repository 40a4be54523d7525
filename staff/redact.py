"""A second redaction pass over stored messages, before staff see them.

Stored messages were already redacted once (companion/stores/redact.py)
when the bot stored them. This runs that pass again (for anything stored
before it existed, or migrated in), then takes out more: National
Insurance numbers in any spacing, any other long run of digits, web
addresses, and words that look like names: a capitalised word the bot's own training
data and content never use ("Jayden", "Kowalski"), and any unknown word
after "my son", "my ex" and the like. It over-redacts on purpose: a staff
member loses a place name now and then, and never sees a parent's.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import FrozenSet

from companion.stores.redact import RELATIONS, first_names
from companion.stores.redact import redact as first_pass
from staff.words import ROOT

NI_NUMBER = re.compile(r"\b[A-Z]{2}(?:[\s\-]?\d{2}){3}(?:[\s\-]?[A-D])?\b", re.IGNORECASE)
DIGITS = re.compile(r"(?<![\w\[])\d(?:[\s\-./]?\d){5,}(?!\w)")
LINK = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
WORD = re.compile(r"\[[a-zA-Z][a-zA-Z \-]*\]|[A-Za-z][A-Za-z'\u2019\-]*")
TAG = re.compile(r"^\[[a-zA-Z][a-zA-Z \-]*\]$")
VOCABULARY_SOURCES = ("data/nlu", "domain", "content")


@lru_cache(maxsize=1)
def vocabulary() -> FrozenSet[str]:
    """Every word (lower case) in the bot's training examples and content,
    except first names (content/first_names.txt): parents' example messages
    name children ("Jayden's dad has..."), and a name is no less a name for
    being in an example."""
    found = set()
    for folder in VOCABULARY_SOURCES:
        for path in sorted((ROOT / folder).rglob("*.yml")):
            found.update(word.lower() for word in re.findall(r"[A-Za-z]+", path.read_text(encoding="utf-8")))
    return frozenset(found - {name.lower() for name in first_names()})


def _known(word: str) -> bool:
    base = re.sub(r"(?:['\u2019]s|['\u2019])$", "", word).lower()
    parts = [part for part in re.split(r"[-'\u2019]", base) if part]
    return bool(parts) and all(part in vocabulary() for part in parts)


def _names(text: str) -> str:
    out = []
    position = 0
    previous: list = []
    for match in WORD.finditer(text):
        word = match.group(0)
        out.append(text[position : match.start()])
        position = match.end()
        after_relation = len(previous) >= 2 and previous[-2] == "my" and previous[-1] in RELATIONS
        if TAG.match(word) or word == "I" or word.lower() in ("i'm", "i've", "i'll", "i'd"):
            out.append(word)
        elif (word[0].isupper() or after_relation) and not _known(word):
            out.append("[name]")
        else:
            out.append(word)
        previous = (previous + [word.lower()])[-2:]
    out.append(text[position:])
    return re.sub(r"\[name\](?:\s+\[name\])+", "[name]", "".join(out))


def redact_again(text: str) -> str:
    """``text`` as staff may see it."""
    if not text:
        return ""
    text = first_pass(text)
    text = LINK.sub("[link]", text)
    text = NI_NUMBER.sub("[NI-number]", text)
    text = DIGITS.sub("[number]", text)
    return _names(text)
