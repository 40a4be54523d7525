"""The second opinion blended with the first classifier (SecondOpinionClassifier's `blend`)."""

import numpy as np
import pytest
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from companion.nlu.sentence_features import SecondOpinionClassifier

EXAMPLES = {
    "bring_someone": ["can I bring my mum", "can my sister come with me", "can a friend support me"],
    "report_date": ["when do I get the report", "when will the report come", "the report date"],
}


def with_counts(text, intent=None):
    message = Message(data={TEXT: text, **({INTENT: intent} if intent else {})})
    row = scipy.sparse.coo_matrix(np.array([[len(text) % 7, 1.0]]))
    message.add_features(Features(row, FEATURE_TYPE_SENTENCE, TEXT, "counts"))
    return message


def trained(tmp_path, **settings):
    tmp_path.mkdir(parents=True, exist_ok=True)
    storage, resource = LocalModelStorage(tmp_path), Resource("second_opinion")
    context = ExecutionContext(GraphSchema({}), "test")
    config = {**SecondOpinionClassifier.get_default_config(), **settings}
    classifier = SecondOpinionClassifier.create(config, storage, resource, context)
    classifier.train(TrainingData([with_counts(t, i) for i, texts in EXAMPLES.items() for t in texts]))
    return SecondOpinionClassifier.load(config, storage, resource, context)


def first_guess(text, intent, confidence):
    message = with_counts(text)
    message.set(INTENT, {"name": intent, "confidence": confidence})
    message.set(INTENT_RANKING_KEY, [{"name": intent, "confidence": confidence}])
    return message


def confidences(message):
    return {r["name"]: r["confidence"] for r in message.get(INTENT_RANKING_KEY)}


def test_blended_the_two_opinions_are_averaged(tmp_path):
    text = "is it ok if my auntie comes along"
    alone = first_guess(text, "report_date", 0.6)
    trained(tmp_path / "a", consult_below=1.01).process([alone])
    second = confidences(alone)
    mixed = first_guess(text, "report_date", 0.6)
    trained(tmp_path / "b", consult_below=1.01, blend=0.5).process([mixed])
    got = confidences(mixed)
    total = 0.5 * 1.0 + 0.5 * 0.6  # the second opinion sums to 1, the first ranking to 0.6
    assert got["report_date"] == pytest.approx((0.5 * second["report_date"] + 0.3) / total)
    assert got["bring_someone"] == pytest.approx(0.5 * second["bring_someone"] / total)
    assert sum(got.values()) == pytest.approx(1.0)
    assert mixed.get(INTENT) == mixed.get(INTENT_RANKING_KEY)[0]


def test_always_consulted_a_sure_first_guess_is_read_again(tmp_path):
    classifier = trained(tmp_path, consult_below=1.01)
    message = first_guess("is it ok if my auntie comes along", "report_date", 0.99)
    classifier.process([message])
    assert message.get("second_opinion") == {"first": "report_date", "first_confidence": 0.99}


@pytest.mark.parametrize("blend", [0.0, -0.1, 1.5])
def test_a_blend_outside_0_to_1_is_refused(tmp_path, blend):
    with pytest.raises(ValueError, match="blend"):
        trained(tmp_path, blend=blend)


def test_without_counts_the_regression_reads_the_sentence_vector_alone(tmp_path):
    with_counts = trained(tmp_path / "a")
    vector_only = trained(tmp_path / "b", with_counts=False)
    message = first_guess("is it ok if my auntie comes along", "report_date", 0.4)
    assert with_counts._features(message).shape[1] == 2 + 384  # the two count columns, then the vector
    assert vector_only._features(message).shape[1] == 384
    vector_only.process([message])
    assert message.get(INTENT)["name"] == "bring_someone"
