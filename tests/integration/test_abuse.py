"""Tried as an attacker would (issue #15), against the real servers.

Bounded input, conversations only their owner can reach, payloads that set
nothing, and an answer or a clean error for every request.
"""

import asyncio
import http.client
import json
import select
import socket
import sqlite3
import threading
import time
import uuid
from urllib.parse import urlparse

import pytest
import socketio
from conftest import DEMO_ORIGIN, post_message

TOKEN_HEADER = "X-Conversation-Token"


def raw_post(servers, body, content_type="application/json", headers=None, path="/webhooks/rest/webhook"):
    """(status, headers, parsed body or text) of one POST, whatever it is.

    Sent as a careful client sends a large body: the headers first, then the
    body in pieces, reading any early answer (a 413) before sending more. A
    server that refuses a body and closes resets the connection once more of
    that body arrives, and the reset throws away an answer not yet read.
    """
    url = urlparse(servers["rasa"])
    sent = {"Host": f"{url.hostname}:{url.port}", "Content-Length": str(len(body)), "Connection": "close"}
    if content_type:
        sent["Content-Type"] = content_type
    sent.update(headers or {})
    head = f"POST {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in sent.items()) + "\r\n"
    with socket.create_connection((url.hostname, url.port), timeout=30) as sock:
        sock.sendall(head.encode("latin-1"))
        for start in range(0, len(body), 65536):
            wait = 0.05 if start == 0 and len(body) > 65536 else 0
            if select.select([sock], [], [], wait)[0]:
                break  # answered early: read it rather than send more
            try:
                sock.sendall(body[start : start + 65536])
            except (BrokenPipeError, ConnectionResetError):
                break
        response = http.client.HTTPResponse(sock)
        response.begin()
        text = response.read().decode("utf-8", "replace")
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = text
    return response.status, response.headers, parsed


def post_json(servers, data, **kwargs):
    return raw_post(servers, json.dumps(data).encode(), **kwargs)


def stored(servers, sender):
    with sqlite3.connect(servers["db"]) as db:
        return db.execute("SELECT COUNT(*) FROM events WHERE sender_id = ?", (sender,)).fetchone()[0]


def texts(replies):
    return "\n".join(r.get("text", "") for r in replies)


# ------------------------------------------------- 1. bounds before work
def timed_post(servers, text, sender=None, body=None):
    started = time.monotonic()
    status, _, replies = (
        raw_post(servers, body)
        if body is not None
        else post_json(servers, {"sender": sender or uuid.uuid4().hex, "message": text})
    )
    return status, replies, time.monotonic() - started


