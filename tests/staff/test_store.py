"""The tracker store is only read; labels go when their conversation goes."""

import asyncio
import sqlite3
import time

import psycopg2
import pytest
import sqlalchemy as sa
from conftest import Browser
from seed import DAY, seed

from staff.conversations import conversations
from staff.queue import all_message_keys
from staff.reviews import ReviewStore, conversation_key, forget_before, message_key
from staff.tracker import TrackerLocation, TrackerReader, tracker_location

PG = dict(host="127.0.0.1", port=5432, user="postgres")
WRITES = [
    "INSERT INTO events (sender_id, type_name, timestamp, data) VALUES ('x', 'user', 1, '{}')",
    "DELETE FROM events",
    "UPDATE events SET data = '{}'",
    "DROP TABLE events",
    "CREATE TABLE staff_sneaky (id integer)",
]


def sqlite_reader(path):
    return TrackerReader(TrackerLocation("sqlite", sa.engine.URL.create("sqlite", database=str(path)), path))


@pytest.mark.parametrize("statement", WRITES)
def test_the_app_cannot_write_to_a_sqlite_tracker_store(tmp_path, statement):
    seed(f"sqlite:///{tmp_path / 'c.db'}")
    with sqlite3.connect(tmp_path / "c.db") as db:  # the bot's WAL mode, as the Rasa server sets it
        db.execute("PRAGMA journal_mode=WAL")
    reader = sqlite_reader(tmp_path / "c.db")
    assert len(list(reader.events(0, time.time()))) > 50
    with pytest.raises(sa.exc.OperationalError, match="readonly"), reader.engine.begin() as connection:
        connection.exec_driver_sql(statement)
    with sqlite3.connect(tmp_path / "c.db") as db:
        assert db.execute("SELECT count(*) FROM events WHERE sender_id = 'x'").fetchone() == (0,)
        assert db.execute("SELECT count(*) FROM events").fetchone()[0] > 50


@pytest.fixture()
def postgres_tracker(monkeypatch):
    name = f"staff_test_{int(time.time() * 1000)}"
    admin = psycopg2.connect(dbname="postgres", **PG)
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql://postgres@127.0.0.1:5432/{name}"
    seed(url)
    for key, value in dict(
        DB_HOST="127.0.0.1", DB_PORT="5432", DB_NAME=name, DB_USER="postgres", DB_PASSWORD=""
    ).items():
        monkeypatch.setenv(key, value)
    yield name
    admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.mark.parametrize("statement", WRITES)
def test_the_app_cannot_write_to_a_postgresql_tracker_store(postgres_tracker, statement):
    from pathlib import Path

    location = tracker_location(Path(__file__).resolve().parents[2] / "endpoints.production.yml")
    assert location.dialect == "postgresql" and location.url.database == postgres_tracker
    reader = TrackerReader(location)
    assert len(list(reader.events(0, time.time()))) > 50
    with pytest.raises(sa.exc.InternalError, match="read-only transaction"), reader.engine.begin() as connection:
        connection.exec_driver_sql(statement)
    reader.dispose()
    check = psycopg2.connect(dbname=postgres_tracker, **PG)
    with check.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM events WHERE sender_id = 'x'")
        assert cursor.fetchone() == (0,)
    check.close()


def test_a_missing_tracker_database_reads_as_empty(tmp_path):
    reader = sqlite_reader(tmp_path / "not-yet.db")
    assert list(reader.events(0, time.time())) == []
    assert not (tmp_path / "not-yet.db").exists()  # and it is not created


def test_the_seed_is_what_rasa_stores(tmp_path):
    """Rasa's own tracker store reads the seeded events back, unchanged."""
    import json

    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import Event

    from companion.stores.tracker_store import RedactingSQLTrackerStore

    seeded = seed(f"sqlite:///{tmp_path / 'c.db'}")
    store = RedactingSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "c.db"))
    for sender, events in seeded.conversations.items():
        tracker = asyncio.run(store.retrieve_full_tracker(sender))
        assert [json.loads(json.dumps(e.as_dict())) for e in tracker.events] == [
            json.loads(json.dumps(Event.from_parameters(e).as_dict())) for e in events
        ]
        for event in events:
            assert Event.from_parameters(event).as_dict() == event


