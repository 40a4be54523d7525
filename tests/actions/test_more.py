""" "Tell me more" gives the rest of a long answer, and never a made-up response name."""

import asyncio

from answer_selection import DOMAIN
from rasa_sdk.executor import CollectingDispatcher
from sdk_helpers import bot_action, tracker, user

from actions.content import content
from actions.jargon import glossary_part
from actions.more import NO_MORE, ActionTellMeMore, last_answer_with_more, more_response

RESPONSES = DOMAIN["responses"]


def told(track):
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionTellMeMore().run(dispatcher, track, {"responses": RESPONSES}))
    return dispatcher.messages


def said(track):
    return [m["response"] for m in told(track)]


def bot(part):
    text, buttons = glossary_part(part)
    return {"event": "bot", "text": text, "data": {"buttons": buttons}}


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


def test_the_glossary_button_gives_its_next_part():
    track = tracker("/tell_me_more", entities=[{"entity": "more_topic", "value": "jargon_2"}])
    messages = told(track)
    assert [m["text"] for m in messages] == [glossary_part(2)[0]]
    assert messages[0]["buttons"][0]["payload"] == '/tell_me_more{"more_topic":"jargon_3"}'


def test_typed_tell_me_more_follows_the_glossarys_button():
    events = [
        user("what do the words mean"),
        bot_action("action_explain_jargon"),
        bot(1),
        user("tell me more"),
    ]
    assert [m["text"] for m in told(tracker("tell me more", events=events))] == [glossary_part(2)[0]]


def test_after_the_glossarys_last_part_there_is_no_more():
    last = 1
    while glossary_part(last + 1):
        last += 1
    assert "Tell me more" not in [b["title"] for b in glossary_part(last)[1]]
    events = [
        user("section 47"),
        bot_action("utter_section_47"),
        user("what do the words mean"),
        bot_action("action_explain_jargon"),
        bot(1),
        user("/tell_me_more"),
        bot_action("action_tell_me_more"),
        bot(last),
        user("more"),
    ]
    # Not the Section 47 answer's rest, from before the glossary.
    assert said(tracker("more", events=events)) == [NO_MORE]


def test_the_glossarys_parts_hold_every_word_once():
    shown, part = [], 1
    while glossary_part(part):
        text = glossary_part(part)[0]
        shown += [term.name for term in content().glossary if f"\n{term.name}: " in f"\n{text}"]
        part += 1
    assert shown == [term.name for term in content().glossary]
    assert part > 2


def test_a_glossary_part_that_is_not_there_gets_the_kind_reply():
    for topic in ("jargon_99", "jargon_0"):
        track = tracker("/tell_me_more", entities=[{"entity": "more_topic", "value": topic}])
        assert said(track) == [NO_MORE]
