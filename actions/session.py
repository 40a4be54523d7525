"""Starts each conversation with the deployment profile's values in slots."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.content import content
from actions.profile import ProfileError, current_profile
from actions.signposts import profile_slots

logger = logging.getLogger(__name__)


class ActionSessionStart(Action):
    def name(self) -> Text:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        events: List[EventType] = [SessionStarted()]
        try:
            values = profile_slots(current_profile(), content().helplines)
        except ProfileError as error:
            # The answers fall back to their plain variations.
            logger.error("Deployment profile not loaded: %s", error)
            values = {}
        carried = {name: value for name, value in tracker.current_slot_values().items()
                   if value is not None and name not in values}
        events += [SlotSet(name, value) for name, value in {**carried, **values}.items()]
        events.append(ActionExecuted("action_listen"))
        return events
