"""Finds dates and times in a parent's message, and which date is the conference.

Plain Python over spaCy's tokenizer and Matcher (a blank English pipeline:
nothing to download). The Matcher finds the spans and names their parts, so
a month name counts only next to a day number ("may I bring my mum" is not
a date), an ordinal only as a day ("the 5th", not "I'm 5th in line") and a
bare number only as a time after "at" ("at 10", not "at 10 weeks"). Each
span is then turned into a date, relative to the message's day in
Europe/London, the way UK parents write:
- numbers are day first, and a two-digit year is this century (4/2/27);
- a date without a year, a weekday or "the 5th" is the one before or after
  today as the words around it say: "was", "had", "went", "last" look back;
  "is", "will", "next", "moved to" look forward. With neither, a weekday or
  "the 5th" looks forward, and a date looks back only when the last one was
  much nearer (within about three months) than the next;
- "Thursday week", "a week on Thursday", "the Thursday after next", "2 weeks
  today", "in a fortnight" are counted from today;
- times are UK times: "10am", "14:00", "half 2", "quarter to 11", "at 10";
  a time with no am or pm is in the working day (1 to 6 is afternoon).
A day that is not on the calendar ("30th Feb", 29 February 2027) is kept,
with no value, so the bot can name it.

Dates that are clearly not the conference are marked with why: a birth
("born", "dob", "birthday", a baby "due"), "since", "last year", another
event ("the report came on", "court", "core group"), or a date the meeting
was moved from. `Reading.conference` is the date most likely to be the
conference: one said with a conference word, else the first plain date.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Dict, Iterable, List, Sequence, Set, Tuple, cast
from zoneinfo import ZoneInfo

import spacy
from spacy.matcher import Matcher
from spacy.symbols import ORTH
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc, Span

LONDON = ZoneInfo("Europe/London")

MONTHS = {
    "jan": 1,
    "january": 1,
    "janury": 1,
    "janauary": 1,
    "feb": 2,
    "february": 2,
    "febuary": 2,
    "feburary": 2,
    "febraury": 2,
    "mar": 3,
    "march": 3,
    "apr": 4,
    "april": 4,
    "apirl": 4,
    "may": 5,
    "jun": 6,
    "june": 6,
    "jul": 7,
    "july": 7,
    "aug": 8,
    "august": 8,
    "agust": 8,
    "sep": 9,
    "sept": 9,
    "september": 9,
    "setember": 9,
    "septmber": 9,
    "oct": 10,
    "october": 10,
    "nov": 11,
    "november": 11,
    "novemeber": 11,
    "novmber": 11,
    "dec": 12,
    "december": 12,
    "decemeber": 12,
    "decmber": 12,
    "decemebr": 12,
}
WEEKDAYS = {
    "mon": 0,
    "monday": 0,
    "tue": 1,
    "tues": 1,
    "tuesday": 1,
    "tuseday": 1,
    "teusday": 1,
    "wed": 2,
    "weds": 2,
    "wednesday": 2,
    "wensday": 2,
    "wednsday": 2,
    "wendsday": 2,
    "thu": 3,
    "thur": 3,
    "thurs": 3,
    "thursday": 3,
    "thurday": 3,
    "thrusday": 3,
    "fri": 4,
    "friday": 4,
    "sat": 5,
    "saturday": 5,
    "sun": 6,
    "sunday": 6,
}
NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}
UNIT_DAYS = {"day": 1, "days": 1, "week": 7, "weeks": 7, "wk": 7, "wks": 7, "fortnight": 14, "fortnights": 14}
RELATIVE_DAYS = {
    "today": 0,
    "tonight": 0,
    "tomorrow": 1,
    "tmrw": 1,
    "tmw": 1,
    "tomoz": 1,
    "2moro": 1,
    "2morrow": 1,
    "tomorow": 1,
    "tommorow": 1,
    "tommorrow": 1,
    "yesterday": -1,
}


def _alternatives(words: Iterable[str]) -> str:
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))


MONTH = rf"^({_alternatives(MONTHS)})\.?$"
WEEKDAY = rf"^({_alternatives(WEEKDAYS)})\.?$"
# "sat", "sun", "wed" and "mon" are words too: alone they need "on", "next"...
WEEKDAY_ALONE = rf"^({_alternatives(w for w in WEEKDAYS if w not in ('sat', 'sun', 'wed', 'mon'))})\.?$"
DAY = r"^(0?[1-9]|[12][0-9]|3[01])(st|nd|rd|th)?$"
ORDINAL = r"^(0?[1-9]|[12][0-9]|3[01])(st|nd|rd|th)$"
YEAR4 = r"^(19|20)[0-9]{2}$"
YEAR2 = r"^2[0-9]$"  # only after a month name: 2020 to 2029
NUMERIC = r"^(0?[1-9]|[12][0-9]|3[01])([/.\-])(0?[1-9]|1[0-2])(\2([0-9]{2}|[0-9]{4}))?$"
ISO = r"^(19|20)[0-9]{2}-[01][0-9]-[0-3][0-9]$"
COUNT = rf"^([1-9]|[1-5][0-9]|{_alternatives(NUMBER_WORDS)})$"
COUNT_UNIT = r"^([1-9]|[1-5][0-9])(days?|wks?|weeks?)$"
HOUR = rf"^(0?[1-9]|1[0-2]|{_alternatives(w for w in NUMBER_WORDS if w not in ('a', 'an'))})$"
CLOCK = r"^([01]?[0-9]|2[0-3])[:.][0-5][0-9]$"
CLOCK_AMPM = r"^(0?[1-9]|1[0-2])([:.][0-5][0-9])?(am|pm)$"
CLOCK_RANGE = r"^(0?[1-9]|1[0-2])([:.][0-5][0-9])?(am|pm)?[-–](0?[1-9]|1[0-2])([:.][0-5][0-9])?(am|pm)$"
CLOCK_ISH = r"^(0?[1-9]|1[0-2])ish$"
AMPM = ["am", "pm", "a.m.", "p.m.", "a.m", "p.m"]
AT_BARE = ["at", "from", "starts", "start", "starting", "begins"]  # before a bare hour: "at 10"
AT = AT_BARE + ["for"]


def _r(pattern: str, op: str | None = None) -> Dict[str, Any]:
    token: Dict[str, Any] = {"LOWER": {"REGEX": pattern}}
    if op:
        token["OP"] = op
    return token


def _w(*words: str, op: str | None = None) -> Dict[str, Any]:
    token: Dict[str, Any] = {"LOWER": {"IN": list(words)}}
    if op:
        token["OP"] = op
    return token


COMMA = {"ORTH": ",", "OP": "?"}
THE = _w("the", op="?")
ON = _w("on", "by", "until", "til", "till", "for", op="?")
WD_ = _r(WEEKDAY, "?")
RELATIVE = list(RELATIVE_DAYS)

# Each key is one way of writing a date or a time; _resolve reads its parts.
PATTERNS: Dict[str, List[List[Dict[str, Any]]]] = {
    "day_month": [
        [
            WD_,
            COMMA,
            THE,
            _r(DAY),
            _w("of", op="?"),
            _r(MONTH),
            COMMA,
            {"ORTH": "'", "OP": "?"},
            _r(YEAR4 + "|" + YEAR2, "?"),
        ]
    ],
    "month_day": [[WD_, COMMA, _r(MONTH), THE, _r(DAY), COMMA, _r(YEAR4, "?")]],
    "numeric": [[WD_, COMMA, _r(NUMERIC)]],
    "iso": [[_r(ISO)]],
    "day_of_month": [[WD_, _w("the"), _r(ORDINAL)], [_r(WEEKDAY), _r(ORDINAL)], [_w("on"), _r(ORDINAL)]],
    "day_of_named_month": [[THE, _r(ORDINAL), _w("of"), _w("this", "next", "last"), _w("month")]],
    "weekday": [
        [_r(WEEKDAY_ALONE)],
        [_w("on", "by", "until", "til", "till", "next", "this", "coming"), _r(WEEKDAY)],
        [ON, _w("next", "this", "coming"), _r(WEEKDAY)],
        [_w("this"), _w("coming"), _r(WEEKDAY)],
    ],
    "weekday_week": [
        [ON, _r(WEEKDAY), _w("week")],
        [_w("a", "one"), _w("week"), _w("on", "from", "next", "this", op="?"), _r(WEEKDAY)],
    ],
    "weekday_fortnight": [
        [ON, _r(WEEKDAY), _w("fortnight")],
        [_w("a"), _w("fortnight"), _w("on", "from", "next", "this", op="?"), _r(WEEKDAY)],
        [_r(COUNT), _w("weeks"), _w("on", "from"), _r(WEEKDAY)],
    ],
    "next_week_weekday": [
        [_w("next"), _w("week"), _w("on", op="?"), _r(WEEKDAY)],
        [ON, _r(WEEKDAY), _w("next"), _w("week")],
        [ON, _r(WEEKDAY), _w("of"), _w("next"), _w("week")],
    ],
    "weekday_after_next": [[ON, THE, _r(WEEKDAY), _w("after"), _w("next")]],
    "last_weekday": [
        [_w("last", "past", "previous"), _r(WEEKDAY)],
        [_w("this"), _w("past"), _r(WEEKDAY)],
        [_r(WEEKDAY), _w("just", op="?"), _w("gone")],
    ],
    "relative": [[_w(*RELATIVE)]],
    "day_after_tomorrow": [[THE, _w("day"), _w("after"), _w(*RELATIVE[2:-1])]],
    "day_before_yesterday": [[THE, _w("day"), _w("before"), _w("yesterday")]],
    "in_days": [
        [_w("in"), _r(COUNT), _w(*UNIT_DAYS), _w("time", "'s", "s", "'", op="?"), _w("time", op="?")],
        [_w("in"), _r(COUNT_UNIT)],
    ],
    "days_from": [[_r(COUNT), _w(*UNIT_DAYS), _w("from", op="?"), _w(*RELATIVE[:-1], "now")]],
    "days_ago": [[_r(COUNT), _w(*UNIT_DAYS), _w("ago")]],
    "this_time_next_week": [[_w("this"), _w("time"), _w("next"), _w("week")]],
    # Times
    "clock_ampm": [
        [_w(*AT, op="?"), _r(HOUR[:-2] + r"|(0?[1-9]|1[0-2])[:.][0-5][0-9])$"), _w(*AMPM)],
        [_w(*AT, op="?"), _r(CLOCK_AMPM)],
        [_w(*AT, op="?"), _r(CLOCK_RANGE)],
    ],
    "clock_24": [
        [_w(*AT, op="?"), _r(r"^([01]?[0-9]|2[0-3]):[0-5][0-9]$")],
        # "1.30", "14.00": minutes that cannot be a month are a time.
        [_w(*AT, op="?"), _r(r"^([01]?[0-9]|2[0-3])\.(00|1[3-9]|[2-5][0-9])$")],
        [_w(*AT), _r(r"^([01]?[0-9]|2[0-3])\.[0-5][0-9]$")],
    ],
    "clock_at": [[_w(*AT_BARE), _r(HOUR)], [_w(*AT, op="?"), _r(CLOCK_ISH)]],
    "clock_half": [[_w(*AT, op="?"), _w("half"), _w("past", op="?"), _r(HOUR)]],
    "clock_quarter": [[_w(*AT, op="?"), _w("quarter"), _w("past", "to", "after"), _r(HOUR)]],
    "clock_oclock": [[_w(*AT, op="?"), _r(HOUR), _w("o'clock", "oclock")]],
    "clock_noon": [[_w(*AT, op="?"), _w("noon", "midday", "12noon")]],
}
CLOCK_KEYS = {key for key in PATTERNS if key.startswith("clock_")}
WHOLE_DATES = {"day_month", "month_day", "numeric", "iso"}
# Words after a number that make "at 10" something other than a time.
NOT_A_TIME_AFTER = {
    "weeks",
    "week",
    "wks",
    "months",
    "month",
    "years",
    "year",
    "yrs",
    "yr",
    "days",
    "day",
    "hours",
    "hour",
    "hrs",
    "mins",
    "min",
    "minutes",
    "minute",
    "%",
    "percent",
    "pages",
    "page",
    "kids",
    "children",
    "child",
    "people",
    "point",
    "stage",
    "time",
    "times",
    "of",
    "past",
    "to",
    "and",
    "or",
    "y/o",
    "yo",
    "-",
}
# An ordinal that is about a place in a queue, not a date.
NOT_A_DAY_AFTER = {
    "in",
    "time",
    "person",
    "one",
    "child",
    "baby",
    "kid",
    "place",
    "floor",
    "birthday",
    "week",
    "month",
    "year",
    "grade",
    "class",
    "attempt",
}
# Words that make a number like 24/7 a date.
DATE_LEAD = {"on", "by", "until", "til", "till", "from", "is", "was", "'s", "its", "the"}
# Leading words that belong to the pattern but not to the date's own words.
LEADING = {"the", "on", "by", "until", "til", "till", "for", "at", "from", "starts", "start", "starting", "begins"}

# Tense: the nearest of these before a date (or just after it) says which way to look.
PAST_WORDS = {
    "was",
    "were",
    "wasnt",
    "had",
    "did",
    "went",
    "happened",
    "held",
    "been",
    "ago",
    "last",
    "gone",
    "took",
    "attended",
    "came",
    "put",
    "placed",
    "decided",
    "started",
    "finished",
    "ended",
    "passed",
}
FUTURE_WORDS = {
    "is",
    "'s",
    "s",
    "isnt",
    "are",
    "will",
    "'ll",
    "ll",
    "be",
    "going",
    "gonna",
    "coming",
    "next",
    "upcoming",
    "moved",
    "changed",
    "rescheduled",
    "postponed",
    "booked",
    "arranged",
    "set",
    "now",
    "until",
    "til",
    "till",
    "planned",
    "happening",
    "being",
    "its",
    "meant",
    "supposed",
    "due",
    "starts",
    "begins",
    "need",
    "should",
    "shall",
}
# Roles: what a date is said with. The nearest such word wins.
CONFERENCE_WORDS = {
    "conference",
    "conf",
    "conferences",
    "meeting",
    "meetings",
    "meetin",
    "icpc",
    "rcpc",
    "cpc",
    "cppm",
    "review",
    "reviews",
    "cp",
    "rcpcs",
}
BIRTH_WORDS = {
    "born",
    "birth",
    "dob",
    "d.o.b",
    "d.o.b.",
    "birthday",
    "birthdays",
    "bday",
    "b'day",
    "turned",
    "turns",
    "turning",
}
BABY_WORDS = {"baby", "pregnant", "pregnancy", "due"}
OTHER_EVENT_WORDS = {
    "report",
    "reports",
    "paperwork",
    "papers",
    "court",
    "hearing",
    "police",
    "letter",
    "minutes",
    "core",
    "cg",
    "strategy",
    "scan",
    "visit",
    "visited",
    "appointment",
    "contact",
    "school",
    "nursery",
    "hospital",
    "gp",
    "assessment",
    "taken",
    "removed",
    "arrested",
    "invite",
    "invitation",
}
CLAUSE_BREAKS = {
    ".",
    "?",
    "!",
    ";",
    ":",
    ",",
    "and",
    "but",
    "so",
    "because",
    "cos",
    "coz",
    "as",
    "then",
    "\n",
    "-",
    "–",
}
SENTENCE_BREAKS = {".", "?", "!", ";", "\n"}
# Roles a date can have that still allow it to be the conference.
MAY_BE_CONFERENCE = ("conference", "date")


@dataclass(frozen=True)
class Clock:
    text: str
    start: int  # character offsets in the message
    end: int
    value: str  # HH:MM


@dataclass(frozen=True)
class Found:
    text: str
    start: int  # character offsets in the message
    end: int
    value: str | None  # ISO date, or None when it is not a real date
    clock: Clock | None = None  # the time given with it
    # conference: said with a conference word; date: nothing says what it is;
    # otherwise why it is not the conference: birth, since, last_year, other, replaced.
    role: str = "date"
    tense: str | None = None  # past or future, when the words said so

    @property
    def time(self) -> str | None:
        return self.clock.value if self.clock else None


@dataclass(frozen=True)
class Reading:
    dates: Tuple[Found, ...]
    times: Tuple[Clock, ...]
    conference: Found | None
    start_time: Clock | None  # the conference's time, or a time said on its own
    today: date

    def without(self, spans: Sequence[Tuple[int, int]]) -> Reading:
        """The same reading without the dates that overlap these character spans
        (dates another step knows are not the conference)."""
        kept = tuple(f for f in self.dates if not any(s < f.end and f.start < e for s, e in spans))
        return _reading(kept, self.times, self.today)

    @property
    def invalid(self) -> List[Found]:
        """Impossible dates that could have been the conference."""
        return [f for f in self.dates if f.value is None and f.role in MAY_BE_CONFERENCE]

    @property
    def tense(self) -> str:
        """past or future: whether the conference has happened (as far as the words say)."""
        if self.conference and self.conference.value:
            return "past" if date.fromisoformat(self.conference.value) < self.today else "future"
        said = [f.tense for f in self.dates if f.tense]
        return said[0] if said else "future"


def london_now() -> datetime:
    return datetime.now(LONDON)


class DateFinder:
    def __init__(self) -> None:
        self._nlp = spacy.blank("en")
        tokenizer = cast(Tokenizer, self._nlp.tokenizer)
        # "wed" is not "we'd" here; "3-12-2026" stays one token.
        for form in ("wed", "Wed", "WED"):
            tokenizer.add_special_case(form, [{ORTH: form}])
        tokenizer.token_match = re.compile(r"^\d{1,4}[/.\-]\d{1,2}(?:[/.\-]\d{2,4})?$").match
        self._matcher = Matcher(self._nlp.vocab)
        for key, patterns in PATTERNS.items():
            self._matcher.add(key, patterns)

    # ------------------------------------------------------------------ public
    def find(self, text: str, now: datetime | None = None) -> List[Found]:
        """Every date in the message, in order (times are inside, as `clock`)."""
        return list(self.read(text, now).dates)

    def read(self, text: str, now: datetime | None = None) -> Reading:
        today = _today(now)
        doc = self._nlp.make_doc(text or "")
        spans = self._spans(doc)
        clocks = [
            (s, e, value)
            for key, s, e in spans
            if key in CLOCK_KEYS
            for value in [_clock_value(key, doc[s:e])]
            if value
        ]
        kept = [
            (key, start, end)
            for key, start, end in spans
            if key not in CLOCK_KEYS
            and not (key == "day_of_month" and end < len(doc) and doc[end].lower_ in NOT_A_DAY_AFTER)
            and not (key == "numeric" and _numeric_is_a_time(doc, start, end))
        ]
        found: List[Found] = []
        for key, start, end in kept:
            tense = _tense(doc, start, end)
            role, year_shift = _role(doc, start, end, kept)
            value = _resolve(key, doc[start:end], today, tense, year_shift)
            found.append(
                Found(*_words(doc, start, end), value=value.isoformat() if value else None, role=role, tense=tense)
            )
        found, times = _attach(doc, found, clocks, kept)
        return _reading(tuple(found), tuple(times), today)

    # --------------------------------------------------------------- matching
    def _spans(self, doc: Doc) -> List[Tuple[str, int, int]]:
        matches = [_trimmed(doc, self._nlp.vocab.strings[key], start, end) for key, start, end in self._matcher(doc)]
        matches = [m for m in matches if m[2] > m[1] and _acceptable(doc, *m)]
        # Longest spans win, then whole dates over a day alone ("on 31st april");
        # overlapping ones are dropped.
        matches.sort(key=lambda m: (-(m[2] - m[1]), m[0] not in WHOLE_DATES, m[1]))
        taken: Set[int] = set()
        chosen = []
        for key, start, end in matches:
            if taken & set(range(start, end)):
                continue
            taken |= set(range(start, end))
            chosen.append((key, start, end))
        return sorted(chosen, key=lambda m: m[1])


def _today(now: datetime | None) -> date:
    # The message's time in London; a naive datetime is taken as London time.
    if now is None:
        now = london_now()
    elif now.tzinfo is not None:
        now = now.astimezone(LONDON)
    return now.date()


def _trimmed(doc: Doc, key: str, start: int, end: int) -> Tuple[str, int, int]:
    """Without the optional commas and apostrophes at either end."""
    while start < end and doc[start].text in (",", "'"):
        start += 1
    while end > start and doc[end - 1].text in (",", "'"):
        end -= 1
    return key, start, end


def _acceptable(doc: Doc, key: str, start: int, end: int) -> bool:
    """Drops matches that the patterns cannot rule out by themselves."""
    after = doc[end].lower_ if end < len(doc) else ""
    if key == "clock_at" and (after in NOT_A_TIME_AFTER or after in MONTHS):
        return False
    if key == "day_month" and re.match(YEAR2, doc[end - 1].lower_) and after in AMPM + ["o'clock"]:
        return False
    # "24/7 support" is not the 24th of July; "it's on 24/7" is.
    before = doc[start - 1].lower_ if start > 0 else ""
    return not (key == "numeric" and doc[start:end].text == "24/7" and before not in DATE_LEAD)


def _numeric_is_a_time(doc: Doc, start: int, end: int) -> bool:
    """ "at 9.12" or "9.12am" is a time; "9.12.26" and "9/12" are dates."""
    token = doc[end - 1].text
    if "." not in token or token.count(".") > 1:
        return False
    before = doc[start - 1].lower_ if start > 0 else ""
    after = doc[end].lower_ if end < len(doc) else ""
    return before in AT or after in AMPM


def _words(doc: Doc, start: int, end: int) -> Tuple[str, int, int]:
    """The span's own words, without a leading "the", "on" or "at"."""
    while end - start > 1 and doc[start].lower_ in LEADING:
        start += 1
    span = doc[start:end]
    return span.text, span.start_char, span.end_char


