"""The deployment profile: who runs this copy of the bot, and where.

Plain Python with no Rasa imports. A council or charity edits one YAML file
(``profile.yml`` by default, or the file named by ``CC_PROFILE``); this module
reads it and checks every field, so a mistake stops the bot at start-up with
a message that names the field instead of surfacing later as a wrong answer.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping, Sequence, Tuple

from actions.content import content
from actions.yaml_files import read_yaml

DEFAULT_PROFILE_PATH = Path(__file__).resolve().parent.parent / "profile.yml"

# The nations as the profile names them. Their names on the bot's buttons
# are in content/dates.yml.
NATIONS = ("england", "wales", "scotland", "northern_ireland")
ORGANISATION_KINDS = ("council", "charity")

# UK numbers as people write them: 01632 960 100, 0808 801 0366, 0800 1111,
# +44 1632 960100, 116 123, 999. Only digits, spaces and one leading "+".
_UK_PHONE = re.compile(r"^(\+44 ?|0)[0-9 ]{8,13}$|^(116 ?[0-9]{3}|999|111)$")
# Text-only short codes, such as Shout's 85258.
SMS_SHORT_CODE = re.compile(r"^[0-9]{5}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_URL = re.compile(r"^https://[^\s/$.?#][^\s]*$")
# An origin a browser sends: scheme, host, optional port; no path.
_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$")
# How a bad phone field is described in the start-up error.
_A_UK_PHONE = "a UK phone number"


class ProfileError(ValueError):
    """The profile is missing, unreadable or has a bad field."""


@dataclass(frozen=True)
class Contact:
    team: str
    phone: str
    email: str
    opening_hours: str
    out_of_hours_phone: str | None = None


@dataclass(frozen=True)
class Advocacy:
    name: str
    phone: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Profile:
    organisation_name: str
    organisation_kind: str
    nation: str
    contact: Contact
    complaints_url: str
    advocacy: Advocacy | None = None
    # Local timescales that differ from the nation's (checked against
    # content/timescales/ by actions.timeline.load_timescales).
    timescale_overrides: Mapping[str, Any] = field(default_factory=dict)
    closure_days: Tuple[date, ...] = ()
    retention_days: int = 30
    data_controller: str = ""
    who_can_see: str = ""
    # Other nations this service covers (a national charity, say). When there
    # are any, the bot asks which nation the conference is in.
    other_nations: Tuple[str, ...] = ()
    privacy_notice_url: str | None = None
    # Sites that may embed the chat widget (checked by the Rasa server).
    allowed_origins: Tuple[str, ...] = ()

    @property
    def nation_name(self) -> str:
        """England, Wales, Scotland, Northern Ireland: for the start-up check's message."""
        return self.nation.replace("_", " ").title()

    @property
    def nations(self) -> Tuple[str, ...]:
        return (self.nation,) + self.other_nations


