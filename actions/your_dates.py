"""The parent's own dates, in words: answers, a compact list, a payload for
the web widget, a calendar file, and what to do when a right was missed.

Plain Python with no Rasa imports. The dates come from actions.timeline; the
words from content/dates.yml and content/answers.yml; the deployment profile
picks the nation, its own numbers and its closure days.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Sequence, Tuple

from icalendar import Calendar, Event

from actions.content import CONTENT_DIR, ContentError, content
from actions.profile import Profile
from actions.timeline import Milestone, TimeRule, Timescales, build_timeline, load_timescales
from actions.working_days import WorkingCalendar
from actions.yaml_files import read_yaml

DATES_PATH = CONTENT_DIR / "dates.yml"
# How far from today a conference date may be before the bot asks again.
FURTHEST = timedelta(days=366)
# Milestones a "missed right" can be about (content/dates.yml: missed).
CHASEABLE = ("reports", "first_core_group", "tell_chair", "minutes", "plan_copy")
# Missed only while the conference is still to come.
BEFORE_THE_MEETING = ("reports", "tell_chair")
# Milestones that happen on their date rather than by it.
EXACT = ("conference", "arrive_early")


# ----------------------------------------------------------------- the words
@dataclass(frozen=True)
class DateWords:
    questions: Mapping[str, str]
    buttons: Mapping[str, str]
    problems: Mapping[str, str]
    you_can: Mapping[str, str]
    # Parsed YAML of mixed shape, so Any: timeline's values are text except
    # "kinds" and "kind_notes" (mappings); missed's are a block of when /
    # advice / message per right, and "copy_intro" is text.
    timeline: Mapping[str, Any]
    missed: Mapping[str, Any]


_SHAPE = {
    "questions": ("ask_date", "confirm_date", "ask_kind", "ask_nation", "any_meeting"),
    "buttons": (
        "confirm_yes",
        "confirm_no",
        "not_now",
        "kind_initial",
        "kind_review",
        "kind_pre_birth",
        "nation_england",
        "nation_wales",
        "nation_scotland",
        "nation_northern_ireland",
    ),
    "problems": ("no_date", "not_a_real_date", "too_far_past", "too_far_future"),
    "timeline": (
        "heading",
        "passed",
        "about",
        "by",
        "no_date",
        "what_you_can_do",
        "calendar",
        "calendar_filename",
        "calendar_name",
        "calendar_source",
        "your_meeting",
        "answer_lead",
        "your_meeting_on",
        "date_at_time",
        "start_time_unknown",
        "kinds",
        "without_date",
        "no_rule",
    ),
    "missed": CHASEABLE + ("copy_intro",),
}


def parse_date_words(data: Mapping[str, Any], where: str = "dates.yml") -> DateWords:
    if not isinstance(data, Mapping):
        raise ContentError(f"{where}: should contain named blocks")
    blocks = {}
    for block, keys in list(_SHAPE.items()) + [("you_can", ())]:
        value = data.get(block)
        if not isinstance(value, Mapping):
            raise ContentError(f"{where}: {block} is missing")
        for key in keys:
            if not value.get(key):
                raise ContentError(f"{where}: {block}.{key} is missing")
        blocks[block] = value
    for key in CHASEABLE:
        for part in ("when", "advice", "message"):
            if not isinstance(blocks["missed"][key], Mapping) or not blocks["missed"][key].get(part):
                raise ContentError(f"{where}: missed.{key}.{part} is missing")
    return DateWords(**blocks)


@lru_cache(maxsize=1)
def date_words(path: Path = DATES_PATH) -> DateWords:
    return parse_date_words(read_yaml(path, ContentError), path.name)


def in_words(day: date) -> str:
    """Thursday 3 December 2026."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def short_words(day: date) -> str:
    """Thu 3 Dec 2026: for lists and text messages."""
    return f"{day:%a} {day.day} {day:%b %Y}"


def clock_words(at: time) -> str:
    """10am, 9:45am, 2:30pm."""
    hour = at.hour % 12 or 12
    minutes = f":{at.minute:02d}" if at.minute else ""
    return f"{hour}{minutes}{'am' if at.hour < 12 else 'pm'}"


