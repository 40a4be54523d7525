"""The domain as Rasa sees it, read straight from the files in domain/.

Rasa merges every file in the directory; tests do the same here with plain
YAML, so they need no Rasa install. A name declared in two files is an error
(Rasa would quietly keep one of them).
"""

from pathlib import Path
from typing import Dict

import yaml

ROOT = Path(__file__).resolve().parents[2]
DOMAIN_DIR = ROOT / "domain"
LISTS = ("intents", "entities", "actions")
BLOCKS = ("slots", "forms", "responses")


def domain_files() -> Dict[str, dict]:
    """Each file's parsed YAML, by file name, in name order."""
    return {
        path.name: yaml.safe_load(path.read_text(encoding="utf-8")) or {} for path in sorted(DOMAIN_DIR.glob("*.yml"))
    }


def declared_names(data: dict, key: str) -> list:
    """The names one file declares under ``key`` (an intent may carry options)."""
    items = data.get(key) or []
    if isinstance(items, dict):
        return list(items)
    return [next(iter(item)) if isinstance(item, dict) else item for item in items]


def merged_domain() -> dict:
    """Every file's intents, entities, slots, forms, actions and responses together."""
    merged: dict = {key: [] for key in LISTS}
    merged.update({key: {} for key in BLOCKS})
    where: Dict[tuple, str] = {}
    for name, data in domain_files().items():
        for key in LISTS + BLOCKS:
            for item in declared_names(data, key):
                if (key, item) in where:
                    raise ValueError(f"domain/{name}: {key} {item} is already in domain/{where[key, item]}")
                where[key, item] = name
            if key in LISTS:
                merged[key].extend(data.get(key) or [])
            else:
                merged[key].update(data.get(key) or {})
        if "session_config" in data:
            merged["session_config"] = data["session_config"]
    return merged