class _Reader:
    """Walks the parsed YAML and names the exact field in every error."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, field: str, problem: str) -> ProfileError:
        return ProfileError(f"{self.source}: {field}: {problem}")

    def section(self, data: Mapping[str, Any], key: str, prefix: str = "") -> Mapping[str, Any]:
        """A block of fields that must be there."""
        value = self.optional_section(data, key, prefix)
        if value is None:
            raise self.fail(prefix + key, "is missing")
        return value

    def optional_section(self, data: Mapping[str, Any], key: str, prefix: str = "") -> Mapping[str, Any] | None:
        """A block of fields that may be left out (None then)."""
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, Mapping):
            raise self.fail(prefix + key, "should be a block of fields, not a single value")
        return value

    def text(
        self,
        data: Mapping[str, Any],
        key: str,
        prefix: str = "",
        pattern: re.Pattern[str] | None = None,
        what: str = "",
    ) -> str:
        """A text field that must be there and not blank."""
        value = self.optional_text(data, key, prefix, pattern=pattern, what=what)
        if value is None:
            raise self.fail(prefix + key, "is missing")
        return value

    def optional_text(
        self,
        data: Mapping[str, Any],
        key: str,
        prefix: str = "",
        pattern: re.Pattern[str] | None = None,
        what: str = "",
    ) -> str | None:
        """A text field that may be left out or blank (None then)."""
        field = prefix + key
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            # An unquoted phone number such as 01632960100 loses its 0 in YAML.
            raise self.fail(field, f"{value!r} should be written in quotes")
        if not isinstance(value, str):
            raise self.fail(field, f"{value!r} should be text")
        value = " ".join(value.split())
        if pattern is not None and not pattern.match(value):
            raise self.fail(field, f'"{value}" is not {what}')
        return value

    def choice(self, data: Mapping[str, Any], key: str, options: Sequence[str], prefix: str = "") -> str:
        value = self.text(data, key, prefix)
        normalised = value.lower().replace(" ", "_")
        if normalised not in options:
            allowed = ", ".join(options)
            raise self.fail(prefix + key, f'"{value}" is not one of: {allowed}')
        return normalised


def parse_profile(data: Any, source: str = "profile") -> Profile:
    """Builds a :class:`Profile` from already-parsed YAML, checking every field."""
    r = _Reader(source)
    if not isinstance(data, Mapping):
        raise ProfileError(f"{source}: the file should contain fields such as organisation and nation")

    org = r.section(data, "organisation")
    contact = r.section(data, "contact")
    complaints = r.section(data, "complaints")
    advocacy = r.optional_section(data, "advocacy")

    overrides = data.get("timescales") or {}
    if not isinstance(overrides, Mapping):
        raise r.fail("timescales", "should be a block of named timescales")
    closures = data.get("closure_days") or []
    if not isinstance(closures, list) or not all(isinstance(d, date) for d in closures):
        raise r.fail("closure_days", "should be a list of dates written as 2026-12-24")

    others = data.get("other_nations") or []
    if not isinstance(others, list) or any(str(n).lower().replace(" ", "_") not in NATIONS for n in others):
        raise r.fail("other_nations", f"should be a list of: {', '.join(NATIONS)}")
    others = tuple(dict.fromkeys(str(n).lower().replace(" ", "_") for n in others))

    web = r.optional_section(data, "web") or {}
    origins = web.get("allowed_origins") or []
    if not isinstance(origins, list) or not all(isinstance(o, str) and _ORIGIN.match(o) for o in origins):
        raise r.fail(
            "web.allowed_origins",
            "should be a list of origins such as https://www.example.org (no path or trailing slash)",
        )

    privacy = r.optional_section(data, "privacy") or {}
    retention = privacy.get("retention_days", 30)
    if not isinstance(retention, int) or isinstance(retention, bool) or not 1 <= retention <= 3650:
        raise r.fail("privacy.retention_days", "should be a whole number of days from 1 to 3650")

    profile = Profile(
        organisation_name=r.text(org, "name", "organisation."),
        organisation_kind=r.choice(org, "kind", ORGANISATION_KINDS, "organisation."),
        nation=r.choice(data, "nation", NATIONS),
        contact=Contact(
            team=r.text(contact, "team", "contact."),
            phone=r.text(contact, "phone", "contact.", pattern=_UK_PHONE, what=_A_UK_PHONE),
            email=r.text(contact, "email", "contact.", pattern=_EMAIL, what="an email address"),
            opening_hours=r.text(contact, "opening_hours", "contact."),
            out_of_hours_phone=r.optional_text(
                contact, "out_of_hours_phone", "contact.", pattern=_UK_PHONE, what=_A_UK_PHONE
            ),
        ),
        complaints_url=r.text(
            complaints, "url", "complaints.", pattern=_URL, what="a web address starting with https://"
        ),
        advocacy=None
        if advocacy is None
        else Advocacy(
            name=r.text(advocacy, "name", "advocacy."),
            phone=r.optional_text(advocacy, "phone", "advocacy.", pattern=_UK_PHONE, what=_A_UK_PHONE),
            url=r.optional_text(
                advocacy, "url", "advocacy.", pattern=_URL, what="a web address starting with https://"
            ),
        ),
        timescale_overrides=dict(overrides),
        closure_days=tuple(closures),
        retention_days=retention,
        data_controller=r.optional_text(privacy, "data_controller", "privacy.") or r.text(org, "name", "organisation."),
        who_can_see=r.optional_text(privacy, "who_can_see", "privacy.") or content().signposts["who_can_see"],
        privacy_notice_url=r.optional_text(
            privacy, "notice_url", "privacy.", pattern=_URL, what="a web address starting with https://"
        ),
    )
    other_nations = tuple(n for n in others if n != profile.nation)
    profile = replace(profile, other_nations=other_nations, allowed_origins=tuple(origins))
    return profile


def load_profile(path: str | os.PathLike[str] | None = None) -> Profile:
    """Reads and checks the profile at ``path``, ``$CC_PROFILE`` or ``profile.yml``."""
    file = Path(path or os.environ.get("CC_PROFILE") or DEFAULT_PROFILE_PATH)
    data = read_yaml(file, ProfileError, missing="file not found (set CC_PROFILE to the profile's path)")
    return parse_profile(data, source=str(file.name))


@lru_cache(maxsize=1)
def current_profile() -> Profile:
    """The profile this process runs with, read once."""
    return load_profile()
