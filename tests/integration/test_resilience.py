"""When part of the bot is down, the parent still gets a kind answer."""

import time
import uuid
from datetime import date, timedelta

import pytest
from conftest import free_port, post_message, server_env, start_action_server, start_rasa, stop


@pytest.fixture(scope="module")
def rasa_alone(tmp_path_factory):
    """Rasa running, its action server not (yet)."""
    tmp = tmp_path_factory.mktemp("resilience")
    actions_port, rasa_port = free_port(), free_port()
    env = server_env(actions_port, tmp / "conversations.db")
    rasa = start_rasa(rasa_port, env, tmp / "rasa.log")
    try:
        yield {"rasa": f"http://127.0.0.1:{rasa_port}", "actions_port": actions_port, "env": env, "tmp": tmp}
    finally:
        stop(rasa)


def texts(replies):
    return "\n".join(r.get("text", "") for r in replies)


def test_action_server_down_then_back(rasa_alone):
    rasa, sender = rasa_alone["rasa"], uuid.uuid4().hex
    # A new conversation still starts, with the plain (no profile) greeting.
    assert texts(post_message(rasa, sender, "hello")).startswith("Hello. I'm Conference Companion")
    # A date question needs the action server: a kind answer, quickly.
    started = time.monotonic()
    down = post_message(rasa, sender, "when is the first core group")
    assert time.monotonic() - started < 5
    assert texts(down).startswith("Sorry, I can't answer that just now, and I can't work out dates")
    assert "call 999" in texts(down)
    assert down[-1]["buttons"][0]["payload"] == "/ask_what_is_conference"
    # Answers that need no action server still work.
    assert "A core group is a small group" in texts(post_message(rasa, sender, "what is a core group"))

    actions = start_action_server(rasa_alone["actions_port"], rasa_alone["env"], rasa_alone["tmp"] / "actions.log")
    try:
        back = texts(post_message(rasa, sender, "when is the first core group"))
        assert back.startswith("What is the date of your conference?")
        day = date.today() + timedelta(days=20)
        asked = texts(post_message(rasa, sender, f"{day.day}/{day.month}/{day.year}"))
        assert asked == f"{day:%A} {day.day} {day:%B %Y}, is that right?"
        # The profile is loaded again: the person to talk to is the council's team.
        assert "Ashdown Borough Council" in texts(post_message(rasa, uuid.uuid4().hex, "can i talk to a person"))
    finally:
        stop(actions)
