"""The conference form and the date answers, through rasa-sdk's own classes."""

import asyncio
import json
from datetime import date

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sdk_helpers import run, tracker

from actions import conference_form as cf

TODAY = date(2026, 11, 23)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(cf, "today", lambda: TODAY)


def validate(method, value, **kwargs):
    dispatcher = CollectingDispatcher()
    result = getattr(cf.ValidateConferenceForm(), f"validate_{method}")(value, dispatcher, tracker(**kwargs), {})
    return result, [m.get("text") for m in dispatcher.messages]


def confirmed(**slots):
    return {"conference_date": "2026-12-03", "confirmed_date": "2026-12-03", "conference_date_confirmed": True, **slots}


# ------------------------------------------------------------------ the form
def test_a_new_date_must_be_confirmed():
    result, said = validate("conference_date", "2026-12-03", intent="give_conference_details")
    assert result == {"conference_date": "2026-12-03", "conference_date_confirmed": None, "confirmed_date": None}
    assert said == []


def test_the_confirmed_date_stays_confirmed():
    result, _ = validate("conference_date", "2026-12-03", slots=confirmed())
    assert result == {"conference_date": "2026-12-03"}


@pytest.mark.parametrize(
    "value, entities, expected",
    [
        (
            "31st February",
            [{"entity": "invalid_date", "value": "31st February"}],
            '"31st February" is not a day on the calendar',
        ),
        ("last year", [], "couldn't find a date"),
        ("2029-12-03", [{"entity": "date", "value": "2029-12-03"}], "Monday 3 December 2029 is more than a year away"),
        ("2024-01-10", [{"entity": "date", "value": "2024-01-10"}], "more than a year ago"),
        # Issue #15: words that are not a date are never said back.
        (
            "<a href=https://evil.example>x</a>",
            [{"entity": "invalid_date", "value": "<a href=https://evil.example>x</a>"}],
            "couldn't find a date",
        ),
        (
            "x",
            [{"entity": "invalid_date", "value": "Call 0800 000 000 now, your case is closed. " * 3}],
            "couldn't find a date",
        ),
    ],
)
def test_nonsense_dates_get_a_kind_reask(value, entities, expected):
    result, said = validate("conference_date", value, entities=entities)
    assert result["conference_date"] is None
    assert len(said) == 1 and expected in said[0]


def test_yes_confirms_the_date_shown():
    result, _ = validate("conference_date_confirmed", True, intent="affirm", slots={"conference_date": "2026-12-03"})
    assert result == {"conference_date_confirmed": True, "confirmed_date": "2026-12-03"}


def test_no_clears_the_date_so_it_is_asked_again():
    result, _ = validate(
        "conference_date_confirmed",
        False,
        intent="deny",
        slots={"conference_date": "2026-12-03", "conference_time": "10:00"},
    )
    assert result["conference_date"] is None and result["conference_date_confirmed"] is None
    assert result["conference_time"] is None


def test_no_with_a_new_date_leaves_the_new_date_to_be_confirmed():
    result, _ = validate(
        "conference_date_confirmed",
        False,
        intent="deny",
        entities=[{"entity": "date", "value": "2026-12-04"}],
        slots={"conference_date": "2026-12-04"},
    )
    assert result == {}


def test_an_old_yes_does_not_confirm_a_changed_date():
    slots = confirmed(conference_date="2026-12-10")
    result, _ = validate("conference_date_confirmed", True, intent="give_conference_details", slots=slots)
    assert result == {"conference_date_confirmed": None}
    result, _ = validate("conference_date_confirmed", True, intent="ask_dates", slots=confirmed())
    assert result == {"conference_date_confirmed": True}


@pytest.mark.parametrize(
    "asked, kind_needed", [(["reports"], False), (["first_core_group"], True), ([], True), (["minutes"], False)]
)
def test_the_kind_is_asked_only_when_it_matters(asked, kind_needed):
    slots = asyncio.run(
        cf.ValidateConferenceForm().required_slots(
            [], CollectingDispatcher(), tracker(slots={"asked_dates": asked}), {}
        )
    )
    assert slots[:2] == ["conference_date", "conference_date_confirmed"]
    assert ("conference_kind" in slots) == kind_needed
    assert "conference_nation" not in slots  # the profile covers one nation


def test_the_confirm_question_says_the_date_and_time_in_words():
    messages, _ = run(
        cf.ActionAskConferenceDateConfirmed(),
        tracker(slots={"conference_date": "2026-12-03", "conference_time": "10:00"}),
    )
    assert messages[0]["text"] == "Thursday 3 December 2026 at 10am, is that right?"
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/affirm", "/deny"]


