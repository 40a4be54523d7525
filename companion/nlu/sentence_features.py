"""Rasa glue for the sentence model (companion/sentence_model.py).

WordVectorsFeaturizer: adds the model's word vectors, averaged, as dense
sentence features, beside the word and character counts. Nearly free, and
it lets the first classifier (Rasa's LogisticRegressionClassifier) know that
"mum" and "relative" are close.

SecondOpinionClassifier: when the first classifier's confidence is below
`consult_below`, the whole sentence is read by the model's six layers and a
second logistic regression (counts + that sentence vector) decides. The
layers cost 10 to 20 ms a message, so only the unsure messages pay it (36 of
the 325 held-out messages). In the same pass it reads what QuestionTopics
and the safety check will read of the message, as the model configures them
(read off the model's graph when it is loaded: message_vectors.plan_of), and
leaves the vectors on it for them, with that plan on every message for
QuestionTopics' own read-ahead (companion/nlu/message_vectors.py). Training
reads the examples a few dozen a pass.

Both scale the unit-length vector by `scale` so that, next to raw counts,
the regularised regression gives it weight (make tune measured 1, 10, 30).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Dict, List

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import csr_matrix, hstack, vstack

from companion.nlu import message_vectors
from companion.nlu.classifiers import column_ordered, sentence_row
from companion.nlu.component_base import TrainedStep
from companion.nlu.sentence_vectors import encode_in_batches
from companion.sentence_model import SentenceEncoder

logger = logging.getLogger(__name__)

MODEL_DEFAULTS = {
    # None: where scripts/install-sentence-model puts it.
    "model_path": None,
    "scale": 10.0,
}


def _encoder(config: Dict[str, Any]) -> SentenceEncoder:
    path = config.get("model_path") or SentenceEncoder.default_path()
    return SentenceEncoder.load(Path(path))


def _model_fingerprint(config: Dict[str, Any]) -> str:
    """Part of both steps' cache keys: a new model means new features."""
    return _encoder({**MODEL_DEFAULTS, **config}).fingerprint


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class WordVectorsFeaturizer(DenseFeaturizer, GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {**DenseFeaturizer.get_default_config(), **MODEL_DEFAULTS}

    @classmethod
    def validate_config(cls, config: Dict[str, Any]) -> None:
        if float(config.get("scale", 1)) <= 0:
            raise ValueError("WordVectorsFeaturizer: `scale` must be above 0")

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> str | None:
        return _model_fingerprint(config)

    def __init__(self, config: Dict[str, Any], name: str) -> None:
        super().__init__(name, config)
        self._encoder = _encoder(config)
        self._scale = np.float32(config["scale"])

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> WordVectorsFeaturizer:
        return cls(config, execution_context.node_name)

    def _featurize(self, message: Message) -> None:
        text = message.get(TEXT)
        if text:
            vector = self._encoder.encode(text, contextual=False) * self._scale
            self.add_features_to_message(None, vector[np.newaxis, :], TEXT, message)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._featurize(message)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class SecondOpinionClassifier(IntentClassifier, TrainedStep):
    NOT_TRAINED = (ValueError,)
    FILE = "second_opinion.skops"

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        # blend: the second opinion's share when consulted (1.0: it decides
        # alone; below, its probabilities are averaged with the first's).
        # with_counts: the regression reads the word and character counts beside
        # the sentence vector (False: the vector alone, the words' meaning
        # without their spelling).
        return {
            **MODEL_DEFAULTS,
            "consult_below": 0.7,
            "blend": 1.0,
            "with_counts": True,
            "ranking_length": 10,
            "random_state": 2026,
        }

    @classmethod
    def validate_config(cls, config: Dict[str, Any]) -> None:
        if not 0.0 < float(config.get("blend", 1.0)) <= 1.0:
            raise ValueError("SecondOpinionClassifier: `blend` must be above 0 and at most 1")

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> str | None:
        return _model_fingerprint(config)

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage | None = None,
        resource: Resource | None = None,
        classifier: Any = None,
    ) -> None:
        super().__init__(config, model_storage, resource)
        self.validate_config(self.config)
        self._encoder = _encoder(self.config)
        self._scale = np.float32(self.config["scale"])
        self._classifier = column_ordered(classifier) if classifier is not None else None
        # What the steps after it read (the defaults until `create` or `load`
        # reads the model's graph).
        self._plan = message_vectors.Plan()

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SecondOpinionClassifier:
        step = super().create(config, model_storage, resource, execution_context)
        step._plan = message_vectors.plan_of(execution_context.graph_schema)
        return step  # type: ignore[return-value]

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> SecondOpinionClassifier:
        step = super().load(config, model_storage, resource, execution_context, **kwargs)
        step._plan = message_vectors.plan_of(execution_context.graph_schema)
        return step  # type: ignore[return-value]

    def _features(self, message: Message, vector: np.ndarray | None = None) -> csr_matrix:
        """The regression's row: the counts and the sentence ``vector`` (by
        default read with what later steps read, and left on the message)."""
        if vector is None:
            ahead = message_vectors.topics_ahead(message)
            vector = message_vectors.vectors(message, self._encoder, [message.get(TEXT)], ahead)[0]
        vector = vector * self._scale
        if not self.config["with_counts"]:
            return csr_matrix(vector[np.newaxis, :])
        return hstack([sentence_row(message, dense=False), csr_matrix(vector[np.newaxis, :])]).tocsr()

    def train(self, training_data: TrainingData) -> Resource:
        from sklearn.linear_model import LogisticRegression

        examples = [m for m in training_data.intent_examples if m.get(INTENT) and m.get(TEXT)]
        if not examples:
            return self._resource  # type: ignore[return-value]
        self._classifier = LogisticRegression(
            class_weight="balanced", max_iter=1000, random_state=self.config["random_state"]
        )
        vectors = encode_in_batches(self._encoder, [m.get(TEXT) for m in examples])
        self._classifier.fit(
            vstack([self._features(m, v) for m, v in zip(examples, vectors, strict=True)]),
            [m.get(INTENT) for m in examples],
        )
        self.persist()
        column_ordered(self._classifier)
        return self._resource  # type: ignore[return-value]

    def persist(self) -> None:
        import skops.io

        with self.kept() as folder:
            skops.io.dump(self._classifier, folder / self.FILE)

    @classmethod
    def read_trained(cls, folder: Path) -> Dict[str, Any]:
        import skops.io

        path = folder / cls.FILE
        untrusted = skops.io.get_untrusted_types(file=path)
        if untrusted:  # only scikit-learn's and numpy's own types are loaded
            raise ValueError(f"unexpected types in {path.name}: {untrusted}")
        return {"classifier": skops.io.load(path, trusted=False)}

    @classmethod
    def not_trained(cls, error: Exception) -> None:
        logger.warning("Second-opinion classifier not loaded (%s); the first classifier decides.", error)

    def _blended(self, message: Message, second: np.ndarray, classes: Any) -> np.ndarray:
        """The second opinion averaged with the first classifier's ranking (a
        topic missing from that ranking counts as 0 there)."""
        index = {name: i for i, name in enumerate(classes)}
        first = np.zeros(len(second))
        for entry in message.get(INTENT_RANKING_KEY) or []:
            i = index.get(entry.get(INTENT_NAME_KEY))
            if i is not None:
                first[i] = float(entry.get("confidence") or 0.0)
        share = float(self.config["blend"])
        mixed = share * second + (1.0 - share) * first
        return mixed / mixed.sum()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            message_vectors.set_plan(message, self._plan)
        if self._classifier is None:
            return messages
        for message in messages:
            first = message.get(INTENT) or {}
            if not message.get(TEXT) or first.get("confidence", 0.0) >= self.config["consult_below"]:
                continue
            probabilities = self._classifier.predict_proba(self._features(message))[0]
            if self.config["blend"] < 1.0:
                probabilities = self._blended(message, probabilities, self._classifier.classes_)
            order = np.argsort(-probabilities)[: self.config["ranking_length"]]
            ranking = [
                {INTENT_NAME_KEY: str(self._classifier.classes_[i]), "confidence": float(probabilities[i])}
                for i in order
            ]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
            message.set(
                "second_opinion",
                {"first": first.get(INTENT_NAME_KEY), "first_confidence": first.get("confidence")},
                add_to_output=True,
            )
        return messages
