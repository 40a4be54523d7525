"""The SQL tracker store, storing user messages only after redaction, and
deleting a whole conversation when the parent asks.

Rasa keeps the conversation in memory while it handles a message, so the
current turn still has what the parent typed (the bot can use it); what is
written to the database, and so what any later turn or person sees, has
phone numbers, emails, postcodes, NHS numbers, dates of birth and names
replaced by tags (conference_nlu/redact.py).

Conversations idle for longer than the retention period are deleted by
purge_idle_conversations (`make purge`, and daily by `make run`).

When a turn ends with the answer to "delete my conversation"
(utter_conversation_deleted), every stored event of that sender is deleted
and nothing of the turn is written; the next message starts afresh.

With SQLite (the default for one server), connections are kept open and
the database runs in write-ahead-log mode with synchronous=NORMAL, SQLite's
recommended setting for WAL: a commit no longer waits for the disk twice,
and a crash of the process loses nothing (a power cut can lose the last
moments). Rasa's own engine opens a new connection for every query.
"""

from __future__ import annotations

import copy
import logging
from typing import Any, Dict, Iterator

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted, Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from conference_nlu.redact import redact

logger = logging.getLogger(__name__)
DELETE_ANSWER = "utter_conversation_deleted"


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


def asked_to_delete(tracker: DialogueStateTracker) -> bool:
    """Did this turn (since the parent's last message) end in the delete answer?"""
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, ActionExecuted) and event.action_name == DELETE_ANSWER:
            return True
    return False


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class RedactingSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name == "sqlite":
            import sqlalchemy as sa
            from sqlalchemy.pool import QueuePool

            url = self.engine.url
            self.engine.dispose()
            self.engine = sa.create_engine(url, poolclass=QueuePool,
                                           connect_args={"check_same_thread": False})
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
            self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    async def save(self, tracker: DialogueStateTracker) -> None:
        if asked_to_delete(tracker):
            self.delete(tracker.sender_id)
            return
        await super().save(tracker)

    def purge_idle_conversations(self, older_than: float) -> int:
        """Deletes conversations whose last event is before ``older_than`` (a Unix time).

        Returns how many conversations were deleted.
        """
        import sqlalchemy as sa

        with self.session_scope() as session:
            idle = (session.query(self.SQLEvent.sender_id)
                    .group_by(self.SQLEvent.sender_id)
                    .having(sa.func.max(self.SQLEvent.timestamp) < older_than)
                    .all())
            senders = [sender for (sender,) in idle]
            if senders:
                session.query(self.SQLEvent).filter(self.SQLEvent.sender_id.in_(senders)) \
                    .delete(synchronize_session=False)
                session.commit()
        logger.info("Retention: deleted %d idle conversations.", len(senders))
        return len(senders)

    def delete(self, sender_id: str) -> int:
        """Deletes every stored event of one conversation; returns how many."""
        with self.session_scope() as session:
            count = session.query(self.SQLEvent).filter(
                self.SQLEvent.sender_id == sender_id).delete(synchronize_session=False)
            session.commit()
        logger.info("Deleted a conversation at the parent's request (%d events).", count)
        return count

    def _additional_events(self, session, tracker) -> Iterator[Event]:
        for event in super()._additional_events(session, tracker):
            if isinstance(event, UserUttered):
                yield Event.from_parameters(redact_user_event(event.as_dict()))
            else:
                yield event
