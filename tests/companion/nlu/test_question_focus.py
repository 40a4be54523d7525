"""What the question asks, counted on its own (questions.focus and
topic_components.QuestionFocusFeaturizer): close topics share their story,
not their question."""

import pytest
from rasa.shared.nlu.training_data.message import Message

from companion.nlu.classifiers import sentence_row
from companion.nlu.questions import focus
from companion.nlu.topic_components import QuestionFocusFeaturizer


@pytest.mark.parametrize(
    "message, asked",
    [
        # The story of the neighbouring topic (no car, far away) before the question.
        ("ive no car and its two buses away, where is the meeting held", ["where is the meeting held"]),
        ("my office is miles from the council building, can i join on teams", ["can i join on teams"]),
        # A near miss: the same story, no question word after it: the whole question.
        ("is there parking at the council building", ["is there parking at the council building"]),
        # A long message: its question sentence, not its story.
        (
            "Sorry this is long. Their dad moved out last year and we barely speak. "
            "The letter came today. Who else will be in the room?",
            ["Who else will be in the room?"],
        ),
        # Two questions: both.
        ("can i bring my mum and who will be there", ["can i bring my mum", "who will be there"]),
    ],
)
def test_the_focus_is_the_clause_that_asks(message, asked):
    assert focus(message) == asked


def test_the_focus_is_at_most_ten_words():
    assert len(focus("where is it " + "and the rest of a very long story goes on " * 3)[0].split()) == 10


def _featurized(text):
    featurizer = QuestionFocusFeaturizer(QuestionFocusFeaturizer.get_default_config())
    message = Message(data={"text": text})
    featurizer.process([message])
    return sentence_row(message)


def test_the_same_question_after_different_stories_gets_the_same_focus_counts():
    venue = _featurized("no car and i live miles away, where is the meeting held")
    other = _featurized("my ex will be there and i am scared, where is the meeting held")
    assert venue.shape == (1, 2**13)
    assert (venue != other).nnz == 0


def test_different_questions_after_the_same_story_get_different_focus_counts():
    venue = _featurized("no car and i live miles away, where is the meeting held")
    remote = _featurized("no car and i live miles away, can i join on a video call")
    assert (venue != remote).nnz > 0


def test_an_empty_message_gets_no_features():
    featurizer = QuestionFocusFeaturizer(QuestionFocusFeaturizer.get_default_config())
    message = Message(data={"text": ""})
    featurizer.process([message])
    assert message.features == []
