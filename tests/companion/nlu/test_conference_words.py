"""Which dates a question names, and the kind of conference and nation."""

import pytest
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from companion.nlu.components import ConferenceWordsExtractor
from companion.nlu.conference_words import ConferenceWordsError, load_conference_words

WORDS = load_conference_words()


def found(text, entity):
    return [w.value for w in WORDS.find(text) if w.entity == entity]


@pytest.mark.parametrize(
    "text, milestones",
    [
        ("ICPC was on 3/12/2026 when is the first core group and the review", ["first_core_group", "next_review"]),
        ("my conference is next thursday, when do I get the report", ["reports"]),
        ("when do the minutes come", ["minutes"]),
        ("when will i get a copy of the plan", ["plan_copy"]),
        ("how long do i have to complain", ["complaint_deadline"]),
        ("when should the invite arrive", ["invitation_letter"]),
        ("what time should i arrive", ["arrive_early"]),
        ("what are all my dates", []),
        ("when does the cp plan end", []),
    ],
)
def test_milestones_named_in_a_question(text, milestones):
    assert found(text, "milestone") == milestones


@pytest.mark.parametrize(
    "text, kind",
    [
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
    ],
)
def test_kind_of_conference(text, kind):
    assert found(text, "conference_kind") == kind


@pytest.mark.parametrize(
    "text, nation",
    [
        ("we live in Wales", ["wales"]),
        ("it's in northern ireland", ["northern_ireland"]),
        ("my english isn't very good", []),
        ("the new wales act", ["wales"]),
    ],
)
def test_nation(text, nation):
    assert found(text, "nation") == nation


def test_the_component_adds_kind_and_nation_as_entities_and_milestones_as_a_list():
    message = Message(data={TEXT: "ICPC in Wales was 3/12/2026, when is the core group"})
    ConferenceWordsExtractor(ConferenceWordsExtractor.get_default_config()).process([message])
    entities = {(e["entity"], e["value"]) for e in message.get(ENTITIES)}
    assert entities == {("conference_kind", "initial"), ("nation", "wales")}
    icpc = next(e for e in message.get(ENTITIES) if e["entity"] == "conference_kind")
    assert message.get(TEXT)[icpc["start"] : icpc["end"]] == "ICPC"
    assert message.get("milestones") == ["first_core_group"]


def test_a_broken_pattern_is_named(tmp_path):
    path = tmp_path / "words.yml"
    path.write_text(
        "milestones:\n  reports: ['(unclosed']\nconference_kinds:\n  initial: ['x']\nnations:\n  wales: ['wales']\n"
    )
    with pytest.raises(ConferenceWordsError, match=r"milestones.reports: '\(unclosed' is not a valid pattern"):
        load_conference_words(path)


def test_a_missing_block_is_named(tmp_path):
    path = tmp_path / "words.yml"
    path.write_text("milestones:\n  reports: ['report']\n")
    with pytest.raises(ConferenceWordsError, match="conference_kinds is missing"):
        load_conference_words(path)


# Issue 17: the date asked for.
@pytest.mark.parametrize(
    "text, milestones",
    [
        # Telling them someone is coming, at a first conference or a review.
        ("when do i need to tell them my advocate is coming", ["tell_chair"]),
        ("it's a review on 10 december, when do i tell the chair my solicitor is coming", ["tell_chair"]),
        ("by when should i say i'm bringing a friend to the review on 28 january", ["tell_chair"]),
        ("how much notice do they need that an interpreter is coming", ["tell_chair"]),
        ("how many days before do i let the chair know my solicitor is coming", ["tell_chair"]),
        ("when does she need to tell the chair I'm coming", ["tell_chair"]),
        # The time to arrive.
        ("what time do i need to be there", ["arrive_early"]),
        ("how early should i get there", ["arrive_early"]),
        ("what time shall we turn up", ["arrive_early"]),
        ("half 9 on the 8th, what time should i get there", ["arrive_early"]),
        ("when should the paperwork arrive", ["reports"]),
        # A review that is the conference is not asked about.
        ("my review is on 3 march, when do i get the report", ["reports"]),
        ("the review is on 8 december, when do i get the report", ["reports"]),
        ("what happens at the review on 3 march", []),
        ("when is the first core group meant to be", ["first_core_group"]),
        ("when will the invite come", ["invitation_letter"]),
    ],
)
def test_the_date_asked_for(text, milestones):
    assert found(text, "milestone") == milestones


@pytest.mark.parametrize(
    "text, milestones",
    [
        # What the question asks about, not what the story mentions.
        ("the report came on 18 november and the meeting is on 25 november, when do i get the minutes", ["minutes"]),
        ("when is the first core group and the review", ["first_core_group", "next_review"]),
        # No milestone inside the question: the message's own words count.
        ("Nobody has sent me a report. When should I have got it?", ["reports"]),
        ("the meeting's tomorrow and i haven't had the report", ["reports"]),
        ("icpc was last thursday, when do i get the plan", ["plan_copy"]),
        ("10 o'clock on friday, when do i need to get there", ["arrive_early"]),
    ],
)
def test_the_question_decides_which_date(text, milestones):
    assert found(text, "milestone") == milestones
