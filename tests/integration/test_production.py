"""The production shape, for real: two Rasa replicas sharing the PostgreSQL
tracker store and the Redis lock store running on this machine.

Each run uses its own database and Redis key prefix and removes them after.
"""

import json
import os
import signal
import subprocess
import threading
import time
import uuid
from datetime import date, timedelta

import psycopg2
import pytest
from conftest import (
    PG,
    delete_redis_keys,
    drop_database,
    free_port,
    post_message,
    server_env,
    start_action_server,
    start_rasa,
    stop,
)


def texts(replies):
    return "\n".join(r.get("text", "") for r in replies)


def in_words(day):
    return f"{day:%A} {day.day} {day:%B %Y}"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cluster")
    run = uuid.uuid4().hex[:10]
    names = {"DB_NAME": f"cc_test_{run}", "REDIS_KEY_PREFIX": f"cctest{run}"}
    actions_port = free_port()
    env = server_env(
        actions_port,
        tmp / "unused.db",
        DB_HOST=PG["host"],
        DB_PORT=str(PG["port"]),
        DB_USER=PG["user"],
        DB_PASSWORD="",
        REDIS_HOST="127.0.0.1",
        REDIS_PORT="6379",
        REDIS_DB="0",
        **names,
    )
    started, replicas = [], {}
    try:
        started.append(start_action_server(actions_port, env, tmp / "actions.log"))
        ports = [free_port(), free_port()]
        for name, port in zip("ab", ports, strict=True):
            replicas[name] = start_rasa(port, env, tmp / f"rasa-{name}.log", "endpoints.production.yml")
            started.append(replicas[name])
        yield {
            "a": f"http://127.0.0.1:{ports[0]}",
            "b": f"http://127.0.0.1:{ports[1]}",
            "processes": replicas,
            "db": names["DB_NAME"],
            "prefix": names["REDIS_KEY_PREFIX"],
            "logs": [tmp / "actions.log", tmp / "rasa-a.log", tmp / "rasa-b.log"],
        }
    finally:
        stop(*reversed(started))
        drop_database(names["DB_NAME"])
        delete_redis_keys(names["REDIS_KEY_PREFIX"])


def stored_events(cluster, sender):
    connection = psycopg2.connect(dbname=cluster["db"], **PG)
    with connection.cursor() as cursor:
        cursor.execute("SELECT data FROM events WHERE sender_id = %s ORDER BY id", (sender,))
        rows = [json.loads(data) for (data,) in cursor.fetchall()]
    connection.close()
    return rows


def test_a_conversation_alternating_between_replicas_keeps_its_half_filled_form(cluster):
    sender = uuid.uuid4().hex
    conference = date.today() + timedelta(days=15)
    assert texts(post_message(cluster["a"], sender, "when is the first core group")).startswith(
        "What is the date of your conference?"
    )
    asked = texts(post_message(cluster["b"], sender, f"{conference.day}/{conference.month}/{conference.year}"))
    assert asked == f"{in_words(conference)}, is that right?"
    assert texts(post_message(cluster["a"], sender, "yes")).startswith("Is it the first conference")
    answer = texts(post_message(cluster["b"], sender, "it's the initial conference"))
    assert answer.startswith("First core group meeting: by ")
    assert f"Your conference: {in_words(conference)}." in answer


def test_two_messages_at_once_on_two_replicas_are_handled_one_after_the_other(cluster):
    sender = uuid.uuid4().hex
    post_message(cluster["a"], sender, "hello")
    replies = {}

    def send(replica, text):
        replies[replica] = post_message(cluster[replica], sender, text)

    threads = [
        threading.Thread(target=send, args=("a", "what is a core group")),
        threading.Thread(target=send, args=("b", "what is a cp plan")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert texts(replies["a"]).startswith("A core group is a small group")
    assert texts(replies["b"]).startswith("A Child Protection Plan sets out")
    # In the store: each message is followed by its own answer and a listen,
    # never by the other message (which a stale tracker would cause).
    turns = [
        (e.get("parse_data") or {}).get("intent", {}).get("name") if e["event"] == "user" else e.get("name")
        for e in stored_events(cluster, sender)
        if e["event"] in ("user", "action")
    ]
    after_greeting = turns[turns.index("utter_greet") + 2 :]
    assert len(after_greeting) == 6, f"both turns stored whole: {after_greeting}"
    assert sorted([after_greeting[0], after_greeting[3]]) == ["ask_core_group", "ask_cp_plan"]
    answer = {"ask_core_group": "utter_core_group", "ask_cp_plan": "utter_cp_plan"}
    assert after_greeting == [
        after_greeting[0],
        answer[after_greeting[0]],
        "action_listen",
        after_greeting[3],
        answer[after_greeting[3]],
        "action_listen",
    ]


def test_a_replica_killed_mid_conversation_loses_nothing(cluster):
    sender = uuid.uuid4().hex
    conference = date.today() + timedelta(days=16)
    post_message(cluster["a"], sender, "what are all my dates")
    before = stored_events(cluster, sender)
    assert before, "the first message was stored in PostgreSQL"
    cluster["processes"]["a"].send_signal(signal.SIGKILL)
    cluster["processes"]["a"].wait(30)
    asked = texts(post_message(cluster["b"], sender, f"{conference.day}/{conference.month}/{conference.year}"))
    assert asked == f"{in_words(conference)}, is that right?"
    events = stored_events(cluster, sender)
    assert events[: len(before)] == before and len(events) > len(before)


def test_postgresql_restarted_while_traffic_flows(cluster):
    """Runs last: it stops this machine's PostgreSQL for a moment."""
    live = cluster["b"]  # replica a was killed above
    sender = uuid.uuid4().hex
    post_message(live, sender, "what is a core group")
    before = stored_events(cluster, sender)
    assert before
    control = ["pg_ctlcluster", "--skip-systemctl-redirect", sorted(os.listdir("/etc/postgresql"))[-1], "main"]
    subprocess.run(control + ["stop", "-m", "fast"], check=True, timeout=60)
    try:
        during = texts(post_message(live, sender, "can i ask for a break"))
        assert during, "an answer, not silence, while the database is down"
        assert "Traceback" not in during and "Error" not in during
    finally:
        subprocess.run(control + ["start"], check=True, timeout=60)
    # The server recovers by itself: new conversations are stored again.
    after = uuid.uuid4().hex
    for _ in range(15):
        assert texts(post_message(live, after, "what is a cp plan")).startswith("A Child Protection Plan")
        if stored_events(cluster, after):
            break
        time.sleep(1)
    assert stored_events(cluster, after), "storing again after the restart"
    assert stored_events(cluster, sender)[: len(before)] == before, "nothing stored before was lost"


def test_planted_details_are_in_no_column_and_no_log_on_postgresql(cluster):
    """Issue #15 on PostgreSQL: the conversation alternates between the replicas."""
    from planted import found_in, plant

    # Alternating between the replicas still running (an earlier test kills one).
    live = [name for name, process in cluster["processes"].items() if process.poll() is None]
    sender, turn = uuid.uuid4().hex, iter(range(100))
    replies = plant(lambda text: post_message(cluster[live[next(turn) % len(live)]], sender, text))
    assert all(replies)
    connection = psycopg2.connect(dbname=cluster["db"], **PG)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM events")
        columns = [c.name for c in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    connection.close()
    assert any(row["sender_id"] == sender for row in rows)
    assert found_in(rows, cluster["logs"]) == []
