import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
# tests/data/domain_files.py reads the split domain for both test folders.
sys.path.insert(0, str(ROOT / "tests" / "data"))


@pytest.fixture
def profile_data():
    """The shipped example profile as plain data, for tests to break."""
    return yaml.safe_load((ROOT / "profile.yml").read_text(encoding="utf-8"))


@pytest.fixture
def write_profile(tmp_path):
    def write(data=None, text=None):
        path = tmp_path / "profile.yml"
        path.write_text(text if text is not None else yaml.safe_dump(data), encoding="utf-8")
        return path

    return write
