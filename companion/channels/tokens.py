"""Conversation tokens: only the client a conversation was given to can use it.

A token is ``<conversation id>.<signature>``, the signature an HMAC-SHA256 of
the id with the server's secret. Whoever holds the token may send messages
to that conversation and receive its replies; an id alone is not enough.
The REST and socket.io channels check it on every message (and socket.io on
``session_request``).

The secret is $CC_SESSION_SECRET (at least 32 characters), the same on every
replica. Without one, a development server makes a random secret for this
process and warns (tokens then die with the process); a production server
($CC_ENV=production) refuses to start.

No Rasa imports: plain Python.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import re
import secrets
from typing import Mapping, Tuple

logger = logging.getLogger(__name__)

SECRET_VARIABLE = "CC_SESSION_SECRET"
MODE_VARIABLE = "CC_ENV"
MIN_SECRET_LENGTH = 32
# Conversation ids a client may name: short, printable, no spaces.
ID_PATTERN = re.compile(r"[A-Za-z0-9_.:@\-]{1,64}")
_SIGNATURE_LENGTH = 43  # base64url of 32 bytes, without padding


class TokenSecretError(RuntimeError):
    """Production mode without a usable CC_SESSION_SECRET."""


def production(environ: Mapping[str, str] = os.environ) -> bool:
    return (environ.get(MODE_VARIABLE) or "").strip().lower() == "production"


def valid_id(conversation_id: object) -> bool:
    return isinstance(conversation_id, str) and ID_PATTERN.fullmatch(conversation_id) is not None


class Tokens:
    def __init__(self, secret: bytes) -> None:
        if len(secret) < MIN_SECRET_LENGTH:
            raise TokenSecretError(f"{SECRET_VARIABLE} should be at least {MIN_SECRET_LENGTH} characters")
        self._secret = secret

    def _signature(self, conversation_id: str) -> str:
        digest = hmac.new(self._secret, b"conversation:" + conversation_id.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def issue(self, conversation_id: str) -> str:
        if not valid_id(conversation_id):
            raise ValueError("not a conversation id")
        return f"{conversation_id}.{self._signature(conversation_id)}"

    def new(self) -> Tuple[str, str]:
        """A fresh conversation id and its token."""
        conversation_id = secrets.token_hex(16)
        return conversation_id, self.issue(conversation_id)

    def verify(self, token: object) -> str | None:
        """The conversation id a genuine token is for; None for anything else."""
        if not isinstance(token, str) or len(token) > 64 + 1 + _SIGNATURE_LENGTH:
            return None
        conversation_id, _, signature = token.rpartition(".")
        if not valid_id(conversation_id) or len(signature) != _SIGNATURE_LENGTH:
            return None
        if not hmac.compare_digest(signature, self._signature(conversation_id)):
            return None
        return conversation_id


def from_environment(environ: Mapping[str, str] = os.environ) -> Tokens:
    """Tokens signed with $CC_SESSION_SECRET (see the module's docstring)."""
    secret = environ.get(SECRET_VARIABLE) or ""
    if secret:
        return Tokens(secret.encode())
    if production(environ):
        raise TokenSecretError(
            f"{MODE_VARIABLE}=production needs {SECRET_VARIABLE} (a long random secret, "
            f"the same on every replica): refusing to start without it"
        )
    logger.warning(
        "%s is not set: conversation tokens are signed with a random secret for this process "
        "only, so they stop working when it restarts (and other replicas refuse them).",
        SECRET_VARIABLE,
    )
    return Tokens(secrets.token_bytes(32))


_shared: Tokens | None = None


def shared_tokens() -> Tokens:
    """One Tokens per process, for every channel (so REST and socket.io agree)."""
    global _shared
    if _shared is None:
        _shared = from_environment()
    return _shared