def label_all(store: ReviewStore, seeded):
    for sender, events in seeded.conversations.items():
        for event in events:
            if event["event"] == "user":
                store.label(sender, event["timestamp"], "not_relevant", None, "", "text", "alice")


def test_deleting_a_conversation_or_the_retention_purge_deletes_its_labels(tmp_path, monkeypatch):
    from rasa.shared.core.domain import Domain

    from companion.stores.tracker_store import RedactingSQLTrackerStore

    monkeypatch.setenv("STAFF_DB", f"sqlite:///{tmp_path / 'staff.db'}")
    seeded = seed(f"sqlite:///{tmp_path / 'c.db'}")
    labels = ReviewStore(f"sqlite:///{tmp_path / 'staff.db'}")
    label_all(labels, seeded)
    count = len(labels.reviews())
    store = RedactingSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "c.db"))

    store.delete("web-9b1f00c3aa")  # "delete my conversation"
    left = {r.conversation for r in labels.reviews()}
    assert conversation_key("web-9b1f00c3aa") not in left and len(left) == len(seeded.conversations) - 1

    store.purge_idle_conversations(time.time() - 30 * DAY)  # the old conversation goes
    assert conversation_key("web-old-01") not in {r.conversation for r in labels.reviews()}
    assert len(labels.reviews()) == count - 2 - 1

    labels.label("web-4d2c9a77e1", time.time() - 40 * DAY, "not_relevant", None, "", "t", "alice")
    assert forget_before(time.time() - 30 * DAY) == 1  # scripts/purge.py: older messages' labels


def test_labels_of_conversations_deleted_behind_the_apps_back_go_at_the_next_read(server):
    browser = Browser(server)
    browser.sign_in()
    queue = browser.get("/queue").text
    import re

    ident = re.findall(r'name="item" value="([^"]+)"', queue)[-1]  # the oldest: web-51aa2b0e93
    browser.post("/queue/label", {"csrf": browser.csrf(queue), "item": ident, "kind": "not_relevant"})
    labels = ReviewStore(f"sqlite:///{server.staff_db}")
    key = conversation_key("web-51aa2b0e93")
    assert key in {r.conversation for r in labels.reviews()}
    with sqlite3.connect(server.tracker) as db:  # as another process's delete would
        db.execute("DELETE FROM events WHERE sender_id = 'web-51aa2b0e93'")
    browser.get("/queue")
    assert key not in {r.conversation for r in labels.reviews()}


def test_keep_only_drops_labels_past_retention_and_of_missing_messages(tmp_path):
    seeded = seed(f"sqlite:///{tmp_path / 'c.db'}")
    labels = ReviewStore(f"sqlite:///{tmp_path / 'staff.db'}")
    label_all(labels, seeded)
    reader = sqlite_reader(tmp_path / "c.db")
    current = all_message_keys(conversations(reader.events(0, time.time() + DAY)))
    cutoff = time.time() - 30 * DAY
    deleted = labels.keep_only(current, cutoff)
    old = [e for e in seeded.conversations["web-old-01"] if e["event"] == "user"]
    assert deleted == len(old)
    assert message_key("web-old-01", old[0]["timestamp"]) not in labels.by_message()
    assert all(r.event_time >= cutoff for r in labels.reviews())


def test_with_postgresql_the_labels_are_a_table_in_the_same_database_and_go_with_a_delete(
    postgres_tracker, monkeypatch
):
    from rasa.shared.core.domain import Domain

    from companion.stores.tracker_store import RedactingSQLTrackerStore
    from staff.reviews import review_url

    monkeypatch.delenv("STAFF_DB", raising=False)
    url = review_url(f"postgresql://postgres@127.0.0.1:5432/{postgres_tracker}")
    assert url.endswith(f"/{postgres_tracker}")
    labels = ReviewStore(url)
    labels.label("web-4d2c9a77e1", time.time() - DAY, "not_relevant", None, "", "text", "alice")
    labels.label("web-9b1f00c3aa", time.time() - DAY, "not_relevant", None, "", "text", "alice")
    store = RedactingSQLTrackerStore(
        Domain.empty(),
        dialect="postgresql",
        host="127.0.0.1",
        port=5432,
        db=postgres_tracker,
        username="postgres",
        login_db="postgres",
    )
    store.delete("web-9b1f00c3aa")
    assert [r.conversation for r in labels.reviews()] == [conversation_key("web-4d2c9a77e1")]
    store.engine.dispose()
    labels.dispose()
