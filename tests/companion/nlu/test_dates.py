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


@pytest.mark.parametrize(
    "text, expected",
    [
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
        ("10th nov", "2026-11-10"),  # no year or tense: the nearer, 13 days ago
        ("23rd november", "2026-11-23"),  # today
        ("next Thursday", "2026-11-26"),
        ("my conference is next thursday", "2026-11-26"),
        ("thursday", "2026-11-26"),
        ("on thurs", "2026-11-26"),
        ("this friday", "2026-11-27"),
        ("on weds", "2026-11-25"),
        ("next monday", "2026-11-30"),  # today is Monday: next Monday is a week on
        ("monday", "2026-11-23"),  # today
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
        ("the 31st", "2026-12-31"),  # no 31 November
        ("in 2 weeks", "2026-12-07"),
        ("in two weeks", "2026-12-07"),
        ("in a week", "2026-11-30"),
        ("in 3 days", "2026-11-26"),
        ("yesterday", "2026-11-22"),
        ("last friday", "2026-11-20"),
        ("it was on the 3rd of december 2025", "2025-12-03"),
    ],
)
def test_dates(text, expected):
    assert [v for v, _ in values(text)] == [expected]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("10am on the 4th", ("2026-12-04", "10:00")),
        ("the 4th at 10am", ("2026-12-04", "10:00")),
        ("thursday at 2.30pm", ("2026-11-26", "14:30")),
        ("3rd december 9:30 am", ("2026-12-03", "09:30")),
        ("tomorrow at 13:00", ("2026-11-24", "13:00")),
        ("12pm on friday", ("2026-11-27", "12:00")),
    ],
)
def test_dates_with_times(text, expected):
    assert values(text) == [expected]


@pytest.mark.parametrize(
    "text",
    [
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
    ],
)
def test_false_friends_are_not_dates(text):
    assert values(text) == []


@pytest.mark.parametrize("text", ["31st February", "30th feb 2027", "31/4"])
def test_impossible_dates_are_found_but_invalid(text):
    assert values(text) == [(None, None)]


def test_character_offsets_point_at_the_words():
    text = "my conference is on 3rd of December ok"
    found = FINDER.find(text, NOW)[0]
    assert text[found.start : found.end] == "3rd of December"


def test_naive_now_is_london_time():
    assert FINDER.find("tomorrow", datetime(2026, 11, 23, 23, 30))[0].value == "2026-11-24"


# ------------------------------------------------ issue 17: UK ways of writing
# Each block below is one kind of failure the issue lists.


