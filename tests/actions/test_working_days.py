"""Working-day and month arithmetic, checked against GOV.UK's bank holidays."""

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from actions.working_days import WorkingCalendar, add_months, bank_holiday_name

GOV_UK = Path(__file__).resolve().parents[2] / "content" / "bank-holidays.json"
DIVISIONS = {
    "england-and-wales": ["england", "wales"],
    "scotland": ["scotland"],
    "northern-ireland": ["northern_ireland"],
}


def gov_uk_dates(division):
    events = json.loads(GOV_UK.read_text(encoding="utf-8"))[division]["events"]
    return {date.fromisoformat(e["date"]) for e in events}


@pytest.mark.parametrize("division", DIVISIONS)
def test_every_gov_uk_bank_holiday_is_a_non_working_day(division):
    for nation in DIVISIONS[division]:
        calendar = WorkingCalendar.for_nation(nation)
        for day in gov_uk_dates(division):
            assert bank_holiday_name(nation, day), f"{nation}: {day} is not a bank holiday"
            assert not calendar.is_working_day(day), f"{nation}: {day}"


@pytest.mark.parametrize("division", DIVISIONS)
def test_no_weekday_holiday_that_gov_uk_does_not_list(division):
    listed = gov_uk_dates(division)
    first, last = min(listed), max(listed)
    for nation in DIVISIONS[division]:
        day = date(first.year, 1, 1)
        while day <= date(last.year, 12, 31):
            if day.weekday() < 5 and bank_holiday_name(nation, day):
                assert day in listed, f"{nation}: {day} {bank_holiday_name(nation, day)}"
            day += timedelta(days=1)


def test_scotland_has_the_one_off_15_june_2026():
    assert not WorkingCalendar.for_nation("scotland").is_working_day(date(2026, 6, 15))
    assert WorkingCalendar.for_nation("england").is_working_day(date(2026, 6, 15))


def test_the_event_day_is_day_zero():
    # "Within 10 working days of Thursday 3 December 2026" is Thursday 17 December.
    assert WorkingCalendar.for_nation("england").add_working_days(date(2026, 12, 3), 10) == date(2026, 12, 17)


@pytest.mark.parametrize(
    "nation, start, count, expected",
    [
        ("england", date(2026, 12, 24), 1, date(2026, 12, 29)),  # Christmas Fri, Boxing Day moved to Mon 28
        ("england", date(2026, 4, 2), 1, date(2026, 4, 7)),  # Good Friday and Easter Monday
        ("scotland", date(2026, 4, 2), 1, date(2026, 4, 6)),  # no Easter Monday holiday in Scotland
        ("scotland", date(2025, 12, 31), 1, date(2026, 1, 5)),  # 1 and 2 January
        ("england", date(2025, 12, 19), 15, date(2026, 1, 14)),  # research worked example
        ("northern_ireland", date(2025, 12, 19), 15, date(2026, 1, 14)),
        ("england", date(2026, 6, 12), 10, date(2026, 6, 26)),
        ("scotland", date(2026, 6, 12), 10, date(2026, 6, 29)),  # 15 June 2026
        ("england", date(2026, 6, 12), -2, date(2026, 6, 10)),  # 2 working days before
        ("england", date(2026, 12, 3), -2, date(2026, 12, 1)),
        ("england", date(2022, 9, 16), 1, date(2022, 9, 20)),  # State Funeral, 19 September 2022
        ("northern_ireland", date(2026, 7, 10), 1, date(2026, 7, 14)),  # Battle of the Boyne, moved to Mon 13
    ],
)
def test_working_day_runs(nation, start, count, expected):
    assert WorkingCalendar.for_nation(nation).add_working_days(start, count) == expected


def test_closure_days_from_the_profile_are_skipped():
    closed = WorkingCalendar.for_nation("england", closures=[date(2026, 12, 4)])
    assert closed.add_working_days(date(2026, 12, 3), 1) == date(2026, 12, 7)


@pytest.mark.parametrize(
    "start, months, expected",
    [
        (date(2026, 1, 31), 3, date(2026, 4, 30)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2024, 11, 29), 3, date(2025, 2, 28)),
        (date(2023, 11, 30), 3, date(2024, 2, 29)),
        (date(2026, 12, 3), 3, date(2027, 3, 3)),
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
    ],
)
def test_calendar_months_end_on_the_last_day_when_needed(start, months, expected):
    assert add_months(start, months) == expected


def test_unknown_nation_is_refused():
    with pytest.raises(ValueError, match="unknown nation 'cornwall'"):
        WorkingCalendar.for_nation("cornwall")
