"""The start-up check that `make run` calls before starting anything."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def check(env_profile=None):
    env = {"PATH": "/usr/bin:/bin"}
    if env_profile is not None:
        env["CC_PROFILE"] = str(env_profile)
    return subprocess.run(
        [sys.executable, "-m", "actions.check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_good_profile_passes_with_one_line():
    result = check()
    assert result.returncode == 0
    assert result.stdout.strip() == "==> Profile OK: Ashdown Borough Council (England)"


def test_bad_profile_stops_start_up_with_one_clear_line(tmp_path, profile_data, write_profile):
    profile_data["contact"]["email"] = "not-an-email"
    result = check(write_profile(profile_data))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines == ['Configuration error: profile.yml: contact.email: "not-an-email" is not an email address']


def test_a_bad_local_timescale_stops_start_up(profile_data, write_profile):
    profile_data["timescales"] = {"reports": {"amount": 3, "unit": "fortnights", "source": "x"}}
    result = check(write_profile(profile_data))
    assert result.returncode == 1
    assert "profile.yml: timescales.reports: unit should be one of" in result.stderr
