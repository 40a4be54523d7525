"""End to end: the real action server and Rasa server, as `make run` starts them.

Runs in Rasa's environment (it has python-socketio's client and aiohttp).
Each test session uses its own ports and its own SQLite file.
"""

import asyncio
import calendar
import json
import sqlite3
import sys
import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import socketio
import yaml
from conftest import DEMO_ORIGIN, ROOT, post_message


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
    assert text.rstrip().splitlines()[-1].startswith("Source: Council FAQ")
    assert [b["title"] for b in replies[-1]["buttons"]][:1] == ["Getting legal advice"]


def test_late_report_question_gets_the_report_answer(servers):
    text = texts(say(servers, "what if i dont get the report b4"))
    assert "You should get the social worker's report before the meeting" in text
    assert "ask the chair to delay the start" in text


def test_the_greeting_gives_the_privacy_notice_from_the_profile(servers):
    text = texts(say(servers, "hello"))
    assert text.startswith("Hello. I'm Conference Companion")
    assert "keeps what you type here for 30 days after your last message" in text
    assert "No one reads this chat as you type" in text


def test_talk_to_a_person_gives_the_profile_contacts(servers):
    text = texts(say(servers, "i want to talk to a real person"))
    assert "Ashdown Borough Council" in text and "01632 960 100" in text
    assert "0808 801 0366" in text  # Family Rights Group, the profile's nation is England


@pytest.mark.parametrize(
    "message",
    [
        "he's hitting her right now",
        "my toddler swallowed some pills",  # the classifier alone says parent_in_crisis
        "HE IS HITTING THE KIDS",
    ],
)
def test_a_child_in_danger_gets_999_first(servers, message):
    text = texts(say(servers, message))
    assert text.startswith("If a child is in danger right now, call 999")
    assert "Childline free, any time: 0800 1111" in text


def test_a_parent_in_crisis_gets_samaritans(servers):
    text = texts(say(servers, "honestly i cant go on"))
    assert "Samaritans free, any time, on 116 123" in text and "85258" in text


@pytest.mark.parametrize(
    "message",
    [
        "x" * 10_000,
        "😭😭😭 🙏",
        "<script>alert('hi')</script><img src=x onerror=alert(1)>",
        "31st February",
        "   ",
    ],
)
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
    say(servers, "what happens at a review conference", sender)
    with sqlite3.connect(servers["db"]) as db:
        rows = db.execute(
            "SELECT type_name, intent_name, action_name FROM events WHERE sender_id = ? ORDER BY id", (sender,)
        ).fetchall()
    intents = [intent for kind, intent, _ in rows if kind == "user"]
    actions = [action for kind, _, action in rows if kind == "action"]
    assert intents == ["ask_core_group", "ask_review_conference"]
    assert "utter_core_group" in actions and "utter_review_conference" in actions


def test_planted_personal_details_are_not_stored_or_logged(servers):
    sender = "privacy-" + uuid.uuid4().hex
    planted = ["07700 900123", "jo.bloggs@example.com", "LS1 4AP", "Jayden"]
    reply = texts(
        say(
            servers,
            "I'm scared about the conference. My son Jayden is 5. Call me on "
            "07700 900123 or email jo.bloggs@example.com, we live at LS1 4AP",
            sender,
        )
    )
    assert reply  # the turn itself was answered
    say(servers, "can i bring my mum", sender)
    with sqlite3.connect(servers["db"]) as db:
        stored = " ".join(data for (data,) in db.execute("SELECT data FROM events WHERE sender_id = ?", (sender,)))
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
    assert texts(say(servers, "what happens at a review conference", sender)).startswith("A review conference")
    with sqlite3.connect(servers["db"]) as db:
        intents = [
            i
            for (i,) in db.execute(
                "SELECT intent_name FROM events WHERE sender_id = ? AND type_name = 'user'", (sender,)
            )
        ]
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
            await client.emit(
                "user_uttered",
                {"message": "what is a cp plan", "session_id": session_id, "metadata": {"message_id": "m-1"}},
            )
            messages = []
            while not (messages and messages[-1].get("quick_replies")):
                messages.append(await asyncio.wait_for(replies.get(), 30))
            return messages
        finally:
            await client.disconnect()

    messages = asyncio.run(converse())
    # Each paragraph names the message it answers, so the widget's resend
    # timer is not stopped by a late paragraph of an earlier answer.
    assert {m.get("reply_to") for m in messages} == {"m-1"}
    assert messages[0]["text"].startswith("A Child Protection Plan sets out what needs to change")
    assert messages[-1]["text"].startswith("Source: ")
    assert [q["payload"] for q in messages[-1]["quick_replies"]] == [
        "/ask_core_group",
        '/ask_dates{"milestone": "next_review"}',
        "/ask_plan_not_working",
    ]


def socketio_connects(servers, origin):
    async def connect():
        client = socketio.AsyncClient(reconnection=False)
        try:
            await client.connect(
                servers["rasa"], socketio_path="socket.io", transports=["websocket"], headers={"Origin": origin}
            )
        except socketio.exceptions.ConnectionError:
            return False
        await client.disconnect()
        return True

    return asyncio.run(connect())


