"""Every pin in the Rasa venv that overrides what Rasa 3.6.21 or rasa-sdk 3.6.2
declare is written down in requirements/README.md, with the version locked.

Both are installed without their declared requirements (they declare
Python < 3.11), so pip checks none of them: this test does, against the
packages installed in this venv (the one it runs in), with each
requirement's markers read as for Python 3.10, the newest Python they
declare, as scripts/lock-requirements reads them.
"""

import re
from importlib import metadata
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "requirements/README.md").read_text()
AS_DECLARED = {**default_environment(), "python_version": "3.10", "python_full_version": "3.10.13", "extra": ""}
SECTION = "## Pins that override Rasa's own"


def canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def overridden(package):
    """{name: (what package declares, what is installed)} for each declared requirement this venv breaks."""
    broken = {}
    for line in metadata.requires(package) or []:
        requirement = Requirement(line)
        if requirement.marker is not None and not requirement.marker.evaluate(AS_DECLARED):
            continue
        try:
            installed = metadata.version(requirement.name)
        except metadata.PackageNotFoundError:
            broken[canonical(requirement.name)] = (str(requirement.specifier), "not installed")
            continue
        if not requirement.specifier.contains(Version(installed), prereleases=True):
            broken[canonical(requirement.name)] = (str(requirement.specifier), installed)
    return broken


def documented():
    """{name: locked version} from the README's table of overrides."""
    section = README.split(SECTION, 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([^`]+)` \| [^|]+ \| ([^|\s]+) \|", section, re.M)
    return {canonical(name): version for name, version in rows}


def test_rasa_and_rasa_sdk_are_the_versions_the_patches_were_written_for():
    assert metadata.version("rasa") == "3.6.21"
    assert metadata.version("rasa-sdk") == "3.6.2"


def test_every_override_is_in_the_readme_with_the_version_installed():
    found = {**overridden("rasa-sdk"), **overridden("rasa")}
    assert found, "matplotlib at least overrides Rasa's own pin"
    assert {name: installed for name, (_, installed) in found.items()} == documented()


@pytest.mark.parametrize("package", ["rasa", "rasa-sdk"])
def test_the_check_sees_a_broken_requirement(package, monkeypatch):
    real = metadata.version
    monkeypatch.setattr(metadata, "version", lambda name: "0.0.1" if canonical(name) == "coloredlogs" else real(name))
    assert overridden(package)["coloredlogs"][1] == "0.0.1"
