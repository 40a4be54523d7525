"""Helpers the integration tests share: ports, starting the servers, talking to them."""

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODEL = os.environ.get("MODEL", "models/current.tar.gz")
# The one web origin the test servers accept for socket.io.
DEMO_ORIGIN = "http://localhost:8080"


def free_port():
    """A port nothing listens on now, for servers the tests start."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening_addresses(port):
    """The IPv4 addresses a TCP port is listening on, from /proc/net/tcp (Linux)."""
    addresses = set()
    with open("/proc/net/tcp", encoding="ascii") as table:
        next(table)
        for line in table:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                octets = [str(int(address[i : i + 2], 16)) for i in (6, 4, 2, 0)]
                addresses.add(".".join(octets))
    return addresses


def server_env(actions_port, db, **extra):
    """The environment `make run` gives the servers, with this test's port and database."""
    env = dict(
        os.environ,
        ACTION_SERVER_URL=f"http://127.0.0.1:{actions_port}/webhook",
        SANIC_HOST="127.0.0.1",
        TRACKER_DB=str(db),
        RASA_TELEMETRY_ENABLED="false",
        TF_CPP_MIN_LOG_LEVEL="2",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
        CC_ALLOWED_ORIGINS=DEMO_ORIGIN,
        CC_SESSION_SECRET=SESSION_SECRET,
        **extra,
    )
    env.pop("CC_PROFILE", None)
    return env


def wait_until_up(url, process, log, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited while starting:\n{log.read_text()[-3000:]}")
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(1)
    raise RuntimeError(f"{url} did not answer within {seconds}s:\n{log.read_text()[-3000:]}")


def start_action_server(port, env, log):
    process = subprocess.Popen(
        [str(ROOT / ".venv-actions/bin/python"), "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    wait_until_up(f"http://127.0.0.1:{port}/health", process, log, 60)
    return process


def start_rasa(port, env, log, endpoints="endpoints.yml"):
    process = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/python"),
            "-m",
            "companion.server",
            "run",
            "--model",
            MODEL,
            "--port",
            str(port),
            "--endpoints",
            endpoints,
            "--credentials",
            "credentials.yml",
            "--cors",
            "*",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    wait_until_up(f"http://127.0.0.1:{port}/", process, log, 300)
    return process


def stop(*processes):
    for process in processes:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


# Every test server signs conversation tokens with this secret, so replicas
# and restarted servers accept each other's tokens.
SESSION_SECRET = "integration-tests-session-secret-0123456789"
# sender -> the token the server gave with that conversation's first reply.
_TOKENS = {}


def post_message(base_url, sender, text):
    """The bot's replies to one message on the REST channel (sending the
    conversation's token once the server has given one)."""
    message = {"sender": sender, "message": text}
    if sender in _TOKENS:
        message["token"] = _TOKENS[sender]
    request = urllib.request.Request(
        f"{base_url}/webhooks/rest/webhook",
        data=json.dumps(message).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200
        if response.headers.get("X-Conversation-Token"):
            _TOKENS[sender] = response.headers["X-Conversation-Token"]
        return json.loads(response.read())


# The Twilio auth token the test servers check text-message requests with.
SMS_TOKEN = "test-twilio-auth-token"


@pytest.fixture(scope="session")
def servers(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("servers")
    actions_port, rasa_port = free_port(), free_port()
    sms_url = f"http://127.0.0.1:{rasa_port}/webhooks/twilio/webhook"
    env = server_env(
        actions_port,
        tmp / "conversations.db",
        TWILIO_AUTH_TOKEN=SMS_TOKEN,
        SMS_SENDER_KEY="test-sender-key",
        SMS_PUBLIC_URL=sms_url,
    )
    started = []
    try:
        started.append(start_action_server(actions_port, env, tmp / "actions.log"))
        started.append(start_rasa(rasa_port, env, tmp / "rasa.log"))
        yield {
            "rasa": f"http://127.0.0.1:{rasa_port}",
            "actions": f"http://127.0.0.1:{actions_port}",
            "db": tmp / "conversations.db",
            "sms_url": sms_url,
            "rasa_log": tmp / "rasa.log",
            "actions_log": tmp / "actions.log",
        }
    finally:
        stop(*reversed(started))


# ------------------------------------------------ the launcher, and clean-up
def start_launcher(env, output, limit=400):
    """scripts/run with ``env``, its output in ``output``; returns once it is running."""
    log = open(output, "w+")  # noqa: SIM115 (the launcher writes to it for as long as it runs)
    process = subprocess.Popen(
        [str(ROOT / "scripts" / "run")], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    deadline = time.monotonic() + limit
    while "is running" not in Path(output).read_text():
        assert process.poll() is None, Path(output).read_text()
        assert time.monotonic() < deadline, f"not ready in {limit}s"
        time.sleep(1)
    return process


def kill_launcher(process):
    """Stops whatever the launcher started, if it is still running."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(30)


PG = dict(host="127.0.0.1", port=5432, user="postgres")


def drop_database(name):
    import psycopg2

    connection = psycopg2.connect(dbname="postgres", **PG)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    connection.close()


def delete_redis_keys(prefix):
    import redis

    store = redis.Redis()
    for key in store.scan_iter(f"{prefix}:*"):
        store.delete(key)


@contextlib.contextmanager
def two_replicas(name, output, extra=lambda lb: {}):
    """`make run-cluster`'s shape through the launcher: two Rasa replicas
    (ports lb + 1 and lb + 2) behind nginx (port lb), on this machine's
    PostgreSQL (database cc_<name>_<run>) and Redis (keys cc<name><run>).
    ``extra(lb)``: more of the environment. Yields lb, replicas, web, db,
    launcher and env; then stops the launcher and removes what it stored."""
    run = uuid.uuid4().hex[:10]
    lb, actions, web, charity = free_port(), free_port(), free_port(), free_port()
    while any(p in (lb + 1, lb + 2) for p in (actions, web, charity)):
        lb = free_port()
    db, prefix = f"cc_{name}_{run}", f"cc{name}{run}"
    env = dict(
        os.environ,
        REPLICAS="2",
        ENDPOINTS="endpoints.production.yml",
        RASA_PORT=str(lb),
        ACTIONS_PORT=str(actions),
        WEB_PORT=str(web),
        CHARITY_PORT=str(charity),
        DB_HOST="127.0.0.1",
        DB_PORT="5432",
        DB_NAME=db,
        DB_USER="postgres",
        DB_PASSWORD="",
        REDIS_HOST="127.0.0.1",
        REDIS_PORT="6379",
        REDIS_DB="0",
        REDIS_KEY_PREFIX=prefix,
        RASA_TELEMETRY_ENABLED="false",
        **extra(lb),
    )
    env.pop("ACTION_SERVER_URL", None)
    launcher = start_launcher(env, output)
    try:
        yield {"lb": lb, "replicas": (lb + 1, lb + 2), "web": web, "db": db, "launcher": launcher, "env": env}
    finally:
        kill_launcher(launcher)
        drop_database(db)
        delete_redis_keys(prefix)
