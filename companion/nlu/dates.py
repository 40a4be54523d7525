"""Finds dates and times in a parent's message and turns them into ISO values.

Plain Python over spaCy's tokenizer (a blank English pipeline: nothing to
download) and dateparser. spaCy's Matcher finds the spans, so a month name
counts only next to a day number ("may I bring my mum" and "march on" are
not dates) and an ordinal only as a day ("the 5th", not "I'm 5th in line").
Each span is then resolved relative to the message's time in Europe/London:
- weekdays ("thursday", "next thursday", "this friday") and a day of the month
  alone ("the 5th") are the next such day from today (today counts);
- "monday week" / "a week on monday" is that day plus a week;
- "tomorrow", "in 2 weeks", "last friday" are counted from today;
- whole dates go to dateparser, day first (12/3 is 12 March), preferring
  future dates when no year is given.
A span that looks like a date but is not one ("31st February") is reported
as invalid, so the bot can ask again kindly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import List, Optional
from zoneinfo import ZoneInfo

import dateparser
import spacy
from spacy.matcher import Matcher

LONDON = ZoneInfo("Europe/London")
MONTH = r"^(jan|january|feb|february|mar|march|apr|april|may|jun|june|jul|july|aug|august|sep|sept|september|oct|october|nov|november|dec|december)\.?$"
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAY = r"^(mon|monday|tue|tues|tuesday|wed|weds|wednesday|thu|thur|thurs|thursday|fri|friday|sat|saturday|sun|sunday)$"
ORDINAL = r"^([1-9]|[12][0-9]|3[01])(st|nd|rd|th)$"
DAY_NUMBER = r"^([1-9]|[12][0-9]|3[01])(st|nd|rd|th)?$"
YEAR = r"^(19|20)[0-9]{2}$"
NUMERIC_DATE = r"^[0-3]?[0-9][/.\-][01]?[0-9]([/.\-]([0-9]{2}|[0-9]{4}))?$"
CLOCK = r"^([01]?[0-9]|2[0-3])([:.][0-5][0-9])?(am|pm)?$"
RELATIVE_DAYS = {"today": 0, "tonight": 0, "tomorrow": 1, "tmrw": 1, "tmw": 1, "tomoz": 1,
                 "yesterday": -1}
NUMBER_WORDS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}


def _r(pattern, **extra):
    return dict({"LOWER": {"REGEX": pattern}}, **extra)


PATTERNS = {
    "full": [
        [_r(DAY_NUMBER), {"LOWER": "of", "OP": "?"}, _r(MONTH), _r(YEAR, OP="?")],
        [_r(MONTH), _r(DAY_NUMBER), {"IS_PUNCT": True, "OP": "?"}, _r(YEAR, OP="?")],
        [_r(NUMERIC_DATE)],
    ],
    "weekday": [
        [{"LOWER": {"IN": ["next", "this", "on", "coming"]}, "OP": "?"}, _r(WEEKDAY),
         {"LOWER": {"IN": ["week"]}, "OP": "?"}],
        [{"LOWER": "a"}, {"LOWER": "week"}, {"LOWER": {"IN": ["on", "from"]}}, _r(WEEKDAY)],
    ],
    "day_of_month": [
        [{"LOWER": "the"}, _r(ORDINAL)],
    ],
    "relative": [
        [{"LOWER": {"IN": ["today", "tomorrow", "tmrw", "tmw", "tomoz", "tonight"]}}],
        [{"LOWER": "day"}, {"LOWER": "after"}, {"LOWER": {"IN": ["tomorrow", "tmrw"]}}],
        [{"LOWER": "in"}, {"LOWER": {"REGEX": r"^([0-9]{1,2}|a|one|two|three|four|five|six)$"}},
         {"LOWER": {"REGEX": r"^(day|days|week|weeks|wk|wks)$"}}],
        [{"LOWER": {"IN": ["yesterday"]}}],
        [{"LOWER": "last"}, _r(WEEKDAY)],
    ],
    "time": [
        [_r(r"^([01]?[0-9]|2[0-3])([:.][0-5][0-9])?$"), {"LOWER": {"IN": ["am", "pm"]}}],
        [_r(r"^([01]?[0-9])([:.][0-5][0-9])?(am|pm)$")],
        [{"LOWER": {"IN": ["at"]}}, _r(r"^([01]?[0-9]|2[0-3])[:.][0-5][0-9]$")],
    ],
}
# An ordinal that is about a place in a queue, not a date.
NOT_A_DAY_AFTER = {"in", "time", "person", "one", "child", "baby", "kid", "place", "floor", "birthday"}


@dataclass(frozen=True)
class Found:
    text: str
    start: int          # character offsets in the message
    end: int
    value: Optional[str]   # ISO date, or None when it is not a real date
    time: Optional[str] = None  # HH:MM, when a time was given with it


class DateFinder:
    def __init__(self):
        self._nlp = spacy.blank("en")
        self._matcher = Matcher(self._nlp.vocab)
        for label, patterns in PATTERNS.items():
            self._matcher.add(label, patterns)

    def find(self, text: str, now: Optional[datetime] = None) -> List[Found]:
        # The message's time in London; a naive datetime is taken as London time.
        if now is None:
            now = datetime.now(LONDON)
        elif now.tzinfo is not None:
            now = now.astimezone(LONDON)
        today = now.date()
        doc = self._nlp.make_doc(text or "")
        spans = []
        for match_id, start, end in self._matcher(doc):
            spans.append((self._nlp.vocab.strings[match_id], start, end))
        # Longest spans win; overlapping shorter ones are dropped.
        spans.sort(key=lambda s: (-(s[2] - s[1]), s[1]))
        taken, chosen = set(), []
        for label, start, end in spans:
            if taken & set(range(start, end)):
                continue
            taken |= set(range(start, end))
            chosen.append((label, start, end))
        chosen.sort(key=lambda s: s[1])

        times = [(s, e) for label, s, e in chosen if label == "time"]
        found = []
        for label, start, end in chosen:
            if label == "time":
                continue
            span = doc[start:end]
            if label == "day_of_month" and end < len(doc) and doc[end].lower_ in NOT_A_DAY_AFTER:
                continue
            value = self._resolve(label, span, today, now)
            clock = self._nearby_time(doc, times, start, end)
            found.append(Found(span.text, span.start_char, span.end_char,
                               value.isoformat() if value else None, clock))
        return found

    @staticmethod
    def _nearby_time(doc, times, start, end) -> Optional[str]:
        for t_start, t_end in times:
            before = t_end <= start and start - t_end <= 2
            after = t_start >= end and t_start - end <= 2
            if before or after:
                return _clock(doc[t_start:t_end].text)
        return None

    def _resolve(self, label, span, today: date, now: datetime) -> Optional[date]:
        words = [t.lower_ for t in span]
        if label == "weekday":
            name = next(w for w in words if re.match(WEEKDAY, w))
            target = next(i for i, d in enumerate(WEEKDAYS) if d.startswith(name[:3]))
            day = today + timedelta(days=(target - today.weekday()) % 7)
            if words[0] == "next" and day == today:
                day += timedelta(days=7)
            if "week" in words:
                day += timedelta(days=7)
            return day
        if label == "day_of_month":
            wanted = int(re.match(r"\d+", words[-1]).group())
            for months_ahead in range(0, 3):
                year, month = divmod(today.month - 1 + months_ahead, 12)
                try:
                    day = date(today.year + year, month + 1, wanted)
                except ValueError:
                    continue
                if day >= today:
                    return day
            return None
        if label == "relative" and words[0] == "last":
            target = next(i for i, d in enumerate(WEEKDAYS) if d.startswith(words[1][:3]))
            return today - timedelta(days=(today.weekday() - target - 1) % 7 + 1)
        if label == "relative" and words[0] == "in":
            count = NUMBER_WORDS.get(words[1]) or int(words[1])
            return today + timedelta(days=count * (7 if words[2].startswith("w") else 1))
        if label == "relative":
            if words[0] == "day":                       # day after tomorrow
                return today + timedelta(days=2)
            return today + timedelta(days=RELATIVE_DAYS[words[0]])
        settings = {"DATE_ORDER": "DMY", "PREFER_DATES_FROM": "future",
                    # Just before today starts, so a date that is today counts as future.
                    "RELATIVE_BASE": datetime.combine(today, time(0)) - timedelta(seconds=1),
                    "RETURN_AS_TIMEZONE_AWARE": False}
        parsed = dateparser.parse(span.text.replace(",", " "), languages=["en"], settings=settings)
        return parsed.date() if parsed else None


def _clock(text: str) -> Optional[str]:
    match = re.match(r"^(?:at\s+)?(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?$", text.strip().lower())
    if not match:
        return None
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    if half == "pm" and hour < 12:
        hour += 12
    if half == "am" and hour == 12:
        hour = 0
    return time(hour, minute).strftime("%H:%M") if hour < 24 else None
