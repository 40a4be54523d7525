"""Staff accounts, signing in, and the lockout after repeated failures.

Accounts are in a JSON file the operator manages (STAFF_USERS, by default
var/staff-users.json), each with an argon2id hash of its password; `make
staff-user USER=name` adds one or changes its password (it asks for the
password, or takes STAFF_PASSWORD for scripts). Nothing else writes it.

Signing in goes through an ``Authenticator``: ``PasswordAuthenticator``
checks this file. Single sign-on (OIDC) later is another Authenticator
whose ``begin`` sends the browser to the identity provider and whose
callback returns the user name, with the rest of the app unchanged.

Five failed attempts for one username within 15 minutes lock it for 15
minutes, whatever password comes next (the lock is per username, kept by
this process; unknown usernames are counted too, and checked against a
dummy hash so they take as long as known ones).
"""

from __future__ import annotations

import getpass
import json
import os
import re
import secrets
import sys
import time
from collections import defaultdict, deque
from pathlib import Path
from typing import Callable, Deque, Dict, Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from staff.words import ROOT, words

MIN_PASSWORD = 12
USERNAME = re.compile(r"^[A-Za-z0-9._\-]{1,64}$")
MAX_FAILURES = 5
LOCK_SECONDS = 15 * 60
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not a real password, for timing only")


def users_file() -> Path:
    path = Path(os.environ.get("STAFF_USERS") or ROOT / "var" / "staff-users.json")
    return path if path.is_absolute() else ROOT / path


def load_users(path: Path) -> Dict[str, str]:
    """username -> argon2 hash; empty when the file does not exist."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    users = data.get("users") if isinstance(data, dict) else None
    if not isinstance(users, dict):
        raise ValueError(f'{path}: should be {{"users": {{name: {{"hash": ...}}}}}}')
    return {
        name: entry["hash"]
        for name, entry in users.items()
        if isinstance(entry, dict) and isinstance(entry.get("hash"), str) and USERNAME.match(name)
    }


def save_user(path: Path, username: str, password: str) -> bool:
    """Adds the user or changes their password; True if the user is new."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        data = {"users": {}}
    new = username not in data["users"]
    data["users"][username] = {
        "hash": _hasher.hash(password),
        "changed": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2)
    os.replace(temporary, path)
    return new


class Lockout:
    """Failed attempts per username within a window; locked after too many."""

    def __init__(
        self, clock: Callable[[], float] = time.time, limit: int = MAX_FAILURES, seconds: float = LOCK_SECONDS
    ) -> None:
        self.clock, self.limit, self.seconds = clock, limit, seconds
        self._failures: Dict[str, Deque[float]] = defaultdict(deque)

    def _recent(self, username: str) -> Deque[float]:
        failures = self._failures[username.lower()]
        while failures and self.clock() - failures[0] > self.seconds:
            failures.popleft()
        return failures

    def locked(self, username: str) -> bool:
        return len(self._recent(username)) >= self.limit

    def failed(self, username: str) -> None:
        self._recent(username).append(self.clock())
        if len(self._failures) > 10000:  # bounded: forget the oldest usernames
            for name in list(self._failures)[:1000]:
                del self._failures[name]

    def succeeded(self, username: str) -> None:
        self._failures.pop(username.lower(), None)


class Authenticator(Protocol):
    """Who is signing in. A password check today; single sign-on later."""

    def authenticate(self, username: str, password: str) -> str | None:
        """The signed-in user's name, or None."""


class PasswordAuthenticator:
    def __init__(self, path: Path) -> None:
        self.path = path

    def users(self) -> Dict[str, str]:
        return load_users(self.path)  # read each time: the operator may add users while it runs

    def authenticate(self, username: str, password: str) -> str | None:
        stored = self.users().get(username)
        try:
            _hasher.verify(stored or _DUMMY_HASH, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return None
        return username if stored else None


def make_secret(path: Path) -> bool:
    """Writes a random secret to ``path`` unless it exists; True if written."""
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_urlsafe(48) + "\n")
    return True


def main(argv: list) -> int:
    """`make staff-user USER=name`: python -m staff.accounts NAME."""
    cli = words()["cli"]
    if len(argv) != 1 or not USERNAME.match(argv[0]):
        print(cli["bad_username"], file=sys.stderr)  # noqa: T201 (command-line output)
        return 2
    username = argv[0]
    password = os.environ.get("STAFF_PASSWORD")
    if password is None:
        password = getpass.getpass(cli["password_prompt"].format(user=username))
        if len(password) >= MIN_PASSWORD and getpass.getpass(cli["password_again"]) != password:
            print(cli["password_mismatch"], file=sys.stderr)  # noqa: T201 (command-line output)
            return 1
    if len(password) < MIN_PASSWORD:
        print(cli["password_short"], file=sys.stderr)  # noqa: T201 (command-line output)
        return 1
    path = users_file()
    new = save_user(path, username, password)
    print((cli["user_added"] if new else cli["user_updated"]).format(user=username, path=path))  # noqa: T201 (command-line output)
    if not os.environ.get("STAFF_SECRET") and not os.environ.get("STAFF_SECRET_FILE"):
        secret_path = ROOT / "var" / "staff-secret"
        if make_secret(secret_path):
            print(cli["secret_made"].format(path=secret_path))  # noqa: T201 (command-line output)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