# ----------------------------------------------------------------- context
def _clause(doc: Doc, start: int, end: int, before: int, after: int) -> Tuple[List[str], List[str]]:
    """Up to ``before`` words before the span (nearest first) and ``after``
    words after it, without crossing a clause break."""
    left: List[str] = []
    i = start - 1
    while i >= 0 and len(left) < before and doc[i].lower_ not in CLAUSE_BREAKS:
        left.append(doc[i].lower_)
        i -= 1
    right: List[str] = []
    i = end
    while i < len(doc) and len(right) < after and doc[i].lower_ not in CLAUSE_BREAKS:
        right.append(doc[i].lower_)
        i += 1
    return left, right


def _tense(doc: Doc, start: int, end: int) -> str | None:
    inside = [t.lower_ for t in doc[start:end]]
    if inside[0] in ("last", "past", "previous") or inside[-1] in ("gone", "ago"):
        return "past"
    if inside[0] in ("next", "this", "coming"):
        return "future"
    left, right = _clause(doc, start, end, before=8, after=3)
    for word in left + right:
        if word in FUTURE_WORDS:
            return "future"
        if word in PAST_WORDS:
            return "past"
    return None


def _role(doc: Doc, start: int, end: int, spans: Sequence[Tuple[str, int, int]]) -> Tuple[str, int]:
    """What the date is said with, and a year shift for "last year"."""
    left, right = _clause(doc, start, end, before=7, after=3)
    year_shift = (
        {"last": -1, "this": 0, "next": 1}.get(right[0], None) if len(right) >= 2 and right[1] == "year" else None
    )
    if year_shift == -1:
        return "last_year", -1
    if left[:1] == ["since"] or left[:2] == ["ever", "since"]:
        return "since", 0
    if left[:1] == ["from"] and any(s > end for key, s, _ in spans if key not in CLOCK_KEYS):
        return "replaced", year_shift or 0
    clause = set(left) | set(right)
    for word in left + right:
        if word in CONFERENCE_WORDS:
            return "conference", year_shift or 0
        if word in BIRTH_WORDS or (word == "due" and clause & (BABY_WORDS - {"due"})):
            return "birth", year_shift or 0
        if word in OTHER_EVENT_WORDS:
            return "other", year_shift or 0
    return "date", year_shift or 0


