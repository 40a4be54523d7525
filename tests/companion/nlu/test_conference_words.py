"""Which dates a question names, and the kind of conference and nation."""

import pytest
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from companion.nlu.components import ConferenceWordsExtractor
from companion.nlu.conference_words import ConferenceWordsError, load_conference_words

WORDS = load_conference_words()


def found(text, entity):
    return [w.value for w in WORDS.find(text) if w.entity == entity]


@pytest.mark.parametrize("text, milestones", [
    ("ICPC was on 3/12/2026 when is the first core group and the review",
     ["first_core_group", "next_review"]),
    ("my conference is next thursday, when do I get the report", ["reports"]),
    ("when do the minutes come", ["minutes"]),
    ("when will i get a copy of the plan", ["plan_copy"]),
    ("how long do i have to complain", ["complaint_deadline"]),
    ("when should the invite arrive", ["invitation_letter"]),
    ("what time should i arrive", ["arrive_early"]),
    ("what are all my dates", []),
    ("when does the cp plan end", []),
])
def test_milestones_named_in_a_question(text, milestones):
    assert found(text, "milestone") == milestones


@pytest.mark.parametrize("text, kind", [
    ("ICPC was on 3/12/2026", ["initial"]),
    ("it's the initial conference", ["initial"]),
    ("it is the first one", ["initial"]),
    ("my review conference is on 5 january", ["review"]),
    ("it's a review", ["review"]),
    ("a review one", ["review"]),
    ("review", ["review"]),
    ("the RCPC is on monday", ["review"]),
    ("it's a pre-birth conference", ["pre_birth"]),
    ("a conference before the baby is born", ["pre_birth"]),
    # Questions about a review are not statements of what the conference is.
    ("when is the review", []),
    ("when is my review", []),
    ("what happens at a review conference", []),
    ("when is the first core group", []),
])
def test_kind_of_conference(text, kind):
    assert found(text, "conference_kind") == kind


@pytest.mark.parametrize("text, nation", [
    ("we live in Wales", ["wales"]),
    ("it's in northern ireland", ["northern_ireland"]),
    ("my english isn't very good", []),
    ("the new wales act", ["wales"]),
])
def test_nation(text, nation):
    assert found(text, "nation") == nation


def test_the_component_adds_kind_and_nation_as_entities_and_milestones_as_a_list():
    message = Message(data={TEXT: "ICPC in Wales was 3/12/2026, when is the core group"})
    ConferenceWordsExtractor(ConferenceWordsExtractor.get_default_config()).process([message])
    entities = {(e["entity"], e["value"]) for e in message.get(ENTITIES)}
    assert entities == {("conference_kind", "initial"), ("nation", "wales")}
    icpc = next(e for e in message.get(ENTITIES) if e["entity"] == "conference_kind")
    assert message.get(TEXT)[icpc["start"]:icpc["end"]] == "ICPC"
    assert message.get("milestones") == ["first_core_group"]


def test_a_broken_pattern_is_named(tmp_path):
    path = tmp_path / "words.yml"
    path.write_text("milestones:\n  reports: ['(unclosed']\nconference_kinds:\n  initial: ['x']\n"
                    "nations:\n  wales: ['wales']\n")
    with pytest.raises(ConferenceWordsError, match=r"milestones.reports: '\(unclosed' is not a valid pattern"):
        load_conference_words(path)


def test_a_missing_block_is_named(tmp_path):
    path = tmp_path / "words.yml"
    path.write_text("milestones:\n  reports: ['report']\n")
    with pytest.raises(ConferenceWordsError, match="conference_kinds is missing"):
        load_conference_words(path)
