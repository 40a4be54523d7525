"""Which dates a parent asks about, and what kind of conference theirs is.

Plain Python over the patterns in content/conference_words.yml (a council can
add its own words there). Used by the NLU step ConferenceWordsExtractor.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Pattern, Tuple

from companion.paths import CONTENT_DIR
from companion.yaml_file import read_mapping

WORDS_PATH = CONTENT_DIR / "conference_words.yml"
# Words that start a date question. A question's own part runs from the
# clause it starts in to the end of its sentence.
QUESTION = re.compile(
    r"\b(when|whens|wen|what time|what date|what day|how long|how soon|how early|how late"
    r"|how many (days|weeks|working days)|how much notice|by when|deadline|last day|latest date)\b"
)
_CLAUSE_START = re.compile(r"(.*)([,;.?!\n]|\band\b|\bbut\b)", re.S)
_SENTENCE_END = re.compile(r"[.?!\n]")
GROUPS = {"milestones": "milestone", "conference_kinds": "conference_kind", "nations": "nation"}


class ConferenceWordsError(ValueError):
    """The words file is missing or has a bad pattern."""


@dataclass(frozen=True)
class Word:
    entity: str  # milestone, conference_kind or nation
    value: str  # e.g. first_core_group
    start: int
    end: int


class ConferenceWords:
    def __init__(self, patterns: Dict[str, List[Tuple[str, Pattern[str]]]]):
        self._patterns = patterns

    def find(self, text: str) -> List[Word]:
        """Every value found, once each, in the order they appear.

        Words that say what kind the conference is are not also a question
        about a date: in "my review is on 3 March, when do I get the report?"
        the review is the conference, and only the report is asked about.
        """
        lowered = (text or "").lower()
        kinds = [
            m.span() for _, pattern in self._patterns.get("conference_kind", []) for m in pattern.finditer(lowered)
        ]
        words = []
        for entity, entries in self._patterns.items():
            for value, pattern in entries:
                for match in pattern.finditer(lowered):
                    if entity == "milestone" and _overlaps(match.span(), kinds):
                        continue
                    words.append(Word(entity, value, match.start(), match.end()))
        # When the message asks a question, the dates it asks about are the
        # ones in the question: "the report came on the 18th, when do I get
        # the minutes?" asks about the minutes.
        questions = question_parts(lowered)
        asked = [w for w in words if w.entity == "milestone" and _overlaps((w.start, w.end), questions)]
        if asked:
            words = [w for w in words if w.entity != "milestone"] + asked
        found: Dict[Tuple[str, str], Word] = {}
        for word in sorted(words, key=lambda w: w.start):
            found.setdefault((word.entity, word.value), word)
        return sorted(found.values(), key=lambda w: (w.start, w.entity))


def question_parts(lowered: str) -> List[Tuple[int, int]]:
    """Where the message's date questions are (character spans)."""
    parts = []
    for match in QUESTION.finditer(lowered):
        before = _CLAUSE_START.match(lowered[: match.start()])
        start = before.end() if before else 0
        end = _SENTENCE_END.search(lowered, match.end())
        parts.append((start, end.start() if end else len(lowered)))
    return parts


def _overlaps(span: Tuple[int, int], spans: List[Tuple[int, int]]) -> bool:
    return any(s < span[1] and span[0] < e for s, e in spans)


def load_conference_words(path: str | Path = WORDS_PATH) -> ConferenceWords:
    data = read_mapping(path, ConferenceWordsError)
    patterns: Dict[str, List[Tuple[str, Pattern[str]]]] = {}
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
                        f"{path}: {group}.{value}: {regex!r} is not a valid pattern ({problem})"
                    ) from None
    return ConferenceWords(patterns)
