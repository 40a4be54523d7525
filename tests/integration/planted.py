"""Personal details of every kind issue #15 found stored or logged verbatim,
planted in one conversation; then looked for everywhere."""

import json

# What the parent writes, in order (the form asks for the date after the first).
MESSAGES = [
    "what are all my dates",
    "you can email me at jo.bloggs@example.com or we live at LS1 4AP",
    "Kai-Jordan Okafor is my boy, birthday: 14/02/2017, he goes to Oakwood Primary School",
    "Mrs Sarah Okafor lives at 12 Acacia Avenue, her NI number is QQ 12 34 56 C and card 4111 1111 1111 1111",
    "my son was born on 3rd March 2019",
]
PLANTED = [
    "jo.bloggs@example.com",
    "LS1 4AP",
    "Kai-Jordan",
    "Okafor",
    "14/02/2017",
    "Oakwood",
    "Acacia",
    "QQ 12 34 56 C",
    "4111 1111 1111 1111",
    "2019-03-03",
    "3 March 2019",
    "3rd March 2019",
    "Sarah",
]


def plant(send):
    """Sends MESSAGES with ``send(text)``; returns the bot's replies."""
    return [send(text) for text in MESSAGES]


def found_in(rows, logs):
    """Each planted value, with where it was found: a column of a row, or a log file."""
    found = []
    for row in rows:
        for column, value in row.items():
            text = value if isinstance(value, str) else json.dumps(value, default=str)
            found += [(planted, f"events.{column}") for planted in PLANTED if planted in text]
    for log in logs:
        text = log.read_text(errors="replace") if log.exists() else ""
        found += [(planted, log.name) for planted in PLANTED if planted in text]
    return found
