"""Rasa's Redis lock store, with its tickets issued atomically.

Rasa 3.6's RedisLockStore issues a ticket by reading the lock from Redis,
adding a ticket and writing it back. Two replicas doing that at the same
moment can both read the same lock and both get ticket 0, so both handle
their message at once on the same conversation and one turn's events are
lost (seen in tests/integration/test_production.py). Here the read-modify-
write of issuing and of cleaning up a ticket runs under a short Redis mutex
(SET NX, from redis-py), so it is atomic across replicas.

Named in endpoints.production.yml as companion.stores.lock_store.AtomicRedisLockStore.
"""

from __future__ import annotations

from typing import Any

from rasa.core.lock_store import LOCK_LIFETIME, RedisLockStore

GUARD_SECONDS = 10


class AtomicRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: Any | None = None, **kwargs: Any) -> None:
        # Rasa builds custom lock stores from the endpoint config alone.
        if endpoint_config is not None:
            kwargs = dict(endpoint_config.kwargs, host=endpoint_config.url, **kwargs)
        for key in ("port", "db"):
            if key in kwargs and kwargs[key] not in (None, ""):
                kwargs[key] = int(kwargs[key])
        kwargs.pop("type", None)
        super().__init__(**kwargs)

    def _guard(self, conversation_id: str):
        return self.red.lock(
            f"{self.key_prefix}{conversation_id}:guard", timeout=GUARD_SECONDS, blocking_timeout=GUARD_SECONDS
        )

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        with self._guard(conversation_id):
            return super().issue_ticket(conversation_id, lock_lifetime)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        with self._guard(conversation_id):
            super().cleanup(conversation_id, ticket_number)
