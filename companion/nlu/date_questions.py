"""Whether a message the classifier put elsewhere is really a date question.

A parent often gives the date and asks about it inside a message about
something else: "the meeting's tomorrow and I haven't had the report", or a
long story ending "The conference is on 7 December. When should I get the
report?". Such a message goes to the dates path when it has all three of:
- a date that may be the conference (or an impossible one, or a start time);
- a date it asks about (content/conference_words.yml: the milestones);
- words of a date question ("when", "what time", "how long", "by when"; a
  "when" that only joins two parts of a sentence does not count) or of
  something not come yet ("haven't had", "still no").
"Can I bring my solicitor to the conference on 3 December?" has no such
words, and stays a question about supporters.

Plain Python; the NLU step DateExtractor uses it.
"""

from __future__ import annotations

import re
from typing import Sequence

from companion.nlu.conference_words import QUESTION
from companion.nlu.dates import Reading

NOT_YET = re.compile(
    r"\b(haven'?t|hasn'?t|hadn'?t|didn'?t|don'?t|doesn'?t|ain'?t|not|no|never|nothing|still|yet)\b"
    r"[^.?!]{0,40}\b(had|got|get|received|seen|come|came|arrived|sent|given|report|reports|paperwork"
    r"|papers|minutes|letter|invite|invitation|plan)\b"
)
# Intents left alone: already a date question, a yes or no inside the form, or a
# safety route. Giving the date with a question ("it's on the 3rd, when do I get
# the report?") becomes a date question, so the question is remembered.
LEAVE = frozenset({"ask_dates", "affirm", "deny", "child_in_danger", "parent_in_crisis", "parent_in_danger"})


# "when" joins two parts of a sentence as often as it asks ("I always cry
# when I'm stressed"): it asks when a question's verb follows it ("when is",
# "when do I", "when's"), or when its sentence ends with a question mark or
# ends the message ("the meeting is on Friday, when i get the report?").
_WHEN = frozenset({"when", "wen"})
_ASKING_VERB = re.compile(
    r"\s*(is|are|was|were|do|does|did|will|would|should|can|could|shall|must|might|may|have|has|had"
    r"|'s|'re|'ll|'d|s)\b"
)
_SENTENCE_END = re.compile(r"[.?!\n]")


def _asks_when(lowered: str) -> bool:
    for match in QUESTION.finditer(lowered):
        if match.group(0) not in _WHEN:
            return True
        rest = lowered[match.end() :]
        if _ASKING_VERB.match(rest):
            return True
        end = _SENTENCE_END.search(rest)
        if end is None or end.group(0) == "?":
            return True
    return False


def asks_for_a_date(text: str, reading: Reading, milestones: Sequence[str]) -> bool:
    if not milestones:
        return False
    if reading.conference is None and reading.start_time is None:
        return False
    lowered = (text or "").lower()
    return _asks_when(lowered) or bool(NOT_YET.search(lowered))


def goes_to_dates(intent: str, text: str, reading: Reading, milestones: Sequence[str]) -> bool:
    """True when a message classified as ``intent`` should be answered as a date question."""
    return intent not in LEAVE and asks_for_a_date(text, reading, milestones)
