"""No part runs on a Python past its end of life, and each venv is its lock.

requirements/python-versions.txt says which Python each part runs on and
when each Python's security support ends; the venvs, the Dockerfiles' base
images and the locks' headers must agree with it.
"""

import datetime
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TABLE = ROOT / "requirements/python-versions.txt"
VENVS = {"rasa": ".venv", "actions": ".venv-actions", "tools": ".venv-tools"}
DOCKERFILES = {"rasa": "deploy/Dockerfile.rasa", "actions": "deploy/Dockerfile.actions"}


def read_table(text):
    """({part: "3.x"}, {"3.x": first day of its end-of-life month})."""
    parts, ends = {}, {}
    for line in text.splitlines():
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        if words[0] == "eol":
            year, month = (int(n) for n in words[2].split("-"))
            ends[words[1]] = datetime.date(year, month, 1)
        else:
            parts[words[0]] = words[1]
    return parts, ends


PARTS, ENDS = read_table(TABLE.read_text())


def past_end_of_life(version, today, ends=ENDS):
    """True once the month a Python's support ends has begun, or when its end is not in the table."""
    end = ends.get(version)
    return end is None or today >= end


def venv_python(venv):
    """The "3.x" a venv was built on, from its pyvenv.cfg."""
    config = (venv / "pyvenv.cfg").read_text()
    match = re.search(r"^version(?:_info)?\s*=\s*(\d+)\.(\d+)", config, re.M)
    assert match, f"{venv}/pyvenv.cfg names no Python version"
    return f"{match.group(1)}.{match.group(2)}"


def test_the_table_has_every_part_and_every_part_s_end_of_life():
    assert set(PARTS) == set(VENVS)
    assert set(PARTS.values()) <= set(ENDS)
    assert ENDS["3.10"] == datetime.date(2026, 10, 1)


@pytest.mark.parametrize("part", sorted(VENVS))
def test_each_venv_is_on_its_part_s_python_and_that_python_is_supported(part):
    venv = ROOT / VENVS[part]
    version = venv_python(venv)
    assert version == PARTS[part], f"{venv} was built on Python {version}, not {PARTS[part]}: make venvs"
    assert not past_end_of_life(version, datetime.date.today()), (
        f"{venv} runs on Python {version}, past its end of life ({ENDS.get(version)})"
    )


def test_this_test_runs_on_the_rasa_part_s_python():
    assert f"{sys.version_info[0]}.{sys.version_info[1]}" == PARTS["rasa"]


def test_the_check_fails_on_a_venv_built_on_an_end_of_life_python(tmp_path):
    (tmp_path / "pyvenv.cfg").write_text("home = /usr/bin\nversion = 3.10.13\n")
    version = venv_python(tmp_path)
    assert version == "3.10"
    assert past_end_of_life(version, datetime.date(2026, 12, 1))
    assert not past_end_of_life(version, datetime.date(2026, 9, 30))
    assert not past_end_of_life("3.11", datetime.date(2026, 12, 1))
    assert past_end_of_life("3.11", datetime.date(2027, 10, 1))
    assert past_end_of_life("3.9", datetime.date(2026, 12, 1)), "a Python missing from the table counts as ended"


@pytest.mark.parametrize("part", sorted(DOCKERFILES))
def test_each_image_starts_from_its_part_s_python(part):
    bases = re.findall(r"^FROM\s+python:(\d+\.\d+)\S*", (ROOT / DOCKERFILES[part]).read_text(), re.M)
    assert bases == [PARTS[part]]


@pytest.mark.parametrize("part", sorted(VENVS))
def test_each_lock_was_written_for_its_part_s_python_with_a_hash_for_every_package(part):
    lock = (ROOT / f"requirements/{part}.lock").read_text()
    assert f"for Python {PARTS[part]} " in lock.splitlines()[0]
    pins = re.findall(r"^([A-Za-z0-9._-]+)==(\S+) \\\n    --hash=sha256:[0-9a-f]{64}$", lock, re.M)
    assert len(pins) == len(re.findall(r"^\S", lock, re.M)) - 3  # every line but the 3-line header
    asked = re.findall(r"^([A-Za-z0-9._-]+)==(\S+)", (ROOT / f"requirements/{part}.txt").read_text(), re.M)
    canonical = {re.sub(r"[-_.]+", "-", name).lower(): version for name, version in pins}
    for name, version in asked:
        assert canonical.get(re.sub(r"[-_.]+", "-", name).lower()) == version, f"{name}=={version}: make lock"
