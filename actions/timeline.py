"""From a conference date to every date that matters to the parent.

Plain Python with no Rasa imports. The numbers live in
content/timescales/<nation>.yml, each with its rule in words and its source;
a council may override any of them (with its own source). This module reads
them, checks them, and works out the dates with working_days.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Dict, List, Mapping, Tuple

from actions.profile import NATIONS
from actions.working_days import WorkingCalendar, add_months
from actions.yaml_files import read_yaml

TIMESCALES_DIR = Path(__file__).resolve().parent.parent / "content" / "timescales"
UNITS = ("working_days", "days", "months", "hours", "minutes")
KINDS = ("statutory", "good_practice", "local")
ANCHORS = ("conference", "strategy_discussion", "first_core_group", "birth")
CONFERENCE_KINDS = ("initial", "review", "pre_birth")
# A pre-birth conference is a first conference held before the baby is born:
# the initial rules apply, and the pre-birth ones too.
RULES_FOR_KIND = {"initial": ("initial",), "review": ("review",), "pre_birth": ("initial", "pre_birth")}
# Anchors that only the parent can give: without them a rule is shown in words
# (birth) or left out (the strategy discussion, which only sets a deadline
# for the first conference).
OPTIONAL_ANCHORS = {"strategy_discussion": "leave_out", "birth": "undated"}


class TimescalesError(ValueError):
    """A timescales file or a profile override is missing or malformed."""


@dataclass(frozen=True)
class TimeRule:
    key: str
    label: str
    anchor: str
    when: str
    applies_to: Tuple[str, ...]
    kind: str
    rule: str
    source: str
    amount: int | None = None
    unit: str | None = None
    approximate: bool = False
    repeat_until: str | None = None


@dataclass(frozen=True)
class Timescales:
    nation: str
    meeting: str
    rules: Tuple[TimeRule, ...]


@dataclass(frozen=True)
class Milestone:
    key: str
    label: str
    rule: str
    kind: str
    source: str
    day: date | None  # None: no fixed date
    at: time | None = None  # a time of day, when the rule and the start time give one
    approximate: bool = False
    passed: bool = False
    order: int = 0  # before the conference -1, the conference 0, after 1


def _check_amount(value: object, unit: object, where: str) -> Tuple[int | None, str | None]:
    if value is None and unit is None:
        return None, None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise TimescalesError(f"{where}: amount should be a whole number of 0 or more")
    if not isinstance(unit, str) or unit not in UNITS:
        raise TimescalesError(f"{where}: unit should be one of {', '.join(UNITS)}")
    return value, unit


def _parse_rule(entry: Mapping[str, Any], where: str) -> TimeRule:
    def need(key: str, choices: Tuple[str, ...] | None = None) -> str:
        value = entry.get(key)
        if not isinstance(value, str) or not value.strip():
            raise TimescalesError(f"{where}: {key} is missing")
        if choices and value not in choices:
            raise TimescalesError(f"{where}: {key} should be one of {', '.join(choices)}")
        return value.strip()

    applies = entry.get("applies_to")
    if not isinstance(applies, list) or not set(applies) <= set(CONFERENCE_KINDS) or not applies:
        raise TimescalesError(f"{where}: applies_to should list initial, review or pre_birth")
    amount, unit = _check_amount(entry.get("amount"), entry.get("unit"), where)
    return TimeRule(
        key=need("key"),
        label=need("label"),
        anchor=need("anchor", ANCHORS),
        when=need("when", ("before", "after")),
        applies_to=tuple(applies),
        kind=need("kind", KINDS),
        rule=need("rule"),
        source=need("source"),
        amount=amount,
        unit=unit,
        approximate=bool(entry.get("approximate", False)),
        repeat_until=entry.get("repeat_until"),
    )


def _apply_overrides(rules: Tuple[TimeRule, ...], overrides: Mapping[str, Any], where: str) -> Tuple[TimeRule, ...]:
    """A council's own numbers. Each needs a source, which the answer names."""
    known = {rule.key for rule in rules}
    for key in overrides:
        if key not in known:
            raise TimescalesError(f"{where}.{key}: no such timescale (one of {', '.join(sorted(known))})")
    changed = []
    for rule in rules:
        change = overrides.get(rule.key)
        if change is None:
            changed.append(rule)
            continue
        place = f"{where}.{rule.key}"
        if not isinstance(change, Mapping):
            raise TimescalesError(f"{place}: should be a block with amount, unit and source")
        amount, unit = _check_amount(change.get("amount"), change.get("unit"), place)
        source = change.get("source")
        if not isinstance(source, str) or not source.strip():
            raise TimescalesError(f"{place}: source is missing (name the local procedure)")
        text = change.get("rule") or rule.rule
        changed.append(
            replace(
                rule,
                amount=amount,
                unit=unit,
                kind="local",
                approximate=False,
                source=source.strip(),
                rule=str(text).strip(),
            )
        )
    return tuple(changed)