# ------------------------------------------------------- checking the date
def check_conference_date(value: str | None, today: date) -> Tuple[date | None, str | None]:
    """The date, or the name of what is wrong with it (a key of problems)."""
    try:
        day = date.fromisoformat(str(value))
    except ValueError:
        return None, "no_date"
    if day < today - FURTHEST:
        return None, "too_far_past"
    if day > today + FURTHEST:
        return None, "too_far_future"
    return day, None


# ------------------------------------------------------------ the timeline
@dataclass(frozen=True)
class YourDates:
    conference: date
    kind: str
    meeting: str
    milestones: Tuple[Milestone, ...]
    today: date

    def find(self, key: str) -> List[Milestone]:
        return [m for m in self.milestones if m.key == key]

    @property
    def start(self) -> time | None:
        """The conference's start time, when the parent gave one."""
        return next((m.at for m in self.milestones if m.key == "conference"), None)


_LOADED: Dict[Tuple[str, str], Timescales] = {}


def _timescales(nation: str, profile: Profile) -> Timescales:
    """Read once per nation and set of overrides (a council's own numbers are
    for its own nation only)."""
    overrides = profile.timescale_overrides if nation == profile.nation else {}
    key = (nation, repr(sorted(overrides.items())))
    if key not in _LOADED:
        _LOADED[key] = load_timescales(nation, overrides)
    return _LOADED[key]


def work_out(
    profile: Profile, conference: date, kind: str, today: date, nation: str | None = None, start: time | None = None
) -> YourDates:
    nation = nation or profile.nation
    timescales = _timescales(nation, profile)
    calendar = WorkingCalendar.for_nation(nation, profile.closure_days)
    label = date_words().timeline["your_meeting"].format(meeting=timescales.meeting)
    milestones = build_timeline(conference, kind, timescales, calendar, today, start=start, conference_label=label)
    return YourDates(conference, kind, timescales.meeting, tuple(milestones), today)


def kind_matters(asked: Iterable[str], timescales: Timescales) -> bool:
    """Whether the answer depends on the conference being a first one or a review.

    Reports, the letter and the minutes follow the same rule for both, so a
    parent asking only about those is not asked which it is.
    """
    asked = set(asked)
    if not asked:
        return True  # the whole timeline

    def rules(key: str, kind: str) -> List[TimeRule]:
        return [r for r in timescales.rules if r.key == key and kind in r.applies_to]

    return any(rules(key, "initial") != rules(key, "review") for key in asked)


def timescales_for(profile: Profile, nation: str | None = None) -> Timescales:
    """The timescales of ``nation`` if the profile covers it, else of the profile's own nation
    (a slot value is never trusted to name a file)."""
    return _timescales(nation if nation in profile.nations else profile.nation, profile)


def _when(m: Milestone, words: DateWords) -> str:
    if m.day is None:
        return str(words.timeline["no_date"])
    prefix = words.timeline["about"] if m.approximate else ""
    text = prefix + short_words(m.day)
    if m.at is not None:
        text += f", {clock_words(m.at)}"
    if m.passed:
        text += f" {words.timeline['passed']}"
    return text


def _label(m: Milestone) -> str:
    return m.label[0].lower() + m.label[1:] if not m.label.startswith("Your") else m.label


# Research ids such as "(E4)" or "(L11, L9b)" are for maintainers, not parents.
_RESEARCH_IDS = re.compile(r"\s*\((?:[A-Z][0-9]+[a-z]?(?:,\s*)?)+\)")


def sources_of(milestones_or_sources: Iterable[Milestone | str]) -> str:
    """The sources' names, each once, without the research ids."""
    seen: Dict[str, None] = {}
    for item in milestones_or_sources:
        source = item if isinstance(item, str) else item.source
        for name in _RESEARCH_IDS.sub("", source or "").split(";"):
            if name.strip():
                seen.setdefault(name.strip(), None)
    return "; ".join(seen)


def what_you_can_do(advice: str) -> str:
    return content().answers["what_you_can_do"].format(advice=advice[:1].lower() + advice[1:])


