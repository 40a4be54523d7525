"""Stored events to parents' messages: what each was taken to mean and what followed.

Plain Python over the events' JSON as Rasa stores it (tracker.py reads it),
so the figures and the review queue are worked out from one reading.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from itertools import groupby
from typing import Any, Dict, Iterable, List, Set, Tuple

import yaml

from staff.words import ROOT, topic_titles, words

FALLBACK = "nlu_fallback"


@dataclass
class Message:
    """One message from a parent, and the bot's turn after it."""

    sender_id: str
    timestamp: float
    text: str
    channel: str
    intent: str
    confidence: float
    guess: str | None  # the likeliest intent other than the fallback
    guess_confidence: float
    actions: List[str] = field(default_factory=list)
    offered_suggestions: bool = False  # "did you mean", with a "None of these" button
    none_of_these: bool = False  # the parent's next message was that button

    @property
    def is_payload(self) -> bool:
        """A button press (or an SMS option number turned into one), not typed words."""
        return self.text.startswith("/")

    @property
    def declined(self) -> bool:
        return self.intent == FALLBACK


@dataclass
class Conversation:
    sender_id: str
    messages: List[Message]


def _guess(parse: Dict[str, Any]) -> Tuple[str | None, float]:
    for item in parse.get("intent_ranking") or []:
        if item.get("name") and item.get("name") != FALLBACK:
            return item["name"], float(item.get("confidence") or 0.0)
    intent = parse.get("intent") or {}
    if intent.get("name") and intent.get("name") != FALLBACK:
        return intent["name"], float(intent.get("confidence") or 0.0)
    return None, 0.0


def _message(event: Dict[str, Any]) -> Message:
    parse = event.get("parse_data") or {}
    intent = parse.get("intent") or {}
    guess, guess_confidence = _guess(parse)
    return Message(
        sender_id=event["sender_id"],
        timestamp=float(event.get("timestamp") or 0.0),
        text=str(event.get("text") or parse.get("text") or ""),
        channel=str(event.get("input_channel") or ""),
        intent=str(intent.get("name") or ""),
        confidence=float(intent.get("confidence") or 0.0),
        guess=guess,
        guess_confidence=guess_confidence,
    )


def _offers_none_of_these(event: Dict[str, Any], payload: str) -> bool:
    buttons = (event.get("data") or {}).get("buttons") or []
    return any(isinstance(b, dict) and b.get("payload") == payload for b in buttons)


def conversations(events: Iterable[Dict[str, Any]]) -> List[Conversation]:
    """Events (each with its sender_id, grouped by conversation, in order) as conversations."""
    counting = words()["counting"]
    suggest, none_payload = counting["suggest_action"], counting["none_of_these_payload"]
    result = []
    for sender_id, group in groupby(events, key=lambda event: event["sender_id"]):
        messages: List[Message] = []
        last_action = None
        for event in group:
            kind = event.get("event")
            if kind == "user":
                message = _message(event)
                if messages and messages[-1].offered_suggestions and message.text.strip() == none_payload:
                    messages[-1].none_of_these = True
                messages.append(message)
                last_action = None
            elif kind == "action" and messages:
                name = event.get("name")
                if name and name != "action_listen":
                    messages[-1].actions.append(name)
                last_action = name
            elif kind == "bot" and messages and last_action == suggest:
                if _offers_none_of_these(event, none_payload):
                    messages[-1].offered_suggestions = True
        result.append(Conversation(sender_id, messages))
    return result


@lru_cache(maxsize=1)
def answer_actions() -> Set[str]:
    """The actions that answer a topic: from data/rules (a topic's intent, then
    its action), and the extra ones in staff/words.yml."""
    topics = set(topic_titles())
    found = set(words()["counting"]["answer_actions"])
    for path in sorted((ROOT / "data" / "rules").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for rule in data.get("rules") or []:
            steps = rule.get("steps") or []
            for first, second in zip(steps, steps[1:], strict=False):
                if first.get("intent") in topics and second.get("action"):
                    found.add(second["action"])
    return found
