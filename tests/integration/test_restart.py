"""A restart keeps conversations: the SQLite tracker store is a file under var/."""

import json
import os
import sqlite3
import subprocess
import urllib.request
from pathlib import Path

from conftest import free_port
from test_servers import wait_until_up

ROOT = Path(__file__).resolve().parents[2]


def start_rasa(port, env, log):
    process = subprocess.Popen(
        [str(ROOT / ".venv/bin/rasa"), "run", "--model", os.environ.get("MODEL", "models/current.tar.gz"),
         "--port", str(port), "--endpoints", "endpoints.yml", "--credentials", "credentials.yml"],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    wait_until_up(f"http://127.0.0.1:{port}/", process, log, 300)
    return process


def say(port, sender, text):
    body = json.dumps({"sender": sender, "message": text}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/webhooks/rest/webhook", data=body,
                                     headers={"Content-Type": "application/json"})
    return json.loads(urllib.request.urlopen(request, timeout=30).read())


def stored_intents(db, sender):
    with sqlite3.connect(db) as connection:
        rows = connection.execute("SELECT intent_name FROM events WHERE sender_id = ? AND "
                                  "type_name = 'user' ORDER BY id", (sender,)).fetchall()
    return [intent for (intent,) in rows]


def test_a_conversation_survives_a_restart(tmp_path):
    port, actions_port = free_port(), free_port()
    db = tmp_path / "conversations.db"
    env = dict(os.environ, ACTION_SERVER_URL=f"http://127.0.0.1:{actions_port}/webhook",
               SANIC_HOST="127.0.0.1", TRACKER_DB=str(db), RASA_TELEMETRY_ENABLED="false",
               TF_CPP_MIN_LOG_LEVEL="2")
    log = tmp_path / "actions.log"
    actions = subprocess.Popen([str(ROOT / ".venv-actions/bin/python"), "-m", "rasa_sdk",
                                "--actions", "actions", "--port", str(actions_port)],
                               cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    try:
        wait_until_up(f"http://127.0.0.1:{actions_port}/health", actions, log, 60)
        first = start_rasa(port, env, tmp_path / "first.log")
        try:
            assert say(port, "restart-test", "what is a core group")
        finally:
            first.terminate()
            first.wait(timeout=30)
        second = start_rasa(port, env, tmp_path / "second.log")
        try:
            reply = say(port, "restart-test", "when is the review")
            assert reply[0]["text"].startswith("A review conference checks")
        finally:
            second.terminate()
            second.wait(timeout=30)
    finally:
        actions.terminate()
        actions.wait(timeout=30)
    assert stored_intents(db, "restart-test") == ["ask_core_group", "ask_review_conference"]