def source_line(sources: str) -> str:
    """The answer's last line, naming its sources."""
    return content().answers["source"].format(sources=sources)


def at_time(day_in_words: str, at: time | None, words: DateWords) -> str:
    """ "Thursday 3 December 2026 at 10am", or only the date without a time."""
    if at is None:
        return day_in_words
    return str(words.timeline["date_at_time"].format(date=day_in_words, time=clock_words(at)))


def _heading(dates: YourDates, words: DateWords) -> str:
    kind = str(words.timeline["kinds"].get(dates.kind, dates.kind)).format(meeting=dates.meeting)
    return str(words.timeline["heading"].format(kind=kind, conference=in_words(dates.conference)))


def compact_list(dates: YourDates, words: DateWords | None = None) -> str:
    """One line a date, for text channels and SMS."""
    words = words or date_words()
    lines = [_heading(dates, words)]
    undated = []
    for m in dates.milestones:
        if m.day is None:
            undated.append(m)
            continue
        lines.append(f"- {_when(m, words)}: {_label(m)}{_kind_note(m, words)}")
    for m in undated:
        lines.append(f"- {words.timeline['no_date']}: {_label(m)}{_kind_note(m, words)}")
    return "\n".join(lines)


def _kind_note(m: Milestone, words: DateWords) -> str:
    """Where a date's rule comes from, in words (content/dates.yml: timeline.kind_notes):
    national rules, good practice, or a local rule. Nothing for the meeting itself."""
    notes = words.timeline.get("kind_notes") or {}
    note = notes.get(m.kind) if m.key != "conference" else None
    return f" ({note})" if note else ""


def timeline_answer(dates: YourDates, words: DateWords | None = None) -> str:
    words = words or date_words()
    parts = [compact_list(dates, words), words.timeline["what_you_can_do"]]
    parts.append(source_line(sources_of(dates.milestones)))
    return "\n\n".join(parts)


def single_answer(dates: YourDates, key: str, words: DateWords | None = None) -> str | None:
    """The answer about one milestone: its date, its rule, what to do, the source."""
    words = words or date_words()
    found = dates.find(key)
    if not found:
        return None
    first = found[0]
    timeline = words.timeline
    if first.day is None:
        when = timeline["no_date"].lower()
    elif len(found) > 1:
        when = timeline["about"] + ", ".join(short_words(m.day) for m in found[:4] if m.day is not None)
    else:
        approx = timeline["about"] if first.approximate else ("" if key in EXACT else timeline["by"])
        when = approx + at_time(in_words(first.day), first.at, words)
    lead = " ".join(
        [
            timeline["answer_lead"].format(label=first.label, when=when),
            timeline["your_meeting_on"].format(
                meeting=dates.meeting, conference=at_time(in_words(dates.conference), dates.start, words)
            ),
        ]
    )
    text = [lead, first.rule]
    if key == "arrive_early" and dates.start is None:
        text.append(str(timeline["start_time_unknown"]))
    chase = missed_right(dates, key, words)
    if chase:
        text.append(chase)
    elif words.you_can.get(key):
        text.append(what_you_can_do(words.you_can[key]))
    text.append(source_line(sources_of([first])))
    return "\n\n".join(text)


def no_rule_answer(dates: YourDates, key: str, words: DateWords | None = None) -> str:
    words = words or date_words()
    return str(words.timeline["no_rule"])


def rules_answer(timescales: Timescales, asked: Sequence[str], words: DateWords | None = None) -> str:
    """Without the parent's date: each asked rule in words, and an offer."""
    words = words or date_words()
    parts, sources = [], []
    for key in asked:
        rule = next((r for r in timescales.rules if r.key == key), None)
        if rule is None:
            parts.append(words.timeline["no_rule"])
            continue
        parts.append(f"{rule.label}: {rule.rule}")
        sources.append(rule.source)
    parts.append(words.timeline["without_date"].format(meeting=timescales.meeting))
    if sources:
        parts.append(source_line(sources_of(sources)))
    return "\n\n".join(parts)


