"""Shared state across replicas (companion/stores/shared_state.py): the rate
limit, the SMS MORE remainder and handled message ids, in Redis (this
machine's, 127.0.0.1:6379) and in-process, chosen from the endpoints file."""

import uuid

import pytest
import redis

from companion.server import endpoints_argument
from companion.stores import shared_state as ss


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def client():
    connection = redis.Redis(host="127.0.0.1", port=6379, db=0)
    prefix = "cctest" + uuid.uuid4().hex[:8]
    yield connection, prefix
    for key in connection.scan_iter(f"{prefix}:*"):
        connection.delete(key)


def two_replicas(client):
    """Two replicas' views of one Redis: separate clients, same prefix."""
    connection, prefix = client
    other = redis.Redis(host="127.0.0.1", port=6379, db=0)
    return ss.SharedState("redis", connection, prefix), ss.SharedState("redis", other, prefix)


def test_the_rate_limit_counts_every_replica_s_messages(client):
    first, second = two_replicas(client)
    a, b = first.rate_limiter(4, 60), second.rate_limiter(4, 60)
    allowed = [limiter.allow("parent-1") for limiter in (a, b, a, b, a, b)]
    assert allowed == [True, True, True, True, False, False]
    assert a.allow("parent-2") and b.allow("parent-2")  # another conversation is not limited


def test_the_redis_rate_limit_window_slides(client):
    state, _ = two_replicas(client)
    limiter = state.rate_limiter(2, 0.3)
    assert [limiter.allow("p") for _ in range(3)] == [True, True, False]
    import time

    time.sleep(0.35)
    assert limiter.allow("p")
    connection, prefix = client
    assert 0 < connection.pttl(f"{prefix}:rate:p") <= 300


def test_more_sent_by_one_replica_is_sent_by_another_once(client):
    first, second = two_replicas(client)
    first.more_store().put("phone-hash", "the rest of a long answer, with £ and é")
    assert second.more_store().pop("phone-hash") == "the rest of a long answer, with £ and é"
    assert first.more_store().pop("phone-hash") == ""


def test_more_expires_and_can_be_forgotten(client):
    connection, prefix = client
    store = ss.RedisMoreStore(connection, prefix, seconds=60)
    store.put("s", "rest")
    assert 0 < connection.ttl(f"{prefix}:more:s") <= 60
    store.forget("s")
    assert store.pop("s") == ""


def test_a_message_id_is_handled_once_across_replicas(client):
    first, second = two_replicas(client)
    ids_a, ids_b = first.message_ids(), second.message_ids()
    assert ids_a.claim("parent", "m1")
    assert not ids_b.claim("parent", "m1")  # the resend reached the other replica
    assert ids_b.claim("other-parent", "m1")  # ids are per conversation
    ids_a.done("parent", "m1")
    connection, prefix = client
    assert ss.WORKING_SECONDS < connection.ttl(f"{prefix}:msgid:parent:m1") <= ss.DONE_SECONDS
    assert not ids_b.claim("parent", "m1")


def test_a_released_message_id_can_be_handled_again(client):
    state, other = two_replicas(client)
    assert state.message_ids().claim("p", "m")
    state.message_ids().release("p", "m")
    assert other.message_ids().claim("p", "m")


def test_redis_down_lets_messages_through_and_does_not_raise():
    gone = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    state = ss.SharedState("redis", gone, "x")
    assert state.rate_limiter(1).allow("p") and state.rate_limiter(1).allow("p")
    assert state.message_ids().claim("p", "m") and state.message_ids().claim("p", "m")
    state.more_store().put("p", "rest")
    assert state.more_store().pop("p") == ""


def test_in_process_versions_behave_alike():
    clock = Clock()
    limiter = ss.InProcessRateLimiter(2, 60, clock)
    assert [limiter.allow("p") for _ in range(3)] == [True, True, False]
    clock.now += 60
    assert limiter.allow("p")

    more = ss.InProcessMoreStore(seconds=100, clock=clock)
    more.put("p", "rest")
    assert more.pop("p") == "rest" and more.pop("p") == ""
    more.put("p", "rest")
    clock.now += 101
    assert more.pop("p") == ""

    ids = ss.InProcessMessageIds(clock)
    assert ids.claim("p", "m") and not ids.claim("p", "m")
    clock.now += ss.WORKING_SECONDS + 1  # its replica died while handling it
    assert ids.claim("p", "m")
    ids.done("p", "m")
    clock.now += ss.WORKING_SECONDS + 1
    assert not ids.claim("p", "m")
    clock.now += ss.DONE_SECONDS
    assert ids.claim("p", "m")


