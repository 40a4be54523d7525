"""Signed-in sessions, their cookie, and the CSRF tokens of forms.

The cookie holds a random session id and its HMAC (STAFF_SECRET); the
session itself (user, CSRF token, times) stays in this process, so signing
out or restarting ends it. Cookies are HttpOnly, SameSite=Strict and Secure
(unless STAFF_INSECURE_COOKIES=1). A session ends after 8 hours, or 1 hour
unused. Every form carries the session's CSRF token; the sign-in form,
before there is a session, carries an HMAC of a random value in its own
short-lived cookie (double submit).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass, field
from typing import Callable, Dict
from urllib.parse import urlsplit

SESSION_COOKIE = "staff_session"
SIGNIN_COOKIE = "staff_signin"
MAX_AGE = 8 * 3600
IDLE = 3600


@dataclass
class Session:
    id: str
    user: str
    csrf: str
    started: float
    seen: float = field(default=0.0)


def sign(secret: bytes, value: str) -> str:
    return hmac.new(secret, value.encode(), hashlib.sha256).hexdigest()


class Sessions:
    def __init__(self, secret: bytes, clock: Callable[[], float] = time.time) -> None:
        self.secret, self.clock = secret, clock
        self._sessions: Dict[str, Session] = {}

    def start(self, user: str) -> Session:
        now = self.clock()
        session = Session(secrets.token_urlsafe(32), user, secrets.token_urlsafe(32), now, now)
        self._sessions[session.id] = session
        self._expire()
        return session

    def cookie_value(self, session: Session) -> str:
        return f"{session.id}.{sign(self.secret, 'session:' + session.id)}"

    def from_cookie(self, value: str | None) -> Session | None:
        if not value or "." not in value:
            return None
        ident, signature = value.rsplit(".", 1)
        if not hmac.compare_digest(signature, sign(self.secret, "session:" + ident)):
            return None
        session = self._sessions.get(ident)
        now = self.clock()
        if session is None or now - session.started > MAX_AGE or now - session.seen > IDLE:
            self._sessions.pop(ident, None)
            return None
        session.seen = now
        return session

    def end(self, session: Session) -> None:
        self._sessions.pop(session.id, None)

    def _expire(self) -> None:
        now = self.clock()
        for ident, session in list(self._sessions.items()):
            if now - session.started > MAX_AGE or now - session.seen > IDLE:
                del self._sessions[ident]

    # The sign-in form's token, before there is a session.
    def signin_token(self, nonce: str) -> str:
        return sign(self.secret, "signin:" + nonce)

    def signin_token_ok(self, nonce: str | None, token: str | None) -> bool:
        return bool(nonce and token) and hmac.compare_digest(self.signin_token(nonce), token)


def csrf_ok(session: Session, token: str | None) -> bool:
    return bool(token) and hmac.compare_digest(session.csrf, token)


def safe_next(target: str | None, default: str = "/insights") -> str:
    """Only a path on this site: no other host, scheme or protocol-relative address."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(ch) < 32 for ch in target):
        return default
    return target
