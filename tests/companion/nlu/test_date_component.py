"""DateExtractor: which date is the conference, its time, impossible dates,
and date questions inside other messages (issue 17)."""

import pytest
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from companion.nlu.components import ConferenceWordsExtractor, DateExtractor, SafetyCheckComponent

EXTRACTOR = DateExtractor()
WORDS = ConferenceWordsExtractor(ConferenceWordsExtractor.get_default_config())


def parsed(text, intent=None, confidence=0.8):
    m = Message(data={TEXT: text})
    if intent:
        m.set(INTENT, {"name": intent, "confidence": confidence})
        m.set(
            INTENT_RANKING_KEY, [{"name": intent, "confidence": confidence}, {"name": "ask_dates", "confidence": 0.1}]
        )
    WORDS.process([m])
    EXTRACTOR.process([m])
    return m


def dates(text):
    m = parsed(text)
    return [
        (e["entity"], e["value"], text[e["start"] : e["end"]])
        for e in m.get(ENTITIES)
        if e["extractor"] == "DateExtractor"
    ]


# ------------------------------------------------ dates that are not the conference
@pytest.mark.parametrize(
    "text, expected",
    [
        ("she was born 12/06/2018 and the conference is on 3/12/2026", "2026-12-03"),
        ("my son's dob is 04/03/2015 and his icpc is 9/12/2026", "2026-12-09"),
        ("we have been on a plan since 5/5/2026, the review is on 8/12/2026", "2026-12-08"),
        ("his birthday is 2/12/2026, the conference is 4/12/2026", "2026-12-04"),
        ("the report came on 18/11/2026 and the meeting is on 25/11/2026", "2026-11-25"),
        ("my daughter is 6 and the meeting is on 30/11/2026", "2026-11-30"),
        ("the court hearing is on 2/2/2027 and the conference is on 26/1/2027", "2027-01-26"),
        ("baby due 3/3/2027, pre birth conference on 14/1/2027", "2027-01-14"),
    ],
)
def test_only_the_conference_date_becomes_the_date(text, expected):
    assert [value for entity, value, _ in dates(text) if entity == "date"] == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "she was born 12/06/2018, when is the review",
        "she turned 5 on 2/11/2026, when will i get the minutes",
        "the conference was on 12 march last year, when can i complain",
        "the first core group was on 4/12/2026, when is the review",
    ],
)
def test_no_conference_date_when_every_date_is_something_else(text):
    assert [entity for entity, _, _ in dates(text) if entity in ("date", "invalid_date")] == []


# ------------------------------------------------------------------- times
def test_the_time_is_its_own_entity_on_its_own_words():
    assert dates("ICPC was on 3/12/2026 at 10am") == [("date", "2026-12-03", "3/12/2026"), ("time", "10:00", "10am")]
    assert dates("half 9 on 8/12/2026") == [("time", "09:30", "half 9"), ("date", "2026-12-08", "8/12/2026")]


@pytest.mark.parametrize(
    "text, time, words",
    [
        ("it starts at 11, what time should i get there", "11:00", "11"),
        ("the meeting is at half 2 what time should we arrive", "14:30", "half 2"),
        ("it's at 14:00", "14:00", "14:00"),
    ],
)
def test_a_time_without_a_date_is_found(text, time, words):
    assert dates(text) == [("time", time, words)]


@pytest.mark.parametrize(
    "text", ["my son is at 10 weeks", "i have 3 kids", "the report is 20 pages", "he was 10 at the time"]
)
def test_numbers_that_are_not_times(text):
    assert dates(text) == []


# ------------------------------------------------------------ impossible dates
@pytest.mark.parametrize(
    "text, words",
    [
        ("my conference is on the 30th feb when do i get the report", "30th feb"),
        ("it's on 29 february 2027, when is the core group", "29 february 2027"),
        ("31/11/26 what time should i get there", "31/11/26"),
    ],
)
def test_an_impossible_date_is_named(text, words):
    assert dates(text) == [("invalid_date", words, words)]


# ------------------------------------------------- date questions inside other messages
@pytest.mark.parametrize(
    "text, intent",
    [
        ("the meeting's tomorrow and i haven't had the report", "report_not_received"),
        ("meetings tomorrow and i havent had the report, when should it have come", "report_not_received"),
        ("its the day after tomorrow and still no report", "report_not_received"),
        (
            "Sorry this is a long message. My partner and I have been struggling since the social worker came "
            "in September. The conference is on 7/12/2026 at 10am and I still have not seen anything in "
            "writing. When should I get the report?",
            "feeling_nervous",
        ),
        ("half 9 on the 8th, what time should i get there", "ask_venue"),
        ("it's a review on 10/12/2026, when do i need to tell them my advocate is coming", "ask_bring_supporter"),
        ("my conference is on the 30th feb when do i get the report", "report_not_received"),
        ("the review is on 3/3/2027, can you tell me when i get the minutes?", "ask_minutes_confidentiality"),
        ("conference is on 4/12/2026 when's the core group", "ask_core_group"),
    ],
)
def test_a_date_with_a_date_question_goes_to_the_dates_path(text, intent):
    m = parsed(text, intent)
    assert m.get(INTENT) == {"name": "ask_dates", "confidence": 1.0}
    # The other question is kept, so it can be offered after.
    assert m.get("date_question") == {"classifier_intent": intent}
    assert [r["name"] for r in m.get(INTENT_RANKING_KEY)][:2] == ["ask_dates", intent]


@pytest.mark.parametrize(
    "text, intent",
    [
        ("can i bring my solicitor to the conference on 3/12/2026", "ask_bring_supporter"),
        ("the report only came today and the meeting is tomorrow", "report_not_received"),
        ("what happens at the review on 3/3/2027", "ask_what_happens"),
        ("i haven't had the report", "report_not_received"),
        ("when do i get the report", "ask_dates"),
        # "when" joining two parts of a sentence is not a date question.
        (
            "the conference is tomorrow and i always cry when i'm stressed. can i step out for a few minutes?",
            "ask_for_break",
        ),
        ("my review is on 3/3/2027 and i get muddled when people talk fast. will there be minutes", "ask_minutes"),
    ],
)
def test_other_messages_keep_their_intent(text, intent):
    m = parsed(text, intent)
    assert m.get(INTENT)["name"] == intent
    assert m.get("date_question") is None


def test_danger_still_wins_over_a_date_question():
    m = parsed("he is hitting my son right now, the conference is tomorrow and i have no report", "report_not_received")
    SafetyCheckComponent(SafetyCheckComponent.get_default_config()).process([m])
    assert m.get(INTENT)["name"] == "child_in_danger"
