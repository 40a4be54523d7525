"""Property: for a random conference in each nation, every milestone the
date engine gives agrees with a second calculation written here.

The second calculation reads the rules from content/timescales/<nation>.yml
and the bank holidays from GOV.UK's list (content/bank-holidays.json), not
from the engine or the `holidays` package the engine uses, and counts the
days its own way. Closure days a council adds are drawn at random too.
"""

import calendar
import json
from datetime import date, datetime, time, timedelta
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from actions.timeline import build_timeline, load_timescales
from actions.working_days import WorkingCalendar

ROOT = Path(__file__).resolve().parents[2]
DIVISION = {
    "england": "england-and-wales",
    "wales": "england-and-wales",
    "scotland": "scotland",
    "northern_ireland": "northern-ireland",
}
GOV_UK = json.loads((ROOT / "content" / "bank-holidays.json").read_text(encoding="utf-8"))
HOLIDAYS = {
    nation: frozenset(date.fromisoformat(e["date"]) for e in GOV_UK[division]["events"])
    for nation, division in DIVISION.items()
}
RULES = {
    nation: yaml.safe_load((ROOT / "content" / "timescales" / f"{nation}.yml").read_text(encoding="utf-8"))[
        "milestones"
    ]
    for nation in DIVISION
}
FOR_KIND = {"initial": {"initial"}, "review": {"review"}, "pre_birth": {"initial", "pre_birth"}}
TIMESCALES = {nation: load_timescales(nation) for nation in DIVISION}
# GOV.UK's list runs from 2018 to 2028: conferences up to 2027 keep every date inside it.
FIRST, LAST = date(2019, 1, 1), date(2027, 12, 31)


# ------------------------------------------------------- the second calculation
def is_working_day(day, nation, closures):
    return day.isoweekday() <= 5 and day not in HOLIDAYS[nation] and day not in closures


def count_working_days(start, count, nation, closures):
    """The count-th working day after start (before it when count < 0); start is day 0."""
    step = timedelta(days=1 if count > 0 else -1)
    day, counted = start, 0
    while counted < abs(count):
        day += step
        counted += is_working_day(day, nation, closures)
    return day


def months_later(start, months):
    """The same day of the month, or the month's last day when it has no such day."""
    total = start.month - 1 + months
    year, month = start.year + total // 12, total % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def expected(nation, kind, conference, start, closures):
    rules = [r for r in RULES[nation] if FOR_KIND[kind] & set(r["applies_to"])]
    found, single = [], {}
    for rule in rules:
        if rule.get("repeat_until") or rule["anchor"] == "strategy_discussion":
            continue
        amount, unit = rule.get("amount"), rule.get("unit")
        if amount is None or rule["anchor"] == "birth":
            found.append((rule["key"], None, None))
            continue
        sign = 1 if rule["when"] == "after" else -1
        at = None
        if unit == "working_days":
            day = count_working_days(conference, sign * amount, nation, closures)
        elif unit == "days":
            day = conference + timedelta(days=sign * amount)
        elif unit == "months":
            day = months_later(conference, sign * amount)
        else:
            minutes = amount * (60 if unit == "hours" else 1)
            if start is None:
                day = conference + timedelta(days=sign * (minutes // (24 * 60)))
            else:
                moment = datetime.combine(conference, start) + timedelta(minutes=sign * minutes)
                day, at = moment.date(), moment.time()
        single.setdefault(rule["key"], day)
        found.append((rule["key"], day, at))
    for rule in (r for r in rules if r.get("repeat_until")):
        first, until = single.get(rule["anchor"], conference), single.get(rule["repeat_until"])
        if until is None:
            continue
        step = 1
        while True:
            day = (
                months_later(first, step * rule["amount"])
                if rule["unit"] == "months"
                else first + timedelta(days=step * rule["amount"])
            )
            if day >= until:
                break
            while not is_working_day(day, nation, closures):
                day += timedelta(days=1)
            found.append((rule["key"], day, None))
            step += 1
    found.append(("conference", conference, start))
    return sorted(found, key=repr)


# ---------------------------------------------------------------- the property
conferences = st.tuples(
    st.sampled_from(sorted(DIVISION)),
    st.sampled_from(sorted(FOR_KIND)),
    st.integers(0, (LAST - FIRST).days),  # the conference
    st.integers(-1, 39),  # its start: -1 none, else 8:00 to 17:45
    st.lists(st.integers(-40, 200), max_size=3),  # closure days near it
    st.integers(-200, 200),
)  # today, near it


@settings(max_examples=10_000, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(conferences)
def test_every_milestone_agrees_with_gov_uk_bank_holidays(case):
    nation, kind, day_number, slot, closure_offsets, today_offset = case
    conference = FIRST + timedelta(days=day_number)
    start = None if slot < 0 else time(8 + slot // 4, 15 * (slot % 4))
    closures = frozenset(conference + timedelta(days=o) for o in closure_offsets)
    today = conference + timedelta(days=today_offset)
    got = build_timeline(
        conference, kind, TIMESCALES[nation], WorkingCalendar.for_nation(nation, closures), today, start=start
    )
    assert sorted(((m.key, m.day, m.at) for m in got), key=repr) == expected(
        nation, kind, conference, start, closures
    ), (nation, kind, conference, start)
    assert all(m.passed == (m.day is not None and m.day < today) for m in got)
