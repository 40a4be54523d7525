"""Which dates a parent asks about, and what kind of conference theirs is.

Plain Python over the patterns in content/conference_words.yml (a council can
add its own words there). Used by the NLU step ConferenceWordsExtractor.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Pattern, Tuple

from companion.yaml_file import read_mapping
from companion.paths import CONTENT_DIR

WORDS_PATH = CONTENT_DIR / "conference_words.yml"
GROUPS = {"milestones": "milestone", "conference_kinds": "conference_kind", "nations": "nation"}


class ConferenceWordsError(ValueError):
    """The words file is missing or has a bad pattern."""


@dataclass(frozen=True)
class Word:
    entity: str      # milestone, conference_kind or nation
    value: str       # e.g. first_core_group
    start: int
    end: int


class ConferenceWords:
    def __init__(self, patterns: Dict[str, List[Tuple[str, Pattern]]]):
        self._patterns = patterns

    def find(self, text: str) -> List[Word]:
        """Every value found, once each, in the order they appear."""
        lowered = (text or "").lower()
        found: Dict[Tuple[str, str], Word] = {}
        for entity, entries in self._patterns.items():
            for value, pattern in entries:
                match = pattern.search(lowered)
                if match and (entity, value) not in found:
                    found[(entity, value)] = Word(entity, value, match.start(), match.end())
        return sorted(found.values(), key=lambda w: (w.start, w.entity))


def load_conference_words(path=WORDS_PATH) -> ConferenceWords:
    data = read_mapping(path, ConferenceWordsError)
    patterns: Dict[str, List[Tuple[str, Pattern]]] = {}
    for group, entity in GROUPS.items():
        block = data.get(group)
        if not isinstance(block, dict) or not block:
            raise ConferenceWordsError(f"{path}: {group} is missing")
        for value, regexes in block.items():
            if not isinstance(regexes, list) or not regexes:
                raise ConferenceWordsError(f"{path}: {group}.{value} should list patterns")
            for regex in regexes:
                try:
                    patterns.setdefault(entity, []).append((str(value), re.compile(str(regex))))
                except re.error as problem:
                    raise ConferenceWordsError(
                        f"{path}: {group}.{value}: {regex!r} is not a valid pattern ({problem})") from None
    return ConferenceWords(patterns)
