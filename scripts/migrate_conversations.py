"""Copies every stored conversation from one tracker store to another, for
moving a deployment from SQLite to PostgreSQL without losing conversations.

    .venv/bin/python scripts/migrate_conversations.py FROM_ENDPOINTS TO_ENDPOINTS

Both files name a SQL tracker store (for example endpoints.yml with
TRACKER_DB set, and endpoints.production.yml with the DB_* variables set).
Rows are copied as they are (already redacted), in their order, sender by
sender. A sender that is already in the target is left alone, so running it
twice copies nothing twice. Prints how many conversations and events moved.
"""

import os
import sys
from pathlib import Path
from typing import Tuple

ROOT = Path(__file__).resolve().parent.parent


def open_store(path: str):
    from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.utils.endpoints import read_endpoint_config

    os.environ.setdefault("ACTION_SERVER_URL", "http://127.0.0.1:5055/webhook")
    store = TrackerStore.create(read_endpoint_config(path, "tracker_store"), Domain.empty())
    while hasattr(store, "_tracker_store"):  # Rasa's wrappers
        store = store._tracker_store
    if not isinstance(store, SQLTrackerStore):
        raise SystemExit(f"{path}: the tracker store is not a SQL store")
    return store


def migrate(source, target) -> Tuple[int, int]:
    """(conversations copied, events copied)."""
    Event = source.SQLEvent
    with source.session_scope() as read, target.session_scope() as write:
        present = {sender for (sender,) in write.query(target.SQLEvent.sender_id).distinct()}
        senders = [s for (s,) in read.query(Event.sender_id).distinct() if s not in present]
        events = 0
        for sender in senders:
            rows = read.query(Event).filter(Event.sender_id == sender).order_by(Event.id).all()
            write.add_all(
                target.SQLEvent(
                    sender_id=r.sender_id,
                    type_name=r.type_name,
                    timestamp=r.timestamp,
                    intent_name=r.intent_name,
                    action_name=r.action_name,
                    data=r.data,
                )
                for r in rows
            )
            events += len(rows)
        write.commit()
    return len(senders), events


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    conversations, events = migrate(open_store(sys.argv[1]), open_store(sys.argv[2]))
    print(f"==> Copied {conversations} conversations ({events} events)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