def test_the_in_process_store_is_bounded(monkeypatch):
    monkeypatch.setattr(ss, "MAX_ENTRIES", 3)
    more = ss.InProcessMoreStore()
    for n in range(5):
        more.put(f"p{n}", "x")
    assert [more.pop(f"p{n}") for n in range(5)] == ["", "", "x", "x", "x"]


def test_the_choice_follows_the_endpoints_file(tmp_path, monkeypatch):
    monkeypatch.setenv("ACTION_SERVER_URL", "http://127.0.0.1:5055/webhook")
    monkeypatch.setenv("TRACKER_DB", "x.db")
    assert ss.from_endpoints("endpoints.yml").kind == "process"
    for name, value in dict(
        REDIS_HOST="127.0.0.1",
        REDIS_PORT="6379",
        REDIS_DB="0",
        REDIS_KEY_PREFIX="ccx",
        DB_HOST="h",
        DB_PORT="1",
        DB_NAME="n",
        DB_USER="u",
        DB_PASSWORD="",
    ).items():
        monkeypatch.setenv(name, value)
    state = ss.from_endpoints("endpoints.production.yml")
    assert state.kind == "redis" and state.prefix == "ccx"
    assert state.client.ping()
    plain = tmp_path / "endpoints.yml"
    plain.write_text("lock_store:\n  type: redis\n  url: 127.0.0.1\n  port: 6379\n")
    assert ss.from_endpoints(str(plain)).kind == "redis"
    other = tmp_path / "other.yml"
    other.write_text("lock_store:\n  type: in_memory\n")
    assert ss.from_endpoints(str(other)).kind == "process"


def test_the_server_passes_its_endpoints_file_on():
    assert endpoints_argument(["run", "--model", "m", "--endpoints", "e.yml"]) == "e.yml"
    assert endpoints_argument(["run", "--endpoints=p.yml"]) == "p.yml"
    assert endpoints_argument(["run", "--model", "m"]) == ""


def test_only_a_short_printable_message_id_is_used():
    assert ss.message_id_of({"message_id": "abc-1"}) == "abc-1"
    assert ss.message_id_of({"message_id": "x" * 101}) is None
    assert ss.message_id_of({"message_id": 5}) is None
    assert ss.message_id_of({"message_id": "a\nb"}) is None
    assert ss.message_id_of(None) is None and ss.message_id_of("message_id") is None


def test_a_resend_waits_while_another_replica_handles_it_then_is_dropped(client):
    import asyncio

    first, second = two_replicas(client)
    a, b = first.message_ids(), second.message_ids()
    assert asyncio.run(ss.first_time(a, "p", "m"))

    async def resend_while_first_finishes():
        waiting = asyncio.ensure_future(ss.first_time(b, "p", "m", poll=0.05))
        await asyncio.sleep(0.2)
        assert not waiting.done()  # still being handled: the resend waits
        a.done("p", "m")
        return await asyncio.wait_for(waiting, 2)

    assert asyncio.run(resend_while_first_finishes()) is False
    assert b.handled("p", "m")


def test_a_resend_is_handled_when_the_first_replica_died(client, monkeypatch):
    import asyncio

    monkeypatch.setattr(ss, "WORKING_SECONDS", 1)
    first, second = two_replicas(client)
    assert first.message_ids().claim("p", "m")  # and then its replica was killed

    async def take_over():
        handled_here = await ss.first_time(second.message_ids(), "p", "m", poll=0.1)
        return handled_here, ss.TAKEN_OVER.get()

    assert asyncio.run(take_over()) == (True, True)  # the store checks before writing it again

    async def fresh():
        return await ss.first_time(second.message_ids(), "p", "new"), ss.TAKEN_OVER.get()

    assert asyncio.run(fresh()) == (True, False)
