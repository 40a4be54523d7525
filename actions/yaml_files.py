"""Reading the YAML files a council edits, with errors that say what is wrong."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Type

import yaml


def read_yaml(path: Path, error: Type[Exception], missing: str | None = None, name: str | None = None) -> Any:
    """Parsed YAML from ``path``; ``error`` names the file and the line on failure.

    ``missing`` replaces "file not found" when the file does not exist;
    ``name`` is how the file is named in messages (its path by default).
    """
    name = name or str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"{name}: {missing or 'file not found'}") from None
    except OSError as problem:
        raise error(f"{name}: cannot be read ({problem.strerror})") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as problem:
        mark = getattr(problem, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise error(f"{name}: is not valid YAML{where}") from None
