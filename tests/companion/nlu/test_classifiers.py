"""Rasa's logistic regression with column-wise weights: same answers, no copy."""

import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.linear_model import LogisticRegression

from companion.nlu.classifiers import FastLogisticRegressionClassifier, column_ordered


def test_column_ordered_weights_give_the_same_probabilities():
    rng = np.random.default_rng(1)
    features = scipy.sparse.random(60, 500, density=0.05, format="csr", random_state=1)
    labels = rng.integers(0, 4, 60)
    classifier = LogisticRegression(max_iter=500).fit(features, labels)
    before = classifier.predict_proba(features[:5])
    assert not classifier.coef_.T.flags.c_contiguous  # scikit-learn's own layout
    column_ordered(classifier)
    assert classifier.coef_.T.flags.c_contiguous
    assert np.allclose(classifier.predict_proba(features[:5]), before)


def message(text, intent=None, row=(1.0, 0.0, 2.0)):
    m = Message(data={TEXT: text, **({INTENT: intent} if intent else {})})
    m.add_features(Features(scipy.sparse.coo_matrix(np.array([row])), FEATURE_TYPE_SENTENCE, TEXT, "counts"))
    return m


def test_the_rasa_component_trains_saves_and_loads_column_ordered(tmp_path):
    storage, resource = LocalModelStorage(tmp_path), Resource("lr")
    context = ExecutionContext(GraphSchema({}), "lr")
    config = FastLogisticRegressionClassifier.get_default_config()
    data = TrainingData(
        [
            message("a", "yes", (3, 0, 1)),
            message("b", "yes", (2, 0, 1)),
            message("c", "no", (0, 3, 0)),
            message("d", "no", (0, 2, 1)),
            message("f", "maybe", (0, 0, 4)),
            message("g", "maybe", (1, 0, 3)),
        ]
    )
    trained = FastLogisticRegressionClassifier.create(config, storage, resource, context)
    trained.train(data)
    loaded = FastLogisticRegressionClassifier.load(config, storage, resource, context)
    assert loaded.clf.coef_.shape == (3, 3) and loaded.clf.coef_.T.flags.c_contiguous
    [answer] = loaded.process([message("e", row=(0, 4, 0))])
    assert answer.get(INTENT)["name"] == "no"


def test_sentence_rows_match_rasas_own_combination():
    from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
    from rasa.shared.nlu.constants import FEATURE_TYPE_SEQUENCE

    from companion.nlu.classifiers import sentence_row

    m = message("x", row=(1.0, 0.0, 2.0))
    m.add_features(Features(scipy.sparse.coo_matrix(np.array([[0.0, 5.0]])), FEATURE_TYPE_SENTENCE, TEXT, "chars"))
    m.add_features(Features(scipy.sparse.coo_matrix(np.eye(3)), FEATURE_TYPE_SEQUENCE, TEXT, "chars"))
    m.add_features(Features(np.array([[0.5, 0.25]]), FEATURE_TYPE_SENTENCE, TEXT, "vectors"))
    m.add_features(Features(np.array([[9.0]]), FEATURE_TYPE_SENTENCE, "intent", "other attribute"))
    rasa = LogisticRegressionClassifier._create_X(None, [m]).toarray()
    assert np.array_equal(sentence_row(m).toarray(), rasa)
    assert rasa.tolist() == [[1.0, 0.0, 2.0, 0.0, 5.0, 0.5, 0.25]]
    assert sentence_row(m, dense=False).toarray().tolist() == [[1.0, 0.0, 2.0, 0.0, 5.0]]
