"""No log line of the action server keeps what a parent typed.

The action server gets whole conversations (the latest message, slots, the
bot's words) and logs them when something fails, or at DEBUG. This filter,
put on every logging handler when the actions are loaded (actions/__init__),
replaces every "text" value in a logged conversation with [text], and phone
numbers, emails, postcodes, NHS and National Insurance numbers and bank
card numbers anywhere with tags. The Rasa server does the same with its
full redaction (companion/logs.py); this one needs no spaCy, which the
action server does not have. The patterns are those of
companion/stores/redact.py (a test checks they are the same).

No Rasa imports: plain Python.
"""

from __future__ import annotations

import logging
import re
import traceback

PHONE = re.compile(r"(?<![\w+])(?:\+44\s?\(?0?\)?\s?|\(?0)\d(?:[\s\-()]{0,2}\d){8,9}(?!\w)")
EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)
NHS_NUMBER = re.compile(r"(?<!\d)\d{3}[\s\-]?\d{3}[\s\-]?\d{4}(?!\d)")
NI_NUMBER = re.compile(r"\b(?:[A-Z]{2}(?:[\s\-]?\d{2}){3}[\s\-]?[A-D]|(?i:[a-z]{2}\d{6}[a-d]))\b")
CARD = re.compile(r"(?<![\d\-])(?:\d[\s\-]?){12,18}\d(?![\d\-])")
# "text": "..." in JSON, 'text': '...' in a printed dict.
TEXT_VALUE = re.compile(r"""(["'](?:text|user_text|message)["']\s*:\s*)(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')""")
MAX_LOGGED_CHARACTERS = 20000


def redact_for_logs(text: str) -> str:
    text = TEXT_VALUE.sub(lambda m: m.group(1) + '"[text]"', text)
    text = EMAIL.sub("[email]", text)
    text = CARD.sub("[card-number]", text)
    text = NI_NUMBER.sub("[NI-number]", text)
    text = PHONE.sub("[phone]", text)
    text = NHS_NUMBER.sub("[NHS number]", text)
    return POSTCODE.sub("[postcode]", text)


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_actions_redacted", False):
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep the template only
            message = str(record.msg)
        record.msg, record.args = redact_for_logs(message[:MAX_LOGGED_CHARACTERS]), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info))
        if record.exc_text:
            record.exc_text = redact_for_logs(record.exc_text[-MAX_LOGGED_CHARACTERS:])
        record._actions_redacted = True
        return True


def install() -> int:
    """Adds a RedactingFilter to every handler that has none; returns how many it added."""
    loggers = [logging.getLogger()] + [
        logger for logger in logging.Logger.manager.loggerDict.values() if isinstance(logger, logging.Logger)
    ]
    added = 0
    for handler in (handler for logger in loggers for handler in logger.handlers):
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
            added += 1
    return added
