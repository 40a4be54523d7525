"""The Rasa glue, driven through rasa-sdk's own Tracker and dispatcher."""

import pytest
from sdk_helpers import bot_action, run, tracker, user

from actions.jargon import ActionExplainJargon
from actions.menu import ActionShowMenu, ActionSuggestTopics
from actions.profile import current_profile
from actions.profile_slots import ActionLoadProfile


def test_profile_slots_are_filled_from_the_profile():
    messages, events = run(ActionLoadProfile(), tracker())
    assert messages == []
    slots = {e["name"]: e["value"] for e in events}
    assert slots["organisation_name"] == "Ashdown Borough Council"
    assert slots["profile_loaded"] is True
    assert "01632 960 100" in slots["contact_phone"]


def test_every_profile_slot_is_returned_each_time():
    # The Rasa side (companion/patches.py) keeps the whole set
    # and adds only what differs to each conversation.
    _, first = run(ActionLoadProfile(), tracker())
    filled = {e["name"]: e["value"] for e in first}
    _, again = run(ActionLoadProfile(), tracker(slots=dict(filled, organisation_name="Old name")))
    assert {e["name"]: e["value"] for e in again} == filled


def test_without_a_profile_no_slots_are_set(monkeypatch, tmp_path):
    monkeypatch.setenv("CC_PROFILE", str(tmp_path / "missing.yml"))
    current_profile.cache_clear()
    try:
        messages, events = run(ActionLoadProfile(), tracker())
    finally:
        current_profile.cache_clear()
    assert messages == [] and events == []


def test_menu_lists_sections_then_a_sections_questions():
    messages, _ = run(ActionShowMenu(), tracker("/show_menu"))
    titles = [b["title"] for b in messages[0]["buttons"]]
    assert titles == ["The basics", "Getting ready", "At the meeting", "After the meeting", "Talk to a person"]
    assert messages[0]["buttons"][1]["payload"] == '/show_menu{"menu_section": "before"}'

    messages, _ = run(ActionShowMenu(), tracker(entities=[{"entity": "menu_section", "value": "during"}]))
    assert messages[0]["text"].startswith("At the meeting")
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert payloads == [
        "/ask_meeting_steps",
        "/ask_for_break",
        "/ask_record_meeting",
        "/ask_leave_part_meeting",
        "/show_menu",
    ]


def test_unknown_menu_section_shows_the_whole_menu():
    messages, _ = run(ActionShowMenu(), tracker(entities=[{"entity": "menu_section", "value": "<script>"}]))
    assert messages[0]["buttons"][0]["title"] == "The basics"


def test_fallback_offers_the_likeliest_topics():
    ranking = [("nlu_fallback", 0.45), ("report_not_received", 0.3), ("ask_venue", 0.2), ("greet", 0.1)]
    messages, _ = run(ActionSuggestTopics(), tracker("the papers?", ranking=ranking, events=[user("the papers?")]))
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/report_not_received", "/ask_venue", "/show_menu"]
    assert "not sure" in messages[0]["text"]


def test_a_too_long_message_gets_asked_to_be_shorter():
    text = "word " * 400
    messages, _ = run(
        ActionSuggestTopics(),
        tracker(text, ranking=[("nlu_fallback", 1.0)], events=[user(text)], too_long={"length": 2000, "limit": 1000}),
    )
    assert messages[0]["text"].startswith("That's a long message for me")
    assert "999" in messages[0]["text"]
    assert messages[0]["buttons"][0]["title"] == "The basics"


def test_second_miss_in_a_row_shows_the_menu():
    ranking = [("nlu_fallback", 0.45), ("report_not_received", 0.3)]
    events = [user("blah"), bot_action("action_suggest_topics"), bot_action("action_listen"), user("blah blah")]
    messages, _ = run(ActionSuggestTopics(), tracker("blah blah", ranking=ranking, events=events))
    assert messages[0]["buttons"][0]["title"] == "The basics"
    assert "still didn't understand" in messages[0]["text"]


def test_a_miss_after_a_normal_answer_suggests_again():
    ranking = [("nlu_fallback", 0.45), ("ask_core_group", 0.3)]
    events = [
        user("blah"),
        bot_action("action_suggest_topics"),
        user("what is a core group"),
        bot_action("utter_core_group"),
        user("hmm"),
    ]
    messages, _ = run(ActionSuggestTopics(), tracker("hmm", ranking=ranking, events=events))
    assert messages[0]["buttons"][0]["payload"] == "/ask_core_group"


@pytest.mark.parametrize(
    "text, expected, absent",
    [
        ("what does ICPC stand for", "ICPC: Initial Child Protection Conference", "CAMHS:"),
        ("who is the iro and what's camhs", "IRO: Independent Reviewing Officer", "SENCO:"),
    ],
)
def test_jargon_explains_the_words_asked_about(text, expected, absent):
    messages, _ = run(ActionExplainJargon(), tracker(text))
    reply = messages[0]["text"]
    assert expected in reply and absent not in reply
    assert reply.splitlines()[-1].startswith("Source: ")


def test_jargon_without_a_known_word_gives_the_glossarys_first_part():
    messages, _ = run(ActionExplainJargon(), tracker("/ask_jargon"))
    reply = messages[0]["text"]
    assert reply.startswith("Here are words you may see")
    for word in ("ICPC:", "RCPC:", "IRO:"):
        assert word in reply
    assert "CAMHS:" not in reply  # in a later part, behind "Tell me more"
    buttons = messages[0]["buttons"]
    assert buttons[0] == {"title": "Tell me more", "payload": '/tell_me_more{"more_topic":"jargon_2"}'}
    assert len(buttons) == 4