def _attach(
    doc: Doc, found: List[Found], clocks: List[Tuple[int, int, str]], date_spans: List[Tuple[str, int, int]]
) -> Tuple[List[Found], List[Clock]]:
    """Each time goes with the nearest date in its clause (at most 4 words away)."""
    times: List[Clock] = []
    attached: Dict[int, Clock] = {}
    for c_start, c_end, value in clocks:
        text, s_char, e_char = _words(doc, c_start, c_end)
        clock = Clock(text, s_char, e_char, value)
        times.append(clock)
        best: Tuple[int, int] | None = None
        for index, (_, d_start, d_end) in enumerate(date_spans):
            lo, hi = (c_end, d_start) if c_end <= d_start else (d_end, c_start)
            between = [t.lower_ for t in doc[lo:hi]]
            if len(between) > 4 or any(w in CLAUSE_BREAKS - {"-", "–"} for w in between):
                continue
            if best is None or len(between) < best[0]:
                best = (len(between), index)
        if best is not None and best[1] not in attached:
            attached[best[1]] = clock
    with_times = [Found(f.text, f.start, f.end, f.value, attached.get(i), f.role, f.tense) for i, f in enumerate(found)]
    return with_times, times


def _reading(found: Tuple[Found, ...], times: Tuple[Clock, ...], today: date) -> Reading:
    conference = _conference(found)
    start_time = conference.clock if conference and conference.clock else None
    if start_time is None:
        attached = {f.clock for f in found if f.clock}
        alone = [c for c in times if c not in attached]
        start_time = alone[0] if alone else None
    return Reading(found, times, conference, start_time, today)


