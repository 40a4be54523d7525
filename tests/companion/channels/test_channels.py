"""Our channels: a kind answer instead of silence, and the allowed web origins."""

import asyncio

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from companion.channels.common import ChannelConfigError, RateLimiter, load_unavailable, never_silent
from companion.channels.origins import allowed_origins

UNAVAILABLE = load_unavailable()


def handle(handler, limiter=None, sender="parent-1"):
    channel = CollectingOutputChannel()
    asyncio.run(never_silent(handler, UNAVAILABLE, limiter)(UserMessage("hi", channel, sender)))
    return channel.messages


def test_a_message_with_no_reply_gets_the_kind_answer():
    async def silent(message):
        return None

    messages = handle(silent)
    assert len(messages) == 1
    assert messages[0]["text"].startswith("Sorry, I can't answer that just now")
    assert "If a child is in danger right now, call 999." in messages[0]["text"]
    assert [b["payload"] for b in messages[0]["buttons"]][0] == "/ask_what_is_conference"


def test_a_failure_gets_the_kind_answer_not_an_error():
    async def broken(message):
        raise ConnectionError("tracker store down")

    assert handle(broken)[0]["text"].startswith("Sorry, I can't answer that just now")


def test_a_normal_reply_is_left_alone():
    async def answers(message):  # as Rasa's processor sends each bot message
        await message.output_channel.send_response(message.sender_id, {"text": "Hello"})

    assert [m["text"] for m in handle(answers)] == ["Hello"]


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_one_conversation_is_limited_per_minute_and_others_are_not():
    clock, handled = Clock(), []

    async def answers(message):
        handled.append(message.sender_id)
        await message.output_channel.send_response(message.sender_id, {"text": "ok"})

    limiter = RateLimiter(3, 60, clock)
    replies = [handle(answers, limiter)[0]["text"] for _ in range(4)]
    assert replies[:3] == ["ok"] * 3
    assert replies[3].startswith("You're sending messages faster than I can answer")
    assert handled == ["parent-1"] * 3  # the fourth was not processed
    assert handle(answers, limiter, sender="parent-2")[0]["text"] == "ok"
    clock.now += 59
    assert handle(answers, limiter)[0]["text"].startswith("You're sending")
    clock.now += 1  # the first message is a minute old
    assert handle(answers, limiter)[0]["text"] == "ok"


def test_the_shipped_limit_is_thirty_a_minute_unless_the_deployment_sets_one(monkeypatch):
    assert UNAVAILABLE["per_minute"] == 30
    monkeypatch.setenv("CC_MESSAGES_PER_MINUTE", "120")
    assert load_unavailable()["per_minute"] == 120


def test_the_unavailable_answer_is_checked(tmp_path):
    path = tmp_path / "unavailable.yml"
    path.write_text("buttons: []\n")
    with pytest.raises(ChannelConfigError, match="text is missing"):
        load_unavailable(path)
    path.write_text("text: Sorry\nbuttons:\n  - title: No payload\n")
    with pytest.raises(ChannelConfigError, match="needs a title and a payload"):
        load_unavailable(path)
    path.write_text("text: Sorry\nper_minute: 0\ntoo_many: Slow down\n")
    with pytest.raises(ChannelConfigError, match="per_minute should be a whole number"):
        load_unavailable(path)


def test_origins_come_from_the_environment_or_the_profile(monkeypatch, tmp_path):
    monkeypatch.delenv("CC_ALLOWED_ORIGINS", raising=False)
    monkeypatch.delenv("CC_PROFILE", raising=False)
    assert allowed_origins() == ["https://www.ashdown.example"]
    profile = tmp_path / "p.yml"
    profile.write_text("web:\n  allowed_origins: [https://charity.example, http://localhost:9000]\n")
    monkeypatch.setenv("CC_PROFILE", str(profile))
    assert allowed_origins() == ["https://charity.example", "http://localhost:9000"]
    monkeypatch.setenv("CC_ALLOWED_ORIGINS", "http://a.example  http://b.example")
    assert allowed_origins() == ["http://a.example", "http://b.example"]


def test_a_message_sent_again_with_the_same_id_is_handled_once():
    from companion.stores.shared_state import InProcessMessageIds

    handled, ids = [], InProcessMessageIds()

    async def answers(message):
        handled.append(message.text)
        await message.output_channel.send_response(message.sender_id, {"text": "ok"})

    def send(text, message_id):
        channel = CollectingOutputChannel()
        message = UserMessage(text, channel, "parent-9", metadata={"message_id": message_id})
        asyncio.run(never_silent(answers, UNAVAILABLE, message_ids=ids)(message))
        return [m["text"] for m in channel.messages]

    assert send("hello", "id-1") == ["ok"]
    assert send("hello", "id-1") == []  # the resend: already answered
    assert send("hello", "id-2") == ["ok"]  # a new message with the same words
    assert handled == ["hello", "hello"]


def test_two_replicas_on_one_redis_share_the_rate_limit():
    import uuid as _uuid

    import redis

    from companion.stores.shared_state import SharedState

    prefix = "cctest" + _uuid.uuid4().hex[:8]
    replicas = [SharedState("redis", redis.Redis(), prefix) for _ in range(2)]
    try:

        async def answers(message):
            await message.output_channel.send_response(message.sender_id, {"text": "ok"})

        handlers = [
            never_silent(answers, UNAVAILABLE, state.rate_limiter(3), state.message_ids()) for state in replicas
        ]

        def send(handler):
            channel = CollectingOutputChannel()
            asyncio.run(handler(UserMessage("hi", channel, "parent-r")))
            return channel.messages[0]["text"]

        replies = [send(handlers[n % 2]) for n in range(4)]
        assert replies[:3] == ["ok"] * 3
        assert replies[3].startswith("You're sending messages faster than I can answer")
    finally:
        for key in redis.Redis().scan_iter(f"{prefix}:*"):
            redis.Redis().delete(key)
