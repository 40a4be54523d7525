"""What one Rasa replica keeps that another would need: the rate limit per
conversation, the SMS "MORE" remainder, and the message ids already handled.

Two versions of each:

- in this process's memory, for SQLite mode (one Rasa server);
- in Redis, when the endpoints name a Redis lock store (the production
  shape, several replicas): the same Redis, database and key prefix, so
  every replica counts the same messages and any replica can send the rest
  of a long text.

``shared_state()`` picks them from the endpoints file the server runs with
($ENDPOINTS, else endpoints.yml), once per process. Every Redis call is
wrapped: if Redis does not answer, a message is let through rather than
lost (the rate limit and the duplicate check fail open, MORE has nothing to
send), and the log says why.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from collections import OrderedDict, deque
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Callable, Deque, Dict

logger = logging.getLogger(__name__)

# How long the rest of a long text waits for "MORE" (seconds).
MORE_SECONDS = 6 * 3600
# A message id being handled is held this long (a replica that dies while
# handling it frees it when this runs out), then as handled for DONE_SECONDS.
WORKING_SECONDS = 15
DONE_SECONDS = 300
# Set for the rest of a message's handling when this replica took the message
# over from one that stopped while handling it (its hold ran out): that one may
# have stored the turn already, so the tracker store checks before writing it
# again (companion/stores/tracker_store.py).
TAKEN_OVER: ContextVar[bool] = ContextVar("taken_over", default=False)
# The in-process stores forget their oldest entries past this many.
MAX_ENTRIES = 20000


class _Expiring:
    """A small dict whose entries expire; oldest dropped past ``MAX_ENTRIES``."""

    def __init__(self, clock: Callable[[], float]):
        self._clock = clock
        self._items: OrderedDict[str, tuple] = OrderedDict()
        self._guard = threading.Lock()

    def get(self, key: str) -> Any | None:
        with self._guard:
            item = self._items.get(key)
            if item is None:
                return None
            if item[1] <= self._clock():
                del self._items[key]
                return None
            return item[0]

    def set(self, key: str, value: Any, seconds: float, only_if_new: bool = False) -> bool:
        with self._guard:
            item = self._items.get(key)
            if only_if_new and item is not None and item[1] > self._clock():
                return False
            self._items.pop(key, None)
            self._items[key] = (value, self._clock() + seconds)
            while len(self._items) > MAX_ENTRIES:
                self._items.popitem(last=False)
            return True

    def pop(self, key: str) -> Any | None:
        value = self.get(key)
        with self._guard:
            self._items.pop(key, None)
        return value


# ----------------------------------------------------------- in this process
class InProcessRateLimiter:
    """At most ``limit`` messages per sender in any ``window`` seconds, counted
    in this process (one Rasa server)."""

    def __init__(self, limit: int, window: float = 60.0, clock: Callable[[], float] = time.monotonic):
        self.limit, self.window, self._clock = limit, window, clock
        self._seen: Dict[str, Deque[float]] = {}

    def allow(self, sender: str) -> bool:
        now = self._clock()
        times = self._seen.setdefault(sender, deque())
        while times and now - times[0] >= self.window:
            times.popleft()
        if len(times) >= self.limit:
            return False
        times.append(now)
        if len(self._seen) > MAX_ENTRIES // 2:  # forget idle senders now and then
            for key in [k for k, v in self._seen.items() if not v or now - v[-1] >= self.window]:
                del self._seen[key]
        return True


class InProcessMoreStore:
    """The rest of a long text, until the sender asks for MORE or it expires."""

    def __init__(self, seconds: float = MORE_SECONDS, clock: Callable[[], float] = time.monotonic):
        self._items, self.seconds = _Expiring(clock), seconds

    def put(self, sender: str, rest: str) -> None:
        self._items.set(sender, rest, self.seconds)

    def pop(self, sender: str) -> str:
        return self._items.pop(sender) or ""

    def forget(self, sender: str) -> None:
        self._items.pop(sender)


class InProcessMessageIds:
    """Message ids being handled or handled lately, per sender."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._items = _Expiring(clock)

    def claim(self, sender: str, message_id: str) -> bool:
        """True if this message id is new (and now held); False if seen."""
        return self._items.set(f"{sender}\0{message_id}", "working", WORKING_SECONDS, only_if_new=True)

    def done(self, sender: str, message_id: str) -> None:
        self._items.set(f"{sender}\0{message_id}", "done", DONE_SECONDS)

    def handled(self, sender: str, message_id: str) -> bool:
        return self._items.get(f"{sender}\0{message_id}") == "done"

    def release(self, sender: str, message_id: str) -> None:
        self._items.pop(f"{sender}\0{message_id}")


