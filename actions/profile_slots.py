"""Fills the deployment profile's slots (contacts, privacy notice...).

It runs as the custom slot mapping of those slots. Rasa would call it with
every message; companion/patches.py, on the Rasa side, keeps
what it returns for five minutes and fills every conversation's slots from
that, adding only the values that differ. So this action returns every
profile slot, not only those that changed. Rasa carries on without it if the
action server cannot be reached: answers then use their plain variations,
and the next message after the action server is back fills the slots again. (A custom
action_session_start would instead leave a new conversation with no reply
at all while the action server is down.)
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.content import content
from actions.profile import ProfileError, current_profile
from actions.signposts import profile_slots

logger = logging.getLogger(__name__)


class ActionLoadProfile(Action):
    def name(self) -> str:
        return "action_load_profile"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        try:
            values = profile_slots(current_profile(), content().helplines)
        except ProfileError as error:
            logger.error("Deployment profile not loaded: %s", error)
            return []
        # The answers' nation, only when the profile covers one: when it
        # covers several, the parent's own (set by validate_conference_form)
        # must not be put back to the profile's by the Rasa side.
        if len(current_profile().nations) == 1:
            values["answer_nation"] = current_profile().nation
        # All of them: the Rasa side keeps them and adds only what changed.
        return [SlotSet(name, value) for name, value in values.items()]
