"""The retention purge as it is scheduled: the command of the compose
"purge" service and of the k8s CronJob (the same one), run from a copy of
what deploy/Dockerfile.rasa puts in the image, with the image's settings,
against this machine's PostgreSQL. An idle conversation older than the
retention period is deleted; a recent one is kept."""

import asyncio
import os
import re
import shlex
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import psycopg2
import yaml
from conftest import ROOT, drop_database


def compose_command():
    loop = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["purge"]["command"]
    assert loop[:2] == ["sh", "-c"]
    match = re.fullmatch(r"while true; do (.+); sleep ([0-9]+); done", loop[2])
    assert match and int(match.group(2)) <= 86400, loop
    return shlex.split(match.group(1))


def cronjob_command():
    docs = yaml.safe_load_all((ROOT / "deploy/k8s/conference-companion.yaml").read_text())
    [job] = [d for d in docs if d and d["kind"] == "CronJob"]
    return job["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["command"]


def image_copy(target: Path) -> dict:
    """What deploy/Dockerfile.rasa COPYs after installing packages, laid out in
    ``target`` as in the image's /app, and the image's ENV settings."""
    env = {}
    for line in (ROOT / "deploy/Dockerfile.rasa").read_text().replace("\\\n", " ").splitlines():
        words = line.split()
        if not words:
            continue
        if words[0] == "COPY" and not words[1].startswith("requirements"):
            *sources, destination = words[1:]
            for source in sources:
                path = ROOT / source
                into = target / destination / (path.name if destination.endswith("/") and path.is_file() else "")
                if path.is_dir():
                    shutil.copytree(
                        path, target / destination, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__")
                    )
                else:
                    into.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy(path, into if destination.endswith("/") else target / destination)
        if words[0] == "ENV":
            env.update(word.split("=", 1) for word in words[1:])
    return env


def store(db_name):
    from rasa.core.tracker_store import TrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.utils.endpoints import read_endpoint_config

    config = read_endpoint_config(str(ROOT / "endpoints.production.yml"), "tracker_store")
    return TrackerStore.create(config, Domain.empty())


def test_the_scheduled_purge_command_deletes_only_idle_conversations(tmp_path, monkeypatch):
    command = compose_command()
    assert command == cronjob_command() == ["python", "scripts/purge.py"]

    db_name = "cc_purge_" + uuid.uuid4().hex[:10]
    settings = dict(
        DB_HOST="127.0.0.1",
        DB_PORT="5432",
        DB_NAME=db_name,
        DB_USER="postgres",
        DB_PASSWORD="",
        ACTION_SERVER_URL="http://actions:5055/webhook",
        REDIS_HOST="127.0.0.1",
        REDIS_PORT="6379",
        REDIS_DB="0",
        REDIS_KEY_PREFIX="ccpurge",
    )
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    try:
        from rasa.shared.core.events import UserUttered
        from rasa.shared.core.trackers import DialogueStateTracker

        tracker_store = store(db_name)
        now = time.time()
        for sender, age_days in (("idle-parent", 45), ("recent-parent", 1)):
            tracker = DialogueStateTracker(sender, slots=[])
            tracker.update(UserUttered("what is a core group", timestamp=now - age_days * 86400))
            asyncio.run(tracker_store.save(tracker))

        app = tmp_path / "app"
        image_env = image_copy(app)
        assert image_env.get("ENDPOINTS") == "endpoints.production.yml"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CC_", "TRACKER_DB", "ENDPOINTS"))}
        env.update(image_env, PYTHONPATH=str(app), **settings)
        python = str(ROOT / ".venv" / "bin" / "python")
        result = subprocess.run(
            [python if command[0] == "python" else command[0], *command[1:]],
            cwd=app,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        assert "deleted 1 idle conversations" in result.stdout, result.stdout

        connection = psycopg2.connect(dbname=db_name, host="127.0.0.1", port=5432, user="postgres")
        with connection, connection.cursor() as cursor:
            cursor.execute("SELECT DISTINCT sender_id FROM events")
            assert sorted(row[0] for row in cursor.fetchall()) == ["recent-parent"]
        connection.close()
    finally:
        drop_database(db_name)
