"""The second question in a message, and "Do you mean X or Y?".

The NLU (companion/nlu/topic_components.py) marks a message that asks two
things with `also_asked` (the second topic), and one that could mean either
of two topics with `which_one`. After the answer to the first topic,
action_offer_also_asked offers the second as a button; the fallback action
(actions/menu.py) asks which one was meant, with both as buttons. The words
are in content/questions.yml.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Mapping, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.content import CONTENT_DIR, ContentError, Topics, content
from actions.yaml_files import read_yaml

WORDS_PATH = CONTENT_DIR / "questions.yml"


@dataclass(frozen=True)
class QuestionWords:
    also_asked: str
    which_one: str


def parse_question_words(data: Any, where: str = "content/questions.yml") -> QuestionWords:
    if not isinstance(data, Mapping):
        raise ContentError(f"{where}: should contain named entries")
    words = {}
    for key, fields in (("also_asked", ("topic",)), ("which_one", ("first", "second"))):
        text = data.get(key)
        if not isinstance(text, str) or not text.strip():
            raise ContentError(f"{where}: {key} is missing")
        try:
            text.format(**{name: "x" for name in fields})
        except (KeyError, IndexError, ValueError):
            raise ContentError(f"{where}: {key} may only use {', '.join('{' + f + '}' for f in fields)}") from None
        words[key] = text.strip()
    return QuestionWords(**words)


@lru_cache(maxsize=1)
def question_words(path: Path = WORDS_PATH) -> QuestionWords:
    return parse_question_words(read_yaml(path, ContentError), str(path))


def _button(intent: str, title: str) -> Dict[str, str]:
    return {"title": title, "payload": f"/{intent}"}


def also_asked_message(
    latest: Mapping[str, Any], topics: Topics, words: QuestionWords
) -> Tuple[str, List[Dict[str, str]]] | None:
    """("You also asked: ...", [its button]) for a message that asked a second topic."""
    intent = (latest.get("also_asked") or {}).get("name")
    if not intent or not isinstance(intent, str):
        return None
    title = topics.title_of(intent)
    if not title:
        return None
    return words.also_asked.format(topic=title), [_button(intent, title)]


def which_one_message(
    latest: Mapping[str, Any], topics: Topics, words: QuestionWords
) -> Tuple[str, List[Dict[str, str]]] | None:
    """("Do you mean X or Y?", [X, Y]) when the NLU could not choose between two topics."""
    intents = list((latest.get("which_one") or {}).get("intents") or [])[:2]
    titles = [title for title in (topics.title_of(i) for i in intents) if title]
    if len(intents) < 2 or len(titles) < len(intents):
        return None
    first, second = (t.rstrip("?") for t in titles)
    return (
        words.which_one.format(first=first, second=second),
        [_button(i, t) for i, t in zip(intents, titles, strict=False)],
    )


class ActionOfferAlsoAsked(Action):
    """After the first answer: the message's second topic, as a button."""

    def name(self) -> str:
        return "action_offer_also_asked"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        offer = also_asked_message(tracker.latest_message or {}, content().topics, question_words())
        if offer:
            text, buttons = offer
            dispatcher.utter_message(text=text, buttons=buttons)
        return []
