"""Profile values the Rasa server needs itself (no Rasa imports: the launcher
uses it): the web origins that may use the chat, and the contacts its own
texts name.

$CC_ALLOWED_ORIGINS (space-separated) if set, else the profile's
`web.allowed_origins` (profile.yml, or the file named by $CC_PROFILE).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Dict, List

from companion.paths import CONTENT_DIR, ROOT
from companion.yaml_file import read_mapping


class OriginsError(ValueError):
    """The profile cannot be read."""


def _profile() -> dict:
    path = Path(os.environ.get("CC_PROFILE") or ROOT / "profile.yml")
    return read_mapping(path, OriginsError, empty_ok=True)


def profile_values() -> Dict[str, str]:
    """The few profile values the Rasa server's own texts use (SMS HELP)."""
    profile = _profile()
    contact = profile.get("contact") or {}
    privacy = profile.get("privacy") or {}
    gaps = read_mapping(CONTENT_DIR / "sms.yml", OriginsError).get("profile_gaps") or {}
    given = {
        "contact_phone": contact.get("phone"),
        "contact_hours": contact.get("opening_hours"),
        "privacy_url": privacy.get("notice_url"),
    }
    missing = [name for name, value in given.items() if not value and not gaps.get(name)]
    if missing:
        raise OriginsError(f"content/sms.yml: profile_gaps needs {', '.join(missing)}")
    return {name: str(value or gaps[name]) for name, value in given.items()}


def allowed_origins() -> List[str]:
    """The web origins that may use the chat (see the module's docstring)."""
    listed = os.environ.get("CC_ALLOWED_ORIGINS")
    if listed is not None:
        return listed.split()
    origins = (_profile().get("web") or {}).get("allowed_origins") or []
    return [str(origin) for origin in origins]


if __name__ == "__main__":
    os.environ.pop("CC_ALLOWED_ORIGINS", None)
    print(" ".join(allowed_origins()))
    sys.exit(0)
