"""Working days and calendar months, the way child protection rules count them.

Plain Python with no Rasa imports. Runs in the action server's environment,
which has a current `holidays` package (Rasa's own environment pins an old
one that lacks Scotland's 15 June 2026 bank holiday).

Counting rules (docs/content-decisions.md explains them):
- The day of the event is day 0. "Within 10 working days of Thursday
  3 December 2026" is the 10th working day after it: Thursday 17 December.
- "2 working days before" a meeting is the 2nd working day before it.
- A working day is Monday to Friday and not a bank holiday in the nation
  (England and Wales share a list; Scotland and Northern Ireland have their
  own), nor a closure day the deployment adds.
- "Within 3 months" is a calendar rule: the same day of the month, or the
  last day of the month when that day does not exist (31 January + 1 month
  is 28 or 29 February). The date is not moved off a weekend.
"""

from __future__ import annotations

import calendar as _calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from typing import FrozenSet, Iterable

import holidays

SUBDIVISIONS = {
    "england": "ENG",
    "wales": "WLS",
    "scotland": "SCT",
    "northern_ireland": "NIR",
}


@cache
def _bank_holidays(nation: str) -> holidays.HolidayBase:
    try:
        subdivision = SUBDIVISIONS[nation]
    except KeyError:
        raise ValueError(f"unknown nation {nation!r}: one of {', '.join(SUBDIVISIONS)}") from None
    # country_holidays is the typed way in; "GB" gives the UnitedKingdom calendar.
    return holidays.country_holidays("GB", subdiv=subdivision)


def bank_holiday_name(nation: str, day: date) -> str | None:
    """The bank holiday's name if ``day`` is one in ``nation``, else None."""
    return _bank_holidays(nation).get(day)


@dataclass(frozen=True)
class WorkingCalendar:
    nation: str
    closures: FrozenSet[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        _bank_holidays(self.nation)  # fails early for an unknown nation

    @classmethod
    def for_nation(cls, nation: str, closures: Iterable[date] = ()) -> WorkingCalendar:
        return cls(nation, frozenset(closures))

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in _bank_holidays(self.nation) and day not in self.closures

    def next_working_day(self, day: date) -> date:
        """``day`` itself if it is a working day, else the first one after it."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def add_working_days(self, start: date, count: int) -> date:
        """The ``count``-th working day after ``start`` (before it if negative)."""
        step = 1 if count >= 0 else -1
        day, remaining = start, abs(count)
        while remaining:
            day += timedelta(days=step)
            if self.is_working_day(day):
                remaining -= 1
        return day


def add_months(start: date, months: int) -> date:
    """Same day ``months`` later, or the month's last day when there is no such day."""
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    last = _calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(start.day, last))
