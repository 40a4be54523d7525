"""The three danger routes over REST, socket.io and SMS: each gets its
route's first line, inside the date form and after a fallback too, and a
weak signal puts one line with 999 before the normal answer (issue 14)."""

import asyncio
import re
import uuid

import pytest
import socketio
import yaml
from conftest import DEMO_ORIGIN, ROOT, post_message
from test_sms import new_phone, text_bot

DOMAIN = yaml.safe_load((ROOT / "domain" / "safety.yml").read_text(encoding="utf-8"))["responses"]
NOTE = yaml.safe_load((ROOT / "content" / "safety_net.yml").read_text(encoding="utf-8"))["note"]


def first_line(response, channel=None):
    """The first sentence of a response's plain (or SMS) variation."""
    variation = next(v for v in DOMAIN[response] if v.get("channel") == channel and "condition" not in v)
    return re.split(r"\.\s", variation["text"].strip(), maxsplit=1)[0]


ROUTES = {
    "child_in_danger": ("my partner is punching our son right now", "utter_child_in_danger"),
    "parent_in_crisis": ("i dont want to be alive any more", "utter_parent_in_crisis"),
    "crisis, act under way": ("i have just swallowed 40 of my tablets", "utter_parent_in_crisis_act"),
    "parent_in_danger": ("my husband is strangling me and says he will kill me", "utter_parent_in_danger"),
}


def say(servers, text, sender=None):
    return post_message(servers["rasa"], sender or uuid.uuid4().hex, text)


def texts(replies):
    return "\n".join(r.get("text", "") for r in replies)


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_rest_each_route_gets_its_first_line(servers, route):
    message, response = ROUTES[route]
    text = texts(say(servers, message))
    assert text.startswith(first_line(response)), text[:200]


def test_rest_the_first_lines_say_999_or_samaritans_first():
    assert "999" in first_line("utter_child_in_danger")
    assert "999" in first_line("utter_parent_in_danger")
    assert "999" in first_line("utter_parent_in_crisis_act") and "ambulance" in first_line("utter_parent_in_crisis_act")
    assert "116 123" in first_line("utter_parent_in_crisis")


def test_rest_the_parent_in_danger_answer_names_the_profiles_helpline_and_offers_the_meeting_answer(servers):
    replies = say(servers, ROUTES["parent_in_danger"][0])
    text = texts(replies)
    assert "press 55" in text
    assert "National Domestic Abuse Helpline" in text and "0808 2000 247" in text  # the profile is in England
    assert "/ask_domestic_abuse" in [b["payload"] for r in replies for b in r.get("buttons", [])]


def test_rest_danger_buried_in_a_long_message_is_found(servers):
    message = (
        "Hi, I wanted to ask about the report for the conference next week and whether I can bring my "
        "sister. The social worker said it would come two days before but it has not. Also he has "
        "locked me in the flat and taken my phone and he says he will hurt me if I go. Sorry, "
        "what time should I get there and can I bring a letter from my GP?"
    )
    assert texts(say(servers, message)).startswith(first_line("utter_parent_in_danger"))


def test_rest_danger_inside_the_date_form_ends_the_form(servers):
    sender = uuid.uuid4().hex
    say(servers, "what are all my dates", sender)
    text = texts(say(servers, ROUTES["parent_in_danger"][0], sender))
    assert text.startswith(first_line("utter_parent_in_danger"))
    assert "What is the date" not in text
    after = texts(say(servers, "who will be at the meeting", sender))
    assert "What is the date" not in after


def test_rest_danger_after_a_fallback(servers):
    sender = uuid.uuid4().hex
    say(servers, "hmm", sender)
    assert texts(say(servers, ROUTES["crisis, act under way"][0], sender)).startswith(
        first_line("utter_parent_in_crisis_act")
    )


def test_rest_a_weak_signal_puts_the_note_before_the_normal_answer(servers):
    replies = say(servers, "the report says he was hitting the kids, can I write a reply to it?")
    assert replies[0]["text"] == NOTE
    assert len(replies) > 1 and not texts(replies[1:]).startswith(first_line("utter_child_in_danger"))


def test_rest_ordinary_messages_with_danger_words_get_their_answer(servers):
    for message in ("this form is killing me, who writes the minutes", "what does self-harm mean in the report"):
        replies = say(servers, message)
        assert replies and replies[0]["text"] != NOTE
        assert "999" not in replies[0]["text"].split(". ")[0]


def socketio_replies(servers, message):
    async def converse():
        client = socketio.AsyncClient(reconnection=False)
        replies = asyncio.Queue()
        confirmed = asyncio.Event()
        client.on("bot_uttered", lambda data: replies.put_nowait(data))
        client.on("session_confirm", lambda data: confirmed.set())
        await client.connect(
            servers["rasa"], socketio_path="socket.io", transports=["websocket"], headers={"Origin": DEMO_ORIGIN}
        )
        try:
            session_id = uuid.uuid4().hex
            await client.emit("session_request", {"session_id": session_id})
            await asyncio.wait_for(confirmed.wait(), 10)
            await client.emit("user_uttered", {"message": message, "session_id": session_id})
            got = [await asyncio.wait_for(replies.get(), 30)]
            while True:
                try:
                    got.append(await asyncio.wait_for(replies.get(), 3))
                except asyncio.TimeoutError:
                    return got
        finally:
            await client.disconnect()

    return asyncio.run(converse())


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_socketio_each_route_gets_its_first_line(servers, route):
    message, response = ROUTES[route]
    replies = socketio_replies(servers, message)
    assert replies[0]["text"].startswith(first_line(response)), replies[0]


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_sms_each_route_gets_its_first_line_in_the_first_texts(servers, route):
    message, response = ROUTES[route]
    phone = new_phone()
    text_bot(servers, phone, "hello")  # the first reply's welcome is out of the way
    sent = text_bot(servers, phone, message)
    body = sent[0].split("\n", 1)[1]
    assert body.startswith(first_line(response, "twilio")), sent
    if response != "utter_parent_in_crisis":
        assert "999" in sent[0]  # 999 never behind MORE
