"""The one walk over a message's pieces that the example bank and the reader
share (companion/nlu/sentence_spans.py `distinct_spans`)."""

import pytest

from companion.nlu.danger_bank import DangerBank
from companion.nlu.danger_reader import pieces
from companion.nlu.sentence_spans import distinct_spans, piece_text, sentence_spans


def texts(text, spans):
    return [text[a:b] for a, b in spans]


def test_each_sentence_once_whatever_its_case_and_spacing():
    text = "He hit me.  he HIT me. Can I bring my mum?\nhe hit me."
    assert texts(text, distinct_spans(text, 10)) == ["He hit me.", "Can I bring my mum?"]
    assert piece_text(text, distinct_spans(text, 10)[0]) == "he hit me."


def test_at_most_the_first_pieces_are_read():
    text = " ".join(f"Sentence number {n}." for n in range(10))
    assert texts(text, distinct_spans(text, 3)) == ["Sentence number 0.", "Sentence number 1.", "Sentence number 2."]
    assert distinct_spans(text, 0) == [] and distinct_spans("", 5) == [] and distinct_spans("?!", 5) == []


def test_clauses_of_enough_words_follow_their_sentence_when_asked():
    text = "Hi. The meeting is long, but he has a knife, ok"
    assert texts(text, distinct_spans(text, 10)) == ["Hi.", "The meeting is long, but he has a knife, ok"]
    with_clauses = texts(text, distinct_spans(text, 10, clauses=True))
    assert with_clauses == [
        "Hi.",
        "The meeting is long, but he has a knife, ok",
        "The meeting is long",
        "but he has a knife",
    ]
    # Fewer words needed: the short clause too; a sentence of one clause adds nothing.
    assert "ok" in texts(text, distinct_spans(text, 10, clauses=True, clause_words=1))
    assert texts("Hi there.", distinct_spans("Hi there.", 10, clauses=True)) == ["Hi there."]


def test_a_clause_counts_towards_the_most_and_repeats_are_not_read():
    text = "The meeting is long, but he has a knife. But he has a KNIFE."
    assert texts(text, distinct_spans(text, 2, clauses=True)) == [
        "The meeting is long, but he has a knife.",
        "The meeting is long",
    ]
    # The last sentence is the clause read before.
    assert texts(text, distinct_spans(text, 10, clauses=True)) == [
        "The meeting is long, but he has a knife.",
        "The meeting is long",
        "but he has a knife.",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "About the meeting. " * 50 + "I have taken the pills, and I am scared. " + "ok. " * 3,
        "no stops at all just words " * 20,
        "Hi.\n\nhi. HI, there, you, all of you - and then, so, because it is late",
    ],
)
def test_the_bank_and_the_reader_walk_it(text):
    bank = DangerBank.__new__(DangerBank)
    bank.most_sentences = 40
    assert bank.sentences(text) == distinct_spans(text, 40)
    assert pieces(text) == distinct_spans(text, 60, clauses=True, clause_words=3)
    assert set(distinct_spans(text, 1000)) <= set(sentence_spans(text))
