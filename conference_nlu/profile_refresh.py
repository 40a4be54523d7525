"""Asks the action server for the profile's slots only when they may be stale.

The deployment profile's slots (contacts, complaints page...) are filled by
action_load_profile, their custom slot mapping, so Rasa 3.6 calls the action
server with every message: one HTTP round trip with the conversation in it,
about a tenth of the Rasa server's time per message (py-spy, make bench).
The profile only changes when the action server restarts with a new
profile.yml, so the call is skipped while this conversation's profile was
filled less than REFRESH_SECONDS ago. It is made as before when the profile
was never filled, when the last attempt failed (action server down), and
then every REFRESH_SECONDS: a changed profile reaches a conversation that is
going on within five minutes.

`install()` runs when Rasa imports this package (conference_nlu/__init__).
"""

from __future__ import annotations

import time
from typing import Any, Awaitable, Callable, List, Set, Tuple

from rasa.shared.core.events import Event, SlotSet

PROFILE_ACTION = "action_load_profile"
LOADED_SLOT = "profile_loaded"
REFRESH_SECONDS = 300.0


def loaded_recently(events: List[Event], now: float, refresh: float = REFRESH_SECONDS) -> bool:
    """Was the profile filled successfully less than `refresh` seconds ago?"""
    for event in reversed(events):
        if isinstance(event, SlotSet) and event.key == LOADED_SLOT:
            return event.value is True and now - event.timestamp < refresh
    return False


Execute = Callable[..., Awaitable[Tuple[List[Event], Set[str]]]]


def skipping_fresh_profiles(execute: Execute) -> Execute:
    """Wraps ActionExtractSlots._execute_custom_action."""
    async def wrapper(self: Any, mapping: dict, executed: Set[str], output_channel: Any, nlg: Any,
                      tracker: Any, domain: Any) -> Tuple[List[Event], Set[str]]:
        if mapping.get("action") == PROFILE_ACTION and loaded_recently(tracker.events, time.time()):
            executed.add(PROFILE_ACTION)
            return [], executed
        return await execute(self, mapping, executed, output_channel, nlg, tracker, domain)

    wrapper.wrapped = execute  # type: ignore[attr-defined]
    return wrapper


def install() -> None:
    from rasa.core.actions.action import ActionExtractSlots

    current = ActionExtractSlots._execute_custom_action
    if not hasattr(current, "wrapped"):
        ActionExtractSlots._execute_custom_action = skipping_fresh_profiles(current)
