"""Every date question gets the date asked (issue 17): the time to arrive,
what to do and a message to copy when the date has passed, the supporter
date, and the other question in the message offered after."""

from datetime import date, time

import pytest
from sdk_helpers import run, tracker

from actions import conference_form as cf
from actions import your_dates as yd
from actions.profile import current_profile

MONDAY = date(2026, 11, 23)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(cf, "today", lambda: MONDAY)


def dates(conference, kind="initial", start=None, today=MONDAY):
    return yd.work_out(current_profile(), conference, kind, today, nation="england", start=start)


def confirmed(day, **slots):
    return {"conference_date": day, "confirmed_date": day, "conference_date_confirmed": True, **slots}


# ------------------------------------------------------------ the time to arrive
def test_the_time_to_arrive_is_15_minutes_before_the_start():
    answer = yd.single_answer(dates(date(2026, 12, 8), start=time(9, 30)), "arrive_early")
    assert answer.startswith("Arrive early: Tuesday 8 December 2026 at 9:15am.")
    # The conference's own time is said too.
    assert "Your conference: Tuesday 8 December 2026 at 9:30am." in answer


def test_without_a_start_time_the_answer_asks_for_it():
    answer = yd.single_answer(dates(date(2026, 12, 8)), "arrive_early")
    assert yd.date_words().timeline["start_time_unknown"] in answer
    assert "at 9:15am" not in answer


def test_a_start_time_given_after_the_question_keeps_the_question():
    """ "What time should I get there?" ... "it starts at 11": the arrive time, not every date."""
    track = tracker(
        text="it starts at 11",
        intent="give_conference_details",
        entities=[{"entity": "time", "value": "11:00"}],
        slots={"asked_dates": ["arrive_early"]},
    )
    _, events = run(cf.ActionRememberDateQuestion(), track)
    assert events[0]["value"] == ["arrive_early"]


# ------------------------------------------------- an asked date that has passed
def test_the_meeting_tomorrow_and_no_report_gets_the_missed_answer():
    answer = yd.single_answer(dates(date(2026, 11, 24)), "reports")
    assert "the reports should have reached you by Friday 20 November 2026" in answer
    assert "Here is a message you could copy" in answer
    assert "My child's child protection conference is on Tuesday 24 November 2026." in answer


def test_the_day_after_tomorrow_the_report_is_due_today_not_missed():
    answer = yd.single_answer(dates(date(2026, 11, 25)), "reports")
    assert "by Monday 23 November 2026" in answer
    assert "Here is a message you could copy" not in answer


@pytest.mark.parametrize(
    "key, conference, expected",
    [
        # Conference Tuesday 24 November: the chair should have been told by Thursday 19th.
        ("tell_chair", date(2026, 11, 24), "Thursday 19 November 2026"),
        # Conference Tuesday 27 October: minutes by 17 November (15 working days).
        ("minutes", date(2026, 10, 27), "Tuesday 17 November 2026"),
        # Conference Tuesday 17 November: the plan's copy by Thursday 19th (48 hours).
        ("plan_copy", date(2026, 11, 17), "Thursday 19 November 2026"),
    ],
)
def test_a_passed_date_gets_what_to_do_and_a_message_to_copy(key, conference, expected):
    answer = yd.single_answer(dates(conference), key)
    assert expected in answer
    assert "Here is a message you could copy" in answer
    message = yd.chase_message(dates(conference), key)
    assert message and "{" not in message and conference.strftime("%B") in message


def test_the_supporter_date_is_the_same_at_a_first_conference_and_a_review():
    first = yd.single_answer(dates(date(2026, 12, 10), "initial"), "tell_chair")
    review = yd.single_answer(dates(date(2026, 12, 10), "review"), "tell_chair")
    assert first == review
    assert "Tell the chair who you are bringing: about Monday 7 December 2026." in first
    assert not yd.kind_matters(["tell_chair"], yd.timescales_for(current_profile()))


def test_nothing_to_chase_before_the_date():
    assert yd.chase_message(dates(date(2026, 12, 10)), "tell_chair") is None
    assert yd.chase_message(dates(date(2026, 11, 20)), "minutes") is None


# ------------------------------------------------------ the other question after
def test_the_other_question_is_remembered_and_offered_after_the_dates():
    track = tracker(
        text="the meeting's tomorrow and i haven't had the report",
        intent="ask_dates",
        milestones=["reports"],
        date_question={"classifier_intent": "report_not_received"},
    )
    _, events = run(cf.ActionRememberDateQuestion(), track)
    assert {"event": "slot", "timestamp": None, "name": "other_question", "value": "report_not_received"} in events
    messages, events = run(
        cf.ActionAnswerDates(),
        tracker(slots=confirmed("2026-11-24", asked_dates=["reports"], other_question="report_not_received")),
    )
    assert "Here is a message you could copy" in messages[0]["text"]
    assert messages[-1]["text"].startswith("You also asked")
    assert messages[-1]["buttons"][0]["payload"] == "/report_not_received"
    assert {"event": "slot", "timestamp": None, "name": "other_question", "value": None} in events


def test_no_offer_without_another_question():
    messages, events = run(cf.ActionAnswerDates(), tracker(slots=confirmed("2026-12-03", asked_dates=["reports"])))
    assert len(messages) == 1 and events == []


def test_a_second_topic_found_by_the_nlu_is_offered_after_the_dates_too():
    track = tracker(
        text="it's on 3/12/2026, when do i get the report and can i bring my mum",
        intent="ask_dates",
        milestones=["reports"],
        also_asked={"name": "ask_bring_supporter"},
    )
    _, events = run(cf.ActionRememberDateQuestion(), track)
    assert {"event": "slot", "timestamp": None, "name": "other_question", "value": "ask_bring_supporter"} in events
    track = tracker(intent="ask_dates", milestones=["reports"], also_asked={"name": "ask_dates"})
    assert [e["name"] for e in run(cf.ActionRememberDateQuestion(), track)[1]] == ["asked_dates"]
