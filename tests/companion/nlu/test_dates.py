"""Date and time expressions in parents' words (companion/nlu/dates.py).

"Now" is Monday 23 November 2026, noon, in London.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from companion.nlu.dates import DateFinder

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=ZoneInfo("Europe/London"))
FINDER = DateFinder()


def values(text):
    return [(f.value, f.time) for f in FINDER.find(text, NOW)]


@pytest.mark.parametrize("text, expected", [
    ("12/3", "2027-03-12"),
    ("it's on 3/12/2026", "2026-12-03"),
    ("ICPC was on 3/12/2026", "2026-12-03"),
    ("3.12.26", "2026-12-03"),
    ("3rd of December", "2026-12-03"),
    ("the 3rd of december", "2026-12-03"),
    ("3 December", "2026-12-03"),
    ("3 dec", "2026-12-03"),
    ("Dec 18th 2026", "2026-12-18"),
    ("December 18, 2026", "2026-12-18"),
    ("18th dec", "2026-12-18"),
    ("5th may", "2027-05-05"),
    ("may 5th", "2027-05-05"),
    ("1st march 2027", "2027-03-01"),
    ("on the 2nd of january", "2027-01-02"),
    ("10th nov", "2027-11-10"),          # no year and already past: next year
    ("23rd november", "2026-11-23"),     # today
    ("next Thursday", "2026-11-26"),
    ("my conference is next thursday", "2026-11-26"),
    ("thursday", "2026-11-26"),
    ("on thurs", "2026-11-26"),
    ("this friday", "2026-11-27"),
    ("on weds", "2026-11-25"),
    ("next monday", "2026-11-30"),       # today is Monday: next Monday is a week on
    ("monday", "2026-11-23"),            # today
    ("monday week", "2026-11-30"),
    ("a week on friday", "2026-12-04"),
    ("tomorrow", "2026-11-24"),
    ("its tmrw", "2026-11-24"),
    ("tomoz", "2026-11-24"),
    ("today", "2026-11-23"),
    ("the meeting is tonight", "2026-11-23"),
    ("day after tomorrow", "2026-11-25"),
    ("the 5th", "2026-12-05"),
    ("on the 30th", "2026-11-30"),
    ("the 23rd", "2026-11-23"),
    ("the 31st", "2026-12-31"),          # no 31 November
    ("in 2 weeks", "2026-12-07"),
    ("in two weeks", "2026-12-07"),
    ("in a week", "2026-11-30"),
    ("in 3 days", "2026-11-26"),
    ("yesterday", "2026-11-22"),
    ("last friday", "2026-11-20"),
    ("it was on the 3rd of december 2025", "2025-12-03"),
])
def test_dates(text, expected):
    assert [v for v, _ in values(text)] == [expected]


@pytest.mark.parametrize("text, expected", [
    ("10am on the 4th", ("2026-12-04", "10:00")),
    ("the 4th at 10am", ("2026-12-04", "10:00")),
    ("thursday at 2.30pm", ("2026-11-26", "14:30")),
    ("3rd december 9:30 am", ("2026-12-03", "09:30")),
    ("tomorrow at 13:00", ("2026-11-24", "13:00")),
    ("12pm on friday", ("2026-11-27", "12:00")),
])
def test_dates_with_times(text, expected):
    assert values(text) == [expected]


@pytest.mark.parametrize("text", [
    "may I bring my mum",
    "may i take a break",
    "they may take my kids",
    "can we march on with the plan",
    "I want a second opinion",
    "I'm 5th in line",
    "she is the 2nd child",
    "what happens at the meeting",
    "i have 3 kids",
    "my son is 12",
    "I'm the 3rd person to ask",
    "the report is 20 pages",
    "",
    "😭😭",
    "<script>alert(1)</script>",
])
def test_false_friends_are_not_dates(text):
    assert values(text) == []


@pytest.mark.parametrize("text", ["31st February", "30th feb 2027", "31/4"])
def test_impossible_dates_are_found_but_invalid(text):
    assert values(text) == [(None, None)]


def test_character_offsets_point_at_the_words():
    text = "my conference is on 3rd of December ok"
    found = FINDER.find(text, NOW)[0]
    assert text[found.start:found.end] == "3rd of December"


def test_naive_now_is_london_time():
    assert FINDER.find("tomorrow", datetime(2026, 11, 23, 23, 30))[0].value == "2026-11-24"
