"""Reading the content files the Rasa server uses, with one clear error."""

from pathlib import Path
from typing import Any, Dict, Type

import yaml


def read_mapping(path: str | Path, error: Type[Exception], empty_ok: bool = False) -> Dict[str, Any]:
    """The YAML file at ``path`` as a mapping; ``error`` names the file if it cannot be."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as problem:
        raise error(f"{path}: cannot be read ({problem})") from None
    if data is None and empty_ok:
        return {}
    if not isinstance(data, dict):
        raise error(f"{path}: should contain named entries")
    return data
