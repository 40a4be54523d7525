"""Where the repository's files are, for code that runs inside Rasa."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONTENT_DIR = ROOT / "content"
