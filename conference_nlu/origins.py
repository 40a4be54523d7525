"""The web origins that may use the chat (no Rasa imports: the launcher uses it).

$CC_ALLOWED_ORIGINS (space-separated) if set, else the profile's
`web.allowed_origins` (profile.yml, or the file named by $CC_PROFILE).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import List, Text

import yaml

ROOT = Path(__file__).resolve().parent.parent


class OriginsError(ValueError):
    """The profile cannot be read."""


def allowed_origins() -> List[Text]:
    """The web origins that may use the chat (see the module's docstring)."""
    listed = os.environ.get("CC_ALLOWED_ORIGINS")
    if listed is not None:
        return listed.split()
    path = Path(os.environ.get("CC_PROFILE") or ROOT / "profile.yml")
    try:
        profile = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as problem:
        raise OriginsError(f"{path}: cannot be read ({problem})") from None
    origins = (profile.get("web") or {}).get("allowed_origins") or []
    return [str(origin) for origin in origins]


if __name__ == "__main__":
    os.environ.pop("CC_ALLOWED_ORIGINS", None)
    print(" ".join(allowed_origins()))
    sys.exit(0)
