"""Supervision in `make run-cluster`: two replicas behind nginx, on this
machine's PostgreSQL and Redis, through the launcher.

- Under bounded load (bench/bench_load.py's parents, loopback only), one
  replica is killed with SIGKILL: no stored turn is lost, at least 99 % of
  messages are answered (a client resends once with the same message id,
  as the widget does) and the replica is back within 30 seconds.
- The SMS MORE remainder kept by one replica is sent by the other.
"""

import asyncio
import os
import signal
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import xml.etree.ElementTree as ET
from collections import Counter

import aiohttp
import psycopg2
import pytest
from conftest import ROOT, two_replicas
from twilio.request_validator import RequestValidator

from companion.channels.sms_text import load_sms_words

sys.path.insert(0, str(ROOT / "bench"))
import bench_load  # noqa: E402

TOKEN = "test-twilio-auth-token"
WORDS = load_sms_words()


def _sms_and_load(lb):
    return dict(
        LOG_LEVEL="WARNING",
        CC_MESSAGES_PER_MINUTE="100000",
        CC_SESSION_SECRET="supervision-test-session-secret-0123456789",
        TWILIO_AUTH_TOKEN=TOKEN,
        SMS_SENDER_KEY="test-sender-key",
        SMS_PUBLIC_URL=f"http://127.0.0.1:{lb}/webhooks/twilio/webhook",
    )


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    output = tmp_path_factory.mktemp("supervision") / "run.out"
    with two_replicas("super", output, _sms_and_load) as running:
        yield {
            **running,
            "state": ROOT / "var" / "cluster" / str(running["lb"]),
            "public_sms": running["env"]["SMS_PUBLIC_URL"],
        }


def text_replica(cluster, port, phone, body):
    params = {"From": phone, "To": "+441632960000", "Body": body, "MessageSid": "SM" + uuid.uuid4().hex}
    signature = RequestValidator(TOKEN).compute_signature(cluster["public_sms"], params)
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/webhooks/twilio/webhook",
        data=urllib.parse.urlencode(params).encode(),
        headers={"X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"},
    )
    with urllib.request.urlopen(request, timeout=30) as reply:
        return [m.text or "" for m in ET.fromstring(reply.read()).iter("Message")]


def test_more_kept_by_one_replica_is_sent_by_the_other(cluster):
    a, b = cluster["replicas"]
    # A first text gets the privacy lines before the answer: one of these
    # answers needs more than the texts sent at once.
    for question in (
        "can i bring my mum with me to the meeting",
        "what happens at the meeting",
        "what is a child protection plan",
        "how do i complain about the conference",
    ):
        phone = "+447700" + str(uuid.uuid4().int)[:6]
        first = text_replica(cluster, a, phone, question)
        if first[-1].endswith(WORDS.more):
            break
    assert first[-1].endswith(WORDS.more), first
    rest = text_replica(cluster, b, phone, "MORE")
    assert WORDS.nothing_more not in rest[0] and rest[0] not in first
    for _ in range(6):  # the remainder runs out, on whichever replica
        if WORDS.nothing_more in rest[0]:
            break
        rest = text_replica(cluster, (a, b)[_ % 2], phone, "MORE")
    assert WORDS.nothing_more in rest[0]


def test_each_replica_says_ready_when_its_model_answers(cluster):
    for port in cluster["replicas"]:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/webhooks/ready/", timeout=10) as reply:
            assert reply.status == 200 and b'"ready"' in reply.read()


def up(port):
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).read()
        return True
    except (urllib.error.URLError, ConnectionError, OSError):
        return False


def test_a_replica_killed_under_load_loses_no_turn_and_comes_back(cluster):
    base = f"http://127.0.0.1:{cluster['lb']}"
    victim_port = cluster["replicas"][0]
    prefix = "super-" + uuid.uuid4().hex[:8] + "-"
    answered, failed, resent = Counter(), [], [0]
    lines = bench_load.script()
    stop = asyncio.Event()
    killed_at, back_at = [None], [None]

    async def parent(session, n):
        while not stop.is_set():
            sender = f"{prefix}{n}-{uuid.uuid4().hex[:6]}"
            for text in lines:
                if stop.is_set():
                    return
                message_id = uuid.uuid4().hex
                for attempt in (1, 2):  # as the widget: one resend, same message id
                    try:
                        await bench_load.send(session, base, sender, text, message_id=message_id)
                        answered[sender] += 1
                        break
                    except Exception as error:  # noqa: BLE001 - counted below
                        if attempt == 2:
                            failed.append(f"{sender}: {text}: {error}")
                        else:
                            resent[0] += 1

    async def killer():
        await asyncio.sleep(5)
        pid = int((cluster["state"] / f"rasa-{victim_port}.pid").read_text())
        os.kill(pid, signal.SIGKILL)
        killed_at[0] = time.monotonic()
        while time.monotonic() - killed_at[0] < 60:
            await asyncio.sleep(0.5)
            if await asyncio.to_thread(up, victim_port):
                back_at[0] = time.monotonic()
                break
        await asyncio.sleep(8)  # traffic on both again
        stop.set()

    async def run():
        connector = aiohttp.TCPConnector(limit=12)
        async with aiohttp.ClientSession(connector=connector) as session:
            await asyncio.gather(killer(), *(parent(session, n) for n in range(12)))

    asyncio.run(run())
    total = sum(answered.values()) + len(failed)
    print(
        f"{total} messages, {len(failed)} unanswered, {resent[0]} resent, "
        f"replica back after {back_at[0] and round(back_at[0] - killed_at[0], 1)} s"
    )
    assert killed_at[0] is not None
    assert total >= 100
    assert sum(answered.values()) >= 0.99 * total, failed[:5]

    # Every answered message is stored as the parent's turn, exactly once.
    connection = psycopg2.connect(dbname=cluster["db"], host="127.0.0.1", port=5432, user="postgres")
    with connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT sender_id, count(*) FROM events WHERE type_name = 'user' AND sender_id LIKE %s GROUP BY sender_id",
            (prefix + "%",),
        )
        stored = dict(cursor.fetchall())
        cursor.execute(
            "SELECT sender_id, data::json->'metadata'->>'message_id', count(*) FROM events "
            "WHERE type_name = 'user' AND sender_id LIKE %s GROUP BY 1, 2 HAVING count(*) > 1",
            (prefix + "%",),
        )
        twice = cursor.fetchall()
    connection.close()
    lost = {s: (n, stored.get(s, 0)) for s, n in answered.items() if stored.get(s, 0) < n}
    assert lost == {}, lost
    assert twice == [], twice
    assert cluster["launcher"].poll() is None  # the launcher kept running
    log = (ROOT / "var" / "log" / "supervisor.log").read_text()
    assert f"rasa-{victim_port} stopped" in log
    # Last, so the checks above are made whatever the restart took.
    assert back_at[0] is not None, "the killed replica was not back within 60 s"
    assert back_at[0] - killed_at[0] <= 30


def test_ctrl_c_stops_every_process_the_cluster_started(cluster):
    """After a replica was restarted by its supervisor: Ctrl-C (SIGINT to the
    launcher alone) still stops nginx, both replicas and the action server."""
    launcher, lb = cluster["launcher"], cluster["lb"]
    ports = [lb, *cluster["replicas"]]
    assert launcher.poll() is None
    launcher.send_signal(signal.SIGINT)
    launcher.wait(timeout=90)
    deadline = time.monotonic() + 30
    while any(up(port) for port in ports) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert [port for port in ports if up(port)] == []
    assert not list(cluster["state"].glob("*.pid")), "a supervisor left its pid file: it did not stop"
