""" "Tell me more": the rest of a long answer (utter_<name>_more in domain/).

A web answer longer than 120 words keeps its rest in a second response and
offers a "Tell me more" button with the entity more_topic; a typed "tell me
more" gets the rest of the last answer that has one. The response's words
live in domain/; this only picks which one.

The whole glossary (action_explain_jargon) comes in parts; its "Tell me
more" button names the next part ("jargon_2"), and a typed "tell me more"
follows the button on the bot's latest message.
"""

from __future__ import annotations

import re
from typing import Any, Dict, Iterable, List, Mapping

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.jargon import glossary_part, page_number

NO_MORE = "utter_no_more"
_TOPIC = re.compile(r"^[a-z0-9_]{1,60}$")
_MORE_BUTTON = re.compile(r'^/tell_me_more\{"more_topic":"([a-z0-9_]{1,60})"\}$')
JARGON = "action_explain_jargon"


def more_response(topic: str | None, responses: Mapping[str, Any]) -> str | None:
    """utter_<topic>_more when the domain has it (never a name a client made up)."""
    if not isinstance(topic, str) or not _TOPIC.match(topic):
        return None
    name = f"utter_{topic}_more"
    return name if name in responses else None


def last_answer_with_more(events: Iterable[Mapping[str, Any]], responses: Mapping[str, Any]) -> str | None:
    """The rest of the latest answer the bot gave that has a rest."""
    for event in reversed(list(events)):
        name = event.get("name") if event.get("event") == "action" else None
        if name == JARGON:  # the glossary's parts are offered by their buttons
            return None
        if name and name.startswith("utter_") and not name.endswith("_more"):
            return more_response(name[len("utter_") :], responses)
    return None


def offered_more(events: Iterable[Mapping[str, Any]]) -> str | None:
    """The more_topic of the "Tell me more" button on the bot's latest message, if it had one."""
    for event in reversed(list(events)):
        if event.get("event") == "bot":
            data = event.get("data")
            buttons = data.get("buttons") if isinstance(data, Mapping) else None
            for button in buttons if isinstance(buttons, list) else []:
                match = _MORE_BUTTON.match(str(button.get("payload", ""))) if isinstance(button, Mapping) else None
                if match:
                    return match.group(1)
            return None
    return None


class ActionTellMeMore(Action):
    def name(self) -> str:
        return "action_tell_me_more"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        responses = domain.get("responses") or {}
        topic = next(tracker.get_latest_entity_values("more_topic"), None) or offered_more(tracker.events)
        number = page_number(topic)
        part = glossary_part(number, tracker.get_slot("answer_nation")) if number else None
        if part:
            text, buttons = part
            dispatcher.utter_message(text=text, buttons=buttons)
            return []
        name = None if number else more_response(topic, responses) or last_answer_with_more(tracker.events, responses)
        dispatcher.utter_message(response=name or NO_MORE)
        return []
