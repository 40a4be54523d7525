"""The parent's own dates in words: answers, lists, the calendar file, missed rights."""

import json
from datetime import date, time
from pathlib import Path

import pytest
import yaml
from icalendar import Calendar

from actions import your_dates as yd
from actions.content import ContentError
from actions.profile import load_profile
from actions.timeline import load_timescales

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def profile():
    return load_profile(ROOT / "profile.yml")


def dates_for(profile, conference=date(2026, 12, 3), kind="initial", today=TODAY, **kwargs):
    return yd.work_out(profile, conference, kind, today, **kwargs)


# ------------------------------------------------------------ checking a date
@pytest.mark.parametrize(
    "value, problem",
    [
        ("2026-12-03", None),
        ("2025-12-01", None),  # a year ago: a past conference is fine
        ("2025-11-01", "too_far_past"),
        ("2029-12-03", "too_far_future"),  # three years away
        ("31st February", "no_date"),
        ("last year", "no_date"),
        (None, "no_date"),
    ],
)
def test_conference_date_checks(value, problem):
    day, found = yd.check_conference_date(value, TODAY)
    assert found == problem
    assert (day is None) == (problem is not None)


def test_dates_in_words():
    assert yd.in_words(date(2026, 12, 3)) == "Thursday 3 December 2026"
    assert yd.short_words(date(2027, 1, 4)) == "Mon 4 Jan 2027"
    assert [yd.clock_words(time(h, m)) for h, m in [(9, 45), (10, 0), (12, 30), (0, 5), (14, 0)]] == [
        "9:45am",
        "10am",
        "12:30pm",
        "12:05am",
        "2pm",
    ]


# ---------------------------------------------------------- which questions
def test_kind_is_asked_only_when_the_answer_depends_on_it():
    england = load_timescales("england")
    assert not yd.kind_matters(["reports"], england)
    assert not yd.kind_matters(["minutes", "invitation_letter"], england)
    assert yd.kind_matters(["first_core_group"], england)
    assert yd.kind_matters(["next_review"], england)  # 3 months, or 6 after a review
    assert yd.kind_matters([], england)  # the whole timeline


def test_after_a_review_the_core_group_question_is_about_the_ones_that_carry_on():
    assert yd.asked_keys(["first_core_group", "next_review"], "review") == ["core_groups", "next_review"]
    assert yd.asked_keys(["first_core_group", "first_core_group"], "initial") == ["first_core_group"]


# ------------------------------------------------------------------ answers
def test_the_report_answer_gives_the_date_the_rule_what_to_do_and_the_source(profile):
    text = yd.single_answer(dates_for(profile), "reports")
    first = text.split("\n\n")[0]
    assert "by Tuesday 1 December 2026" in first and "Thursday 3 December 2026" in first
    assert "What you can do:" in text
    assert text.rstrip().endswith("Source: A parent's guide; Wakefield One Minute Guide.")


def test_first_core_group_and_review_for_an_initial_conference(profile):
    dates = dates_for(profile)
    assert "by Thursday 17 December 2026" in yd.single_answer(dates, "first_core_group")
    assert "by Wednesday 3 March 2027" in yd.single_answer(dates, "next_review")


def test_research_ids_are_not_shown_to_parents(profile):
    text = yd.timeline_answer(dates_for(profile))
    assert "(E4)" not in text and "(E5)" not in text
    source = text.rsplit("Source: ", 1)[1]
    names = [name.strip(" .") for name in source.split(";")]
    assert len(names) == len(set(names)), "each source is named once"


@pytest.mark.parametrize(
    "nation, kind, heading",
    [
        ("scotland", "review", "review Child Protection Planning Meeting"),
        ("scotland", "initial", "first Child Protection Planning Meeting"),
        ("wales", "initial", "first conference"),
    ],
)
def test_the_heading_names_the_meeting_as_the_nation_does(profile, nation, kind, heading):
    lines = yd.compact_list(dates_for(profile, kind=kind, nation=nation)).splitlines()
    assert lines[0] == f"Your dates, worked out from your {heading} on Thursday 3 December 2026:"


def test_the_compact_list_is_in_date_order_and_marks_passed_dates(profile):
    text = yd.compact_list(dates_for(profile, start=time(10, 0)))
    lines = text.splitlines()
    assert lines[0] == "Your dates, worked out from your first conference on Thursday 3 December 2026:"
    assert any(line.startswith("- about Thu 19 Nov 2026 (passed)") for line in lines)
    assert "- Thu 3 Dec 2026, 10am: Your conference" in lines
    assert "- Thu 3 Dec 2026, 9:45am: arrive early (good practice)" in lines
    # The profile's own complaint rule (28 calendar days) has a date.
    assert "- Thu 31 Dec 2026: last day to complain about the conference (local rule, ask your social worker)" in lines
    assert lines[-1].startswith("- No fixed date:")
    # Each date says where its rule comes from (issue 18): the first core
    # group is national guidance in England, the reports a local rule.
    assert any(line.endswith("first core group meeting (national guidance)") for line in lines)
    assert any(line.endswith("the reports should reach you (local rule, ask your social worker)") for line in lines)
    assert "latest dates the rules allow" not in yd.timeline_answer(dates_for(profile))


