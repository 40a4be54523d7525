"""A message's second question, and "Do you mean X or Y?" (actions/also_asked.py, actions/menu.py)."""

import pytest
from sdk_helpers import bot_action, run, tracker, user

from actions.also_asked import ActionOfferAlsoAsked, parse_question_words, question_words
from actions.content import ContentError
from actions.menu import ActionSuggestTopics


def test_the_second_topic_is_offered_with_its_button():
    messages, events = run(
        ActionOfferAlsoAsked(),
        tracker("where is it and can i bring my mum", "ask_venue", also_asked={"name": "ask_bring_supporter"}),
    )
    assert events == []
    assert messages[0]["text"] == question_words().also_asked.format(topic="Can I bring someone?")
    assert messages[0]["buttons"] == [{"title": "Can I bring someone?", "payload": "/ask_bring_supporter"}]


def test_nothing_is_said_without_a_second_topic_or_for_one_without_a_title():
    assert run(ActionOfferAlsoAsked(), tracker("where is it", "ask_venue"))[0] == []
    assert run(ActionOfferAlsoAsked(), tracker("hi and where", "ask_venue", also_asked={"name": "greet"}))[0] == []


def test_two_close_topics_get_do_you_mean_x_or_y():
    ranking = [("nlu_fallback", 1.0), ("ask_venue", 0.4), ("ask_who_attends", 0.35)]
    messages, _ = run(
        ActionSuggestTopics(),
        tracker(
            "the meeting people",
            ranking=ranking,
            events=[user("the meeting people")],
            which_one={"intents": ["ask_venue", "ask_who_attends"]},
        ),
    )
    assert "Where is it held" in messages[0]["text"] and "Who will be there" in messages[0]["text"]
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/ask_venue", "/ask_who_attends", "/show_menu"]


def test_after_a_miss_the_menu_comes_instead_of_which_one():
    events = [user("blah"), bot_action("action_suggest_topics"), bot_action("action_listen"), user("blah blah")]
    messages, _ = run(
        ActionSuggestTopics(),
        tracker(
            "blah blah",
            ranking=[("nlu_fallback", 1.0)],
            events=events,
            which_one={"intents": ["ask_venue", "ask_who_attends"]},
        ),
    )
    assert messages[0]["buttons"][0]["title"] == "The basics"


def test_the_words_file_is_checked():
    with pytest.raises(ContentError, match="which_one"):
        parse_question_words({"also_asked": "You also asked: {topic}"})
    with pytest.raises(ContentError, match="also_asked may only use"):
        parse_question_words({"also_asked": "You also asked: {title}", "which_one": "{first} or {second}?"})