def load_timescales(
    nation: str, overrides: Mapping[str, Any] | None = None, directory: Path = TIMESCALES_DIR
) -> Timescales:
    # The file name comes from the fixed list, never from what a client sent.
    if nation not in NATIONS:
        raise TimescalesError(f"no timescales for nation {nation!r}")
    path = Path(directory) / f"{NATIONS[NATIONS.index(nation)]}.yml"
    data = read_yaml(path, TimescalesError, missing=f"no timescales for nation {nation!r}")
    where = f"timescales/{nation}.yml"
    if not isinstance(data, Mapping) or not isinstance(data.get("milestones"), list):
        raise TimescalesError(f"{where}: should have a list of milestones")
    rules = tuple(
        _parse_rule(entry if isinstance(entry, Mapping) else {}, f"{where}: milestones[{n}]")
        for n, entry in enumerate(data["milestones"])
    )
    if overrides:
        rules = _apply_overrides(rules, overrides, "profile.yml: timescales")
    return Timescales(nation=nation, meeting=str(data.get("meeting") or "conference"), rules=rules)


def _move(day: date, at: time | None, rule: TimeRule, calendar: WorkingCalendar) -> Tuple[date, time | None]:
    """The date (and time) ``rule.amount`` ``rule.unit`` before or after ``day``."""
    sign = 1 if rule.when == "after" else -1
    amount, unit = rule.amount, rule.unit
    if amount is None:
        raise ValueError(f"{rule.key}: has no amount to count from its anchor")
    if unit == "working_days":
        return calendar.add_working_days(day, sign * amount), None
    if unit == "days":
        return day + timedelta(days=sign * amount), None
    if unit == "months":
        return add_months(day, sign * amount), None
    step = timedelta(hours=amount) if unit == "hours" else timedelta(minutes=amount)
    if at is None:
        # No start time: count whole days (48 hours after is 2 days after).
        return day + timedelta(days=sign * (step // timedelta(days=1))), None
    moment = datetime.combine(day, at) + sign * step
    return moment.date(), moment.time()


def build_timeline(
    conference: date,
    conference_kind: str,
    timescales: Timescales,
    calendar: WorkingCalendar,
    today: date,
    start: time | None = None,
    strategy_discussion: date | None = None,
    birth: date | None = None,
    conference_label: str = "",
) -> List[Milestone]:
    """Every milestone for this conference, in date order, with its rule and source.

    The conference itself is labelled ``conference_label`` (content/dates.yml
    words it for parents), or the nation's name for the meeting.
    """
    if conference_kind not in CONFERENCE_KINDS:
        raise ValueError(f"conference_kind should be one of {', '.join(CONFERENCE_KINDS)}")
    wanted = RULES_FOR_KIND[conference_kind]
    rules = [r for r in timescales.rules if set(wanted) & set(r.applies_to)]
    anchors: Dict[str, date | None] = {
        "conference": conference,
        "birth": birth,
        "strategy_discussion": strategy_discussion,
    }
    dated: Dict[str, date] = {}
    milestones: List[Milestone] = []

    def add(rule: TimeRule, day: date | None, at: time | None = None, approximate: bool | None = None) -> None:
        order = -1 if rule.when == "before" or rule.anchor == "strategy_discussion" else 1
        milestones.append(
            Milestone(
                key=rule.key,
                label=rule.label,
                rule=rule.rule,
                kind=rule.kind,
                source=rule.source,
                day=day,
                at=at,
                approximate=rule.approximate if approximate is None else approximate,
                passed=day is not None and day < today,
                order=order,
            )
        )

    # Single dates first, so repeating ones can stop at them.
    for rule in (r for r in rules if not r.repeat_until):
        anchor = anchors.get(rule.anchor, dated.get(rule.anchor))
        missing = OPTIONAL_ANCHORS.get(rule.anchor) if anchor is None else None
        if missing == "leave_out":
            continue
        if rule.amount is None or missing == "undated":
            add(rule, None)
            continue
        if anchor is None:
            # An anchor that is neither the parent's nor an earlier milestone's date.
            raise TimescalesError(f"{rule.key}: its anchor {rule.anchor} has no date before it is used")
        day, at = _move(anchor, start if rule.anchor == "conference" else None, rule, calendar)
        dated.setdefault(rule.key, day)
        add(rule, day, at)

    for rule in rules:
        if not rule.repeat_until:
            continue
        first = dated.get(rule.anchor, conference)
        until = dated.get(rule.repeat_until)
        if until is None or rule.amount is None:
            continue
        step, day = 1, first
        while True:
            day = (
                add_months(first, step * rule.amount)
                if rule.unit == "months"
                else first + timedelta(days=step * rule.amount)
            )
            if day >= until:
                break
            # "About once a month": shown on the next working day, not a Sunday.
            add(rule, calendar.next_working_day(day), approximate=True)
            step += 1

    milestones.append(
        Milestone(
            key="conference",
            label=conference_label or timescales.meeting,
            rule="",
            kind="statutory",
            source="",
            day=conference,
            at=start,
            passed=conference < today,
            order=0,
        )
    )
    return sorted(milestones, key=lambda m: ((m.day or conference), m.order, m.at or time(0), m.day is None))
