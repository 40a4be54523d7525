"""The rights timeline: every rule, every nation, overrides, past dates, bad input."""

from datetime import date, time
from pathlib import Path

import pytest
import yaml

from actions.timeline import TimescalesError, build_timeline, load_timescales
from actions.working_days import WorkingCalendar

TODAY = date(2026, 11, 23)


def timeline(nation="england", kind="initial", conference=date(2026, 12, 3), today=TODAY, overrides=None, **kwargs):
    return build_timeline(
        conference, kind, load_timescales(nation, overrides), WorkingCalendar.for_nation(nation), today, **kwargs
    )


def dates(milestones):
    return {m.key: m.day for m in milestones if m.key != "core_groups"}


def test_england_initial_conference():
    got = dates(timeline())
    assert got["invitation_letter"] == date(2026, 11, 19)  # about two weeks before
    assert got["tell_chair"] == date(2026, 11, 30)  # 3 working days before
    assert got["reports"] == date(2026, 12, 1)  # 2 working days before Thu 3 Dec
    assert got["plan_copy"] == date(2026, 12, 5)  # 48 hours, no start time given
    assert got["first_core_group"] == date(2026, 12, 17)  # 10 working days
    assert got["minutes"] == date(2026, 12, 24)  # 15 working days
    assert got["next_review"] == date(2027, 3, 3)  # 3 months
    assert got["visits_before"] is None  # no fixed date
    assert "latest_initial_conference" not in got  # no strategy discussion given


def test_milestones_are_in_date_order_with_the_conference_among_them():
    keys = [m.key for m in timeline()]
    assert keys.index("visits_before") < keys.index("conference") < keys.index("plan_copy")
    days = [m.day for m in timeline() if m.day]
    assert days == sorted(days)


def test_every_milestone_says_its_rule_and_source():
    for nation in ("england", "wales", "scotland", "northern_ireland"):
        for kind in ("initial", "review"):
            for m in timeline(nation, kind):
                if m.key != "conference":
                    assert m.rule and m.source, (nation, kind, m.key)
                    assert m.kind in ("statutory", "good_practice", "local")


def test_core_groups_repeat_monthly_until_the_review():
    groups = [m.day for m in timeline() if m.key == "core_groups"]
    # 17 January 2027 is a Sunday: "about once a month" moves to the Monday.
    assert groups == [date(2027, 1, 18), date(2027, 2, 17)]
    assert all(m.approximate for m in timeline() if m.key == "core_groups")


def test_review_conference_gives_the_next_review_and_core_groups():
    got = timeline(kind="review", conference=date(2027, 3, 3))
    keys = {m.key for m in got}
    assert "first_core_group" not in keys and "plan_copy" not in keys
    assert dates(got)["next_review"] == date(2027, 9, 3)
    # 3 April 2027 is a Saturday; 3 May 2027 is the early May bank holiday.
    assert [m.day for m in got if m.key == "core_groups"][:2] == [date(2027, 4, 5), date(2027, 5, 4)]


def test_start_time_gives_the_arrival_time_and_exact_hours():
    got = {m.key: m for m in timeline(start=time(10, 0))}
    assert (got["arrive_early"].day, got["arrive_early"].at) == (date(2026, 12, 3), time(9, 45))
    assert (got["plan_copy"].day, got["plan_copy"].at) == (date(2026, 12, 5), time(10, 0))


def test_strategy_discussion_gives_the_latest_first_conference():
    england = dates(
        timeline(strategy_discussion=date(2025, 12, 19), conference=date(2026, 1, 12), today=date(2025, 12, 20))
    )
    assert england["latest_initial_conference"] == date(2026, 1, 14)
    scotland = dates(
        timeline(
            "scotland", strategy_discussion=date(2025, 12, 19), conference=date(2026, 1, 12), today=date(2025, 12, 20)
        )
    )
    assert scotland["latest_initial_conference"] == date(2026, 1, 16)  # 28 calendar days


