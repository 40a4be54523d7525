"""The action server's log filter (actions/log_redaction.py, without spaCy)
uses the same patterns as the Rasa server's redaction."""

from actions import log_redaction
from companion.stores import redact


def test_the_patterns_are_the_same():
    for name in ("PHONE", "EMAIL", "POSTCODE", "NHS_NUMBER", "NI_NUMBER", "CARD"):
        assert getattr(log_redaction, name).pattern == getattr(redact, name).pattern, name
