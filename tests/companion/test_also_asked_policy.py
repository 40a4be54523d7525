"""When the second topic of a message is offered (companion/also_asked_policy.py)."""

from companion.also_asked_policy import OFFER, should_offer


def user(intent, also=None):
    parse = {"intent": {"name": intent}, **({"also_asked": {"name": also}} if also else {})}
    return {"event": "user", "parse_data": parse}


def action(name):
    return {"event": "action", "name": name}


def test_offered_once_after_the_first_answer():
    events = [action("action_listen"), user("ask_venue", also="ask_bring_supporter")]
    assert not should_offer(events, None)  # not before the answer
    events.append(action("utter_venue"))
    assert should_offer(events, None)
    events.append(action(OFFER))
    assert not should_offer(events, None)  # not twice


def test_not_offered_without_a_second_topic_or_during_a_form():
    assert not should_offer([user("ask_venue"), action("utter_venue")], None)
    assert not should_offer([user("ask_dates", also="ask_venue"), action("conference_form")], "conference_form")


def test_not_offered_after_a_safety_answer_or_a_did_you_mean():
    assert not should_offer([user("child_in_danger", also="ask_venue"), action("utter_child_in_danger")], None)
    assert not should_offer([user("nlu_fallback", also="ask_venue"), action("action_suggest_topics")], None)


def test_not_offered_when_the_second_is_the_first():
    assert not should_offer([user("ask_venue", also="ask_venue"), action("utter_venue")], None)
