"""Tokens, and what the channels check before any work: sizes, types, payloads."""

import re
from pathlib import Path

import pytest
import yaml

from companion.channels import guard, tokens
from companion.channels.guard import Refused

ROOT = Path(__file__).resolve().parents[3]
SECRET = b"s" * 32


# ----------------------------------------------------------------- tokens
def test_a_token_names_its_conversation_and_cannot_be_forged_or_moved():
    signer = tokens.Tokens(SECRET)
    conversation, token = signer.new()
    assert re.fullmatch(r"[0-9a-f]{32}", conversation) and signer.verify(token) == conversation
    other, _ = signer.new()
    forged = other + token[len(conversation) :]  # another id, this signature
    assert signer.verify(forged) is None
    assert signer.verify(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert tokens.Tokens(b"t" * 32).verify(token) is None  # another server's secret
    for junk in (None, 5, "", ".", conversation, "x" * 500, ["a"]):
        assert signer.verify(junk) is None


def test_the_secret_comes_from_the_environment_and_production_needs_one(caplog):
    signed = tokens.from_environment({"CC_SESSION_SECRET": "k" * 40})
    assert tokens.from_environment({"CC_SESSION_SECRET": "k" * 40}).verify(signed.issue("abc")) == "abc"
    with pytest.raises(tokens.TokenSecretError, match="at least 32"):
        tokens.from_environment({"CC_SESSION_SECRET": "short"})
    with pytest.raises(tokens.TokenSecretError, match="CC_SESSION_SECRET"):
        tokens.from_environment({"CC_ENV": "production"})
    one, two = tokens.from_environment({}), tokens.from_environment({})
    assert "CC_SESSION_SECRET is not set" in caplog.text
    assert two.verify(one.issue("abc")) is None  # random per process


def test_who_may_use_a_rest_conversation():
    signer = tokens.Tokens(SECRET)
    mine = signer.issue("parent-1")
    assert guard.conversation_for(signer, None, mine, False, True) == ("parent-1", mine)
    assert guard.conversation_for(signer, "parent-1", mine, True, True) == ("parent-1", mine)
    new, new_token = guard.conversation_for(signer, None, None, False, True)
    assert signer.verify(new_token) == new
    # Development: a sender alone only while that conversation does not exist.
    assert guard.conversation_for(signer, "parent-2", None, False, False) == ("parent-2", signer.issue("parent-2"))
    cases = [
        ("parent-2", mine, False, False, 403, "bad_token"),  # someone else's token
        (None, "parent-1.forged", False, False, 403, "bad_token"),
        ("parent-1", None, True, False, 403, "token_needed"),  # exists: the id alone is not enough
        ("parent-3", None, False, True, 401, "token_required"),  # production: never the id alone
        ("", None, False, False, 400, "bad_sender"),
        ("x" * 65, None, False, False, 400, "bad_sender"),
        (5, None, False, False, 400, "bad_sender"),
        ("a b", None, False, False, 400, "bad_sender"),
    ]
    for sender, token, exists, production, status, reason in cases:
        with pytest.raises(Refused) as refused:
            guard.conversation_for(signer, sender, token, exists, production)
        assert (refused.value.status, refused.value.reason) == (status, reason), (sender, token)


# ------------------------------------------------------- shapes and sizes
@pytest.mark.parametrize(
    "content_type, body, status, reason",
    [
        ("text/plain", b'{"message": "hi"}', 415, "not_json"),
        (None, b'{"message": "hi"}', 415, "not_json"),
        ("application/x-www-form-urlencoded", b"message=hi", 415, "not_json"),
        ("application/json", b"", 400, "bad_json"),
        ("application/json", b"null", 400, "bad_json"),
        ("application/json", b"[1]", 400, "bad_json"),
        ("application/json", b"{not json", 400, "bad_json"),
        ("application/json", b"[" * 5000 + b"]" * 5000, 400, "bad_json"),
    ],
)
def test_a_body_must_be_a_json_object(content_type, body, status, reason):
    with pytest.raises(Refused) as refused:
        guard.parse_body(content_type, body)
    assert (refused.value.status, refused.value.reason) == (status, reason)


def test_a_json_body_is_read():
    assert guard.parse_body("application/json; charset=utf-8", b'{"message": "hi"}') == {"message": "hi"}


@pytest.mark.parametrize("value", [None, "", 5, ["hi"], {"text": "hi"}, True])
def test_the_message_must_be_text(value):
    with pytest.raises(Refused, match="no_message"):
        guard.message_text(value)


def test_metadata_is_a_small_object():
    assert guard.metadata({"message_id": "abc", "a": {"b": {"c": 1}}}) == {"message_id": "abc", "a": {"b": {"c": 1}}}
    assert guard.metadata(None) is None
    deep = {}
    for _ in range(1000):
        deep = {"a": deep}
    for bad in ("text", [1], {"a": {"b": {"c": {"d": {"e": 1}}}}}, deep):
        with pytest.raises(Refused, match="bad_metadata"):
            guard.metadata(bad)


def test_a_long_message_is_cut_to_just_over_the_nlu_limit():
    assert guard.cut("a" * 1000) == "a" * 1000
    assert guard.cut("b" * 1_000_000) == "b" * 1001


def test_the_cut_matches_the_length_guard_in_config():
    config = yaml.safe_load((ROOT / "config.yml").read_text())
    limits = [step["max_characters"] for step in config["pipeline"] if step["name"].endswith("MessageLengthGuard")]
    assert limits == [guard.MAX_MESSAGE_CHARACTERS]


def test_the_words_are_read_from_content():
    words = guard.load_request_words()
    assert "999" in words.not_a_message
    assert set(words.errors) == set(guard.ERROR_KEYS)


# ------------------------------------------------------------------ payloads
INTENTS = {
    "ask_dates",
    "give_conference_details",
    "greet",
    "restart",
    "session_start",
    "back",
    "nlu_fallback",
    "delete_my_conversation",
}
OFFERED = ['/give_conference_details{"nation":"wales"}', '/ask_dates{"milestone": "next_review"}', "/affirm"]


@pytest.mark.parametrize(
    "typed, taken",
    [
        ("what is a core group", "what is a core group"),
        ("/greet", "/greet"),
        ("/delete_my_conversation", "/delete_my_conversation"),
        # Exactly a button the bot offered (spacing aside): kept with its entities.
        ('/give_conference_details{"nation":"wales"}', '/give_conference_details{"nation":"wales"}'),
        ('/ask_dates{"milestone":"next_review"}', '/ask_dates{"milestone":"next_review"}'),
        # Entities no button offered: the intent only.
        ('/give_conference_details{"nation":"../../etc/passwd"}', "/give_conference_details"),
        ('/ask_dates{"time": "<b>25:99</b>"}', "/ask_dates"),
        ('/ask_dates{"milestone":"next_review", "nation": "x"}', "/ask_dates"),
        ("/ask_dates@0.1", "/ask_dates"),
        # Rasa's own intents, and unknown ones, are words, not commands.
        ("/restart", "restart"),
        ("/session_start", "session_start"),
        ("  /back", "back"),
        ("/nlu_fallback", "nlu_fallback"),
        ("/not_an_intent", "not_an_intent"),
        ("/", "?"),
    ],
)
def test_typed_payloads_cannot_set_anything(typed, taken):
    assert guard.screen_payload(typed, OFFERED, INTENTS) == taken


def test_offered_payloads_are_read_from_the_bot_s_messages():
    from rasa.shared.core.events import BotUttered, UserUttered

    events = [
        BotUttered("Which?", {"buttons": [{"title": "Wales", "payload": OFFERED[0]}]}),
        UserUttered("hi"),
        BotUttered("ok"),
    ]
    assert guard.offered_payloads(events) == [OFFERED[0]]
    assert guard.needs_offered(OFFERED[0]) and not guard.needs_offered("/greet")
    assert not guard.needs_offered("hello")


def test_a_production_server_will_not_start_without_the_secret(monkeypatch):
    from companion.channels.rest import RestChannel
    from companion.channels.socket_io import SocketIOChannel

    monkeypatch.setattr(tokens, "_shared", None)
    monkeypatch.setenv("CC_ENV", "production")
    monkeypatch.delenv("CC_SESSION_SECRET", raising=False)
    for channel in (RestChannel, SocketIOChannel):
        with pytest.raises(tokens.TokenSecretError, match="refusing to start"):
            channel()
    monkeypatch.setenv("CC_SESSION_SECRET", "p" * 40)
    assert RestChannel()._production