@pytest.mark.parametrize(
    "text, expected",
    [
        ("conference is on 4/2/27", "2027-02-04"),
        ("icpc was 4/2/26", "2026-02-04"),
        ("04/02/27", "2027-02-04"),
        ("4.2.27", "2027-02-04"),
        ("4-2-27", "2027-02-04"),
        ("the review is on 14/01/27", "2027-01-14"),
        ("3rd sept 27", "2027-09-03"),
        ("9 feb '27", "2027-02-09"),
    ],
)
def test_two_digit_years_are_this_century(text, expected):
    assert [v for v, _ in values(text)] == [expected]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("on the 9th feb", "2027-02-09"),
        ("it's on the 2nd feb", "2027-02-02"),
        ("the conference is on the 3rd of dec", "2026-12-03"),
        ("on december the 10th", "2026-12-10"),
        ("Tues 16th March", "2027-03-16"),
        ("thursday 3rd december", "2026-12-03"),
    ],
)
def test_a_month_name_with_the_day_is_read_whole(text, expected):
    assert [v for v, _ in values(text)] == [expected]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("they went on a plan 2 October", "2026-10-02"),
        ("the icpc was 12th november", "2026-11-12"),
        ("we had the conference on 10 june", "2026-06-10"),
        ("it was on 2/11", "2026-11-02"),
        ("the conference was on the 1st", "2026-11-01"),
        ("it was on wednesday", "2026-11-18"),
        ("i went to the conference on 16 november", "2026-11-16"),
        # No tense: the nearer of last time and next time, leaning to the future.
        ("10th nov", "2026-11-10"),
        ("icpc 20 november, when is the core group", "2026-11-20"),
        ("3 march", "2027-03-03"),
        # Future words win, even for a day just gone.
        ("the conference has been moved to the 20th", "2026-12-20"),
        ("my review is on 2 october", "2027-10-02"),
    ],
)
def test_tense_and_context_decide_past_or_future(text, expected):
    assert [v for v, _ in values(text)] == [expected]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("a week on thursday", "2026-12-03"),
        ("thursday week", "2026-12-03"),
        ("this thursday", "2026-11-26"),
        ("the thursday after next", "2026-12-03"),
        ("thursday after next", "2026-12-03"),
        ("a week tomorrow", "2026-12-01"),
        ("2 weeks today", "2026-12-07"),
        ("a fortnight today", "2026-12-07"),
        ("in a fortnight", "2026-12-07"),
        ("in 10 days", "2026-12-03"),
        ("a week on tuesday", "2026-12-01"),
        ("on wed", "2026-11-25"),
        ("monday 30th", "2026-11-30"),
        ("last thursday", "2026-11-19"),
        ("2 weeks ago", "2026-11-09"),
    ],
)
def test_weekdays_and_days_counted_from_today(text, expected):
    assert [v for v, _ in values(text)] == [expected]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("half 9 on the 8th", ("2026-12-08", "09:30")),
        ("the 8th at half 2", ("2026-12-08", "14:30")),
        ("the 8th at half past ten", ("2026-12-08", "10:30")),
        ("it starts at 11 on thursday", ("2026-11-26", "11:00")),
        ("2/12/26 at 14:00", ("2026-12-02", "14:00")),
        ("19 january at 10", ("2027-01-19", "10:00")),
        ("quarter past 10 on 1 dec", ("2026-12-01", "10:15")),
        ("quarter to 2 on the 20th", ("2026-12-20", "13:45")),
        ("10 o'clock on friday 4th december", ("2026-12-04", "10:00")),
        ("3 dec 10 am", ("2026-12-03", "10:00")),
        ("tomorrow at 9", ("2026-11-24", "09:00")),
        ("1pm on 3 dec", ("2026-12-03", "13:00")),
    ],
)
def test_times_in_uk_words(text, expected):
    assert values(text) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "30th feb",
        "29 february 2027",
        "31/11/26",
        "29/2/27",
        "31st april",
        # No year: next February (2027) has no 29th.
        "the meeting is 29th feb",
    ],
)
def test_impossible_dates_are_named(text):
    assert values(text) == [(None, None)]


def test_29_february_in_a_leap_year_is_real():
    assert values("29/2/28") == [("2028-02-29", None)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("on monday week", "2026-11-30"),
        ("by thursday week", "2026-12-03"),
        ("on the thursday after next", "2026-12-03"),
        ("it's on 3rd december", "2026-12-03"),
    ],
)
def test_the_longer_reading_wins_over_on_and_a_weekday(text, expected):
    assert [v for v, _ in values(text)] == [expected]


def test_an_impossible_date_after_on_is_named():
    assert values("it's on 31st april") == [(None, None)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("in 2 weeks' time", ("2026-12-07", None)),
        ("in three weeks time", ("2026-12-14", None)),
        ("it's 1.30 on monday", ("2026-11-23", "13:30")),
        ("14.00 on 3/12/26", ("2026-12-03", "14:00")),
        ("monday the 7th of december at half nine", ("2026-12-07", "09:30")),
        ("next monday the 7th", ("2026-12-07", None)),
        ("the 7th of next month", ("2026-12-07", None)),
        ("3rd December, 2026 at 10:00 am", ("2026-12-03", "10:00")),
        ("at 2 in the afternoon on the 4th", ("2026-12-04", "14:00")),
        ("febuary 3rd", ("2027-02-03", None)),
        ("wensday 25th", ("2026-11-25", None)),
        ("friday fortnight", ("2026-12-11", None)),
        ("two weeks on friday", ("2026-12-11", None)),
    ],
)
def test_more_ways_of_writing(text, expected):
    assert values(text) == [expected]


@pytest.mark.parametrize(
    "text, expected",
    [
        # Found by the property test: "24/7" after "on" is the 24th of July.
        ("the conference is on 24/7", ["2027-07-24"]),
        ("they watch us 24/7", []),
        ("24/7 support line", []),
    ],
)
def test_24_7_is_a_date_only_when_said_as_one(text, expected):
    assert [v for v, _ in values(text)] == expected
