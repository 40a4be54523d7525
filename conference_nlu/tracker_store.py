"""The SQL tracker store, storing user messages only after redaction.

Rasa keeps the conversation in memory while it handles a message, so the
current turn still has what the parent typed (the bot can use it); what is
written to the database, and so what any later turn or person sees, has
phone numbers, emails, postcodes, NHS numbers, dates of birth and names
replaced by tags (conference_nlu/redact.py).
"""

from __future__ import annotations

import copy
from typing import Any, Dict, Iterator

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, UserUttered

from conference_nlu.redact import redact


def redact_user_event(data: Dict[str, Any]) -> Dict[str, Any]:
    """A copy of a serialised user event with every copy of the text redacted."""
    data = copy.deepcopy(data)
    if data.get("text"):
        data["text"] = redact(data["text"])
    parse = data.get("parse_data") or {}
    if parse.get("text"):
        parse["text"] = redact(parse["text"])
    for entity in parse.get("entities") or []:
        if isinstance(entity.get("value"), str) and entity.get("entity") not in ("date", "time"):
            entity["value"] = redact(entity["value"])
    return data


class RedactingSQLTrackerStore(SQLTrackerStore):
    def _additional_events(self, session, tracker) -> Iterator[Event]:
        for event in super()._additional_events(session, tracker):
            if isinstance(event, UserUttered):
                yield Event.from_parameters(redact_user_event(event.as_dict()))
            else:
                yield event