def test_a_megabyte_message_is_refused_at_once_and_delays_no_one(servers):
    """Alone and while a 1 MB message arrives, in turns (so the machine's other
    load falls on both alike); the medians are compared."""
    question = "what is a core group"
    timed_post(servers, question)  # warm up
    huge = json.dumps({"sender": uuid.uuid4().hex, "message": "x" * 1_000_000}).encode()
    alone, meanwhile, refused = [], [], []
    for _ in range(5):
        alone.append(timed_post(servers, question)[2])
        results = {}

        def attack(results=results):
            results.update(huge=timed_post(servers, None, body=huge))

        thread = threading.Thread(target=attack)
        thread.start()
        time.sleep(0.005)
        status, replies, took = timed_post(servers, question)
        thread.join(30)
        assert status == 200 and texts(replies).startswith("A core group is a small group")
        meanwhile.append(took)
        refused.append(results["huge"])
    median = lambda values: sorted(values)[len(values) // 2]  # noqa: E731
    assert all(status == 413 for status, _, _ in refused), refused
    assert median([took for _, _, took in refused]) < 0.2, refused
    assert median(meanwhile) - median(alone) < 0.1, (alone, meanwhile)


def test_a_megabyte_sender_id_is_refused(servers):
    status, _, _ = post_json(servers, {"sender": "s" * 1_000_000, "message": "hi"})
    assert status == 413


def test_a_long_message_is_answered_quickly_and_only_a_marker_is_stored(servers):
    sender = uuid.uuid4().hex
    long = "My son Jayden Okafor is at Oakwood Primary School. " * 280  # 14,560 characters
    status, replies, took = timed_post(servers, long, sender)
    assert status == 200 and texts(replies).startswith("That's a long message for me"), replies
    assert took < 1.0, took
    with sqlite3.connect(servers["db"]) as db:
        data = " ".join(d for (d,) in db.execute("SELECT data FROM events WHERE sender_id = ?", (sender,)))
    assert "Oakwood" not in data and "Jayden" not in data and "[long message]" in data


# ------------------------------------------- 3. only the owner's conversation
def test_rest_another_conversations_id_or_token_gets_nothing(servers):
    owner = uuid.uuid4().hex
    first = post_message(servers["rasa"], owner, "my conference is on 3/12/2030 when is the review")
    assert first
    before = stored(servers, owner)
    other_token = post_json(servers, {"message": "hello"})[1][TOKEN_HEADER]
    attempts = [
        {"sender": owner, "message": "what are all my dates"},
        {"sender": owner, "message": "yes"},
        {"sender": owner, "message": "delete my conversation"},
        {"sender": owner, "token": other_token, "message": "what are all my dates"},
        {"sender": owner, "token": owner + ".forged", "message": "what are all my dates"},
        {"token": owner + "." + "A" * 43, "message": "what are all my dates"},
    ]
    for attempt in attempts:
        status, _, body = post_json(servers, attempt)
        assert status in (401, 403), (attempt, status, body)
        assert "2030" not in json.dumps(body)
    assert stored(servers, owner) == before
    # The owner, with the token, carries on.
    assert (
        "is that right" in texts(post_message(servers["rasa"], owner, "what are all my dates"))
        or stored(servers, owner) > before
    )


def test_rest_a_new_conversation_gets_its_token_and_an_empty_sender_is_refused(servers):
    status, headers, replies = post_json(servers, {"message": "what is a core group"})
    assert status == 200 and replies
    conversation = headers[TOKEN_HEADER].rsplit(".", 1)[0]
    assert stored(servers, conversation) > 0
    assert post_json(servers, {"sender": "", "message": "hi"})[0] == 400
    assert stored(servers, "default") == 0
    status, _, session = post_json(servers, {}, path="/webhooks/rest/session")
    assert status == 200 and session["token"].startswith(session["sender"] + ".")
    status, _, replies = post_json(servers, {"token": session["token"], "message": "what is a core group"})
    assert status == 200 and texts(replies).startswith("A core group is a small group")


async def socket_client(servers, received, confirmations):
    client = socketio.AsyncClient(reconnection=False)
    client.on("bot_uttered", lambda data: received.append(data))
    client.on("session_confirm", lambda data: confirmations.put_nowait(data))
    await client.connect(servers["rasa"], socketio_path="socket.io", transports=["websocket"])
    return client


async def until(condition, seconds=20):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


def test_socketio_another_sessions_id_or_token_gets_neither_replies_nor_data(servers):
    async def attack():
        mine, theirs = [], []
        my_confirms, their_confirms = asyncio.Queue(), asyncio.Queue()
        owner = await socket_client(servers, mine, my_confirms)
        attacker = await socket_client(servers, theirs, their_confirms)
        try:
            await owner.emit("session_request", {"session_id": None})
            confirmed = await asyncio.wait_for(my_confirms.get(), 10)
            session_id, token = confirmed["session_id"], confirmed["token"]
            # No Origin header, another session's id; then a forged token.
            for request in ({"session_id": session_id}, {"session_id": session_id, "token": session_id + ".x"}):
                await attacker.emit("session_request", request)
                got = await asyncio.wait_for(their_confirms.get(), 10)
                assert got["session_id"] != session_id
            await attacker.emit("user_uttered", {"message": "what is a core group", "session_id": session_id})
            await owner.emit("user_uttered", {"message": "what is a cp plan", "session_id": session_id})
            await until(
                lambda: any(m.get("quick_replies") for m in mine) and any(m.get("quick_replies") for m in theirs)
            )
            await asyncio.sleep(1)
            return mine, theirs, token
        finally:
            await owner.disconnect()
            await attacker.disconnect()

    mine, theirs, token = asyncio.run(attack())
    assert mine[0]["text"].startswith("A Child Protection Plan") and not any(
        m.get("text", "").startswith("A core group") for m in mine
    )
    assert theirs[0]["text"].startswith("A core group") and not any(
        m.get("text", "").startswith("A Child Protection Plan") for m in theirs
    )

    async def come_back():
        again, confirms = [], asyncio.Queue()
        client = await socket_client(servers, again, confirms)
        try:
            await client.emit("session_request", {"session_id": token.split(".")[0], "token": token})
            return await asyncio.wait_for(confirms.get(), 10)
        finally:
            await client.disconnect()

    assert asyncio.run(come_back())["session_id"] == token.split(".")[0]  # the owner, with the token


# -------------------------------------------- 7, 8. malformed requests
DEEP = '{"a": ' * 1000 + "1" + "}" * 1000


@pytest.mark.parametrize(
    "body, content_type",
    [
        (b"", "application/json"),
        (b"null", "application/json"),
        (b"[]", "application/json"),
        (b"{}", "application/json"),
        (b"{not json", "application/json"),
        (json.dumps({"sender": "s1", "message": None}).encode(), "application/json"),
        (json.dumps({"sender": "s1", "message": ""}).encode(), "application/json"),
        (json.dumps({"sender": "s1", "message": 5}).encode(), "application/json"),
        (json.dumps({"sender": "s1", "message": ["hi"]}).encode(), "application/json"),
        (json.dumps({"sender": "s1", "message": {"text": "hi"}}).encode(), "application/json"),
        (json.dumps({"sender": 5, "message": "hi"}).encode(), "application/json"),
        (json.dumps({"sender": "s" * 65, "message": "hi"}).encode(), "application/json"),
        (('{"sender": "s1", "message": "hi", "metadata": ' + DEEP + "}").encode(), "application/json"),
        (json.dumps({"sender": "s1", "message": "hi", "metadata": "x"}).encode(), "application/json"),
        (json.dumps({"sender": "s1", "message": "hi"}).encode(), "text/plain"),
        (b"sender=s1&message=hi", "application/x-www-form-urlencoded"),
    ],
)
def test_every_malformed_rest_request_gets_a_clean_400(servers, body, content_type):
    before = stored(servers, "s1"), stored(servers, "default")
    status, _, answer = raw_post(servers, body, content_type)
    assert status in (400, 415), (status, answer)
    assert isinstance(answer, dict) and answer["error"]
    assert (stored(servers, "s1"), stored(servers, "default")) == before


def test_rest_refuses_a_page_of_another_origin(servers):
    sender = uuid.uuid4().hex
    status, _, answer = post_json(
        servers, {"sender": sender, "message": "hi"}, headers={"Origin": "https://evil.example"}
    )
    assert status == 403 and answer["error"]
    assert stored(servers, sender) == 0
    status, _, _ = post_json(servers, {"sender": sender, "message": "hi"}, headers={"Origin": DEMO_ORIGIN})
    assert status == 200


@pytest.mark.parametrize("message", [None, "", 5, ["hi"], {"text": "hi"}])
def test_every_malformed_socketio_message_gets_a_kind_answer(servers, message):
    async def send():
        received, confirms = [], asyncio.Queue()
        client = await socket_client(servers, received, confirms)
        try:
            await client.emit("session_request", {})
            await asyncio.wait_for(confirms.get(), 10)
            await client.emit("user_uttered", {"message": message})
            await until(lambda: received)
            return received
        finally:
            await client.disconnect()

    received = asyncio.run(send())
    assert "999" in received[0]["text"]


def test_a_socketio_packet_over_the_limit_is_refused(servers):
    async def send():
        received, confirms = [], asyncio.Queue()
        client = await socket_client(servers, received, confirms)
        await client.emit("session_request", {})
        await asyncio.wait_for(confirms.get(), 10)
        await client.emit("user_uttered", {"message": "x" * 1_000_000})
        await until(lambda: not client.connected, 5)
        return received

    assert asyncio.run(send()) == []


# ----------------------------------------------- 5. payloads set nothing
def slots(servers, sender):
    with sqlite3.connect(servers["db"]) as db:
        rows = db.execute("SELECT data FROM events WHERE sender_id = ? AND type_name = 'slot'", (sender,))
        return {json.loads(d)["name"]: json.loads(d)["value"] for (d,) in rows}


@pytest.mark.parametrize(
    "payload",
    [
        '/ask_dates{"nation": "../../profile"}',
        '/give_conference_details{"nation": "../../../etc/passwd"}',
        '/ask_dates{"time": "<b>25:99</b>"}',
        '/ask_dates{"date": "1999-01-01", "conference_kind": "pre_birth"}',
        '/give_conference_details{"invalid_date": "<a href=https://evil.example>click</a>"}',
    ],
)
def test_payload_injection_leaves_slots_unchanged(servers, payload):
    sender = uuid.uuid4().hex
    post_message(servers["rasa"], sender, "hello")
    before = slots(servers, sender)
    replies = post_message(servers["rasa"], sender, payload)
    assert replies and all(r.get("text") or r.get("buttons") or r.get("custom") for r in replies)
    after = slots(servers, sender)
    changed = {k: v for k, v in after.items() if before.get(k) != v and v is not None}
    assert not {"conference_nation", "conference_time", "conference_date", "conference_kind"} & set(changed), changed
    assert "evil.example" not in json.dumps(replies) and "passwd" not in json.dumps(replies)


def test_internal_intents_cannot_be_typed(servers):
    sender = uuid.uuid4().hex
    post_message(servers["rasa"], sender, "my conference is on 3/12/2030")
    for typed in ("/restart", "/session_start", "/back"):
        post_message(servers["rasa"], sender, typed)
    with sqlite3.connect(servers["db"]) as db:
        actions = [
            a
            for (a,) in db.execute(
                "SELECT action_name FROM events WHERE sender_id = ? AND type_name = 'action'", (sender,)
            )
        ]
        intents = [
            i
            for (i,) in db.execute(
                "SELECT intent_name FROM events WHERE sender_id = ? AND type_name = 'user'", (sender,)
            )
        ]
    assert "action_restart" not in actions and "action_back" not in actions
    assert actions.count("action_session_start") == 1
    assert not {"restart", "session_start", "back"} & set(intents)


def test_a_button_the_bot_offered_still_works(servers):
    sender = uuid.uuid4().hex
    replies = post_message(servers["rasa"], sender, "what is a cp plan")
    payload = replies[-1]["buttons"][1]["payload"]
    assert payload == '/ask_dates{"milestone": "next_review"}'
    assert texts(post_message(servers["rasa"], sender, payload)).startswith("What is the date of your")
    with sqlite3.connect(servers["db"]) as db:
        last = [
            json.loads(d)
            for (d,) in db.execute(
                "SELECT data FROM events WHERE sender_id = ? AND type_name = 'user' ORDER BY id", (sender,)
            )
        ][-1]
    assert last["text"] == payload
    assert [(e["entity"], e["value"]) for e in last["parse_data"]["entities"]] == [("milestone", "next_review")]


# ------------------------------------------- 2, 4. planted details (SQLite)
def test_planted_details_are_in_no_column_and_no_log(servers):
    from planted import found_in, plant

    sender = uuid.uuid4().hex
    replies = plant(lambda text: post_message(servers["rasa"], sender, text))
    assert all(replies), "every message was answered"
    assert not any("2019" in texts(r) for r in replies), "a date of birth is never read back"
    with sqlite3.connect(servers["db"]) as db:
        db.row_factory = sqlite3.Row
        rows = [dict(row) for row in db.execute("SELECT * FROM events")]
    assert any(row["sender_id"] == sender for row in rows)
    logs = [servers["rasa_log"], servers["actions_log"]]
    assert found_in(rows, logs) == []
