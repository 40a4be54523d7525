"""The SQL tracker store, storing user messages only after redaction, and
deleting a whole conversation when the parent asks.

Rasa keeps the conversation in memory while it handles a message, so the
current turn still has what the parent typed (the bot can use it); what is
written to the database, and so what any later turn or person sees, has
phone numbers, emails, postcodes, NHS and National Insurance numbers, bank
cards, addresses, dates of birth, names and schools replaced by tags
(companion/stores/redact.py), in every field that can hold them: the user
event's text, its parse data (text and entity values: a date read from a
date of birth goes too), its metadata, every slot value (a slot filled from
the raw message stores the redacted message), and the bot's messages where
they repeat what the parent wrote in that turn. A message too long to be
read (companion/channels/guard.py) is stored as the marker "[long message]".

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
from datetime import date
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterator, List, Tuple

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from companion.stores.redact import find, redact
from companion.stores.shared_state import TAKEN_OVER, message_id_of

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

logger = logging.getLogger(__name__)
DELETE_ANSWER = "utter_conversation_deleted"


LONG_MESSAGE = "[long message]"
Personal = List[Tuple[str, str]]  # (what the parent wrote, what is stored instead)


def _date_words(value: str) -> List[str]:
    """An ISO date as the bot may write it back: "2019-03-12", "12 March 2019"."""
    try:
        day = date.fromisoformat(value[:10])
    except ValueError:
        return [value]
    return [value, f"{day.day} {day:%B %Y}", f"{day:%d/%m/%Y}"]


def _scrub(value: Any, personal: Personal, patterns: bool) -> Any:
    """``value`` with every personal string replaced, in every string inside it;
    with ``patterns``, also redacted as a message is."""
    if isinstance(value, str):
        for original, replacement in personal:
            if original == value:
                return replacement
        for original, replacement in personal:
            if len(original) > 1:
                value = value.replace(original, replacement)
        return redact(value) if patterns else value
    if isinstance(value, list):
        return [_scrub(item, personal, patterns) for item in value]
    if isinstance(value, dict):
        return {key: _scrub(item, personal, patterns) for key, item in value.items()}
    return value


def redact_user_event(data: Dict[str, Any], personal: Personal | None = None) -> Dict[str, Any]:
    """A copy of a serialised user event with every copy of the text redacted.

    What was taken out is added to ``personal`` (if given), so the same words
    can be taken out of the turn's slots and bot messages.
    """
    data = copy.deepcopy(data)
    personal = [] if personal is None else personal
    parse = data.get("parse_data") or {}
    original = data.get("text") or parse.get("text") or ""
    if parse.get("too_long"):
        personal.append((original, LONG_MESSAGE))
        data["text"] = LONG_MESSAGE
        parse.update(text=LONG_MESSAGE, entities=[])
    spans = find(original)
    personal += [(original[s.start : s.end], s.replacement) for s in spans]
    if data.get("text") and data["text"] != LONG_MESSAGE:
        redacted = redact(data["text"])
        if redacted != data["text"]:
            personal.append((data["text"], redacted))
        data["text"] = redacted
    if parse.get("text") and parse["text"] != LONG_MESSAGE:
        parse["text"] = redact(parse["text"])
    for entity in parse.get("entities") or []:
        start, end, value = entity.get("start"), entity.get("end"), entity.get("value")
        inside = next(
            (s for s in spans if isinstance(start, int) and isinstance(end, int) and start < s.end and s.start < end),
            None,
        )
        if inside is not None:
            # A date of birth read as a date, a name inside an entity: the value goes too.
            tag = inside.replacement[inside.replacement.rfind("[") :]  # "[date of birth]"
            personal += [(word, tag) for word in (_date_words(value) if isinstance(value, str) else [])]
            entity["value"] = tag
        elif isinstance(value, str) and entity.get("entity") not in ("date", "time"):
            entity["value"] = redact(value)
    for holder in (data, parse):
        if holder.get("metadata"):
            holder["metadata"] = _scrub(holder["metadata"], personal, patterns=True)
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


Stored = List[Tuple[float, str]]  # (timestamp, the event's JSON as stored)


class RecentSessions:
    """The stored events of each recent conversation's current session."""

    def __init__(
        self, size: int = 1000, idle_seconds: float = 600.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.size, self.idle, self.clock = size, idle_seconds, clock
        self._entries: OrderedDict[str, Tuple[float, Stored]] = OrderedDict()

    def get(self, sender: str) -> Stored | None:
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
    # Set in Rasa's __init__; declared here because mypy cannot infer it from there.
    engine: Engine

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name == "sqlite":
            import sqlalchemy as sa
            from sqlalchemy.pool import QueuePool

            url = self.engine.url
            self.engine.dispose()
            engine = sa.create_engine(url, poolclass=QueuePool, connect_args={"check_same_thread": False})
            sa.event.listen(engine, "connect", _sqlite_pragmas)
            self.engine = engine
            self.sessionmaker = sa.orm.session.sessionmaker(bind=engine)
        # sender -> events of the current session read at the start of this turn
        self._read_counts: Dict[str, int] = {}
        # sender -> what this turn is writing, and when sessions started in it
        self._writing: Dict[str, Tuple[Stored, List[float]]] = {}
        self._recent = RecentSessions() if self.engine.dialect.name == "sqlite" else None

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool) -> DialogueStateTracker | None:
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
        return DialogueStateTracker.from_dict(sender_id, [json.loads(data) for _, data in stored], self.domain.slots)

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
            idle = (
                session.query(self.SQLEvent.sender_id)
                .group_by(self.SQLEvent.sender_id)
                .having(sa.func.max(self.SQLEvent.timestamp) < older_than)
                .all()
            )
            senders = [sender for (sender,) in idle]
            recent = self._recent
            if recent is not None:
                for sender in senders:
                    recent.drop(sender)
            if senders:
                session.query(self.SQLEvent).filter(self.SQLEvent.sender_id.in_(senders)).delete(
                    synchronize_session=False
                )
                session.commit()
        logger.info("Retention: deleted %d idle conversations.", len(senders))
        self._forget_reviews(senders)
        return len(senders)

    def has_conversation(self, sender_id: str) -> bool:
        """Is anything stored for this conversation? (The REST channel asks,
        before it gives a new conversation's token to a client that named it.)"""
        if self._recent is not None and self._recent.get(sender_id):
            return True
        with self.session_scope() as session:
            return session.query(self.SQLEvent.id).filter(self.SQLEvent.sender_id == sender_id).first() is not None

    def delete(self, sender_id: str) -> int:
        """Deletes every stored event of one conversation; returns how many."""
        with self.session_scope() as session:
            count = (
                session.query(self.SQLEvent)
                .filter(self.SQLEvent.sender_id == sender_id)
                .delete(synchronize_session=False)
            )
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
        except Exception:  # the conversation is gone; the staff pages drop its labels when they read
            logger.exception("Could not delete the staff pages' labels of deleted conversations.")

    def _stored_already(self, session: Any, sender_id: str, new: List[Event]) -> bool:
        """Whether a user message among ``new`` (by the sender's message id)
        is in the store already: a replica stopped after storing its turn."""
        ids = [message_id_of(e.metadata) for e in new if isinstance(e, UserUttered)]
        for message_id in filter(None, ids):
            needle = json.dumps({"message_id": message_id})[1:-1]  # as Rasa's save writes it
            query = self._event_query(session, sender_id, fetch_events_from_all_sessions=True).filter(
                self.SQLEvent.type_name == UserUttered.type_name,
                self.SQLEvent.data.contains(needle, autoescape=True),  # "%" and "_" are not wildcards
            )
            if query.first() is not None:
                return True
        return False

    def _additional_events(self, session, tracker) -> Iterator[Event]:
        stored = self._read_counts.pop(tracker.sender_id, None)
        new = (
            super()._additional_events(session, tracker)
            if stored is None
            else itertools.islice(tracker.events, stored, len(tracker.events))
        )
        writing, starts = self._writing.get(tracker.sender_id, ([], []))
        new = list(new)
        if TAKEN_OVER.get() and self._stored_already(session, tracker.sender_id, new):
            logger.warning("A message taken over from a stopped replica was stored already; not stored twice.")
            return
        personal: Personal = []
        redacted = {
            id(event): Event.from_parameters(redact_user_event(event.as_dict(), personal))
            for event in new
            if isinstance(event, UserUttered)
        }
        personal.sort(key=lambda pair: -len(pair[0]))  # the longest first
        for event in new:
            if isinstance(event, UserUttered):
                event = redacted[id(event)]
            elif isinstance(event, SlotSet) and event.value is not None and personal:
                # A slot filled from the message, or from an entity in it. Other
                # slots (the profile's contacts) are the bot's own words.
                event = Event.from_parameters(event.as_dict() | {"value": _scrub(event.value, personal, False)})
            elif isinstance(event, BotUttered) and personal:
                data = event.as_dict()
                event = Event.from_parameters(
                    data
                    | {
                        "text": _scrub(data.get("text"), personal, False),
                        "data": _scrub(data.get("data"), personal, False),
                    }
                )
            if isinstance(event, SessionStarted):
                starts.append(event.timestamp)
            # As Rasa's save writes it (same dict, same JSON), for RecentSessions.
            writing.append((event.timestamp, json.dumps(event.as_dict())))
            yield event