# ----------------------------------------------------------------- in Redis
# A sliding window in one sorted set per sender, trimmed and counted
# atomically; Redis's own clock, so replicas' clocks need not agree.
_ALLOW = """
local now = redis.call('TIME')
local t = tonumber(now[1]) * 1000000 + tonumber(now[2])
local window = tonumber(ARGV[2]) * 1000000
redis.call('ZREMRANGEBYSCORE', KEYS[1], 0, t - window)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], t, t .. ':' .. ARGV[3])
redis.call('PEXPIRE', KEYS[1], math.ceil(window / 1000))
return 1
"""


class RedisRateLimiter:
    """The same limit, counted across every replica that shares this Redis."""

    def __init__(self, client: Any, prefix: str, limit: int, window: float = 60.0):
        self.client, self.prefix, self.limit, self.window = client, prefix, limit, window
        self._allow = client.register_script(_ALLOW)

    def allow(self, sender: str) -> bool:
        try:
            return bool(
                self._allow(keys=[f"{self.prefix}:rate:{sender}"], args=[self.limit, self.window, os.urandom(4).hex()])
            )
        except Exception:  # noqa: BLE001 - Redis down: let the message through
            logger.exception("Rate limit: Redis did not answer; message let through.")
            return True


class RedisMoreStore:
    def __init__(self, client: Any, prefix: str, seconds: float = MORE_SECONDS):
        self.client, self.prefix, self.seconds = client, prefix, seconds

    def _key(self, sender: str) -> str:
        return f"{self.prefix}:more:{sender}"

    def put(self, sender: str, rest: str) -> None:
        try:
            self.client.set(self._key(sender), rest.encode("utf-8"), ex=int(self.seconds))
        except Exception:  # noqa: BLE001
            logger.exception("SMS MORE: Redis did not answer; the rest of this text is not kept.")

    def pop(self, sender: str) -> str:
        try:
            value = self.client.getdel(self._key(sender))
        except Exception:  # noqa: BLE001
            logger.exception("SMS MORE: Redis did not answer.")
            return ""
        return value.decode("utf-8") if value else ""

    def forget(self, sender: str) -> None:
        try:
            self.client.delete(self._key(sender))
        except Exception:  # noqa: BLE001
            logger.exception("SMS MORE: Redis did not answer; the rest of a text expires by itself.")


class RedisMessageIds:
    def __init__(self, client: Any, prefix: str):
        self.client, self.prefix = client, prefix

    def _key(self, sender: str, message_id: str) -> str:
        return f"{self.prefix}:msgid:{sender}:{message_id}"

    def claim(self, sender: str, message_id: str) -> bool:
        try:
            return bool(self.client.set(self._key(sender, message_id), b"working", nx=True, ex=WORKING_SECONDS))
        except Exception:  # noqa: BLE001
            logger.exception("Message ids: Redis did not answer; the message is handled.")
            return True

    def done(self, sender: str, message_id: str) -> None:
        try:
            self.client.set(self._key(sender, message_id), b"done", ex=DONE_SECONDS)
        except Exception:  # noqa: BLE001
            logger.exception("Message ids: Redis did not answer.")

    def handled(self, sender: str, message_id: str) -> bool:
        try:
            return self.client.get(self._key(sender, message_id)) == b"done"
        except Exception:  # noqa: BLE001
            logger.exception("Message ids: Redis did not answer.")
            return False

    def release(self, sender: str, message_id: str) -> None:
        try:
            self.client.delete(self._key(sender, message_id))
        except Exception:  # noqa: BLE001
            logger.exception("Message ids: Redis did not answer.")