def _conference(found: Sequence[Found]) -> Found | None:
    candidates = [f for f in found if f.role in MAY_BE_CONFERENCE]
    said = [f for f in candidates if f.role == "conference"]
    if len(said) > 1:
        # Two conference dates ("the first was..., the review is..."): the latest real one.
        real = [f for f in said if f.value]
        return max(real, key=lambda f: f.value or "") if real else said[0]
    if said:
        return said[0]
    return candidates[0] if candidates else None


# -------------------------------------------------------------- resolving
def _resolve(key: str, span: Span, today: date, tense: str | None, year_shift: int) -> date | None:
    words = [t.lower_ for t in span]
    weekday = next((WEEKDAYS[w.rstrip(".")] for w in words if re.match(WEEKDAY, w)), None)
    if key in ("day_month", "month_day"):
        month = next(MONTHS[w.rstrip(".")] for w in words if re.match(MONTH, w))
        at = next(i for i, w in enumerate(words) if re.match(MONTH, w))
        if key == "day_month":
            day_at = max(i for i, w in enumerate(words[:at]) if re.match(DAY, w))
            year_words = [w for w in words[at + 1 :] if re.match(YEAR4 + "|" + YEAR2, w)]
        else:
            day_at = next(i for i, w in enumerate(words) if i > at and re.match(DAY, w))
            year_words = [w for w in words[day_at + 1 :] if re.match(YEAR4, w)]
        day = _leading_number(words[day_at])
        year = _year(year_words[0], today) if year_words else None
        return _day_month(day, month, year, today, tense, weekday, year_shift)
    if key == "numeric":
        match = _match(NUMERIC, words[-1])
        day, month = int(match.group(1)), int(match.group(3))
        year = _year(match.group(5), today, always=True) if match.group(5) else None
        return _day_month(day, month, year, today, tense, weekday, year_shift)
    if key == "iso":
        try:
            return date.fromisoformat(words[0])
        except ValueError:
            return None
    if key == "day_of_month":
        day = _leading_number(words[-1])
        return _day_of_month(day, today, tense, weekday)
    if key == "day_of_named_month":
        day = _leading_number(next(w for w in words if re.match(ORDINAL, w)))
        shift = {"this": 0, "next": 1, "last": -1}[words[-2]]
        year, month = divmod(today.month - 1 + shift, 12)
        return _safe_date(today.year + year, month + 1, day)
    if weekday is not None:
        return _weekday(key, words, weekday, today, tense)
    if key == "relative":
        return today + timedelta(days=RELATIVE_DAYS[words[0]])
    if key == "day_after_tomorrow":
        return today + timedelta(days=2)
    if key == "day_before_yesterday":
        return today - timedelta(days=2)
    if key == "this_time_next_week":
        return today + timedelta(days=7)
    if key in ("in_days", "days_from", "days_ago"):
        return today + timedelta(days=_count_days(words, key))
    return None


