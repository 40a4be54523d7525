"""The staff pages' settings, from the environment.

STAFF_HOST (127.0.0.1) and STAFF_PORT (8090): where they listen.
STAFF_SECRET, or STAFF_SECRET_FILE (var/staff-secret when it exists): signs
  cookies and names queue items; 32 or more characters. Required.
STAFF_USERS (var/staff-users.json): the accounts file; at least one account.
STAFF_DB: the labels' database (staff/reviews.py).
STAFF_INSECURE_COOKIES=1: cookies without Secure, for plain http other than
  localhost (browsers accept Secure cookies from http://localhost).
STAFF_PUBLIC_SUMMARY=1: publish the figures as JSON at /public/summary.json.
ENDPOINTS, TRACKER_DB and the database variables: the tracker store, as for Rasa.
CC_PROFILE: the profile, for the retention period.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from staff.accounts import load_users, users_file
from staff.tracker import TrackerLocation, tracker_location
from staff.words import ROOT, words

MIN_SECRET = 32


class SettingsError(Exception):
    pass


@dataclass(frozen=True)
class Settings:
    host: str
    port: int
    secret: bytes
    users: Path
    tracker: TrackerLocation
    review_url: str
    retention_days: int
    secure_cookies: bool
    public_summary: bool


def _secret() -> str:
    cli = words()["cli"]
    secret = os.environ.get("STAFF_SECRET", "")
    file = os.environ.get("STAFF_SECRET_FILE") or ("" if secret else str(ROOT / "var" / "staff-secret"))
    if not secret and file and Path(file).exists():
        secret = Path(file).read_text(encoding="utf-8").strip()
    if not secret:
        raise SettingsError(cli["no_secret"])
    if len(secret) < MIN_SECRET:
        raise SettingsError(cli["short_secret"])
    return secret


def retention_days() -> int:
    from actions.profile import load_profile

    return load_profile().retention_days


def load_settings() -> Settings:
    """The settings, or SettingsError saying what is missing."""
    from staff.reviews import review_url

    secret = _secret()
    users = users_file()
    try:
        accounts = load_users(users)
    except ValueError as problem:
        raise SettingsError(str(problem)) from None
    if not accounts:
        raise SettingsError(words()["cli"]["no_account"].format(path=users))
    tracker = tracker_location()
    return Settings(
        host=os.environ.get("STAFF_HOST", "127.0.0.1"),
        port=int(os.environ.get("STAFF_PORT", "8090")),
        secret=secret.encode(),
        users=users,
        tracker=tracker,
        review_url=review_url(tracker.url if tracker.dialect == "postgresql" else None),
        retention_days=retention_days(),
        secure_cookies=os.environ.get("STAFF_INSECURE_COOKIES") != "1",
        public_summary=os.environ.get("STAFF_PUBLIC_SUMMARY") == "1",
    )