# ------------------------------------------------------ when a right is missed
def missed_right(dates: YourDates, key: str, words: DateWords | None = None) -> str | None:
    """What to do, and a message to copy, when ``key``'s date has passed.

    The reports and telling the chair who is coming: their date has passed
    and the conference has not. The first core group: its date has passed
    and the first review has not. The minutes and the plan: their date has
    passed.
    """
    words = words or date_words()
    fill = _missed(dates, key)
    if fill is None:
        return None
    block = words.missed[key]
    return "\n\n".join(
        [
            block["when"].format(**fill),
            what_you_can_do(block["advice"].format(**fill)),
            words.missed["copy_intro"],
            block["message"].strip().format(**fill),
        ]
    )


def chase_message(dates: YourDates, key: str, words: DateWords | None = None) -> str | None:
    """Only the message to copy, filled in, or None when nothing was missed."""
    words = words or date_words()
    fill = _missed(dates, key)
    return None if fill is None else words.missed[key]["message"].strip().format(**fill)


def _missed(dates: YourDates, key: str) -> Dict[str, str] | None:
    """The words to fill in when ``key``'s right was missed, else None."""
    if key not in CHASEABLE:
        return None
    found = dates.find(key)
    if not found or found[0].day is None or not found[0].passed:
        return None
    if key in BEFORE_THE_MEETING and dates.conference < dates.today:
        return None
    if key == "first_core_group":
        reviews = dates.find("next_review")
        if reviews and reviews[0].day and reviews[0].day < dates.today:
            return None
    return dict(date=in_words(found[0].day), conference=in_words(dates.conference), meeting=dates.meeting)


# ----------------------------------------------------- for the web widget
def timeline_payload(dates: YourDates, words: DateWords | None = None) -> Dict[str, object]:
    """Structured data the widget draws; the calendar file rides along."""
    words = words or date_words()
    return {
        "type": "timeline",
        "title": _heading(dates, words),
        "conference": dates.conference.isoformat(),
        "kind": dates.kind,
        "milestones": [
            {
                "key": m.key,
                "label": m.label,
                "date": m.day.isoformat() if m.day else None,
                "date_in_words": in_words(m.day) if m.day else words.timeline["no_date"],
                "time": m.at.strftime("%H:%M") if m.at else None,
                "approximate": m.approximate,
                "passed": m.passed,
                "rule": m.rule,
                "kind": m.kind,
                "source": m.source,
            }
            for m in dates.milestones
        ],
        "calendar": {
            "label": words.timeline["calendar"],
            "filename": words.timeline["calendar_filename"],
            "ics": calendar_file(dates, words),
        },
    }


def calendar_file(dates: YourDates, words: DateWords | None = None) -> str:
    """An iCalendar file of every dated milestone, as all-day events."""
    words = words or date_words()
    cal = Calendar()
    cal.add("prodid", "-//Conference Companion//Your dates//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", words.timeline["calendar_name"])
    stamp = datetime.combine(dates.today, time(0), tzinfo=timezone.utc)
    for m in dates.milestones:
        if m.day is None:
            continue
        event = Event()
        label = m.label
        if m.at is not None:
            label += f" ({clock_words(m.at)})"
        event.add("summary", label)
        event.add("dtstart", m.day)
        event.add("dtend", m.day + timedelta(days=1))
        event.add("dtstamp", stamp)
        source = words.timeline["calendar_source"].format(source=m.source)
        event.add("description", f"{m.rule}\n{source}".strip() if m.rule else "")
        seed = f"{dates.conference}-{dates.kind}-{m.key}-{m.day}"
        event.add("uid", hashlib.sha256(seed.encode()).hexdigest()[:24] + "@conference-companion")
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    ical: bytes = cal.to_ical()
    return ical.decode("utf-8")


def asked_keys(found: Sequence[str], kind: str | None) -> List[str]:
    """The milestone keys a question named, with the kind's own variant.

    After a review conference there is no "first" core group: the question is
    about the core groups that carry on.
    """
    keys = []
    for key in found:
        if key == "first_core_group" and kind == "review":
            key = "core_groups"
        if key not in keys:
            keys.append(key)
    return keys
