"""Reading a tracker's event list (plain dicts, as the action server gets them)."""

from __future__ import annotations

from typing import Any, Iterable, Mapping


def previous_bot_action(events: Iterable[Mapping[str, Any]]) -> str | None:
    """The last action the bot ran before the parent's latest message.

    ``action_listen`` and the session's bookkeeping actions are skipped, so
    the answer is the last thing the bot actually said or did.
    """
    seen_latest_user = False
    for event in reversed(list(events)):
        kind = event.get("event")
        if kind == "user":
            if seen_latest_user:
                return None
            seen_latest_user = True
        elif kind == "action" and seen_latest_user:
            name = event.get("name")
            if name not in ("action_listen", "action_session_start"):
                return name
    return None
