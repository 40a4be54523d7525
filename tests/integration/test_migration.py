"""Moving from SQLite to PostgreSQL keeps every conversation, event for event."""

import subprocess
import uuid

import pytest
from conftest import PG, ROOT, drop_database
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker


@pytest.fixture
def database():
    name = f"cc_migrate_{uuid.uuid4().hex[:10]}"
    yield name
    drop_database(name)


def conversation(sender, n):
    tracker = DialogueStateTracker(sender, [])
    for i in range(n):
        tracker.update(UserUttered(f"question {i}", {"name": "ask_core_group", "confidence": 0.9}))
        tracker.update(ActionExecuted("utter_core_group"))
        tracker.update(BotUttered(f"answer {i}"))
        tracker.update(ActionExecuted("action_listen"))
    return tracker


async def fill(store, trackers):
    for tracker in trackers:
        await store.save(tracker)


def test_migration_copies_every_event_once(tmp_path, database):
    import asyncio

    sqlite = tmp_path / "conversations.db"
    source = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(sqlite))
    trackers = [conversation(f"parent-{i}", i + 1) for i in range(3)]
    asyncio.run(fill(source, trackers))

    (tmp_path / "from.yml").write_text(f"tracker_store:\n  type: sql\n  dialect: sqlite\n  db: {sqlite}\n")
    (tmp_path / "to.yml").write_text(
        f"tracker_store:\n  type: sql\n  dialect: postgresql\n  url: {PG['host']}\n  port: {PG['port']}\n"
        f"  username: {PG['user']}\n  db: {database}\n  login_db: postgres\n"
    )
    command = [
        str(ROOT / ".venv/bin/python"),
        "scripts/migrate_conversations.py",
        str(tmp_path / "from.yml"),
        str(tmp_path / "to.yml"),
    ]
    first = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    assert "Copied 3 conversations (24 events)" in first.stdout  # 1+2+3 turns, 4 events each
    again = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert "Copied 0 conversations (0 events)" in again.stdout

    target = SQLTrackerStore(
        Domain.empty(), dialect="postgresql", host=PG["host"], port=PG["port"], username=PG["user"], db=database
    )
    for tracker in trackers:
        copied = asyncio.run(target.retrieve_full_tracker(tracker.sender_id))
        assert [e.as_dict() for e in copied.events] == [e.as_dict() for e in tracker.events]