def test_the_nations_differ():
    wales = dates(timeline("wales"))
    assert wales["plan_copy"] == date(2026, 12, 10)  # 5 working days
    assert wales["minutes"] == date(2027, 1, 5)  # 20 working days (25, 28 Dec, 1 Jan off)
    assert wales["reports"] is None  # no national number
    scotland = dates(timeline("scotland", conference=date(2026, 6, 12), today=date(2026, 6, 1)))
    assert scotland["first_core_group"] == date(2026, 7, 6)  # 15 working days, 15 June off
    assert scotland["next_review"] == date(2026, 12, 12)  # 6 months
    assert scotland["invitation_letter"] == date(2026, 6, 7)  # 5 days' notice
    ni = dates(timeline("northern_ireland"))
    assert ni["next_review"] == date(2027, 3, 3)
    assert "first_core_group" not in ni  # unverified: no date given


def test_past_dates_are_marked_and_the_rest_still_come():
    got = {m.key: m for m in timeline(today=date(2026, 12, 10))}
    assert got["reports"].passed and got["conference"].passed
    assert not got["first_core_group"].passed and not got["next_review"].passed


def test_a_council_can_override_a_number_and_is_named():
    override = {
        "reports": {
            "amount": 5,
            "unit": "working_days",
            "source": "Ashdown Safeguarding Children Partnership procedures 4.2",
        }
    }
    got = {m.key: m for m in timeline(overrides=override)}
    assert got["reports"].day == date(2026, 11, 26)
    assert got["reports"].source == "Ashdown Safeguarding Children Partnership procedures 4.2"
    assert got["reports"].kind == "local"


@pytest.mark.parametrize(
    "override, message",
    [
        ({"report": {"amount": 5, "unit": "working_days", "source": "x"}}, "timescales.report: no such timescale"),
        ({"reports": {"amount": 5, "unit": "weeks", "source": "x"}}, "unit should be one of"),
        ({"reports": {"amount": -1, "unit": "days", "source": "x"}}, "amount should be a whole number"),
        ({"reports": {"amount": 5, "unit": "days"}}, "source is missing"),
        ({"reports": 5}, "should be a block"),
    ],
)
def test_bad_overrides_are_explained(override, message):
    with pytest.raises(TimescalesError, match=message):
        load_timescales("england", override)


def test_bad_timescales_file_is_explained(tmp_path):
    (tmp_path / "england.yml").write_text(
        yaml.safe_dump(
            {
                "milestones": [
                    {
                        "key": "x",
                        "label": "X",
                        "anchor": "the moon",
                        "when": "after",
                        "applies_to": ["initial"],
                        "kind": "statutory",
                        "rule": "r",
                        "source": "s",
                    }
                ]
            }
        )
    )
    with pytest.raises(TimescalesError, match=r"milestones\[0\]: anchor should be one of"):
        load_timescales("england", directory=tmp_path)
    with pytest.raises(TimescalesError, match="no timescales for nation 'wales'"):
        load_timescales("wales", directory=tmp_path)


@pytest.mark.parametrize("nation", ["../../profile", "../timescales/england", "/etc/passwd", "England ", "", None])
def test_a_nation_not_on_the_list_never_names_a_file(nation, tmp_path):
    """Issue #15: a typed payload set the nation, and the file path was built from it."""
    (tmp_path / "profile.yml").write_text("milestones: []")
    with pytest.raises(TimescalesError, match="no timescales for nation"):
        load_timescales(nation, directory=tmp_path / "timescales")


def test_unknown_conference_kind():
    with pytest.raises(ValueError, match="conference_kind"):
        timeline(kind="final")


def test_every_nation_file_loads():
    for path in sorted((Path(__file__).resolve().parents[2] / "content" / "timescales").glob("*.yml")):
        assert load_timescales(path.stem).rules
