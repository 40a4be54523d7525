"""Asks the action server for the profile's slots at most every five minutes.

The deployment profile's slots (contacts, complaints page...) are filled by
action_load_profile, their custom slot mapping, so Rasa 3.6 calls the action
server with every message: one HTTP round trip with the conversation in it,
about a tenth of the Rasa server's time per message (py-spy, make bench).
The values are the same for every conversation and only change when the
action server restarts with a new profile.yml. So this Rasa process keeps
the last values it was given for REFRESH_SECONDS and fills each
conversation's slots from them, adding only the slots whose value differs.
It asks again after that, and with every message while the action server
cannot be reached. A changed profile reaches every conversation within
five minutes.

`install()` runs when Rasa imports this package (conference_nlu/__init__).
"""

from __future__ import annotations

import time
from typing import Any, Awaitable, Callable, Dict, List, Optional, Set, Tuple

from rasa.shared.core.events import Event, SlotSet

PROFILE_ACTION = "action_load_profile"
LOADED_SLOT = "profile_loaded"
REFRESH_SECONDS = 300.0


class ProfileValues:
    """The profile's slot values as the action server last gave them."""

    def __init__(self, refresh: float = REFRESH_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self.refresh, self.clock = refresh, clock
        self.values: Optional[Dict[str, Any]] = None
        self.read_at = 0.0

    def fresh(self) -> bool:
        return self.values is not None and self.clock() - self.read_at < self.refresh

    def keep(self, events: List[Event]) -> None:
        """Keeps a complete, successful answer (profile_loaded set to True)."""
        values = {event.key: event.value for event in events if isinstance(event, SlotSet)}
        if values.get(LOADED_SLOT) is True:
            self.values, self.read_at = values, self.clock()

    def changes_for(self, tracker: Any) -> List[Event]:
        return [SlotSet(name, value) for name, value in (self.values or {}).items()
                if tracker.get_slot(name) != value]


Execute = Callable[..., Awaitable[Tuple[List[Event], Set[str]]]]


def from_kept_profile(execute: Execute, profile: ProfileValues) -> Execute:
    """Wraps ActionExtractSlots._execute_custom_action."""
    async def wrapper(self: Any, mapping: dict, executed: Set[str], output_channel: Any, nlg: Any,
                      tracker: Any, domain: Any) -> Tuple[List[Event], Set[str]]:
        if mapping.get("action") != PROFILE_ACTION or PROFILE_ACTION in executed:
            return await execute(self, mapping, executed, output_channel, nlg, tracker, domain)
        if not profile.fresh():
            events, executed = await execute(self, mapping, executed, output_channel, nlg, tracker, domain)
            profile.keep(events)
            if not profile.fresh():          # the action server could not be asked: as Rasa would
                return events, executed
        executed.add(PROFILE_ACTION)
        return profile.changes_for(tracker), executed

    wrapper.wrapped = execute  # type: ignore[attr-defined]
    return wrapper


def install() -> None:
    from rasa.core.actions.action import ActionExtractSlots

    current = ActionExtractSlots._execute_custom_action
    if not hasattr(current, "wrapped"):
        ActionExtractSlots._execute_custom_action = from_kept_profile(current, ProfileValues())
