"""What identifies people is taken out; what the bot needs is kept."""

import pytest

from companion.stores.redact import redact
from companion.stores.tracker_store import redact_user_event


@pytest.mark.parametrize(
    "text, expected",
    [
        ("my number is 07700 900123", "my number is [phone]"),
        ("ring 01632 960100 please", "ring [phone] please"),
        ("call me on +44 7700 900123", "call me on [phone]"),
        ("(01632) 960 100", "[phone]"),
        ("email jo.bloggs@example.com", "email [email]"),
        ("we live at SW1A 1AA", "we live at [postcode]"),
        ("postcode ls1 4ap", "postcode [postcode]"),
        ("NHS number 943 476 5919", "NHS number [NHS number]"),
        ("nhs no 9434765919", "nhs no [NHS number]"),
        ("my daughter Mia was born on 3rd March 2019", "my daughter [name] was born on [date of birth]"),
        ("dob: 12/03/2018", "dob: [date of birth]"),
        ("my son Jayden is 5", "my son [name] is 5"),
        ("my son's name is leo", "my son's name is [name]"),
        ("I'm Sarah Jones and I'm scared", "I'm [name] and I'm scared"),
        ("im sarah", "im [name]"),
        ("her name is mia", "her name is [name]"),
        ("my ex Dave hit her", "my ex [name] hit her"),
        # Issue #15: what was stored verbatim before.
        ("my NI number is QQ 12 34 56 C", "my NI number is [NI-number]"),
        ("ni no. ab123456d thanks", "ni no. [NI-number] thanks"),
        ("card 4111 1111 1111 1111 exp 12/29", "card [card-number] exp 12/29"),
        ("paid with 5500-0000-0000-0004", "paid with [card-number]"),
        ("we live at 12 Acacia Avenue, Leeds", "we live at [address], Leeds"),
        ("flat 3, 41 mill lane", "[address]"),
        ("she lives on Church Road now", "she lives on [address] now"),
        ("Jayden is my boy", "[name] is my boy"),
        ("Kai-Jordan is my youngest", "[name] is my youngest"),
        ("my daughter Mary-Jane is 4", "my daughter [name] is 4"),
        ("Sarah Jones came round", "[name] came round"),
        ("Mrs Sarah Okafor is the chair", "Mrs [name] is the chair"),
        ("mrs okafor said no", "mrs [name] said no"),
        ("he goes to Oakwood Primary School", "he goes to [school]"),
        ("St Mary's Academy rang me", "[school] rang me"),
        ("his school is Oakwood", "his school is [school]"),
        ("birthday: 14/02/2017", "birthday: [date of birth]"),
        ("her birthday is the 3rd of May", "her birthday is [date of birth]"),
    ],
)
def test_identifying_details_are_replaced(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "the conference is on 3/12/2026 at 10am",
        "I'm worried about the 5th of December",
        "my son is 12",
        "I need help",
        "my ex lives in Leeds",
        "I'm so scared",
        "I am not going",
        "what happens at the meeting",
        "can i bring my mum",
        "the first core group is within 10 working days",
        "",
        # Issue #15: the new patterns leave these alone.
        "my conference is on June 3rd",
        "Will the school be told?",
        "What school does the social worker talk to?",
        "the meeting is at 10 on Thursday 3 December",
        "ICPC was on 3/12/2026 when is the first core group",
        "ref 1234 5678",
        "Can I bring my mum?",
        "The Child Protection Conference is on Monday",
    ],
)
def test_ordinary_words_and_meeting_dates_are_kept(text):
    assert redact(text) == text


def test_a_stored_user_event_is_redacted_everywhere_but_keeps_its_intent():
    event = {
        "event": "user",
        "text": "my son Leo, 07700 900123",
        "parse_data": {
            "text": "my son Leo, 07700 900123",
            "intent": {"name": "greet"},
            "entities": [
                {"entity": "date", "value": "2026-12-03"},
                {"entity": "invalid_date", "value": "Leo's 31st February"},
            ],
        },
    }
    stored = redact_user_event(event)
    assert stored["text"] == "my son [name], [phone]"
    assert stored["parse_data"]["text"] == "my son [name], [phone]"
    assert stored["parse_data"]["intent"] == {"name": "greet"}
    assert stored["parse_data"]["entities"][0]["value"] == "2026-12-03"
    assert event["text"] == "my son Leo, 07700 900123"  # the live turn keeps the original
