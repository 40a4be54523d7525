"""A date question with a second topic: the dates form starts first, and the
second topic is offered after the dates (issue 17), not in between."""

from companion.also_asked_policy import should_offer


def events(intent):
    return [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "parse_data": {"intent": {"name": intent}, "also_asked": {"name": "ask_bring_supporter"}}},
        {"event": "action", "name": "action_remember_date_question"},
        {"event": "slot", "name": "asked_dates", "value": ["reports"]},
    ]


def test_no_offer_between_a_date_question_and_its_form():
    assert not should_offer(events("ask_dates"), None)
    assert not should_offer(events("give_conference_details"), None)


def test_other_topics_are_still_offered_after_their_answer():
    assert should_offer(events("ask_venue"), None)
