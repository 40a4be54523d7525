"""Many texts through the sentence model a few dozen a pass
(companion/nlu/sentence_vectors.py), as training reads its examples: the
same vectors as one read a text, to float rounding."""

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from companion.nlu.danger_bank import nlu_examples
from companion.nlu.sentence_features import SecondOpinionClassifier
from companion.nlu.sentence_vectors import BATCH, OneAtATime, encode_in_batches, read_into
from companion.nlu.topic_components import QuestionTopics
from companion.paths import ROOT
from companion.sentence_model import SentenceEncoder

EXAMPLES = nlu_examples(ROOT / "data" / "nlu")[::37][:110]


class Recording:
    def __init__(self):
        self.calls = []

    def encode(self, text):
        return self.encode_many([text])[0]

    def encode_many(self, texts):
        self.calls.append(list(texts))
        return [np.full(3, len(t), np.float32) for t in texts]


def test_texts_are_read_in_passes_of_the_batch_size_in_order():
    recording = Recording()
    texts = [f"text {'x' * n}" for n in range(100)]
    vectors = encode_in_batches(recording, texts, size=48)
    assert [len(call) for call in recording.calls] == [48, 48, 4]
    assert sum(recording.calls, []) == texts
    assert [float(v[0]) for v in vectors] == [float(len(t)) for t in texts]
    assert encode_in_batches(recording, []) == [] and len(recording.calls) == 3
    with pytest.raises(ValueError):
        encode_in_batches(recording, texts, size=0)


def test_a_function_of_one_text_is_read_one_text_at_a_time():
    seen = []
    encoder = OneAtATime(lambda text: seen.append(text) or np.zeros(2))
    assert len(encoder.encode_many(["a", "b"])) == 2 and seen == ["a", "b"]


def test_batches_give_the_vectors_of_one_read_a_text():
    texts = [text for _, text in EXAMPLES[:70]]
    together = encode_in_batches(SentenceEncoder(SentenceEncoder.default_path()), texts)
    one_by_one = SentenceEncoder(SentenceEncoder.default_path())
    alone = [one_by_one.encode(text) for text in texts]
    assert max(float(np.abs(a - b).max()) for a, b in zip(alone, together, strict=True)) < 1e-5


@pytest.fixture
def loaded(passes, monkeypatch):
    """``passes`` (conftest.py), the encoder the steps load."""
    monkeypatch.setattr(SentenceEncoder, "load", staticmethod(lambda path: passes[0]))
    return passes


def training_data():
    return TrainingData([Message(data={TEXT: text, INTENT: intent}) for intent, text in EXAMPLES])


@pytest.mark.parametrize("step", [QuestionTopics, SecondOpinionClassifier])
def test_the_topic_steps_train_on_the_examples_a_few_dozen_a_pass(tmp_path, loaded, step):
    encoder, seen = loaded
    context = ExecutionContext(GraphSchema({}), "t")
    component = step.create(step.get_default_config(), LocalModelStorage(tmp_path), Resource("r"), context)
    seen.clear()
    component.train(training_data())
    different = len({tuple(encoder.tokenizer.encode(text).ids) for _, text in EXAMPLES})
    assert seen and max(seen) <= BATCH and sum(seen) == different and len(seen) == -(-len(EXAMPLES) // BATCH)


def test_read_into_reads_only_what_is_missing_in_one_pass_and_keeps_it():
    passes: list = []

    def encode_many(texts):
        passes.append(list(texts))
        return [np.full(2, float(len(text)), dtype=np.float32) for text in texts]

    kept = {"a": np.zeros(2, dtype=np.float32)}
    got = read_into(kept, encode_many, ["a", "bb", "bb"], ahead=["ccc", "a"])
    assert passes == [["bb", "ccc"]]
    assert [float(v[0]) for v in got] == [0.0, 2.0, 2.0]
    assert set(kept) == {"a", "bb", "ccc"}
    read_into(kept, encode_many, ["ccc", "bb"])
    assert passes == [["bb", "ccc"]]
