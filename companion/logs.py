"""No log line keeps what a parent typed.

RedactingFilter is a logging.Filter that rewrites each record before its
handler writes it: the message with its arguments, and any traceback, are
put through companion/stores/redact.py (phone numbers, emails, postcodes,
NHS and National Insurance numbers, bank cards, addresses, names, schools,
dates of birth become tags). Rasa logs whole requests and trackers when an
action call fails, and Sanic logs a failing request's message; this is what
keeps them out of var/log/.

install() puts one on every handler of every logger; the channels call it
when the server starts (companion/channels/screen.py), after Rasa and Sanic
have added theirs.
"""

from __future__ import annotations

import logging
import traceback

from companion.stores.redact import redact

# A record longer than this is cut before redaction (and says so): a whole
# tracker in one line is not worth the time.
MAX_LOGGED_CHARACTERS = 20000


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_companion_redacted", False):
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep the template only
            message = str(record.msg)
        if len(message) > MAX_LOGGED_CHARACTERS:
            message = message[:MAX_LOGGED_CHARACTERS] + "…[cut]"
        record.msg, record.args = redact(message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info))
        if record.exc_text:
            record.exc_text = redact(record.exc_text[-MAX_LOGGED_CHARACTERS:])
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        record._companion_redacted = True
        return True


def _handlers():
    loggers = [logging.getLogger()] + [
        logger for logger in logging.Logger.manager.loggerDict.values() if isinstance(logger, logging.Logger)
    ]
    for logger in loggers:
        yield from logger.handlers


def install() -> int:
    """Adds a RedactingFilter to every handler that has none; returns how many it added."""
    added = 0
    for handler in _handlers():
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
            added += 1
    return added