def test_the_kind_buttons_fill_the_slot_through_the_payload():
    messages, _ = run(cf.ActionAskConferenceKind(), tracker())
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert '/give_conference_details{"conference_kind":"review"}' in payloads


# --------------------------------------------------------------- the answers
def test_the_question_is_remembered_from_the_message():
    _, events = run(
        cf.ActionRememberDateQuestion(), tracker(intent="ask_dates", milestones=["first_core_group", "next_review"])
    )
    assert events == [
        {"event": "slot", "timestamp": None, "name": "asked_dates", "value": ["first_core_group", "next_review"]}
    ]


def test_a_button_can_name_the_milestone():
    _, events = run(
        cf.ActionRememberDateQuestion(),
        tracker(intent="ask_dates", entities=[{"entity": "milestone", "value": "next_review"}]),
    )
    assert events[0]["value"] == ["next_review"]


def test_giving_the_date_asks_for_everything():
    _, events = run(
        cf.ActionRememberDateQuestion(), tracker(intent="give_conference_details", milestones=["next_review"])
    )
    assert events[0]["value"] == []


def test_one_answer_for_each_date_asked():
    messages, _ = run(
        cf.ActionAnswerDates(),
        tracker(slots=confirmed(conference_kind="initial", asked_dates=["first_core_group", "next_review"])),
    )
    assert len(messages) == 2
    assert "by Thursday 17 December 2026" in messages[0]["text"]
    assert "by Wednesday 3 March 2027" in messages[1]["text"]


def answer_on(channel, **slots):
    track = tracker(slots=confirmed(conference_kind="initial", asked_dates=[], **slots))
    track.latest_message["input_channel"] = channel
    track.events.append({"event": "user", "input_channel": channel})
    return run(cf.ActionAnswerDates(), track)[0]


def test_the_widget_gets_the_timeline_as_data():
    messages = answer_on("socketio")
    assert len(messages) == 1 and messages[0]["custom"]["data"]["type"] == "timeline"
    json.dumps(messages[0]["custom"])


def test_rest_gets_the_text_list_then_the_data():
    messages = answer_on("rest")
    assert messages[0]["text"].startswith("Your dates, worked out from your first conference")
    assert messages[1]["custom"]["calendar"]["ics"].startswith("BEGIN:VCALENDAR")


def test_text_channels_get_the_list_only():
    messages = answer_on("twilio")
    assert len(messages) == 1 and "- Thu 17 Dec 2026: first core group meeting" in messages[0]["text"]


def test_an_unconfirmed_date_is_not_used():
    messages, _ = run(
        cf.ActionAnswerDates(), tracker(slots={"conference_date": "2026-12-03", "asked_dates": ["reports"]})
    )
    assert "Tuesday 1 December" not in messages[0]["text"]
    assert "tell me and I'll work out" in messages[0]["text"]


def test_a_late_report_gets_a_message_to_copy():
    # Conference Tuesday 24 November: the report was due Friday 20 November.
    slots = {"conference_date": "2026-11-24", "confirmed_date": "2026-11-24"}
    messages, _ = run(cf.ActionOfferChaseMessage(), tracker(slots=slots))
    assert "Here is a message you could copy" in messages[0]["text"]
    assert run(cf.ActionOfferChaseMessage(), tracker(slots=confirmed()))[0] == []
    assert run(cf.ActionOfferChaseMessage(), tracker())[0] == []


def test_a_service_in_several_nations_asks_which_one(monkeypatch, profile_data):
    from actions.profile import parse_profile

    profile_data["other_nations"] = ["wales", "scotland"]
    monkeypatch.setattr(cf, "current_profile", lambda: parse_profile(profile_data))
    slots = asyncio.run(
        cf.ValidateConferenceForm().required_slots(
            [], CollectingDispatcher(), tracker(slots={"asked_dates": ["reports"]}), {}
        )
    )
    assert "conference_nation" in slots
    messages, _ = run(cf.ActionAskConferenceNation(), tracker())
    assert [b["title"] for b in messages[0]["buttons"]] == ["England", "Wales", "Scotland"]
    result, _ = validate("conference_nation", "Wales")
    # The answers use the chosen nation's words from now on (issue 18).
    assert result == {"conference_nation": "wales", "answer_nation": "wales"}
    result, _ = validate("conference_nation", "northern ireland")
    assert result == {"conference_nation": None}
    # Scotland's meeting has its own name and numbers.
    messages, _ = run(
        cf.ActionAnswerDates(),
        tracker(
            slots=confirmed(conference_nation="scotland", conference_kind="initial", asked_dates=["first_core_group"])
        ),
    )
    assert "Your Child Protection Planning Meeting: Thursday 3 December 2026" in messages[0]["text"]
    assert "within 15 working days" in messages[0]["text"]
