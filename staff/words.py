"""The words staff see (staff/words.yml), and the topics' names (content/topics.yml)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Dict

import yaml

ROOT = Path(__file__).resolve().parent.parent
WORDS_FILE = Path(__file__).resolve().parent / "words.yml"


@lru_cache(maxsize=1)
def words() -> Dict[str, Any]:
    return yaml.safe_load(WORDS_FILE.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def topic_titles() -> Dict[str, str]:
    """Every topic a parent can ask about, intent -> the title parents see on its button."""
    topics = yaml.safe_load((ROOT / "content" / "topics.yml").read_text(encoding="utf-8"))
    titles: Dict[str, str] = {}
    for section in (topics.get("sections") or {}).values():
        titles.update(section.get("topics") or {})
    titles.update(topics.get("other_suggestions") or {})
    return titles


def label_choices() -> Dict[str, str]:
    """What staff may label a message as: intent -> title."""
    choices = dict(topic_titles())
    choices.update(words().get("extra_labels") or {})
    return choices
