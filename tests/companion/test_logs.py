"""No log line keeps what a parent typed (issue #15)."""

import io
import json
import logging

from companion import logs

PLANTED = {
    "07700 900123": "[phone]",
    "jo.bloggs@example.com": "[email]",
    "QQ 12 34 56 C": "[NI-number]",
    "4111 1111 1111 1111": "[card-number]",
    "12 Acacia Avenue": "[address]",
    "Oakwood Primary School": "[school]",
}
MESSAGE = "Jayden is my boy. " + ", ".join(PLANTED)


def logged(record_it):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger = logging.getLogger(f"test-logs-{id(stream)}")
    logger.propagate = False
    logger.addHandler(handler)
    assert logs.install() >= 1
    assert logs.install() == 0  # once per handler
    record_it(logger)
    return stream.getvalue()


def test_messages_arguments_and_tracebacks_are_redacted():
    def record_it(logger):
        logger.error("Failed to run action for %s", json.dumps({"latest_message": {"text": MESSAGE}}))
        try:
            raise ValueError(f"body='{MESSAGE}'")
        except ValueError:
            logger.exception("Encountered an exception while running action")

    output = logged(record_it)
    assert "Failed to run action for" in output and "ValueError" in output and "Traceback" in output
    for planted, tag in PLANTED.items():
        assert planted not in output and tag in output, planted
    assert "Jayden" not in output and "[name] is my boy" in output


def test_a_huge_record_is_cut_before_it_is_redacted():
    output = logged(lambda logger: logger.warning("x" * 100_000 + " 07700 900123"))
    assert len(output) < 21_000 and "07700" not in output and "[cut]" in output