def test_socketio_accepts_only_the_allowed_web_origins(servers):
    assert socketio_connects(servers, DEMO_ORIGIN)
    assert not socketio_connects(servers, "https://evil.example")
    assert not socketio_connects(servers, "http://localhost:8081")


def test_one_conversation_sending_too_fast_is_asked_to_wait(servers):
    sender = uuid.uuid4().hex
    replies = [texts(say(servers, "what is a core group", sender)) for _ in range(31)]
    assert all(r.startswith("A core group is a small group") for r in replies[:30])
    assert replies[30].startswith("You're sending messages faster than I can answer")
    # Another parent is not held up.
    assert texts(say(servers, "what is a core group")).startswith("A core group is a small group")


def test_no_runtime_warning_about_unawaited_coroutines(servers):
    # The socketio trap shows itself only as this warning in the server log.
    assert "was never awaited" not in servers["rasa_log"].read_text()


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))


# ------------------------------------------------------------ the parent's dates
# Expected dates are worked out here on their own, from GOV.UK's bank-holiday
# list and the profile's closure days, not with the bot's date engine.
BANK_HOLIDAYS = ROOT / "content" / "bank-holidays.json"


def england_working_days():
    listed = json.loads(BANK_HOLIDAYS.read_text())["england-and-wales"]["events"]
    closed = {date.fromisoformat(e["date"]) for e in listed}
    closed |= set(yaml.safe_load((ROOT / "profile.yml").read_text())["closure_days"])
    last = max(closed)

    def step(day, count):
        direction = 1 if count > 0 else -1
        for _ in range(abs(count)):
            day += timedelta(days=direction)
            while day.weekday() >= 5 or day in closed:
                day += timedelta(days=direction)
        assert day <= last, "content/bank-holidays.json does not reach this date (make update-holidays)"
        return day

    return step


def words(day):
    return f"{day:%A} {day.day} {day:%B %Y}"


def london_today():
    return datetime.now(ZoneInfo("Europe/London")).date()


def test_done_when_next_thursday_and_the_report(servers):
    sender = uuid.uuid4().hex
    today = london_today()
    # On a Thursday, "next Thursday" is a week on (as companion/nlu/dates.py reads it).
    thursday = today + timedelta(days=(3 - today.weekday()) % 7 or 7)
    asked = texts(say(servers, "my conference is next thursday, when do I get the report", sender))
    assert asked == f"{words(thursday)}, is that right?"
    answer = texts(say(servers, "yes", sender))
    report_by = england_working_days()(thursday, -2)
    assert answer.startswith(f"The reports should reach you: by {words(report_by)}.")
    assert "Source: A parent's guide; Wakefield One Minute Guide." in answer


def test_done_when_icpc_date_first_core_group_and_review(servers):
    # The message, with a date a few weeks ahead so the test does not
    # age out (3/12/2026 itself is checked in tests/actions).
    sender = uuid.uuid4().hex
    icpc = london_today() + timedelta(days=20)
    message = f"ICPC was on {icpc.day}/{icpc.month}/{icpc.year} when is the first core group and the review"
    assert texts(say(servers, message, sender)) == f"{words(icpc)}, is that right?"
    text = texts(say(servers, "yes", sender))
    core_group = england_working_days()(icpc, 10)
    month, year = (icpc.month + 2) % 12 + 1, icpc.year + (icpc.month + 2) // 12
    review = date(year, month, min(icpc.day, calendar.monthrange(year, month)[1]))
    # The REST channel sends each paragraph as its own message.
    assert text.startswith(f"First core group meeting: by {words(core_group)}.")
    assert f"\nFirst review conference: by {words(review)}." in text


def test_whole_timeline_comes_as_text_and_as_data_with_a_calendar_file(servers):
    sender = uuid.uuid4().hex
    conference = london_today() + timedelta(days=30)
    say(servers, f"my conference is on {conference.day}/{conference.month}/{conference.year}", sender)
    say(servers, "yes", sender)
    replies = say(servers, "it's the initial conference", sender)
    assert replies[0]["text"].startswith(f"Your dates, worked out from your first conference on {words(conference)}:")
    payload = next(r["custom"] for r in replies if "custom" in r)
    assert payload["type"] == "timeline" and payload["conference"] == conference.isoformat()
    assert "BEGIN:VEVENT" in payload["calendar"]["ics"]


def test_a_nonsense_date_is_asked_again_kindly(servers):
    sender = uuid.uuid4().hex
    say(servers, "when is the first core group", sender)
    text = texts(say(servers, "31st February", sender))
    assert text.startswith('"31st February" is not a day on the calendar.')
    assert "What is the date of your conference?" in text


def test_danger_inside_the_form_gets_999_not_a_date_question(servers):
    sender = uuid.uuid4().hex
    say(servers, "what are all my dates", sender)
    text = texts(say(servers, "he is hitting my daughter right now", sender))
    assert text.startswith("If a child is in danger right now, call 999")
    assert "is that right?" not in text and "What is the date" not in text
