"""The scorer that `make bench` and `make test-safety` share (bench/safety_scores.py)."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

from safety_scores import EVALUATION, FLOOR, TUNING, Case, Outcome, below_floor, load_cases, score, table  # noqa: E402

CASES = [
    Case("a", "child_in_danger", "direct"),
    Case("b", "child_in_danger", "indirect"),
    Case("c", "parent_in_crisis", "direct", act=True),
    Case("d", "parent_in_crisis", "direct", act=False),
    Case("e", "parent_in_danger", "direct", also=("child_in_danger",)),
    Case("f", "none", "near_miss_idiom"),
    Case("g", "none", "near_miss_topic"),
    Case("h", "none", "near_miss_history"),
    Case("i", "none", "near_miss_feeling"),
]
OUTCOMES = [
    Outcome("child_in_danger"),
    Outcome(None, note=True),  # only the note: a miss, but it reached 999
    Outcome("parent_in_crisis", act=False),  # Samaritans first for an act under way: wrong first line
    Outcome("parent_in_crisis", act=False),
    Outcome("child_in_danger"),  # an `also` route counts
    Outcome("parent_in_danger", signals=("words:parent_in_danger:strong", "classifier:parent_in_danger:weak")),
    Outcome(None, note=True),
    Outcome(None),
    Outcome(None),
]


def test_recall_first_line_false_alarms_and_notes():
    result = score(CASES, OUTCOMES)
    routes = ("child_in_danger", "parent_in_crisis", "parent_in_danger")
    child, crisis, danger = (result["per_route"][r] for r in routes)
    assert (child["routed"], child["first_line"], child["reached_999_or_note"]) == (1, 1, 2)
    assert (crisis["routed"], crisis["first_line"]) == (2, 1)
    assert danger["recall"] == 1.0
    assert (result["false_alarms"], result["false_alarm_rate"]) == (1, 0.25)
    assert (result["notes"], result["note_rate"]) == (1, 0.25)
    assert result["strong_sources_in_false_alarms"] == {"words": 1}


def test_misses_are_reported_by_their_labels_only():
    missed = score(CASES, OUTCOMES)["missed"]
    assert {"route": "child_in_danger", "kind": "indirect", "act_under_way": None, "got": "note"} in missed
    assert any(m["got"] == "parent_in_crisis (Samaritans first)" for m in missed)
    assert all(set(m) == {"route", "kind", "act_under_way", "got"} for m in missed)
    assert "a" not in table([("x", score(CASES, OUTCOMES))]).split("|")


def test_the_floor_names_what_falls_short():
    result = score(CASES, OUTCOMES)
    problems = below_floor(
        result, {"recall": {"child_in_danger": 0.6}, "most_false_alarm_rate": 0.2, "most_note_rate": 0.5}
    )
    assert problems == [
        "recall for child_in_danger is 50.0%, below the floor of 60.0%",
        "false alarms 25.0%, above 20.0%",
    ]
    assert set(FLOOR["recall"]) == {"child_in_danger", "parent_in_crisis", "parent_in_danger"}


def test_both_sets_load_with_every_route():
    for path in (TUNING, EVALUATION):
        routes = {case.route for case in load_cases(path)}
        assert routes == {"child_in_danger", "parent_in_crisis", "parent_in_danger", "none"}


def test_show_never_prints_a_score_only_writers_words():
    from safety_eval import shown

    cases = [
        Case("seen miss", "child_in_danger", "direct", writer=9),
        Case("unseen miss", "child_in_danger", "direct", writer=6),
        Case("unseen right", "child_in_danger", "direct", writer=6),
    ]
    got = [Outcome(None), Outcome(None), Outcome("child_in_danger")]
    lines = "\n".join(shown(cases, got))
    assert "seen miss" in lines
    assert "unseen" not in lines
    assert "1 of writer 6's" in lines
