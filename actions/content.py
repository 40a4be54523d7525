"""Editable content that is not training data: topics, glossary, helplines.

Plain Python with no Rasa imports. Each file in ``content/`` is read once and
checked, so a typo in a council's edit stops the bot at start-up with a
message naming the file and the entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Tuple

from actions.yaml_files import read_yaml

CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"


class ContentError(ValueError):
    """A content file is missing or has a bad entry."""


def _read_yaml(path: Path) -> Mapping:
    data = read_yaml(path, ContentError)
    if not isinstance(data, Mapping):
        raise ContentError(f"{path}: should contain named entries")
    return data


def _need_text(entry: Mapping, key: str, where: str) -> str:
    value = entry.get(key) if isinstance(entry, Mapping) else None
    if not isinstance(value, str) or not value.strip():
        raise ContentError(f"{where}: {key} is missing")
    return value.strip()


# --------------------------------------------------------------------- topics
@dataclass(frozen=True)
class Section:
    key: str
    title: str
    topics: Tuple[Tuple[str, str], ...]  # (intent, button title)


@dataclass(frozen=True)
class Topics:
    menu_intro: str
    suggest_intro: str
    suggest_menu_intro: str
    none_of_these: str
    too_long: str
    sections: Tuple[Section, ...]
    other_suggestions: Tuple[Tuple[str, str], ...]

    def title_of(self, intent: str) -> Optional[str]:
        for section in self.sections:
            for name, title in section.topics:
                if name == intent:
                    return title
        return dict(self.other_suggestions).get(intent)

    def section(self, key: Optional[str]) -> Optional[Section]:
        return next((s for s in self.sections if s.key == key), None)

    @property
    def topic_intents(self) -> List[str]:
        return [name for s in self.sections for name, _ in s.topics]

    def suggestions(self, ranking: List[Tuple[str, float]], most: int = 3,
                    min_confidence: float = 0.05) -> List[Tuple[str, str]]:
        """The likeliest topics from an intent ranking, as (intent, title).

        Intents without a title (greetings, fallback, safety) are skipped, and
        so are guesses too weak to be worth a button.
        """
        picked: List[Tuple[str, str]] = []
        for intent, confidence in ranking:
            title = self.title_of(intent)
            if title is None or confidence < min_confidence:
                continue
            if intent not in (p[0] for p in picked):
                picked.append((intent, title))
            if len(picked) == most:
                break
        return picked


def parse_topics(data: Mapping, where: str = "topics.yml") -> Topics:
    sections_data = data.get("sections")
    if not isinstance(sections_data, Mapping) or not sections_data:
        raise ContentError(f"{where}: sections is missing")
    sections = []
    seen: Dict[str, str] = {}
    for key, section in sections_data.items():
        place = f"{where}: sections.{key}"
        title = _need_text(section, "title", place)
        topics = section.get("topics")
        if not isinstance(topics, Mapping) or not topics:
            raise ContentError(f"{place}: topics is missing")
        for intent, label in topics.items():
            if not isinstance(label, str) or not label.strip():
                raise ContentError(f"{place}.topics.{intent}: needs a button title")
            if intent in seen:
                raise ContentError(f"{place}.topics.{intent}: already listed in section {seen[intent]}")
            seen[intent] = key
        sections.append(Section(key, title, tuple((i, t.strip()) for i, t in topics.items())))
    others = data.get("other_suggestions") or {}
    return Topics(
        menu_intro=_need_text(data, "menu_intro", where),
        suggest_intro=_need_text(data, "suggest_intro", where),
        suggest_menu_intro=_need_text(data, "suggest_menu_intro", where),
        none_of_these=_need_text(data, "none_of_these", where),
        too_long=_need_text(data, "too_long", where),
        sections=tuple(sections),
        other_suggestions=tuple((i, str(t)) for i, t in others.items()),
    )


# ------------------------------------------------------------------- glossary
@dataclass(frozen=True)
class Term:
    name: str
    meaning: str
    source: str
    pattern: re.Pattern


def parse_glossary(data: Mapping, where: str = "glossary.yml") -> Tuple[Term, ...]:
    terms = []
    for name, entry in data.items():
        place = f"{where}: {name}"
        match = entry.get("match") if isinstance(entry, Mapping) else None
        if not isinstance(match, list) or not all(isinstance(m, str) and m for m in match):
            raise ContentError(f"{place}: match should be a list of words")
        # Longest phrases first so "child protection plan" wins over "plan".
        words = sorted((re.escape(m.lower()) for m in match), key=len, reverse=True)
        pattern = re.compile(r"(?<![\w])(?:" + "|".join(words) + r")(?![\w])", re.IGNORECASE)
        terms.append(Term(str(name), _need_text(entry, "meaning", place),
                          _need_text(entry, "source", place), pattern))
    if not terms:
        raise ContentError(f"{where}: has no terms")
    return tuple(terms)


def find_terms(text: str, glossary: Tuple[Term, ...]) -> List[Term]:
    """The glossary terms a message mentions, in the order they appear."""
    found = []
    for term in glossary:
        hit = term.pattern.search(text or "")
        if hit:
            found.append((hit.start(), term))
    return [term for _, term in sorted(found, key=lambda pair: pair[0])]


# ------------------------------------------------------------------ helplines
@dataclass(frozen=True)
class Helpline:
    key: str
    name: str
    phone: str
    hours: str
    description: str
    nations: Tuple[str, ...]
    source: str
    url: Optional[str] = None
    text_only: bool = False


def parse_helplines(data: Mapping, where: str = "helplines.yml") -> Dict[str, Helpline]:
    lines = {}
    for key, entry in data.items():
        place = f"{where}: {key}"
        nations = entry.get("nations") if isinstance(entry, Mapping) else None
        if not isinstance(nations, list) or not nations:
            raise ContentError(f"{place}: nations should list where the service is for")
        phone = entry.get("phone")
        if not isinstance(phone, str):
            raise ContentError(f"{place}: phone should be written in quotes")
        lines[key] = Helpline(
            key=key,
            name=_need_text(entry, "name", place),
            phone=phone.strip(),
            hours=_need_text(entry, "hours", place),
            description=_need_text(entry, "description", place),
            nations=tuple(nations),
            source=_need_text(entry, "source", place),
            url=entry.get("url"),
            text_only=bool(entry.get("text_only", False)),
        )
    return lines


# ------------------------------------------------------------------- loading
@dataclass(frozen=True)
class Content:
    topics: Topics
    glossary: Tuple[Term, ...]
    helplines: Dict[str, Helpline]


def load_content(directory: Path = CONTENT_DIR) -> Content:
    return Content(
        topics=parse_topics(_read_yaml(directory / "topics.yml"), "content/topics.yml"),
        glossary=parse_glossary(_read_yaml(directory / "glossary.yml"), "content/glossary.yml"),
        helplines=parse_helplines(_read_yaml(directory / "helplines.yml"), "content/helplines.yml"),
    )


@lru_cache(maxsize=1)
def content() -> Content:
    """The shipped content, read once per process."""
    return load_content()
