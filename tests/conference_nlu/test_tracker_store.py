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


def test_a_later_turn_is_not_a_delete_request():
    tracker = DialogueStateTracker("parent", DOMAIN.slots)
    turn(tracker, "delete my conversation", "delete_my_conversation", "utter_conversation_deleted")
    turn(tracker, "hello again", "greet", "utter_greet")
    assert not asked_to_delete(tracker)
