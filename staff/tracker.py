"""The tracker store, opened so that nothing can be written to it.

Where it is comes from the same endpoints file as the Rasa server uses
(ENDPOINTS, endpoints.yml by default, with its ${VARIABLES} filled in from
the environment as Rasa does). SQLite is opened with ``mode=ro``, so SQLite
itself refuses every write; PostgreSQL sessions are made read-only
(``SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY``), so the server
refuses every write. The events table is Rasa's SQLTrackerStore table.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator

import sqlalchemy as sa
import yaml

from staff.words import ROOT

EVENTS = sa.table(
    "events",
    sa.column("id"),
    sa.column("sender_id"),
    sa.column("type_name"),
    sa.column("timestamp"),
    sa.column("intent_name"),
    sa.column("action_name"),
    sa.column("data"),
)
_VARIABLE = re.compile(r"\$\{([^}:]+)\}")


class TrackerConfigError(Exception):
    pass


@dataclass(frozen=True)
class TrackerLocation:
    dialect: str  # sqlite or postgresql
    url: sa.engine.URL  # read-write form (not used to write: see read_only_engine)
    sqlite_path: Path | None = None


def _fill(value: Any) -> Any:
    if isinstance(value, str):
        return _VARIABLE.sub(lambda m: os.environ.get(m.group(1), ""), value)
    return value


def tracker_location(endpoints: Path | None = None) -> TrackerLocation:
    """Where the endpoints file says the conversations are."""
    path = Path(endpoints or os.environ.get("ENDPOINTS") or ROOT / "endpoints.yml")
    if not path.is_absolute():
        path = ROOT / path
    try:
        config = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("tracker_store") or {}
    except (OSError, yaml.YAMLError) as problem:
        raise TrackerConfigError(f"{path}: cannot be read ({problem})") from None
    config = {key: _fill(value) for key, value in config.items()}
    dialect = config.get("dialect", "sqlite")
    if dialect == "sqlite":
        db = Path(config.get("db") or os.environ.get("TRACKER_DB") or "var/conversations.db")
        db = db if db.is_absolute() else ROOT / db
        return TrackerLocation("sqlite", sa.engine.URL.create("sqlite", database=str(db)), db)
    if dialect.startswith("postgres"):
        host = config.get("url") or "localhost"
        if "://" in host:
            return TrackerLocation("postgresql", sa.engine.make_url(host))
        port = config.get("port")
        return TrackerLocation(
            "postgresql",
            sa.engine.URL.create(
                "postgresql",
                username=config.get("username") or None,
                password=config.get("password") or None,
                host=host,
                port=int(port) if port else None,
                database=config.get("db") or "rasa",
            ),
        )
    raise TrackerConfigError(f"{path}: the staff pages read SQLite or PostgreSQL tracker stores, not {dialect}")


def _read_only_postgres(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
    cursor.close()
    connection.commit()


def read_only_engine(location: TrackerLocation) -> sa.engine.Engine | None:
    """An engine that cannot write; None while the SQLite file does not exist yet."""
    if location.dialect == "sqlite":
        if not location.sqlite_path.exists():
            return None
        uri = f"file:{location.sqlite_path}?mode=ro"
        return sa.create_engine("sqlite://", creator=lambda: _sqlite_ro(uri))
    engine = sa.create_engine(location.url, pool_pre_ping=True)
    sa.event.listen(engine, "connect", _read_only_postgres)
    return engine


def _sqlite_ro(uri: str):
    import sqlite3

    return sqlite3.connect(uri, uri=True, check_same_thread=False)


class TrackerReader:
    """Reads the events the staff pages use, in each conversation's order."""

    TYPES = ("user", "action", "bot")

    def __init__(self, location: TrackerLocation) -> None:
        self.location = location
        self._engine: sa.engine.Engine | None = None

    @property
    def engine(self) -> sa.engine.Engine | None:
        if self._engine is None:
            self._engine = read_only_engine(self.location)
        return self._engine

    def events(self, since: float, until: float) -> Iterator[Dict[str, Any]]:
        """Each user, action and bot event from ``since`` to ``until`` (Unix times):
        the stored JSON with ``sender_id`` added, by conversation, then in order."""
        engine = self.engine
        if engine is None:
            return
        query = (
            sa.select(EVENTS.c.sender_id, EVENTS.c.data)
            .where(EVENTS.c.type_name.in_(self.TYPES))
            .where(EVENTS.c.timestamp >= since)
            .where(EVENTS.c.timestamp < until)
            .order_by(EVENTS.c.sender_id, EVENTS.c.timestamp, EVENTS.c.id)
        )
        try:
            with engine.connect() as connection:
                rows = connection.execute(query).fetchall()
        except sa.exc.OperationalError as problem:
            if "no such table" in str(problem):  # the bot has not stored anything yet
                return
            raise
        for sender_id, data in rows:
            try:
                event = json.loads(data)
            except (TypeError, ValueError):
                continue
            if isinstance(event, dict):
                event["sender_id"] = sender_id
                yield event

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
