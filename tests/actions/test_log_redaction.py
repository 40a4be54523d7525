"""The action server's logs keep no parent's words (issue #15)."""

import io
import json
import logging

from actions import log_redaction


def test_a_logged_conversation_keeps_no_text_and_no_details():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("test-action-logs")
    logger.propagate = False
    logger.addHandler(handler)
    assert log_redaction.install() >= 1 and log_redaction.install() == 0
    tracker = {
        "latest_message": {"text": "Jayden is my boy, we live at 12 Acacia Avenue"},
        "slots": {"conference_nation": "../../profile", "note": "call 07700 900123"},
    }
    logger.error("Failed: %s", json.dumps(tracker))
    try:
        raise ValueError("card 4111 1111 1111 1111, QQ 12 34 56 C, jo.bloggs@example.com, LS1 4AP")
    except ValueError:
        logger.exception("An action failed")
    logger.debug("Contents of ignored event: %s", {"event": "user", "text": "I'm Sarah, my son Leo"})
    output = stream.getvalue()
    for planted in (
        "Jayden",
        "Acacia",
        "07700 900123",
        "4111 1111 1111 1111",
        "QQ 12 34 56 C",
        "jo.bloggs@example.com",
        "LS1 4AP",
    ):
        assert planted not in output, planted
    assert '"text": "[text]"' in output and "[card-number]" in output and "ValueError" in output


def test_loading_the_actions_installs_it():
    import importlib

    import actions

    handler = logging.StreamHandler(io.StringIO())  # as rasa-sdk's, set up before it loads them
    logging.getLogger().addHandler(handler)
    try:
        importlib.reload(actions)
        assert any(isinstance(f, log_redaction.RedactingFilter) for f in handler.filters)
    finally:
        logging.getLogger().removeHandler(handler)
