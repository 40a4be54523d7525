"""Two replicas asking for a ticket at the same moment get different tickets.

Against the Redis running on this machine, with a key prefix of the test's
own. Reading the lock is slowed down to open the window that Rasa's own
store leaves between reading and writing it.
"""

import threading
import time
import uuid

import pytest
import redis
from rasa.core.lock_store import RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from companion.stores.lock_store import AtomicRedisLockStore


def slow_reads(store):
    read = store.get_lock

    def slowly(conversation_id):
        lock = read(conversation_id)
        time.sleep(0.05)
        return lock

    store.get_lock = slowly
    return store


def tickets_at_once(make_store, replicas=4):
    conversation, tickets = uuid.uuid4().hex, []

    def replica():
        tickets.append(make_store().issue_ticket(conversation))

    threads = [threading.Thread(target=replica) for _ in range(replicas)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return tickets


@pytest.fixture
def prefix():
    name = "cctestlock" + uuid.uuid4().hex[:8]
    yield name
    store = redis.Redis()
    for key in store.scan_iter(f"{name}:*"):
        store.delete(key)


def test_tickets_are_unique_across_replicas(prefix):
    config = EndpointConfig(
        url="127.0.0.1", port="6379", db="0", key_prefix=prefix, type="companion.stores.lock_store.AtomicRedisLockStore"
    )
    tickets = tickets_at_once(lambda: slow_reads(AtomicRedisLockStore(endpoint_config=config)))
    assert sorted(tickets) == [0, 1, 2, 3]


def test_rasas_own_store_can_give_the_same_ticket_twice(prefix):
    # Why the atomic store exists: this is what two replicas could see.
    tickets = tickets_at_once(lambda: slow_reads(RedisLockStore(host="127.0.0.1", db=0, key_prefix=prefix)))
    assert len(set(tickets)) < len(tickets)
