"""Our channels: a kind answer instead of silence, and the allowed web origins."""

import asyncio

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from conference_nlu.channels import ChannelConfigError, load_unavailable, never_silent
from conference_nlu.origins import allowed_origins

UNAVAILABLE = load_unavailable()


def handle(handler):
    channel = CollectingOutputChannel()
    asyncio.run(never_silent(handler, UNAVAILABLE)(UserMessage("hi", channel, "parent-1")))
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
    async def answers(message):   # as Rasa's processor sends each bot message
        await message.output_channel.send_response(message.sender_id, {"text": "Hello"})
    assert [m["text"] for m in handle(answers)] == ["Hello"]


def test_the_unavailable_answer_is_checked(tmp_path):
    path = tmp_path / "unavailable.yml"
    path.write_text("buttons: []\n")
    with pytest.raises(ChannelConfigError, match="text is missing"):
        load_unavailable(path)
    path.write_text("text: Sorry\nbuttons:\n  - title: No payload\n")
    with pytest.raises(ChannelConfigError, match="needs a title and a payload"):
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
