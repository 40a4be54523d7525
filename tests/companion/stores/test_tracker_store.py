"""The tracker store: redacts what it stores, deletes a conversation on request."""

import asyncio
import sqlite3

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from companion.stores.tracker_store import RedactingSQLTrackerStore, asked_to_delete

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
    assert rows(tmp_path, "someone-else") != []  # only that conversation


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
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
    first.engine.dispose()
    again = asyncio.run(store(tmp_path).retrieve("parent"))
    assert [e.text for e in again.events if isinstance(e, UserUttered)] == ["hello", "hello again"]
    assert len(rows(tmp_path, "parent")) == len(tracker.events)  # each event stored once


def test_a_turn_read_then_stored_writes_each_new_event_once_across_a_new_session(tmp_path):
    from rasa.shared.core.events import SessionStarted

    s = store(tmp_path)
    first = DialogueStateTracker("parent", DOMAIN.slots)
    turn(first, "hello", "greet", "utter_greet")
    asyncio.run(s.save(first))
    for text in ("hello again", "and again"):
        tracker = asyncio.run(s.retrieve("parent"))
        assert s._read_counts["parent"] == len(tracker.events)
        turn(tracker, text, "greet", "utter_greet")
        asyncio.run(s.save(tracker))
        assert "parent" not in s._read_counts  # used once
    assert len(rows(tmp_path, "parent")) == 12
    # A new session starts within a turn: the old session's events are not stored again.
    tracker = asyncio.run(s.retrieve("parent"))
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    turn(tracker, "back after a while", "greet", "utter_greet")
    asyncio.run(s.save(tracker))
    assert len(rows(tmp_path, "parent")) == 12 + 2 + 4
    assert [e.text for e in asyncio.run(s.retrieve("parent")).events if isinstance(e, UserUttered)] == [
        "back after a while"
    ]


def stored_events(tracker):
    return [e.as_dict() for e in tracker.events] if tracker else None


def test_what_is_kept_in_memory_is_what_a_fresh_server_reads_from_the_database(tmp_path):
    from rasa.shared.core.events import SessionStarted

    s = store(tmp_path)
    tracker = asyncio.run(s.retrieve("parent"))
    assert tracker is None
    tracker = DialogueStateTracker("parent", DOMAIN.slots)
    turn(tracker, "hi, I'm Sarah, 07700 900123", "greet", "utter_greet")
    asyncio.run(s.save(tracker))
    for step in range(3):
        tracker = asyncio.run(s.retrieve("parent"))
        if step == 1:
            tracker.update(ActionExecuted("action_session_start"))
            tracker.update(SessionStarted())
        turn(tracker, f"message {step}", "greet", "utter_greet")
        asyncio.run(s.save(tracker))
        kept = asyncio.run(s.retrieve("parent"))
        fresh = asyncio.run(store(tmp_path).retrieve("parent"))
        assert stored_events(kept) == stored_events(fresh)
    assert [e.text for e in kept.events if isinstance(e, UserUttered)] == ["message 1", "message 2"]
    assert s._recent.get("parent") is not None


def test_kept_sessions_are_redacted_and_go_when_deleted_purged_or_a_write_fails(tmp_path, monkeypatch):
    from rasa.core.tracker_store import SQLTrackerStore

    s = store(tmp_path)
    tracker = DialogueStateTracker("parent", DOMAIN.slots)
    turn(tracker, "call me on 07700 900123", "greet", "utter_greet")
    asyncio.run(s.save(tracker))
    asyncio.run(s.retrieve("parent"))
    kept = asyncio.run(s.retrieve("parent"))
    assert "07700" not in kept.events[0].text and "[phone]" in kept.events[0].text
    s.delete("parent")
    assert s._recent.get("parent") is None and asyncio.run(s.retrieve("parent")) is None

    asyncio.run(s.save(tracker))
    asyncio.run(s.retrieve("parent"))
    s.purge_idle_conversations(older_than=tracker.events[-1].timestamp + 1)
    assert s._recent.get("parent") is None and asyncio.run(s.retrieve("parent")) is None

    asyncio.run(s.save(tracker))
    tracker = asyncio.run(s.retrieve("parent"))
    turn(tracker, "again", "greet", "utter_greet")

    async def broken(self, tracker):
        raise RuntimeError("disk full")

    monkeypatch.setattr(SQLTrackerStore, "save", broken)
    with pytest.raises(RuntimeError):
        asyncio.run(s.save(tracker))
    assert s._recent.get("parent") is None


