"""Every change this project makes to Rasa's internals, in one place.

Each was written for, and checked against, Rasa Open Source 3.6.21:
`install()` refuses to run on any other version, with a clear message, so an
upgrade makes someone look at them again. They are installed explicitly by
`python -m companion.server` (the Rasa server's entry point), never as a
side effect of importing a module.

1. The action server's replies are checked with a JSON-schema validator
   built once. Rasa 3.6 checks every reply with `jsonschema.validate`,
   which re-checks the schema and builds a new validator each time; every
   message calls one custom action (the profile's slot mapping), so this
   was most of the server's time per message (docs/performance.md). Same
   schema, same error; only the validator is kept.
2. The profile's slots are asked of the action server at most every five
   minutes. They are the same for every conversation and change only when
   the action server restarts with a new profile.yml, so this process keeps
   the last complete answer for REFRESH_SECONDS and gives each conversation
   only the slots whose value differs. While the action server cannot be
   reached it asks with every message, as Rasa would.
"""

from __future__ import annotations

import time
from functools import lru_cache
from typing import Any, Awaitable, Callable, Dict, List, Optional, Set, Text, Tuple

from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.shared.core.events import Event, SlotSet

WRITTEN_FOR = "3.6.21"


class UnsupportedRasaVersion(RuntimeError):
    """The installed Rasa is not the one these patches were written for."""


def check_rasa_version(installed: Optional[str] = None) -> None:
    if installed is None:
        from rasa.version import __version__ as installed
    if installed != WRITTEN_FOR:
        raise UnsupportedRasaVersion(
            f"companion/patches.py was written for Rasa {WRITTEN_FOR}, but Rasa {installed} is "
            f"installed. Check each patch against the new Rasa's code, then update WRITTEN_FOR.")


# ------------------------------------------------- 1. action server replies
@lru_cache(maxsize=1)
def _validator():
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate_action_result(self, result: Dict[Text, Any]) -> bool:
    """Drop-in for RemoteAction._validate_action_result."""
    error = best_match(_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (". Failed to validate Action server response from API, make sure your "
                      "response from the Action endpoint is valid.")
    raise error


# --------------------------------------------------- 2. the profile's slots
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


# ------------------------------------------------------------------ install
def install() -> None:
    """Installs every patch once; refuses on a Rasa it was not written for."""
    check_rasa_version()
    from rasa.core.actions.action import ActionExtractSlots, RemoteAction

    RemoteAction._validate_action_result = validate_action_result
    current = ActionExtractSlots._execute_custom_action
    if not hasattr(current, "wrapped"):
        ActionExtractSlots._execute_custom_action = from_kept_profile(current, ProfileValues())