def _match(pattern: str, text: str) -> re.Match[str]:
    """A match that the pattern which found the span guarantees."""
    match = re.match(pattern, text)
    if match is None:
        raise ValueError(f"{text!r} does not match {pattern!r}")
    return match


def _leading_number(word: str) -> int:
    """5 from "5th"."""
    return int(_match(r"\d+", word).group())


def _year(text: str, today: date, always: bool = False) -> int | None:
    """A written year; two digits are this century. After a month name a
    two-digit year far from today is more likely something else."""
    year = int(text.lstrip("'"))
    if year >= 100:
        return year
    year += 2000
    return year if always or abs(year - today.year) <= 2 else None


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _choose(options: Sequence[date], today: date, tense: str | None, lean_future: bool) -> date:
    before = [d for d in options if d <= today]
    after = [d for d in options if d >= today]
    last, upcoming = max(before, default=None), min(after, default=None)
    if tense == "past" and last:
        return last
    if (tense == "future" or lean_future) and upcoming:
        return upcoming
    if last is None or upcoming is None:
        return last or upcoming  # type: ignore[return-value]
    # No tense: the nearer one, leaning to the future.
    return last if (today - last).days * 3 < (upcoming - today).days else upcoming


def _day_month(
    day: int, month: int, year: int | None, today: date, tense: str | None, weekday: int | None, year_shift: int | None
) -> date | None:
    if year is not None:
        return _safe_date(year, month, day)
    if year_shift:
        return _safe_date(today.year + year_shift, month, day)
    years = range(today.year - 1, today.year + 3)
    # Chosen on the nearest real day of that month, so 29 February in a year
    # without one is named as impossible rather than moved to a leap year.
    stand_ins = {date(y, month, min(day, calendar.monthrange(y, month)[1])): y for y in years}
    options = list(stand_ins)
    if weekday is not None:
        same = [d for d in options if d.day == day and d.weekday() == weekday]
        if same:
            options = same
    chosen = _choose(options, today, tense, lean_future=False)
    return _safe_date(stand_ins[chosen], month, day)