def test_a_nation_without_a_number_gets_no_date_and_a_kind_answer(profile):
    dates = dates_for(profile, nation="northern_ireland")
    assert yd.single_answer(dates, "first_core_group") is None
    assert "can't give you a date" in yd.no_rule_answer(dates, "first_core_group")


def test_without_a_date_the_rules_are_given_in_words(profile):
    text = yd.rules_answer(yd.timescales_for(profile), ["reports", "next_review"])
    assert "two working days before" in text and "within 3 months" in text
    assert "tell me and I'll work out" in text
    assert text.endswith(
        "Source: A parent's guide; Wakefield One Minute Guide; Bromleys Solicitors' guide; Council FAQ."
    )


def test_pre_birth_conference_gives_the_local_rule_after_birth_without_a_date(profile):
    dates = dates_for(profile, kind="pre_birth")
    after_birth = dates.find("first_review_after_birth")[0]
    assert after_birth.day is None and "10 working days of the birth" in after_birth.rule
    assert dates.find("next_review")[0].day == date(2027, 3, 3)
    assert dates.find("first_core_group")[0].day == date(2026, 12, 17)


# ----------------------------------------------------------- missed rights
def test_late_report_gets_advice_and_a_filled_in_message(profile):
    # Tuesday 24 November: the report was due by Friday 20 November.
    dates = dates_for(profile, conference=date(2026, 11, 24))
    text = yd.missed_right(dates, "reports")
    assert "the reports should have reached you by Friday 20 November 2026" in text
    message = yd.chase_message(dates, "reports")
    assert "Tuesday 24 November 2026" in message and "Friday 20 November 2026" in message
    assert message in text
    assert "{" not in text


def test_no_missed_report_before_its_date_or_after_the_conference(profile):
    assert yd.missed_right(dates_for(profile), "reports") is None
    over = dates_for(profile, conference=date(2026, 11, 10))
    assert yd.missed_right(over, "reports") is None


def test_no_core_group_ten_working_days_after(profile):
    dates = dates_for(profile, conference=date(2026, 11, 2))  # due by Monday 16 November
    text = yd.missed_right(dates, "first_core_group")
    assert "should have been held by Monday 16 November 2026" in text
    assert yd.missed_right(dates_for(profile, conference=date(2026, 11, 16)), "first_core_group") is None


def test_only_what_a_parent_can_ask_for_is_chased(profile):
    # Issue 17: the minutes, the plan and telling the chair are chased too.
    old = dates_for(profile, conference=date(2026, 6, 1))
    assert "I have not received the minutes yet" in yd.missed_right(old, "minutes")
    for key in ("next_review", "invitation_letter", "arrive_early", "core_groups"):
        assert yd.missed_right(old, key) is None, key


# ---------------------------------------------------- payload and calendar
def test_the_widget_payload_is_json_with_every_milestone(profile):
    dates = dates_for(profile)
    payload = json.loads(json.dumps(yd.timeline_payload(dates)))
    assert payload["type"] == "timeline" and payload["conference"] == "2026-12-03"
    assert [m["key"] for m in payload["milestones"]] == [m.key for m in dates.milestones]
    report = next(m for m in payload["milestones"] if m["key"] == "reports")
    assert report["date"] == "2026-12-01" and report["source"] and report["rule"]
    assert payload["calendar"]["ics"].startswith("BEGIN:VCALENDAR")


def test_the_calendar_file_parses_back_with_all_day_events(profile):
    dates = dates_for(profile, start=time(10, 0))
    parsed = Calendar.from_ical(yd.calendar_file(dates))
    events = [c for c in parsed.walk("VEVENT")]
    dated = [m for m in dates.milestones if m.day is not None]
    assert len(events) == len(dated)
    starts = sorted(e.decoded("dtstart") for e in events)
    assert starts == sorted(m.day for m in dated)
    assert all(type(e.decoded("dtstart")) is date for e in events)  # all-day
    review = next(e for e in events if str(e["summary"]) == "First review conference")
    assert review.decoded("dtstart") == date(2027, 3, 3)
    assert "within 3 months" in str(review["description"])
    assert len({str(e["uid"]) for e in events}) == len(events)


# ------------------------------------------------------------- the words file
def test_every_milestone_with_advice_exists_in_the_timescales():
    words = yd.date_words()
    keys = {
        rule.key
        for nation in ("england", "wales", "scotland", "northern_ireland")
        for rule in load_timescales(nation).rules
    }
    assert set(words.you_can) <= keys


def test_the_words_file_is_checked(tmp_path):
    data = yaml.safe_load((ROOT / "content" / "dates.yml").read_text())
    del data["missed"]["reports"]["message"]
    with pytest.raises(ContentError, match="missed.reports.message is missing"):
        yd.parse_date_words(data)


@pytest.mark.parametrize("nation", ["../../profile", "narnia", "wales", None])
def test_a_nation_the_profile_does_not_cover_gets_the_profile_s_own(profile, nation):
    """Issue #15: the slot value came from a typed payload."""
    assert yd.timescales_for(profile, nation).nation == profile.nation
