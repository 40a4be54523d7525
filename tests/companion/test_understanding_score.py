"""The understanding scorer's outcomes (bench/understanding.py), without a model."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from understanding import Case, Prediction, markdown, outcome, prediction_from, score  # noqa: E402


def test_outcomes():
    one = Case("can i bring my mum", ("ask_bring_supporter",))
    two = Case("where is it and can i bring my mum", ("ask_venue", "ask_bring_supporter"))
    assert outcome(one, Prediction("ask_bring_supporter", "ask_bring_supporter", 0.9)) == "right"
    assert outcome(one, Prediction("ask_venue", "ask_venue", 0.95)) == "wrong"
    assert outcome(one, Prediction("nlu_fallback", "ask_venue", 0.3)) == "did you mean"
    assert outcome(one, Prediction("parent_in_crisis", "ask_venue", 1.0)) == "safety route"
    assert outcome(two, Prediction("ask_venue", "ask_venue", 0.8, also="ask_bring_supporter")) == "right"
    assert outcome(two, Prediction("ask_venue", "ask_venue", 0.8)) == "one of two"
    # The conference form answers both the same way.
    dates = Case("my conference is on the 3rd, when is the review", ("ask_dates",))
    assert outcome(dates, Prediction("give_conference_details", "give_conference_details", 0.8)) == "right"


def test_scores_count_wrong_answers_by_confidence_band():
    cases = [Case("a", ("ask_venue",)), Case("b", ("ask_venue",)), Case("c", ("ask_venue",))]
    predictions = [
        Prediction("ask_venue", "ask_venue", 0.95),
        Prediction("greet", "greet", 0.92),
        Prediction("nlu_fallback", "greet", 0.3),
    ]
    result = score("set", cases, predictions)
    assert result.outcomes["right"] == 1 and result.outcomes["wrong"] == 1
    assert result.bands["0.9-1.0"] == {"messages": 2, "answered": 2, "wrong": 1}
    assert result.as_dict()["confusions"] == ["ask_venue -> greet x1"]


def test_a_parse_becomes_a_prediction():
    parsed = {
        "intent": {"name": "ask_venue", "confidence": 0.8},
        "intent_ranking": [{"name": "ask_venue", "confidence": 0.8}],
        "also_asked": {"name": "ask_bring_supporter", "confidence": 0.6},
    }
    assert prediction_from(parsed) == Prediction("ask_venue", "ask_venue", 0.8, "ask_bring_supporter")
    unknown = {
        "intent": {"name": "nlu_fallback", "confidence": 1.0},
        "unknown_words": True,
        "intent_ranking": [{"name": "nlu_fallback", "confidence": 1.0}, {"name": "greet", "confidence": 0.9}],
    }
    assert prediction_from(unknown).confidence == 0.0


def test_a_second_topic_not_asked_is_its_own_column():
    """A one-question message offered a second topic it did not ask about is
    counted apart (its outcome can still be right); a two-question message's
    second topic is not counted there."""
    cases = [
        Case("can i bring my mum", ("ask_bring_supporter",)),
        Case("who will be there", ("ask_who_attends",)),
        Case("where is it and can i bring my mum", ("ask_venue", "ask_bring_supporter")),
    ]
    predictions = [
        Prediction("ask_bring_supporter", "ask_bring_supporter", 0.9, also="ask_venue"),
        Prediction("ask_who_attends", "ask_who_attends", 0.9),
        Prediction("ask_venue", "ask_venue", 0.8, also="ask_bring_supporter"),
    ]
    result = score("set", cases, predictions)
    assert result.outcomes["right"] == 3
    assert result.extra_topic == 1 and result.one_question_messages == 2
    assert result.as_dict()["second_not_asked"] == 0.5
    assert "| second not asked |" in markdown([result]) and "| 1 (50.0%) |" in markdown([result])


def test_show_lists_the_messages_to_look_at_and_only_for_tuning_sets():
    from understanding import refuse_to_show, shown

    cases = [
        Case("can i bring my mum", ("ask_bring_supporter",)),
        Case("where is it", ("ask_venue",)),
        Case("where is it and can i bring my mum", ("ask_venue", "ask_bring_supporter")),
        Case("when is it", ("ask_dates",)),
    ]
    predictions = [
        Prediction("ask_bring_supporter", "ask_bring_supporter", 0.9, also="ask_venue"),
        Prediction("ask_join_remotely", "ask_join_remotely", 0.8),
        Prediction("ask_venue", "ask_venue", 0.8),
        Prediction("ask_dates", "ask_dates", 0.9),
    ]
    lines = shown("set", cases, predictions)
    assert [line.split(" | ")[1] for line in lines] == ["second not asked", "wrong", "one of two"]
    assert lines[0].endswith("| can i bring my mum")
    assert refuse_to_show(["tests/tuning/understanding_w12.yml", "tests/nlu_holdout.yml"]) == []
    assert refuse_to_show(["tests/evaluation/understanding.yml"]) == ["tests/evaluation/understanding.yml"]
