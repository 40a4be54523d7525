"""Small NLU steps the sentence-read tests build on: a bank of one example a
route, two topics of two examples each, a reader with fixed random weights,
and a message the first classifier scored. Imported by the tests beside it."""

from __future__ import annotations

import numpy as np
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from companion.nlu.danger_bank import ROUTES
from companion.nlu.danger_reader import LABELS, DangerReader
from companion.nlu.topic_components import QuestionTopics
from companion.nlu.topics import TopicModel

BANK = {
    **{route: [f"an example for {route}"] for route in ROUTES},
    "parent_in_crisis_act": ["an act under way"],
    "safe": ["what happens at the conference"],
}
TEXTS = ["can i bring my mum", "can my friend come with me", "who will be at the meeting", "who goes to it"]
LABELS_OF = ["ask_bring_supporter", "ask_bring_supporter", "ask_who_attends", "ask_who_attends"]


def topics_step(encoder, **config) -> QuestionTopics:
    model = TopicModel.train(TEXTS, LABELS_OF, np.vstack(encoder.encode_many(TEXTS)))
    step = QuestionTopics({**QuestionTopics.get_default_config(), **config}, model=model)
    step.encoder = encoder
    return step


def a_reader(width: int = 384) -> DangerReader:
    weights = np.random.default_rng(2026).normal(size=(len(LABELS), width)).astype(np.float32)
    return DangerReader(weights, np.zeros(len(LABELS), np.float32), LABELS)


def scored_message(text: str, confidence: float) -> Message:
    """A message the first classifier put at ask_bring_supporter with ``confidence``."""
    found = Message(data={TEXT: text, INTENT: {"name": "ask_bring_supporter", "confidence": confidence}})
    found.set(INTENT_RANKING_KEY, [{"name": "ask_bring_supporter", "confidence": confidence}])
    return found
