"""The tracker store: redacts what it stores, deletes a conversation on request."""

import asyncio
import sqlite3

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from conference_nlu.tracker_store import RedactingSQLTrackerStore, asked_to_delete

DOMAIN = Domain.from_yaml("version: '3.1'\nintents: [greet, delete_my_conversation]")


def store(tmp_path):
    return RedactingSQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "t.db"))


def rows(tmp_path, sender):
    with sqlite3.connect(tmp_path / "t.db") as db:
        return [data for (data,) in db.execute("SELECT data FROM events WHERE sender_id = ?", (sender,))]


def turn(tracker, text, intent, action):
    tracker.update(UserUttered(text, {"name": intent, "confidence": 1.0}))
    tracker.update(ActionExecuted(action))
    tracker.update(BotUttered("reply"))
    tracker.update(ActionExecuted("action_listen"))


def test_stored_text_is_redacted_and_a_delete_request_removes_everything(tmp_path):
    s = store(tmp_path)
    tracker = DialogueStateTracker("parent", DOMAIN.slots)
    turn(tracker, "hi, I'm Sarah, 07700 900123", "greet", "utter_greet")
    asyncio.run(s.save(tracker))
    stored = " ".join(rows(tmp_path, "parent"))
    assert "Sarah" not in stored and "07700" not in stored and "[phone]" in stored

    other = DialogueStateTracker("someone-else", DOMAIN.slots)
    turn(other, "hello", "greet", "utter_greet")
    asyncio.run(s.save(other))

    turn(tracker, "delete my conversation", "delete_my_conversation", "utter_conversation_deleted")
    assert asked_to_delete(tracker)
    asyncio.run(s.save(tracker))
    assert rows(tmp_path, "parent") == []
    assert rows(tmp_path, "someone-else") != []          # only that conversation


def test_sqlite_keeps_a_write_ahead_log_and_a_restart_keeps_the_conversation(tmp_path):
    first = store(tmp_path)
    tracker = DialogueStateTracker("parent", DOMAIN.slots)
    turn(tracker, "hello", "greet", "utter_greet")
    asyncio.run(first.save(tracker))
    turn(tracker, "hello again", "greet", "utter_greet")
    asyncio.run(first.save(tracker))
    with sqlite3.connect(tmp_path / "t.db") as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    with first.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1      # NORMAL
    first.engine.dispose()
    again = asyncio.run(store(tmp_path).retrieve("parent"))
    assert [e.text for e in again.events if isinstance(e, UserUttered)] == ["hello", "hello again"]
    assert len(rows(tmp_path, "parent")) == len(tracker.events)     # each event stored once


def test_a_later_turn_is_not_a_delete_request():
    tracker = DialogueStateTracker("parent", DOMAIN.slots)
    turn(tracker, "delete my conversation", "delete_my_conversation", "utter_conversation_deleted")
    turn(tracker, "hello again", "greet", "utter_greet")
    assert not asked_to_delete(tracker)


def test_idle_conversations_are_purged_and_recent_ones_kept(tmp_path):
    import time
    s = store(tmp_path)
    for sender, age_days in (("old", 40), ("recent", 2)):
        tracker = DialogueStateTracker(sender, DOMAIN.slots)
        turn(tracker, "hello", "greet", "utter_greet")
        for event in tracker.events:
            event.timestamp = time.time() - age_days * 86400
        asyncio.run(s.save(tracker))
    assert s.purge_idle_conversations(time.time() - 30 * 86400) == 1
    assert rows(tmp_path, "old") == [] and rows(tmp_path, "recent") != []


def test_make_purge_uses_the_profile_and_endpoints(tmp_path):
    import os
    import subprocess
    import sys
    import time
    from pathlib import Path

    s = store(tmp_path)
    tracker = DialogueStateTracker("old", DOMAIN.slots)
    turn(tracker, "hello", "greet", "utter_greet")
    for event in tracker.events:
        event.timestamp = time.time() - 31 * 86400       # the shipped profile keeps 30 days
    asyncio.run(s.save(tracker))
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "scripts/purge.py"], cwd=root, capture_output=True,
                            text=True, timeout=120,
                            env=dict(os.environ, TRACKER_DB=str(tmp_path / "t.db"),
                                     TF_CPP_MIN_LOG_LEVEL="3", RASA_TELEMETRY_ENABLED="false"))
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Retention (30 days): deleted 1 idle conversations" in result.stdout
    assert rows(tmp_path, "old") == []
