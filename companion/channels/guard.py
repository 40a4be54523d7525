"""What every chat channel checks before any work is done on a message.

- Bounded: a request body is at most $CC_MAX_BODY_BYTES (16 KB) for the
  whole server (Sanic's REQUEST_MAX_SIZE) and for socket.io packets; a
  message longer than MAX_MESSAGE_CHARACTERS is cut to one character over
  it before the NLU sees it, so the NLU's MessageLengthGuard asks kindly for
  a shorter question (its answer says 999) and the tracker store keeps only
  a marker (companion/stores/tracker_store.py).
- Typed: the message must be text, and not empty; a REST body must be a JSON
  object sent as application/json; metadata a small JSON object.
- Payloads cannot set anything: a typed "/intent{...}" keeps its entities
  only when it is exactly a button the bot offered in this conversation;
  Rasa's internal intents (/restart, /session_start, /back, /nlu_fallback)
  cannot be typed at all. Anything else starting with "/" is read as words.

Words for people are in content/requests.yml.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Collection, Dict, Iterable, List, Mapping, Tuple

from companion.channels.tokens import valid_id
from companion.paths import CONTENT_DIR
from companion.yaml_file import read_mapping

REQUESTS_PATH = CONTENT_DIR / "requests.yml"
MAX_BODY_BYTES = int(os.environ.get("CC_MAX_BODY_BYTES") or 16384)
# The same as MessageLengthGuard's max_characters in config.yml (a test checks).
MAX_MESSAGE_CHARACTERS = 1000
MAX_METADATA_DEPTH = 4
# Rasa's own intents, for Rasa's own actions: never from a parent's typing.
INTERNAL_INTENTS = frozenset({"restart", "session_start", "back", "nlu_fallback"})
# Rasa's pattern for "/intent@confidence{entities}" (YAMLStoryReader).
PAYLOAD = re.compile(r"^/(?P<intent>[^{@]+)(?P<confidence>@[0-9.]+)?(?P<entities>\{.+\})?(?P<rest>.*)$", re.S)
INTENT_NAME = re.compile(r"\w+")
ERROR_KEYS = (
    "not_json",
    "bad_json",
    "no_message",
    "bad_sender",
    "bad_token",
    "token_needed",
    "token_required",
    "bad_metadata",
    "bad_origin",
    "too_large",
)


class RequestsContentError(ValueError):
    """content/requests.yml is missing or incomplete."""


@dataclass(frozen=True)
class RequestWords:
    not_a_message: str
    errors: Mapping[str, str]


def load_request_words(path: Path = REQUESTS_PATH) -> RequestWords:
    data = read_mapping(path, RequestsContentError)
    listed = data.get("errors")
    errors: Dict[str, Any] = listed if isinstance(listed, dict) else {}
    missing = [key for key in ERROR_KEYS if not str(errors.get(key) or "").strip()]
    if not str(data.get("not_a_message") or "").strip() or missing:
        raise RequestsContentError(f"{path}: needs not_a_message and errors: {', '.join(ERROR_KEYS)}")
    return RequestWords(str(data["not_a_message"]).strip(), {k: str(errors[k]).strip() for k in ERROR_KEYS})


class Refused(Exception):
    """A request the channel does not take: HTTP ``status``, and the key of its words."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


# ------------------------------------------------------------ shapes and sizes
def depth(value: Any, limit: int) -> int:
    """How deeply ``value`` nests (a scalar is 0), counting no further than limit + 1."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, (dict, list)):
            level += 1
            deepest = max(deepest, level)
            if level > limit:
                return level
            stack.extend((child, level) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def is_json(content_type: str | None) -> bool:
    return (content_type or "").split(";", 1)[0].strip().lower() == "application/json"


def parse_body(content_type: str | None, body: bytes) -> Dict[str, Any]:
    if not is_json(content_type):
        raise Refused(415, "not_json")
    try:
        data = json.loads(body or b"")
    except (ValueError, RecursionError):
        raise Refused(400, "bad_json") from None
    if not isinstance(data, dict):
        raise Refused(400, "bad_json")
    return data


def message_text(value: Any) -> str:
    """The message, if it is text that is not empty; else Refused."""
    if not isinstance(value, str) or not value:
        raise Refused(400, "no_message")
    return value


def metadata(value: Any) -> Dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict) or depth(value, MAX_METADATA_DEPTH) > MAX_METADATA_DEPTH:
        raise Refused(400, "bad_metadata")
    return value


def cut(text: str) -> str:
    """A long message, cut to one character over the limit: the NLU reads that
    much, finds it too long, and asks for a shorter question."""
    return text if len(text) <= MAX_MESSAGE_CHARACTERS else text[: MAX_MESSAGE_CHARACTERS + 1]


# ------------------------------------------------------------------ payloads
def _parsed(payload: str) -> Tuple[str, Any] | None:
    match = PAYLOAD.match(payload.strip())
    if not match or match.group("rest") or match.group("confidence"):
        return None
    entities = match.group("entities")
    try:
        return match.group("intent").strip(), json.loads(entities) if entities else None
    except ValueError:
        return None


def offered_payloads(events: Iterable[Any]) -> List[str]:
    """Every button payload the bot offered in these (Rasa) events."""
    offered = []
    for event in events:
        data = getattr(event, "data", None)
        if getattr(event, "type_name", "") == "bot" and isinstance(data, dict):
            offered += [str(b.get("payload")) for b in data.get("buttons") or [] if isinstance(b, dict)]
    return offered


def needs_offered(text: str) -> bool:
    """Does ``text`` carry more than an intent name (so the offered buttons matter)?"""
    stripped = text.strip()
    return stripped.startswith("/") and not INTENT_NAME.fullmatch(stripped[1:])


def screen_payload(text: str, offered: Iterable[str], intents: Collection[str]) -> str:
    """``text`` as the bot may take it (see the module's docstring)."""
    stripped = text.strip()
    if not stripped.startswith("/"):
        return text
    parsed = _parsed(stripped)
    offered_here = (
        parsed is not None
        and parsed[1] is not None
        and any(_parsed(p) == parsed for p in offered if p.strip().startswith("/"))
    )
    if offered_here:
        return stripped
    match = PAYLOAD.match(stripped)
    intent = match.group("intent").strip() if match else ""
    if INTENT_NAME.fullmatch(intent) and intent in intents and intent not in INTERNAL_INTENTS:
        return "/" + intent
    words = stripped.lstrip("/").strip()
    return words or "?"


# ------------------------------------------------------ whose conversation
def conversation_for(tokens: Any, sender: Any, token: Any, exists: bool, production: bool) -> Tuple[str, str]:
    """The conversation id a REST request may use, and its token; else Refused.

    - a token: its own conversation (a different "sender" beside it is refused);
    - no token and no sender: a new conversation;
    - a sender alone: refused in production; in development only while that
      conversation does not exist yet (its first message gets the token).
    """
    if sender is not None and not valid_id(sender):
        raise Refused(400, "bad_sender")
    if token is not None:
        owner = tokens.verify(token)
        if owner is None or (sender is not None and sender != owner):
            raise Refused(403, "bad_token")
        return owner, token
    if sender is None:
        return tokens.new()
    if production:
        raise Refused(401, "token_required")
    if exists:
        raise Refused(403, "token_needed")
    return sender, tokens.issue(sender)