def _day_of_month(day: int, today: date, tense: str | None, weekday: int | None) -> date | None:
    options = []
    for shift in range(-3, 4):
        year, month = divmod(today.month - 1 + shift, 12)
        real = _safe_date(today.year + year, month + 1, day)
        if real:
            options.append(real)
    if weekday is not None:
        same = [d for d in options if d.weekday() == weekday]
        if same:
            options = same
    return _choose(options, today, tense, lean_future=True) if options else None


def _weekday(key: str, words: List[str], weekday: int, today: date, tense: str | None) -> date:
    upcoming = today + timedelta(days=(weekday - today.weekday()) % 7)  # today counts
    after_today = upcoming if upcoming > today else upcoming + timedelta(days=7)
    previous = today - timedelta(days=(today.weekday() - weekday - 1) % 7 + 1)  # before today
    if key == "last_weekday":
        return previous
    if key == "weekday_week":
        return upcoming + timedelta(days=7)
    if key == "weekday_fortnight":
        weeks = 2 if "fortnight" in words else _number(words[0])
        return upcoming + timedelta(days=7 * weeks)
    if key == "next_week_weekday":
        return today - timedelta(days=today.weekday()) + timedelta(days=7 + weekday)
    if key == "weekday_after_next":
        return after_today + timedelta(days=7)
    if "next" in words:
        return after_today
    if tense == "past" and "this" not in words and "coming" not in words:
        return previous
    return upcoming


