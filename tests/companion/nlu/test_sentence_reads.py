"""The sentence model reads a message's pieces in one pass (its weights are
gone through once, not once a sentence), and the NLU steps hand the vectors
on: the first step that needs the model reads what the later ones will
need, leaves the vectors on the message (a private key, never in the parse
output), and the later steps take them from there, not from the model's own
store (companion/nlu/message_vectors.py). The answers stay those of one read
a piece (to the float rounding of a product over more tokens)."""

from __future__ import annotations

import numpy as np
import pytest
from rasa.shared.nlu.constants import INTENT, TEXT
from sklearn.linear_model import LogisticRegression
from small_steps import BANK, LABELS_OF, TEXTS, a_reader, scored_message, topics_step

from companion.nlu import components, message_vectors
from companion.nlu.components import SafetyCheckComponent
from companion.nlu.danger_bank import DangerBank
from companion.nlu.questions import first_parts
from companion.nlu.safety_net import SafetyNet, pieces_read, read_settings
from companion.nlu.sentence_features import SecondOpinionClassifier
from companion.nlu.sentence_vectors import OneAtATime
from companion.nlu.topic_components import ORIGINAL
from companion.sentence_model import SentenceEncoder

LONG = (
    "The social worker rang me yesterday. She said there will be a conference about my son. "
    "I have never been to one and I am scared, I can't sleep. Can I bring my mum with me, and who else will be there?"
)


def test_the_safety_net_reads_every_sentence_in_one_pass(passes):
    encoder, seen = passes
    plain = SentenceEncoder(SentenceEncoder.default_path())
    one_by_one = DangerBank.from_texts(BANK, OneAtATime(plain.encode))  # a read each
    bank = DangerBank.from_texts(BANK, encoder)
    seen.clear()
    together = bank.nearest(LONG)
    assert seen == [4]
    alone = one_by_one.nearest(LONG)
    assert together.keys() == alone.keys()
    for route, found in together.items():
        assert found.span == alone[route].span
        assert found.similarity == pytest.approx(alone[route].similarity, abs=1e-6)


def test_the_net_reads_the_banks_sentences_and_the_readers_clauses_in_one_pass(passes):
    encoder, seen = passes
    net = SafetyNet(read_settings(), bank=DangerBank.from_texts(BANK, encoder), reader=a_reader())
    seen.clear()
    net.signals(LONG)
    assert seen == [len(pieces_read(LONG))] and len(pieces_read(LONG)) > 4  # sentences and clauses


def test_question_topics_reads_the_whole_its_questions_and_the_safety_pieces_in_one_pass(passes):
    encoder, seen = passes
    step = topics_step(encoder)
    message = scored_message(LONG, 0.9)
    seen.clear()
    step.process([message])
    assert len(seen) == 1
    asked = first_parts(LONG)
    assert len(asked) == 2
    kept = message_vectors.kept(message)
    assert set(kept) == {LONG, *asked, *pieces_read(LONG)}
    assert "can i bring my mum with me" in kept  # a clause, for the reader
    for text, vector in kept.items():
        assert np.allclose(vector, SentenceEncoder(SentenceEncoder.default_path()).encode(text), atol=1e-5)
    assert message.get(INTENT)["name"] in LABELS_OF
    assert message_vectors.KEY not in message.as_dict(only_output_properties=True)


def test_a_sure_short_message_is_left_for_the_safety_check_to_read(passes):
    encoder, seen = passes
    message, step = scored_message("can i bring my mum", 0.9), topics_step(encoder)
    seen.clear()
    step.process([message])
    assert seen == [] and message_vectors.kept(message) == {}


def test_the_second_opinion_reads_for_topics_and_the_safety_check_in_its_one_pass(passes):
    encoder, seen = passes
    classifier = LogisticRegression().fit(np.vstack(encoder.encode_many(TEXTS)), LABELS_OF)
    config = {**SecondOpinionClassifier.get_default_config(), "with_counts": False}
    second = SecondOpinionClassifier(config, classifier=classifier)
    second._encoder = encoder
    # The classifiers read the parent's words put into trained words; the
    # safety check reads the message as typed.
    normal = LONG.replace("my mum", "a relative")
    message = scored_message(normal, 0.3)
    message.set(ORIGINAL, LONG)
    seen.clear()
    second.process([message])
    assert len(seen) == 1 and message.get("second_opinion")
    assert set(message_vectors.kept(message)) == {
        normal,
        *first_parts(normal),
        *pieces_read(LONG),
    }
    # The steps after it read nothing more, even with the model's own store emptied.
    encoder._kept.clear()
    topics_step(encoder).process([message])
    assert message.get(TEXT) == LONG  # put back as typed
    net = SafetyNet(read_settings(), bank=DangerBank.from_texts(BANK, encoder), reader=a_reader())
    seen.clear()
    encoder._kept.clear()
    net.decide(LONG, (), lambda texts: message_vectors.vectors(message, encoder, texts))
    assert seen == []


def test_the_safety_check_takes_its_vectors_from_the_message_and_off_it(passes, monkeypatch):
    encoder, seen = passes
    monkeypatch.setattr(components, "shipped_encoder", lambda *a: encoder)
    check = SafetyCheckComponent(SafetyCheckComponent.get_default_config())
    check._net.reader = a_reader()
    handed, alone, topics = scored_message(LONG, 0.9), scored_message(LONG, 0.9), topics_step(encoder)
    topics.process([handed, alone])
    encoder._kept.clear()  # only the hand-over is left
    seen.clear()
    check.process([handed])
    assert seen == []
    assert message_vectors.KEY not in handed.data
    # Without it: the check's own one pass, and the same answer.
    message_vectors.forget(alone)
    encoder._kept.clear()
    check.process([alone])
    assert seen == [len(pieces_read(LONG))]
    assert alone.get(INTENT) == handed.get(INTENT) and alone.get("safety") == handed.get("safety")
    assert message_vectors.KEY not in alone.data
