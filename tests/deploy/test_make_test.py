"""`make test` runs every check the Makefile defines: its parts run side by
side now (the checks that need no model beside the training), so a check
left out of every part would pass unnoticed. A dry run (`make -n`) lists
what would run; each check's own "==>" line must be in it."""

import os
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")


def checks():
    """Each `lint` or `test-...` rule's banner: the text of its `==>` echo."""
    banners = {}
    for name, recipe in re.findall(r"^(lint|test-[a-z-]+):[^\n]*\n((?:\t[^\n]*\n)+)", MAKEFILE, re.M):
        banner = re.search(r'echo "(==> [^"]+)"', recipe)
        if banner:
            banners[name] = banner.group(1)
    return banners


def dry_run(target):
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE") and k != "MFLAGS"}
    done = subprocess.run(
        ["make", "-n", "--no-print-directory", target], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_every_check_is_part_of_make_test():
    banners = checks()
    assert {"lint", "test-actions", "test-safety", "test-understanding", "test-integration", "test-browser"} <= set(
        banners
    )
    planned = dry_run("test")
    missing = [name for name, banner in banners.items() if banner not in planned]
    assert missing == []


def test_a_dry_run_would_show_a_check_left_out():
    # The check above can fail: a part of `make test` on its own plans only its own checks.
    planned = dry_run("checks-without-model")
    assert checks()["lint"] in planned and checks()["test-browser"] not in planned
