"""Floors on the blind evaluation set for reading dates (tests/evaluation/dates.yml).

The set is only scored, never tuned on (bench/dates_score.py says how).
Each floor is set just under what the reader measured when it was written
(docs/performance.md has the figures), so a change that reads parents'
dates worse fails here.
"""

from pathlib import Path

import pytest

from bench.dates_score import score

EVALUATION = Path(__file__).resolve().parents[2] / "evaluation" / "dates.yml"
TUNING = Path(__file__).resolve().parents[2] / "tuning" / "dates.yml"


@pytest.fixture(scope="module")
def evaluation():
    return score(EVALUATION)


def test_the_evaluation_set_is_whole(evaluation):
    assert evaluation["cases"] == 203


def test_all_five_fields_right(evaluation):
    assert evaluation["all"] >= 0.86


@pytest.mark.parametrize(
    "feature, floor",
    [
        ("conference_date", 0.94),
        ("time", 0.96),
        ("invalid_date", 0.97),
        ("tense", 0.97),
        ("asks", 0.95),
    ],
)
def test_each_feature(evaluation, feature, floor):
    assert evaluation["features"][feature] >= floor


def test_the_tuning_set_stays_read():
    assert score(TUNING)["all"] >= 0.98
