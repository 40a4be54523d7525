""" "Tell me more" gives the rest of a long answer, and never a made-up response name."""

import asyncio

from answer_selection import DOMAIN
from rasa_sdk.executor import CollectingDispatcher
from sdk_helpers import bot_action, tracker, user

from actions.more import NO_MORE, ActionTellMeMore, last_answer_with_more, more_response

RESPONSES = DOMAIN["responses"]


def said(track):
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionTellMeMore().run(dispatcher, track, {"responses": RESPONSES}))
    return [m["response"] for m in dispatcher.messages]


def test_the_button_names_the_answer():
    track = tracker("/tell_me_more", entities=[{"entity": "more_topic", "value": "section_47"}])
    assert said(track) == ["utter_section_47_more"]


def test_typed_tell_me_more_follows_the_last_answer():
    events = [user("what is section 47"), bot_action("utter_section_47"), user("tell me more")]
    assert said(tracker("tell me more", events=events)) == ["utter_section_47_more"]


def test_an_answer_with_no_rest_gets_a_kind_reply():
    events = [
        user("section 47"),
        bot_action("utter_section_47"),
        user("core group"),
        bot_action("utter_core_group"),
        user("more"),
    ]
    assert said(tracker("more", events=events)) == [NO_MORE]
    assert NO_MORE in RESPONSES


def test_a_forged_topic_is_never_used_as_a_response_name():
    assert more_response("../greet", RESPONSES) is None
    assert more_response("greet", RESPONSES) is None
    assert more_response("x" * 500, RESPONSES) is None
    assert last_answer_with_more([], RESPONSES) is None
    track = tracker("/tell_me_more", entities=[{"entity": "more_topic", "value": "not_a_topic"}])
    assert said(track) == [NO_MORE]