def _number(word: str) -> int:
    return NUMBER_WORDS.get(word) or int(word)


def _count_days(words: List[str], key: str) -> int:
    if key == "in_days" and len(words) == 2:
        match = _match(r"(\d+)(\D+)", words[1])
        count, unit = int(match.group(1)), match.group(2)
        return count * (1 if unit.startswith("d") else 7)
    count_at = 1 if key == "in_days" else 0
    days = _number(words[count_at]) * UNIT_DAYS[words[count_at + 1]]
    if key == "days_ago":
        return -days
    if key == "days_from" and words[-1] in (
        "tomorrow",
        "tmrw",
        "tmw",
        "tomoz",
        "2moro",
        "2morrow",
        "tomorow",
        "tommorow",
        "tommorrow",
    ):
        days += 1
    return days


# ------------------------------------------------------------------- times
def _clock_value(key: str, span: Span) -> str | None:
    words = [t.lower_ for t in span if t.lower_ not in AT]
    if not words:
        return None
    if key == "clock_noon":
        return "12:00"
    if key == "clock_ampm":
        text = "".join(words)
        match = re.match(r"^(\d{1,2}|[a-z]+?)(?:[:.](\d{2}))?(am|pm|a\.m\.?|p\.m\.?)", text)
        if not match:
            return None
        hour = _hour_number(match.group(1))
        if hour is None:
            return None
        minute, afternoon = int(match.group(2) or 0), match.group(3).startswith("p")
        hour = hour % 12 + (12 if afternoon else 0)
        return _hhmm(hour, minute)
    if key == "clock_24":
        hour, minute = (int(x) for x in re.split(r"[:.]", words[0]))
        if hour <= 12 and not words[0].startswith("0"):
            hour = _working_hour(hour)
        return _hhmm(hour, minute)
    if key == "clock_at":
        hour = _hour_number(words[0].replace("ish", ""))
        return _hhmm(_working_hour(hour), 0) if hour else None
    if key == "clock_oclock":
        hour = _hour_number(words[0])
        return _hhmm(_working_hour(hour), 0) if hour else None
    hour = _hour_number(words[-1])
    if hour is None:
        return None
    if key == "clock_half":
        return _hhmm(_working_hour(hour), 30)
    if key == "clock_quarter":
        if words[1] == "to":
            moment = datetime.combine(date(2000, 1, 2), time(_working_hour(hour))) - timedelta(minutes=15)
            return moment.strftime("%H:%M")
        return _hhmm(_working_hour(hour), 15)
    return None


def _hour_number(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    value = NUMBER_WORDS.get(word)
    return value if word not in ("a", "an") else None


def _working_hour(hour: int) -> int:
    """A time said without am or pm is in the working day: 1 to 6 is afternoon."""
    return hour + 12 if 1 <= hour <= 6 else hour


def _hhmm(hour: int, minute: int) -> str | None:
    return time(hour, minute).strftime("%H:%M") if 0 <= hour < 24 and 0 <= minute < 60 else None
