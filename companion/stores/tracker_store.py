"""The SQL tracker store, storing user messages only after redaction, and
deleting a whole conversation when the parent asks.

Rasa keeps the conversation in memory while it handles a message, so the
current turn still has what the parent typed (the bot can use it); what is
written to the database, and so what any later turn or person sees, has
phone numbers, emails, postcodes, NHS numbers, dates of birth and names
replaced by tags (companion/stores/redact.py).

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

Before storing a turn, Rasa counts the conversation's stored events to know
which are new: a second query per message. The count it needs is the number
of events it read at the start of the same turn, so that number is kept
from the read and used once (the turn holds the conversation's lock, so
nothing else writes to it in between, whichever replica runs the turn).

With SQLite only (one server: several replicas share PostgreSQL instead),
the current session of recently active conversations is also kept in
memory exactly as it was stored (redacted JSON), so reading it back at the
next message needs no query. An entry goes after 10 minutes of quiet, when
the conversation is deleted or purged, and when storing a turn fails.
"""

from __future__ import annotations

import copy
import itertools
import json
import logging
import time
from collections import OrderedDict
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted, Event, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from companion.stores.redact import redact

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


Stored = List[Tuple[float, str]]       # (timestamp, the event's JSON as stored)


class RecentSessions:
    """The stored events of each recent conversation's current session."""

    def __init__(self, size: int = 1000, idle_seconds: float = 600.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.size, self.idle, self.clock = size, idle_seconds, clock
        self._entries: "OrderedDict[str, Tuple[float, Stored]]" = OrderedDict()

    def get(self, sender: str) -> Optional[Stored]:
        entry = self._entries.get(sender)
        if entry is None or self.clock() - entry[0] > self.idle:
            self._entries.pop(sender, None)
            return None
        self._entries.move_to_end(sender)
        self._entries[sender] = (self.clock(), entry[1])
        return list(entry[1])

    def put(self, sender: str, stored: Stored) -> None:
        self._entries[sender] = (self.clock(), list(stored))
        self._entries.move_to_end(sender)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def extend(self, sender: str, new: Stored, session_starts: List[float]) -> None:
        """Adds a stored turn; from a new session on, only that session is kept
        (as the database query does: events at or after the last start)."""
        stored = self.get(sender)
        if stored is None:
            return
        stored += new
        if session_starts:
            stored = [(stamp, data) for stamp, data in stored if stamp >= max(session_starts)]
        self.put(sender, stored)

    def drop(self, sender: str) -> None:
        self._entries.pop(sender, None)


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
        # sender -> events of the current session read at the start of this turn
        self._read_counts: Dict[str, int] = {}
        # sender -> what this turn is writing, and when sessions started in it
        self._writing: Dict[str, Tuple[Stored, List[float]]] = {}
        self._recent = RecentSessions() if self.engine.dialect.name == "sqlite" else None

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool
                        ) -> Optional[DialogueStateTracker]:
        if fetch_events_from_all_sessions:
            return await super()._retrieve(sender_id, fetch_events_from_all_sessions)
        stored = self._recent.get(sender_id) if self._recent is not None else None
        if stored is None:
            with self.session_scope() as session:
                rows = self._event_query(session, sender_id, fetch_events_from_all_sessions=False).all()
                stored = [(row.timestamp, row.data) for row in rows]
            if self._recent is not None:
                self._recent.put(sender_id, stored)
        self._read_counts[sender_id] = len(stored)
        if not stored or not self.domain:
            return None
        return DialogueStateTracker.from_dict(sender_id, [json.loads(data) for _, data in stored],
                                              self.domain.slots)

    async def save(self, tracker: DialogueStateTracker) -> None:
        if asked_to_delete(tracker):
            self.delete(tracker.sender_id)
            return
        self._writing[tracker.sender_id] = ([], [])
        try:
            await super().save(tracker)
        except Exception:
            if self._recent is not None:
                self._recent.drop(tracker.sender_id)
            raise
        finally:
            new, starts = self._writing.pop(tracker.sender_id)
        if self._recent is not None:
            self._recent.extend(tracker.sender_id, new, starts)

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
            for sender in senders if self._recent is not None else ():
                self._recent.drop(sender)
            if senders:
                session.query(self.SQLEvent).filter(self.SQLEvent.sender_id.in_(senders)) \
                    .delete(synchronize_session=False)
                session.commit()
        logger.info("Retention: deleted %d idle conversations.", len(senders))
        self._forget_reviews(senders)
        return len(senders)

    def delete(self, sender_id: str) -> int:
        """Deletes every stored event of one conversation; returns how many."""
        with self.session_scope() as session:
            count = session.query(self.SQLEvent).filter(
                self.SQLEvent.sender_id == sender_id).delete(synchronize_session=False)
            session.commit()
        self._read_counts.pop(sender_id, None)
        if self._recent is not None:
            self._recent.drop(sender_id)
        logger.info("Deleted a conversation at the parent's request (%d events).", count)
        self._forget_reviews([sender_id])
        return count

    def _forget_reviews(self, sender_ids: List[str]) -> None:
        """Deletes the staff pages' labels of these conversations (staff/reviews.py)."""
        if not sender_ids:
            return
        try:
            from staff.reviews import forget_conversations
            forget_conversations(sender_ids, self.engine.url)
        except Exception:       # the conversation is gone; the staff pages drop its labels when they read
            logger.exception("Could not delete the staff pages' labels of deleted conversations.")

    def _additional_events(self, session, tracker) -> Iterator[Event]:
        stored = self._read_counts.pop(tracker.sender_id, None)
        new = (super()._additional_events(session, tracker) if stored is None
               else itertools.islice(tracker.events, stored, len(tracker.events)))
        writing, starts = self._writing.get(tracker.sender_id, ([], []))
        for event in new:
            if isinstance(event, UserUttered):
                event = Event.from_parameters(redact_user_event(event.as_dict()))
            if isinstance(event, SessionStarted):
                starts.append(event.timestamp)
            # As Rasa's save writes it (same dict, same JSON), for RecentSessions.
            writing.append((event.timestamp, json.dumps(event.as_dict())))
            yield event
