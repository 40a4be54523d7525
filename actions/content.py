"""Editable content that is not training data: topics, glossary, helplines,
and the sentences the actions build (signposts, the glossary answer, the
answer shape).

Plain Python with no Rasa imports. Each file in ``content/`` is read once and
checked, so a typo in a council's edit stops the bot at start-up with a
message naming the file and the entry, and a sentence that uses a {name} the
bot cannot fill is caught there too.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Mapping, Tuple

from actions.yaml_files import read_yaml

CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"


class ContentError(ValueError):
    """A content file is missing or has a bad entry."""


def _read_yaml(path: Path) -> Mapping[str, Any]:
    data = read_yaml(path, ContentError)
    if not isinstance(data, Mapping):
        raise ContentError(f"{path}: should contain named entries")
    return data


def _need_text(entry: Mapping[str, Any], key: str, where: str) -> str:
    value = entry.get(key) if isinstance(entry, Mapping) else None
    if not isinstance(value, str) or not value.strip():
        raise ContentError(f"{where}: {key} is missing")
    return value.strip()


def _checked(value: object, place: str, fills: Tuple[str, ...]) -> str:
    """A sentence that uses only the {names} in ``fills``; ``place`` names it in errors."""
    if not isinstance(value, str) or not value.strip():
        raise ContentError(f"{place} is missing")
    try:
        used = {name for _, name, _, _ in string.Formatter().parse(value) if name is not None}
    except ValueError:
        raise ContentError(f"{place} has a {{ or }} without its pair") from None
    unknown = sorted(used - set(fills))
    if unknown:
        can = ", ".join("{" + name + "}" for name in fills) or "none"
        raise ContentError(f"{place} uses {{{unknown[0]}}}, which the bot cannot fill here (it fills {can})")
    return value.strip()


def _template(entry: Mapping[str, Any], key: str, where: str, fills: Tuple[str, ...] = ()) -> str:
    """The sentence at ``entry[key]``, which may use only the {names} in ``fills``."""
    return _checked(entry.get(key) if isinstance(entry, Mapping) else None, f"{where}: {key}", fills)


def parse_words(data: Mapping[str, Any], shape: Mapping[str, Tuple[str, ...]], where: str) -> Dict[str, str]:
    """Sentences by dotted key ("advocacy.none"), each checked against ``shape``
    (key -> the {names} the bot fills in it)."""
    if not isinstance(data, Mapping):
        raise ContentError(f"{where}: should contain named entries")
    words = {}
    for dotted, fills in shape.items():
        value: object = data
        for part in dotted.split("."):
            value = value.get(part) if isinstance(value, Mapping) else None
        words[dotted] = _checked(value, f"{where}: {dotted}", fills)
    return words


def parse_buttons(value: object, where: str) -> Tuple[Dict[str, str], ...]:
    """A list of buttons, each with a title and a payload (an intent in domain/)."""
    if not isinstance(value, list) or not value:
        raise ContentError(f"{where}: should list buttons, each with a title and a payload")
    buttons = []
    for n, button in enumerate(value):
        place = f"{where}[{n}]"
        payload = _need_text(button, "payload", place)
        if not payload.startswith("/"):
            raise ContentError(f"{place}: payload should be an intent such as /show_menu")
        buttons.append({"title": _need_text(button, "title", place), "payload": payload})
    return tuple(buttons)


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
    section_intro: str
    all_topics: str
    talk_to_person: str

    def title_of(self, intent: str) -> str | None:
        for section in self.sections:
            for name, title in section.topics:
                if name == intent:
                    return title
        return dict(self.other_suggestions).get(intent)

    def section(self, key: str | None) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)

    @property
    def topic_intents(self) -> List[str]:
        return [name for s in self.sections for name, _ in s.topics]

    def suggestions(
        self, ranking: List[Tuple[str, float]], most: int = 3, min_confidence: float = 0.05
    ) -> List[Tuple[str, str]]:
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


def parse_topics(data: Mapping[str, Any], where: str = "topics.yml") -> Topics:
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
        section_intro=_template(data, "section_intro", where, ("section",)),
        all_topics=_need_text(data, "all_topics", where),
        talk_to_person=_need_text(data, "talk_to_person", where),
    )


# ------------------------------------------------------------------- glossary
# The four nations, as actions/profile.py's NATIONS (which imports this file).
ALL_NATIONS = ("england", "wales", "scotland", "northern_ireland")


@dataclass(frozen=True)
class Term:
    name: str
    meaning: str
    source: str
    pattern: re.Pattern[str]
    # Where the word is used: the whole glossary for a nation lists only its
    # own words (a word asked about by name is explained anywhere).
    nations: Tuple[str, ...] = ALL_NATIONS


def parse_glossary(data: Mapping[str, Any], where: str = "glossary.yml") -> Tuple[Term, ...]:
    terms = []
    for name, entry in data.items():
        place = f"{where}: {name}"
        match = entry.get("match") if isinstance(entry, Mapping) else None
        if not isinstance(match, list) or not all(isinstance(m, str) and m for m in match):
            raise ContentError(f"{place}: match should be a list of words")
        # Longest phrases first so "child protection plan" wins over "plan".
        words = sorted((re.escape(m.lower()) for m in match), key=len, reverse=True)
        pattern = re.compile(r"(?<![\w])(?:" + "|".join(words) + r")(?![\w])", re.IGNORECASE)
        nations = entry.get("nations", list(ALL_NATIONS))
        if not isinstance(nations, list) or not nations or any(n not in ALL_NATIONS for n in nations):
            raise ContentError(f"{place}: nations should list some of: {', '.join(ALL_NATIONS)}")
        meaning, source = _need_text(entry, "meaning", place), _need_text(entry, "source", place)
        terms.append(Term(str(name), meaning, source, pattern, tuple(nations)))
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
    url: str | None = None
    text_only: bool = False


def parse_helplines(data: Mapping[str, Any], where: str = "helplines.yml") -> Dict[str, Helpline]:
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


# ------------------------------------------- sentences the actions build
# Each sentence, and the {names} the bot fills in it.
SIGNPOSTS_SHAPE: Dict[str, Tuple[str, ...]] = {
    "advocacy.local_with_contact": ("name", "ways"),
    "advocacy.local": ("name",),
    "advocacy.none": (),
    "national_advice.helpline": ("name", "description", "phone", "hours"),
    "national_advice.organisation": ("organisation", "phone", "hours"),
    "domestic_abuse.helpline": ("name", "phone", "hours"),
    "out_of_hours": ("phone",),
    "privacy_notice": ("data_controller", "retention_days", "who_can_see", "organisation", "phone"),
    "who_can_see": (),
}
ANSWERS_SHAPE: Dict[str, Tuple[str, ...]] = {
    "what_you_can_do": ("advice",),
    "source": ("sources",),
}


@dataclass(frozen=True)
class Jargon:
    intro: str
    more_intro: str
    more_button: str
    not_here: str
    follow_ups: Tuple[Dict[str, str], ...]


def parse_jargon(data: Mapping[str, Any], where: str = "jargon.yml") -> Jargon:
    if not isinstance(data, Mapping):
        raise ContentError(f"{where}: should contain named entries")
    return Jargon(
        intro=_template(data, "intro", where),
        more_intro=_template(data, "more_intro", where),
        more_button=_template(data, "more_button", where),
        not_here=_template(data, "not_here", where),
        follow_ups=parse_buttons(data.get("follow_ups"), f"{where}: follow_ups"),
    )


# ------------------------------------------------------------------- loading
@dataclass(frozen=True)
class Content:
    topics: Topics
    glossary: Tuple[Term, ...]
    helplines: Dict[str, Helpline]
    signposts: Mapping[str, str]
    jargon: Jargon
    answers: Mapping[str, str]


def load_content(directory: Path = CONTENT_DIR) -> Content:
    return Content(
        topics=parse_topics(_read_yaml(directory / "topics.yml"), "content/topics.yml"),
        glossary=parse_glossary(_read_yaml(directory / "glossary.yml"), "content/glossary.yml"),
        helplines=parse_helplines(_read_yaml(directory / "helplines.yml"), "content/helplines.yml"),
        signposts=parse_words(_read_yaml(directory / "signposts.yml"), SIGNPOSTS_SHAPE, "content/signposts.yml"),
        jargon=parse_jargon(_read_yaml(directory / "jargon.yml"), "content/jargon.yml"),
        answers=parse_words(_read_yaml(directory / "answers.yml"), ANSWERS_SHAPE, "content/answers.yml"),
    )


@lru_cache(maxsize=1)
def content() -> Content:
    """The shipped content, read once per process."""
    return load_content()
