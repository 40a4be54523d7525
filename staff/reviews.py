"""The staff pages' own tables: labels for reviewed messages, and the audit log.

In a SQLite file of their own (var/staff.db) by default, or wherever the
SQLAlchemy URL in STAFF_DB says; with a PostgreSQL tracker store and no
STAFF_DB they are tables (staff_reviews, staff_audit) in the same database.
The staff pages write only here, never to the tracker store.

A label is keyed by its conversation and message, each as a SHA-256 hash
(of the sender id, and of the sender id with the message's time), so the
table holds no sender id or phone hash. Deleting a conversation deletes its
labels: the tracker store calls ``forget_conversations`` when a parent
deletes their conversation and when the retention purge runs, and the staff
pages drop every label whose message is no longer stored, or is older than
the retention period, each time they read the labels.

This module is imported by the Rasa server (for that delete), so it
imports nothing heavier than SQLAlchemy.
"""

from __future__ import annotations

import hashlib
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, Iterator, List, Set

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FILE = ROOT / "var" / "staff.db"
KINDS = ("topic", "new_topic", "not_relevant")

metadata = sa.MetaData()
REVIEWS = sa.Table(
    "staff_reviews",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("conversation", sa.String(64), nullable=False, index=True),
    sa.Column("message", sa.String(64), nullable=False, unique=True),
    sa.Column("event_time", sa.Float, nullable=False, index=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("intent", sa.String(255)),
    sa.Column("note", sa.Text),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("reviewer", sa.String(64), nullable=False),
    sa.Column("reviewed_at", sa.Float, nullable=False),
    sa.Column("imported_at", sa.Float),
)
AUDIT = sa.Table(
    "staff_audit",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", sa.Float, nullable=False, index=True),
    sa.Column("who", sa.String(64), nullable=False),
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("detail", sa.Text),
)


def conversation_key(sender_id: str) -> str:
    return hashlib.sha256(f"conversation\0{sender_id}".encode()).hexdigest()


def message_key(sender_id: str, timestamp: float) -> str:
    return hashlib.sha256(f"message\0{sender_id}\0{timestamp!r}".encode()).hexdigest()


def review_url(tracker_url: object | None = None) -> str:
    """Where the labels are: STAFF_DB, else the PostgreSQL tracker database, else var/staff.db."""
    if os.environ.get("STAFF_DB"):
        return os.environ["STAFF_DB"]
    if tracker_url is not None and str(sa.engine.make_url(tracker_url).drivername).startswith("postgres"):
        return sa.engine.make_url(tracker_url).render_as_string(hide_password=False)
    return f"sqlite:///{DEFAULT_FILE}"


@dataclass
class Review:
    id: int
    conversation: str
    message: str
    event_time: float
    kind: str
    intent: str | None
    note: str
    text: str
    reviewer: str
    reviewed_at: float
    imported_at: float | None


class ReviewStore:
    def __init__(self, url: str) -> None:
        parsed = sa.engine.make_url(url)
        if parsed.drivername.startswith("sqlite") and parsed.database:
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        self.engine = sa.create_engine(url, pool_pre_ping=True)
        metadata.create_all(self.engine)

    # ------------------------------------------------------------- labels
    def label(
        self, sender_id: str, timestamp: float, kind: str, intent: str | None, note: str, text: str, reviewer: str
    ) -> None:
        if kind not in KINDS:
            raise ValueError(kind)
        message = message_key(sender_id, timestamp)
        with self.engine.begin() as connection:
            connection.execute(REVIEWS.delete().where(REVIEWS.c.message == message))
            connection.execute(
                REVIEWS.insert().values(
                    conversation=conversation_key(sender_id),
                    message=message,
                    event_time=timestamp,
                    kind=kind,
                    intent=intent if kind == "topic" else None,
                    note=note,
                    text=text,
                    reviewer=reviewer,
                    reviewed_at=time.time(),
                    imported_at=None,
                )
            )

    def reviews(self) -> List[Review]:
        with self.engine.connect() as connection:
            rows = connection.execute(REVIEWS.select().order_by(REVIEWS.c.event_time.desc())).fetchall()
        return [Review(**row._mapping) for row in rows]

    def by_message(self) -> Dict[str, Review]:
        return {review.message: review for review in self.reviews()}

    def keep_only(self, messages: Set[str], older_than: float) -> int:
        """Deletes labels older than ``older_than`` or whose message is not in ``messages``
        (the messages still stored); returns how many."""
        deleted = 0
        with self.engine.begin() as connection:
            deleted += connection.execute(REVIEWS.delete().where(REVIEWS.c.event_time < older_than)).rowcount
            gone = [
                row.id
                for row in connection.execute(sa.select(REVIEWS.c.id, REVIEWS.c.message))
                if row.message not in messages
            ]
            for start in range(0, len(gone), 500):
                batch = gone[start : start + 500]
                deleted += connection.execute(REVIEWS.delete().where(REVIEWS.c.id.in_(batch))).rowcount
        return deleted

    def forget(self, sender_ids: Iterable[str]) -> int:
        return _delete_conversations(self.engine, sender_ids)

    def mark_imported(self, ids: List[int]) -> None:
        with self.engine.begin() as connection:
            connection.execute(REVIEWS.update().where(REVIEWS.c.id.in_(ids)).values(imported_at=time.time()))

    # ------------------------------------------------------------- audit log
    def audit(self, who: str, action: str, detail: str = "") -> None:
        with self.engine.begin() as connection:
            connection.execute(
                AUDIT.insert().values(at=time.time(), who=who[:64], action=action[:64], detail=detail[:500])
            )

    def audit_entries(self, limit: int = 1000) -> List[dict]:
        with self.engine.connect() as connection:
            rows = connection.execute(AUDIT.select().order_by(AUDIT.c.id.desc()).limit(limit)).fetchall()
        return [dict(row._mapping) for row in rows]

    def dispose(self) -> None:
        self.engine.dispose()


def _delete_conversations(engine: sa.engine.Engine, sender_ids: Iterable[str]) -> int:
    keys = [conversation_key(sender) for sender in sender_ids]
    deleted = 0
    with engine.begin() as connection:
        for start in range(0, len(keys), 500):
            deleted += connection.execute(
                REVIEWS.delete().where(REVIEWS.c.conversation.in_(keys[start : start + 500]))
            ).rowcount
    return deleted


@contextmanager
def _existing_labels(tracker_url: object | None) -> Iterator[sa.engine.Engine | None]:
    """An engine on the labels' database, or None when there are no labels yet (no file, no table)."""
    url = sa.engine.make_url(review_url(tracker_url))
    if url.drivername.startswith("sqlite") and url.database and not Path(url.database).exists():
        yield None
        return
    engine = sa.create_engine(url)
    try:
        yield engine if sa.inspect(engine).has_table(REVIEWS.name) else None
    finally:
        engine.dispose()


def forget_conversations(sender_ids: Iterable[str], tracker_url: object | None = None) -> int:
    """Deletes the labels of these conversations, wherever the staff pages keep them.

    Called by the tracker store when it deletes conversations.
    """
    sender_ids = list(sender_ids)
    with _existing_labels(tracker_url) as engine:
        return _delete_conversations(engine, sender_ids) if engine is not None and sender_ids else 0


def forget_before(older_than: float, tracker_url: object | None = None) -> int:
    """Deletes labels of messages older than ``older_than`` (the retention purge)."""
    with _existing_labels(tracker_url) as engine:
        if engine is None:
            return 0
        with engine.begin() as connection:
            return connection.execute(REVIEWS.delete().where(REVIEWS.c.event_time < older_than)).rowcount