def message_id_of(metadata: Any) -> str | None:
    """The sender's own id for a message (metadata "message_id": the widget
    sends one, and sends it again with a resend), if it is a short string."""
    value = metadata.get("message_id") if isinstance(metadata, dict) else None
    if isinstance(value, str) and 0 < len(value) <= 100 and value.isprintable():
        return value
    return None


async def first_time(ids: Any, sender: str, message_id: str, poll: float = 0.5) -> bool:
    """True if this message should be handled here: its id is new, or the
    replica that was handling it stopped (its hold ran out). False if it was
    handled already. While another replica is still handling it, waits."""
    deadline = time.monotonic() + WORKING_SECONDS + 1
    waited = False
    while not ids.claim(sender, message_id):
        if ids.handled(sender, message_id) or time.monotonic() > deadline:
            return False
        waited = True
        await asyncio.sleep(poll)
    TAKEN_OVER.set(waited)
    return True


# ------------------------------------------------------------- the choice
@dataclass
class SharedState:
    """Where this process keeps what replicas share; ``kind`` is "redis" or "process"."""

    kind: str
    client: Any = None
    prefix: str = "conference"

    def rate_limiter(self, limit: int, window: float = 60.0):
        if self.kind == "redis":
            return RedisRateLimiter(self.client, self.prefix, limit, window)
        return InProcessRateLimiter(limit, window)

    def more_store(self):
        if self.kind == "redis":
            return RedisMoreStore(self.client, self.prefix)
        return InProcessMoreStore()

    def message_ids(self):
        if self.kind == "redis":
            return RedisMessageIds(self.client, self.prefix)
        return _PROCESS_IDS


_PROCESS_IDS = InProcessMessageIds()
_chosen: SharedState | None = None


def redis_settings(endpoints_path: str) -> Dict[str, Any] | None:
    """The Redis lock store's settings in an endpoints file, or None if it has
    none. Only that section's ${VARIABLES} need to be set."""
    import yaml

    with open(endpoints_path, encoding="utf-8") as file:
        section = (yaml.safe_load(file) or {}).get("lock_store") or {}
    section = {key: os.path.expandvars(value) if isinstance(value, str) else value for key, value in section.items()}
    unset = [value for value in section.values() if isinstance(value, str) and "${" in value]
    if unset:
        raise ValueError(f"{endpoints_path}: lock_store needs these environment variables: {unset}")
    kind = str(section.get("type") or "").lower()
    if kind != "redis" and not kind.endswith("redislockstore"):
        return None
    return {
        "host": section.get("url") or "localhost",
        "port": int(section.get("port") or 6379),
        "db": int(section.get("db") or 0),
        "password": section.get("password") or None,
        "ssl": bool(section.get("use_ssl", False)),
        "prefix": str(section.get("key_prefix") or "conference"),
    }


def from_endpoints(endpoints_path: str) -> SharedState:
    settings = redis_settings(endpoints_path)
    if settings is None:
        return SharedState("process")
    import redis

    prefix = settings.pop("prefix")
    client = redis.Redis(socket_timeout=2, socket_connect_timeout=2, **settings)
    return SharedState("redis", client, prefix)


def shared_state() -> SharedState:
    """This process's choice, made once from $ENDPOINTS (else endpoints.yml)."""
    global _chosen
    if _chosen is None:
        _chosen = from_endpoints(os.environ.get("ENDPOINTS") or "endpoints.yml")
        logger.info("Shared state (rate limit, SMS MORE, message ids): %s", _chosen.kind)
    return _chosen
