"""Finding the questions in a long or two-question message (companion/nlu/questions.py)."""

import pytest

from companion.nlu.questions import asks, continues, marked, parts, questions, sentences, split_joined


def test_sentences_are_split_by_punctuation_and_lines():
    assert sentences("I got a letter. Can I bring my mum?\nwho will be there") == [
        "I got a letter.",
        "Can I bring my mum?",
        "who will be there",
    ]


@pytest.mark.parametrize(
    "sentence, asking",
    [
        ("Can I bring my mum?", True),
        ("can i bring my mum", True),
        ("and who will be there", True),
        ("I need to know where it is", True),
        ("the school rang social services last week.", False),
        ("I'm so sorry this is long.", False),
    ],
)
def test_a_question_is_known_by_its_mark_or_how_it_starts(sentence, asking):
    assert asks(sentence) is asking


def test_one_sentence_asking_two_things_is_split():
    assert split_joined("can i bring my mum with me and who else will be at the meeting") == [
        "can i bring my mum with me",
        "who else will be at the meeting",
    ]


def test_a_word_between_and_and_the_question_still_splits():
    # "and roughly how long", "and honestly what happens": a filler word
    # after the join or at a sentence's start does not hide the question.
    assert split_joined("what are the possible outcomes and roughly how long does the meeting last?") == [
        "what are the possible outcomes",
        "how long does the meeting last?",
    ]
    assert asks("and honestly what happens if i just dont go to the conf")
    assert not asks("honestly i am so tired of all this")


def test_a_texted_why_starts_a_question():
    assert split_joined("wat does core group mean and y r they havin one for us") == [
        "wat does core group mean",
        "y r they havin one for us",
    ]
    assert asks("y is there still a meeting")
    # Near-miss: "y'know" is not a question word.
    assert split_joined("im only 19 and y'know its hard to cope") == ["im only 19 and y'know its hard to cope"]
    assert not asks("y'know its hard to cope")


def test_and_inside_one_question_is_not_split():
    assert split_joined("will the police and the school be there") == ["will the police and the school be there"]


def test_the_story_is_left_out_and_the_question_kept():
    message = (
        "Sorry this is long. My son is 4 and he fell at the park. The nursery rang social services. "
        "Today I got a letter about a conference. Can I bring my mum with me?"
    )
    assert questions(message) == ["Can I bring my mum with me?"]


def test_two_questions_in_two_sentences():
    assert questions("Where is it being held? And can I bring my partner?") == [
        "Where is it being held?",
        "And can I bring my partner?",
    ]


def test_a_message_without_a_question_gives_its_last_sentence():
    assert questions("The social worker came round. I feel sick about it all.") == ["I feel sick about it all."]
    assert questions("") == []


def test_every_sentence_of_a_short_message_is_a_part():
    assert parts("i still haven't had the report. also can i bring my sister") == [
        "i still haven't had the report.",
        "also can i bring my sister",
    ]


def test_a_short_question_that_points_back_is_read_with_the_sentence_before():
    assert parts("my kids were put on a plan today. what does that mean and when is the review?") == [
        "my kids were put on a plan today.",
        "my kids were put on a plan today. what does that mean",
        "when is the review?",
    ]
    assert parts("im so nervous about it. can i bring my mam") == ["im so nervous about it.", "can i bring my mam"]


@pytest.mark.parametrize(
    "message, going_on",
    [
        # The last question points back to the one before: the same question, asked on.
        ("Where will the meeting be held? Is it somewhere near my work?", [False, True]),
        ("my nephew is 15. can he have his say?", [False, True]),
        # Near-misses: a second question is marked ("also", "and"), or is about
        # "they" (the council) or "there" ("is there any help"), not what was just asked.
        ("Where will the meeting be held? Also is it ok to bring my brother?", [False, False]),
        ("Where will the meeting be held? can they take my kids?", [False, False]),
        ("Where will the meeting be held? is there help with the bus fare?", [False, False]),
        ("Where will the meeting be held?", [False]),
    ],
)
def test_a_last_question_that_points_back_goes_on_with_the_one_before(message, going_on):
    assert continues(message, parts(message)) == going_on


@pytest.mark.parametrize(
    "message, own",
    [
        # Marked as a question of its own: split off at "and" before a question
        # word, or a sentence that starts with "and" / "also".
        ("who will be at it and can my nan sit in with me", [False, True]),
        ("Is it a video call? Also do I get the notes afterwards?", [False, True]),
        # Near-misses: a plain second sentence, one that goes on with the first,
        # and a short question read with the sentence before it.
        ("Is it a video call? Do I get the notes afterwards?", [False, False]),
        ("Where will the meeting be held? Is it somewhere near my work?", [False, False]),
        ("what is a core group? how often is it?", [False, False]),
        ("who will be at it", [False]),
    ],
)
def test_a_second_question_the_parent_marked_as_its_own(message, own):
    assert marked(message, parts(message)) == own


def test_a_long_message_gives_its_questions_only():
    story = "We moved here last year and the school has been great with him. " * 4
    assert parts(story + "Where is the meeting?") == ["Where is the meeting?"]


def test_a_message_is_run_through_spacy_once_however_often_its_sentences_are_asked_for(monkeypatch):
    from companion.nlu import questions as module

    runs = []
    nlp = module._sentencizer()
    monkeypatch.setattr(module, "_sentencizer", lambda: (lambda line: runs.append(line) or nlp(line)))
    module._line_sentences.cache_clear()
    text = "We have a conference on Friday. Can I bring my mum and who will be there?\nthanks a speed3 lot"
    first = sentences(text)
    questions(text)
    parts(text)
    assert sentences(text) == first
    assert sorted(runs) == sorted(text.splitlines())  # each line once
    module._line_sentences.cache_clear()


def test_the_remembered_sentences_are_a_fresh_list_each_time():
    first = sentences("One thing. Another thing?")
    first.append("changed")
    assert sentences("One thing. Another thing?") == ["One thing.", "Another thing?"]
