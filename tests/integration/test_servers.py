"""End to end: the real action server and Rasa server, as `make run` starts them.

Runs in Rasa's environment (it has python-socketio's client and aiohttp).
Each test session uses its own ports and its own SQLite file.
"""

import asyncio
import sqlite3
import sys
import uuid

import pytest
import socketio
from conftest import free_port, post_message, server_env, start_action_server, start_rasa, stop


@pytest.fixture(scope="session")
def servers(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("servers")
    actions_port, rasa_port = free_port(), free_port()
    env = server_env(actions_port, tmp / "conversations.db")
    started = []
    try:
        started.append(start_action_server(actions_port, env, tmp / "actions.log"))
        started.append(start_rasa(rasa_port, env, tmp / "rasa.log"))
        yield {"rasa": f"http://127.0.0.1:{rasa_port}", "db": tmp / "conversations.db",
               "rasa_log": tmp / "rasa.log", "actions_log": tmp / "actions.log"}
    finally:
        stop(*reversed(started))


def say(servers, text, sender=None):
    return post_message(servers["rasa"], sender or uuid.uuid4().hex, text)


def texts(replies):
    return "\n".join(r.get("text", "") for r in replies)


def test_supporter_question_gets_the_supporter_answer_with_local_advocacy(servers):
    replies = say(servers, "can i bring my mum with me to the meeting")
    text = texts(replies)
    assert "You can bring someone to support you" in text
    assert "tell the chair a few days before" in text
    # Filled from profile.yml by the action server at session start.
    assert "Ashdown Parents' Advocacy Service" in text
    assert text.rstrip().endswith("Council Section 47 page.")
    assert [b["title"] for b in replies[-1]["buttons"]][:1] == ["Getting legal advice"]


def test_late_report_question_gets_the_report_answer(servers):
    text = texts(say(servers, "what if i dont get the report b4"))
    assert "You should get the social worker's report before the meeting" in text
    assert "ask the chair to delay the meeting" in text


def test_the_greeting_gives_the_privacy_notice_from_the_profile(servers):
    text = texts(say(servers, "hello"))
    assert text.startswith("Hello. I'm Conference Companion")
    assert "keeps what you type here for 30 days after your last message" in text
    assert "No one reads this chat as you type" in text


def test_talk_to_a_person_gives_the_profile_contacts(servers):
    text = texts(say(servers, "i want to talk to a real person"))
    assert "Ashdown Borough Council" in text and "01632 960 100" in text
    assert "0808 801 0366" in text  # Family Rights Group, the profile's nation is England


@pytest.mark.parametrize("message", [
    "he's hitting her right now",
    "my toddler swallowed some pills",       # the classifier alone says parent_in_crisis
    "HE IS HITTING THE KIDS",
])
def test_a_child_in_danger_gets_999_first(servers, message):
    text = texts(say(servers, message))
    assert text.startswith("If a child is in danger right now, call 999")
    assert "Childline free, any time: 0800 1111" in text


def test_a_parent_in_crisis_gets_samaritans(servers):
    text = texts(say(servers, "honestly i cant go on"))
    assert "Samaritans free, any time, on 116 123" in text and "85258" in text


@pytest.mark.parametrize("message", [
    "x" * 10_000,
    "😭😭😭 🙏",
    "<script>alert('hi')</script><img src=x onerror=alert(1)>",
    "31st February",
    "   ",
])
def test_odd_input_gets_a_reply_not_an_error(servers, message):
    replies = say(servers, message)
    assert replies, "the bot said nothing"
    assert all(r.get("text") or r.get("buttons") for r in replies)


def test_a_very_long_message_gets_a_kind_request_to_shorten_it(servers):
    text = texts(say(servers, "I have so much to say about all of this. " * 250))
    assert text.startswith("That's a long message for me")


def test_conversation_is_kept_in_the_sqlite_tracker_store(servers):
    sender = "kept-" + uuid.uuid4().hex
    say(servers, "what is a core group", sender)
    say(servers, "when is the review", sender)
    with sqlite3.connect(servers["db"]) as db:
        rows = db.execute("SELECT type_name, intent_name, action_name FROM events "
                          "WHERE sender_id = ? ORDER BY id", (sender,)).fetchall()
    intents = [intent for kind, intent, _ in rows if kind == "user"]
    actions = [action for kind, _, action in rows if kind == "action"]
    assert intents == ["ask_core_group", "ask_review_conference"]
    assert "utter_core_group" in actions and "utter_review_conference" in actions


def test_planted_personal_details_are_not_stored_or_logged(servers):
    sender = "privacy-" + uuid.uuid4().hex
    planted = ["07700 900123", "jo.bloggs@example.com", "LS1 4AP", "Jayden"]
    reply = texts(say(servers, "I'm scared about the conference. My son Jayden is 5. Call me on "
                               "07700 900123 or email jo.bloggs@example.com, we live at LS1 4AP", sender))
    assert reply                                   # the turn itself was answered
    say(servers, "can i bring my mum", sender)
    with sqlite3.connect(servers["db"]) as db:
        stored = " ".join(data for (data,) in db.execute(
            "SELECT data FROM events WHERE sender_id = ?", (sender,)))
    assert "[phone]" in stored and "[name]" in stored
    for log in (servers["rasa_log"], servers["actions_log"]):
        logged = log.read_text()
        assert [p for p in planted if p in logged] == [], log.name
    assert [p for p in planted if p in stored] == []


def test_delete_my_conversation_removes_it_and_says_so(servers):
    sender = "delete-" + uuid.uuid4().hex
    say(servers, "what is a core group", sender)
    reply = texts(say(servers, "please delete my conversation", sender))
    assert reply.startswith("I've deleted this conversation")
    with sqlite3.connect(servers["db"]) as db:
        assert db.execute("SELECT COUNT(*) FROM events WHERE sender_id = ?", (sender,)).fetchone() == (0,)
    # Writing again starts a new conversation.
    assert texts(say(servers, "when is the review", sender)).startswith("A review conference")
    with sqlite3.connect(servers["db"]) as db:
        intents = [i for (i,) in db.execute("SELECT intent_name FROM events WHERE sender_id = ? "
                                            "AND type_name = 'user'", (sender,))]
    assert intents == ["ask_review_conference"]


def test_socketio_client_gets_a_reply(servers):
    """Rasa 3.6.21 drops socketio replies with python-socketio >= 5.9; we pin 5.8.0.

    The socketio channel sends each paragraph as its own message and puts the
    buttons on the last one, so the test collects messages until the buttons.
    """

    async def converse():
        client = socketio.AsyncClient(reconnection=False)
        replies = asyncio.Queue()
        confirmed = asyncio.Event()
        client.on("bot_uttered", lambda data: replies.put_nowait(data))
        client.on("session_confirm", lambda data: confirmed.set())
        await client.connect(servers["rasa"], socketio_path="socket.io", transports=["websocket"])
        try:
            session_id = uuid.uuid4().hex
            await client.emit("session_request", {"session_id": session_id})
            await asyncio.wait_for(confirmed.wait(), 10)
            await client.emit("user_uttered", {"message": "what is a cp plan", "session_id": session_id})
            messages = []
            while not (messages and messages[-1].get("quick_replies")):
                messages.append(await asyncio.wait_for(replies.get(), 30))
            return messages
        finally:
            await client.disconnect()

    messages = asyncio.run(converse())
    assert messages[0]["text"].startswith("A Child Protection Plan sets out what needs to change")
    assert messages[-1]["text"].startswith("Source: ")
    assert [q["payload"] for q in messages[-1]["quick_replies"]] == [
        "/ask_core_group", "/ask_review_conference", "/ask_plan_ending"]


def test_no_runtime_warning_about_unawaited_coroutines(servers):
    # The socketio trap shows itself only as this warning in the server log.
    assert "was never awaited" not in servers["rasa_log"].read_text()


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))
