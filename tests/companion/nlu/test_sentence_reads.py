"""The sentence model reads a message's pieces in one pass (its weights are
gone through once, not once a sentence), and the answers stay those of one
read a piece (to the float rounding of a product over more tokens)."""

from __future__ import annotations

import numpy as np
import pytest
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from companion.nlu.danger_bank import ROUTES, DangerBank
from companion.nlu.topic_components import QuestionTopics
from companion.nlu.topics import TopicModel
from companion.sentence_model import SentenceEncoder

LONG = (
    "The social worker rang me yesterday. She said there will be a conference about my son. "
    "I have never been to one and I am scared. Can I bring my mum with me, and who else will be there?"
)
BANK = {
    **{route: [f"an example for {route}"] for route in ROUTES},
    "parent_in_crisis_act": ["an act under way"],
    "safe": ["what happens at the conference"],
}


@pytest.fixture
def passes(monkeypatch):
    """A fresh encoder (nothing kept) and the number of sequences in each pass."""
    encoder = SentenceEncoder(SentenceEncoder.default_path())
    seen: list = []
    real = encoder._encode_all
    monkeypatch.setattr(encoder, "_encode_all", lambda ids, *a: seen.append(len(ids)) or real(ids, *a))
    return encoder, seen


def test_the_safety_net_reads_every_sentence_in_one_pass(passes):
    encoder, seen = passes
    plain = SentenceEncoder(SentenceEncoder.default_path())
    one_by_one = DangerBank.from_texts(BANK, lambda text: plain.encode(text))  # no encode_many: a read each
    bank = DangerBank.from_texts(BANK, encoder.encode)
    seen.clear()
    together = bank.nearest(LONG)
    assert seen == [4]
    alone = one_by_one.nearest(LONG)
    assert together.keys() == alone.keys()
    for route, found in together.items():
        assert found.span == alone[route].span
        assert found.similarity == pytest.approx(alone[route].similarity, abs=1e-6)


def test_question_topics_reads_the_whole_its_questions_and_the_sentences_in_one_pass(passes):
    encoder, seen = passes
    texts = ["can i bring my mum", "can my friend come with me", "who will be at the meeting", "who goes to it"]
    labels = ["ask_bring_supporter", "ask_bring_supporter", "ask_who_attends", "ask_who_attends"]
    model = TopicModel.train(texts, labels, np.vstack(encoder.encode_many(texts)))
    step = QuestionTopics(QuestionTopics.get_default_config(), model=model)
    step._encoder = lambda config: encoder  # type: ignore[method-assign]
    step._vectors = lambda text: encoder.encode(text)  # type: ignore[method-assign]
    message = Message(data={TEXT: LONG, INTENT: {"name": "ask_bring_supporter", "confidence": 0.9}})
    message.set(INTENT_RANKING_KEY, [{"name": "ask_bring_supporter", "confidence": 0.9}])
    seen.clear()
    step.process([message])
    # The whole message, its two questions and its four sentences (the last is
    # both questions): one pass; the safety net's reads after it are kept.
    assert len(seen) == 1 and seen[0] >= 6
    assert message.get(INTENT)["name"] in labels
    bank = DangerBank.from_texts(BANK, encoder.encode)
    seen.clear()
    bank.nearest(LONG)
    assert seen == []
