"""The repository needs nothing beside it, and its bank-holiday list is kept
up to date only through `make update-holidays`."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
UPDATE = ROOT / "scripts" / "update-holidays"


def tracked_files():
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    return [ROOT / name for name in listed.decode().split("\0") if name]


def test_no_tracked_file_refers_to_a_folder_beside_the_repository():
    outside = "../" + "shared"  # split, so this file does not name it
    offenders = []
    for path in tracked_files():
        if path.is_file() and path.suffix not in {".png", ".json"}:
            text = path.read_text(encoding="utf-8", errors="ignore")
            if outside in text:
                offenders.append(str(path.relative_to(ROOT)))
    assert not offenders, f"these files point outside the repository: {offenders}"


def update(tmp_path, data):
    source = tmp_path / "new.json"
    source.write_text(json.dumps(data), encoding="utf-8")
    target = tmp_path / "bank-holidays.json"
    target.write_text((ROOT / "content" / "bank-holidays.json").read_text(encoding="utf-8"), encoding="utf-8")
    code = (
        "import runpy, sys; from pathlib import Path; ns = runpy.run_path(sys.argv[1]); "
        "ns['main'].__globals__['TARGET'] = Path(sys.argv[2]); sys.exit(ns['main'](sys.argv[3:]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(UPDATE), str(target), str(source)], capture_output=True, text=True
    )
    return done, json.loads(target.read_text(encoding="utf-8"))


def test_update_holidays_takes_a_longer_list(tmp_path):
    current = json.loads((ROOT / "content" / "bank-holidays.json").read_text(encoding="utf-8"))
    longer = json.loads(json.dumps(current))
    longer["scotland"]["events"].append(
        {"title": "St Andrew's Day", "date": "2029-11-30", "notes": "", "bunting": True}
    )
    done, written = update(tmp_path, longer)
    assert done.returncode == 0, done.stderr
    assert written["scotland"]["events"][-1]["date"] == "2029-11-30"


def test_update_holidays_refuses_a_list_that_loses_dates_or_is_not_govuks(tmp_path):
    current = json.loads((ROOT / "content" / "bank-holidays.json").read_text(encoding="utf-8"))
    shorter = json.loads(json.dumps(current))
    shorter["england-and-wales"]["events"] = shorter["england-and-wales"]["events"][1:]
    done, written = update(tmp_path, shorter)
    assert done.returncode == 1 and "would lose" in done.stderr
    assert written == current
    done, written = update(tmp_path, {"england-and-wales": {"events": [{"title": "x", "date": "2026-02-30"}]}})
    assert done.returncode == 1 and "Not updated" in done.stderr
    assert written == current