def test_recent_sessions_forget_quiet_and_old_conversations():
    from companion.stores.tracker_store import RecentSessions

    now = [0.0]
    recent = RecentSessions(size=2, idle_seconds=600, clock=lambda: now[0])
    recent.put("a", [(1.0, "{}")])
    recent.put("b", [])
    now[0] = 599
    assert recent.get("a") == [(1.0, "{}")]  # used: now the most recent
    recent.put("c", [])
    assert recent.get("b") is None and recent.get("c") == []
    now[0] = 599 + 601
    assert recent.get("a") is None
    recent.put("d", [(1.0, "x"), (2.0, "y")])
    recent.extend("d", [(3.0, "start"), (3.5, "z")], session_starts=[3.0])
    assert recent.get("d") == [(3.0, "start"), (3.5, "z")]
    recent.extend("unknown", [(4.0, "w")], [])
    assert recent.get("unknown") is None


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
        event.timestamp = time.time() - 31 * 86400  # the shipped profile keeps 30 days
    asyncio.run(s.save(tracker))
    root = Path(__file__).resolve().parents[3]
    result = subprocess.run(
        [sys.executable, "scripts/purge.py"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(
            os.environ, TRACKER_DB=str(tmp_path / "t.db"), TF_CPP_MIN_LOG_LEVEL="3", RASA_TELEMETRY_ENABLED="false"
        ),
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Retention (30 days): deleted 1 idle conversations" in result.stdout
    assert rows(tmp_path, "old") == []


PLANTED = {
    "QQ 12 34 56 C": "[NI-number]",
    "4111 1111 1111 1111": "[card-number]",
    "12 Acacia Avenue": "[address]",
    "Jayden": "[name]",
    "Oakwood Primary School": "[school]",
    "jo.bloggs@example.com": "[email]",
    "LS1 4AP": "[postcode]",
}


def test_every_stored_field_is_redacted(tmp_path):
    """User text, parse data (text and entities), metadata, slots and the bot's echo (issue #15)."""
    s = store(tmp_path)
    tracker = DialogueStateTracker("parent", DOMAIN.slots)
    text = (
        "Jayden is my boy, born on 3rd March 2019, at Oakwood Primary School. We live at 12 Acacia Avenue, "
        "LS1 4AP. NI QQ 12 34 56 C, card 4111 1111 1111 1111, jo.bloggs@example.com"
    )
    born = text.index("3rd March 2019")
    tracker.update(
        UserUttered(
            text,
            {"name": "greet", "confidence": 1.0},
            [
                {"entity": "date", "value": "2019-03-03", "start": born, "end": born + 14},
                {"entity": "invalid_date", "value": "Jayden's 31st February"},
            ],
            parse_data={
                "text": text,
                "intent": {"name": "greet"},
                "entities": [{"entity": "date", "value": "2019-03-03", "start": born, "end": born + 14}],
            },
            metadata={"note": "Jayden, 4111 1111 1111 1111"},
        )
    )
    tracker.update(ActionExecuted("validate_conference_form"))
    tracker.update(SlotSet("conference_date", "2019-03-03"))
    tracker.update(SlotSet("free_text", text))
    tracker.update(SlotSet("contact_phone", "01632 960 100"))  # the profile's: kept
    tracker.update(
        BotUttered(
            "Sunday 3 March 2019 is more than a year ago. Jayden's 31st February is not a day.",
            {"buttons": [{"title": "Jayden", "payload": "/affirm"}]},
        )
    )
    asyncio.run(s.save(tracker))
    stored = " ".join(rows(tmp_path, "parent"))
    for planted, tag in PLANTED.items():
        assert planted not in stored and tag in stored, planted
    assert "2019-03-03" not in stored and "3 March 2019" not in stored and "3rd March" not in stored
    assert "01632 960 100" in stored


def test_a_message_too_long_to_read_is_stored_as_a_marker(tmp_path):
    s = store(tmp_path)
    tracker = DialogueStateTracker("parent", DOMAIN.slots)
    text = "my story " * 200
    tracker.update(
        UserUttered(
            text,
            {"name": "nlu_fallback", "confidence": 1.0},
            parse_data={"text": text, "intent": {"name": "nlu_fallback"}, "too_long": {"length": 1800, "limit": 1000}},
        )
    )
    tracker.update(SlotSet("free_text", text))
    asyncio.run(s.save(tracker))
    stored = " ".join(rows(tmp_path, "parent"))
    assert "my story" not in stored and "[long message]" in stored


def test_the_store_says_whether_a_conversation_exists(tmp_path):
    s = store(tmp_path)
    assert not s.has_conversation("parent")
    tracker = DialogueStateTracker("parent", DOMAIN.slots)
    turn(tracker, "hello", "greet", "utter_greet")
    asyncio.run(s.save(tracker))
    assert s.has_conversation("parent") and not s.has_conversation("other")


def test_a_turn_taken_over_from_a_stopped_replica_is_not_stored_twice(tmp_path):
    """A replica stored a turn and was killed before it answered; the load
    balancer sent the same message (same message id) to another replica,
    which took it over once the first one's hold ran out."""
    from companion.stores.shared_state import TAKEN_OVER

    def with_message(message_id):
        tracker = asyncio.run(s.retrieve("parent")) or DialogueStateTracker("parent", DOMAIN.slots)
        tracker.update(UserUttered("hello", {"name": "greet", "confidence": 1.0}, metadata={"message_id": message_id}))
        tracker.update(ActionExecuted("utter_greet"))
        tracker.update(BotUttered("reply"))
        return tracker

    s = store(tmp_path)
    asyncio.run(s.save(with_message("m_1%")))
    user_rows = lambda: [r for r in rows(tmp_path, "parent") if '"event": "user"' in r]  # noqa: E731

    async def taken_over(tracker):
        TAKEN_OVER.set(True)
        await s.save(tracker)

    asyncio.run(taken_over(with_message("m_1%")))
    assert len(user_rows()) == 1
    # Another message taken over (never stored), and any message handled the
    # ordinary way, are stored.
    asyncio.run(taken_over(with_message("m_2")))
    asyncio.run(s.save(with_message("m_1%")))
    assert len(user_rows()) == 3
    # "_" and "%" in an id are not wildcards.
    asyncio.run(taken_over(with_message("m%")))  # would match "m_1%" as a pattern
    assert len(user_rows()) == 4
