"""Property: for a random day and date, each way a UK parent writes the date
(and a time) reads back as that date (companion/nlu/dates.py).

Forms without a year carry the tense that fixes them ("is on" for a date in
the coming year, "was on" for one in the past year), as a parent's would.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from companion.nlu.dates import DateFinder

FINDER = DateFinder()
LONDON = ZoneInfo("Europe/London")
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def ordinal(n):
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def abbr(name):
    return "Sept" if name == "September" else name[:3]


# Forms of a whole date: (function of the date) -> words.
WITH_YEAR = [
    lambda d: f"{d.day}/{d.month}/{d.year}",
    lambda d: f"{d.day:02}/{d.month:02}/{d.year}",
    lambda d: f"{d.day}/{d.month}/{d.year % 100:02}",
    lambda d: f"{d.day}.{d.month}.{d.year % 100:02}",
    lambda d: f"{d.day}-{d.month}-{d.year}",
    lambda d: f"{d.day} {MONTHS[d.month - 1]} {d.year}",
    lambda d: f"{ordinal(d.day)} of {MONTHS[d.month - 1].lower()} {d.year}",
    lambda d: f"the {ordinal(d.day)} of {MONTHS[d.month - 1]}, {d.year}",
    lambda d: f"{abbr(MONTHS[d.month - 1])} {ordinal(d.day)}, {d.year}",
    lambda d: f"{WEEKDAYS[d.weekday()]} {d.day} {MONTHS[d.month - 1]} {d.year}",
    lambda d: f"{WEEKDAYS[d.weekday()][:3]} {ordinal(d.day)} {abbr(MONTHS[d.month - 1])} {d.year % 100}",
    lambda d: d.isoformat(),
]
WITHOUT_YEAR = [
    lambda d: f"{d.day}/{d.month}",
    lambda d: f"{d.day} {MONTHS[d.month - 1]}",
    lambda d: f"{ordinal(d.day)} {abbr(MONTHS[d.month - 1]).lower()}",
    lambda d: f"the {ordinal(d.day)} of {MONTHS[d.month - 1]}",
    lambda d: f"{MONTHS[d.month - 1]} {ordinal(d.day)}",
    lambda d: f"{MONTHS[d.month - 1].lower()} the {ordinal(d.day)}",
    lambda d: f"{WEEKDAYS[d.weekday()]} {ordinal(d.day)} {MONTHS[d.month - 1]}",
]


def time_forms(hour, minute):
    """Ways of writing a time from 8am to 5.45pm (said without am or pm, a
    time in the working day)."""
    h12 = hour % 12 or 12
    forms = [
        f"{h12}{f':{minute:02}' if minute else ''}{'pm' if hour >= 12 else 'am'}",
        f"{hour:02}:{minute:02}",
        f"at {h12}.{minute:02} {'pm' if hour >= 12 else 'am'}",
    ]
    forms += {
        0: [f"at {h12}", f"{h12} o'clock"],
        30: [f"half {h12}", f"at half past {h12}"],
        15: [f"quarter past {h12}"],
        45: [f"quarter to {(hour + 1) % 12 or 12}"],
    }[minute]
    return forms


FIRST_DAY = date(2024, 1, 1)
days = st.dates(min_value=FIRST_DAY, max_value=date(2030, 12, 31))
# One flat tuple of numbers per example (cheaper for hypothesis than many
# draws): the day written on, the kind of form, an offset, which form, and
# which time (-1: none) and how it is written.
numbers = st.tuples(
    st.integers(0, 2556),
    st.integers(0, 5),
    st.integers(-400, 400),
    st.integers(0, 99),
    st.integers(-1, 39),
    st.integers(0, 9),
)


def read(text, today):
    return FINDER.read(text, datetime.combine(today, time(12), tzinfo=LONDON))


def written(day_number, kind, offset, form, slot, how):
    """(today, the date meant, its time or None, the words)."""
    today = FIRST_DAY + timedelta(days=day_number)
    if kind == 0:
        target = today + timedelta(days=offset)
        text = f"the conference is on {WITH_YEAR[form % len(WITH_YEAR)](target)}"
    elif kind == 1:
        target = today + timedelta(days=abs(offset) % 361 * (1 if offset >= 0 else -1))
        verb = "is on" if target >= today else "was on"
        text = f"the conference {verb} {WITHOUT_YEAR[form % len(WITHOUT_YEAR)](target)}"
    elif kind == 2:
        day = WEEKDAYS[offset % 7]
        index = offset % 7
        upcoming = today + timedelta(days=(index - today.weekday()) % 7)
        after_today = upcoming if upcoming > today else upcoming + timedelta(days=7)
        last = today - timedelta(days=(today.weekday() - index - 1) % 7 + 1)
        words, target = [
            (f"this {day}", upcoming),
            (f"next {day}", after_today),
            (f"on {day.lower()}", upcoming),
            (f"{day} week", upcoming + timedelta(days=7)),
            (f"a week on {day}", upcoming + timedelta(days=7)),
            (f"the {day} after next", after_today + timedelta(days=7)),
            (f"last {day}", last),
            (f"it was {day.lower()}", last),
        ][form % 8]
        text = f"the meeting: {words}"
    elif kind == 3:
        n = abs(offset) % 40 + 1
        words, target = [
            (f"in {n} days", today + timedelta(days=n)),
            (f"in {n} weeks", today + timedelta(weeks=n)),
            (f"{n} weeks today", today + timedelta(weeks=n)),
            ("tomorrow", today + timedelta(days=1)),
            ("the day after tomorrow", today + timedelta(days=2)),
            ("in a fortnight", today + timedelta(days=14)),
            ("a week tomorrow", today + timedelta(days=8)),
            ("today", today),
        ][form % 8]
        text = f"the conference is {words}"
    else:
        # A day of the month alone: the next one with that number, or the last one.
        target = today + timedelta(days=abs(offset) % 28 * (1 if kind == 4 else -1))
        text = f"the conference {'is' if kind == 4 else 'was'} on the {ordinal(target.day)}"
    clock = None
    if slot >= 0:
        hour, minute = 8 + slot // 4, 15 * (slot % 4)
        clock = f"{hour:02}:{minute:02}"
        forms = time_forms(hour, minute)
        text += " " + forms[how % len(forms)]
    return today, target, clock, text


@settings(max_examples=10_000, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(numbers)
def test_every_written_form_reads_back_as_its_date(case):
    today, target, clock, text = written(*case)
    reading = read(text, today)
    assert reading.conference is not None, text
    assert reading.conference.value == target.isoformat(), text
    assert (reading.start_time.value if reading.start_time else None) == clock, text


@settings(max_examples=2_000, deadline=None, database=None)
@given(days, st.integers(1, 31), st.integers(1, 12), st.sampled_from([0, 1]))
def test_a_day_that_is_not_on_the_calendar_has_no_value(today, day, month, with_year):
    year = today.year + 1
    try:
        date(year, month, day)
        real = True
    except ValueError:
        real = False
    text = f"it is on {day}/{month}/{year}" if with_year else f"it is on {ordinal(day)} {MONTHS[month - 1]}"
    found = read(text, today).conference
    assert found is not None
    if with_year:
        assert (found.value is not None) == real, text
    elif not real and day > 29:
        # 30 or 31 in a month that never has it: impossible in every year.
        assert found.value is None, text
