"""Rasa glue for parents' words and for messages that ask more than one thing.

ParentWordsNormaliser (first in the pipeline): puts parents' words into the
words the classifiers were trained on (companion/nlu/parent_words.py,
content/parent_words.yml), in training and at run time. The message as typed
is kept as `original_text` and put back by QuestionTopics, so the date,
conference-word and safety steps after it, the stored conversation and the
actions read what the parent wrote: the back-story goes to the safety check
whole.

QuestionFocusFeaturizer (after the count featurizers): the words of what
the question asks (companion/nlu/questions.py `focus`: the clause that starts
with its question word, in a long message its last questions) as word counts
of their own, beside the whole message's. Close topics share their story
words ("no car", "the office", "my ex"); what tells them apart is the
question ("where is it" / "can I join on video"), and in a long message
these counts come from the question alone. Hashed, so nothing is trained.

QuestionTopics (after the classifiers, before the fallback): for a message
with more than one sentence or question, or one the classifiers are unsure
of, it reads each question on its own (companion/nlu/questions.py) with its
own small model (companion/nlu/topics.py) and decides:
- the main topic: Rasa's intent, as usual;
- `also_asked`: a second topic the message asks about, offered after the
  answer ("You also asked about ...", actions/also_asked.py);
- `which_one`: two topics too close to choose: the intent becomes
  nlu_fallback and the fallback action asks "Do you mean X or Y?";
- `unlike_training`: nothing like any training example: nlu_fallback.
Short messages the classifiers are sure of (most) pass untouched, so they
cost nothing more. The sentence model's vectors of the message come from the
message when the second opinion read them already, and the safety check's
pieces are read in the same pass and left there for it
(companion/nlu/message_vectors.py).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Dict, List

import numpy as np
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from companion.nlu import message_vectors
from companion.nlu.component_base import BuiltFromConfig, TrainedStep
from companion.nlu.message_vectors import ORIGINAL
from companion.nlu.parent_words import WORDS_PATH, ParentWords
from companion.nlu.questions import MAX_QUESTIONS, continues, first_parts, focus, marked, one_question
from companion.nlu.sentence_vectors import encode_in_batches
from companion.nlu.topics import Settings, TopicModel, decide
from companion.sentence_model import SentenceEncoder

logger = logging.getLogger(__name__)
FALLBACK = "nlu_fallback"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class ParentWordsNormaliser(BuiltFromConfig):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"words": str(WORDS_PATH)}

    def __init__(self, config: Dict[str, Any]) -> None:
        super().__init__(config)
        self._words = ParentWords.load(config.get("words") or WORDS_PATH)

    def _normalise(self, message: Message) -> None:
        text = message.get(TEXT)
        if not text:
            return
        normal = self._words.normalise(text)
        if normal != text:
            message.set(ORIGINAL, text)
            message.set(TEXT, normal)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._normalise(message)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for message in training_data.training_examples:
            self._normalise(message)
        return training_data


FOCUS_START = "qqstart"  # marks where the question starts: "qqstart where" is its question word


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class QuestionFocusFeaturizer(BuiltFromConfig):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"n_features": 2**13, "weight": 1.0}

    def __init__(self, config: Dict[str, Any]) -> None:
        super().__init__(config)
        from sklearn.feature_extraction.text import HashingVectorizer

        self._hasher = HashingVectorizer(
            analyzer="word",
            ngram_range=(1, 2),
            n_features=int(self.config["n_features"]),
            alternate_sign=False,
            norm=None,
            binary=True,
            lowercase=True,
        )
        self._weight = float(self.config["weight"])

    def focus_text(self, text: str) -> str:
        return " ".join(f"{FOCUS_START} {question}" for question in focus(text))

    def _featurize(self, message: Message) -> None:
        text = message.get(TEXT)
        if not text:
            return
        row = self._hasher.transform([self.focus_text(text)]).tocoo()
        if self._weight != 1.0:
            row = row * self._weight
        message.add_features(Features(row, FEATURE_TYPE_SENTENCE, TEXT, type(self).__name__))

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._featurize(message)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for message in training_data.training_examples:
            self._featurize(message)
        return training_data


def restore_text(message: Message) -> None:
    original = message.get(ORIGINAL)
    if original:
        message.set(TEXT, original)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class QuestionTopics(TrainedStep):
    NOT_TRAINED = (ValueError, OSError, KeyError)

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        defaults = Settings()
        return {
            "model_path": None,
            "scale": 10.0,
            "c": 1.0,
            "random_state": 2026,
            # Short one-sentence messages the classifiers are at least this sure of pass untouched.
            "sure_at": 0.7,
            "question_weight": defaults.question_weight,
            "second_at_least": defaults.second_at_least,
            "continued_at_least": defaults.continued_at_least,
            "marked_at_least": defaults.marked_at_least,
            "which_margin": defaults.which_margin,
            "which_at_least": defaults.which_at_least,
            "unlike_below": defaults.unlike_below,
            "sharpen": defaults.sharpen,
            "max_questions": MAX_QUESTIONS,
        }

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> str | None:
        return cls._encoder(config).fingerprint

    @staticmethod
    def _encoder(config: Dict[str, Any]) -> SentenceEncoder:
        return SentenceEncoder.load(Path(config.get("model_path") or SentenceEncoder.default_path()))

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage | None = None,
        resource: Resource | None = None,
        model: TopicModel | None = None,
    ) -> None:
        super().__init__(config, model_storage, resource)
        self.encoder = self._encoder(self.config)
        self.model = model

    @property
    def settings(self) -> Settings:
        c = self.config
        return Settings(
            question_weight=c["question_weight"],
            second_at_least=c["second_at_least"],
            continued_at_least=c["continued_at_least"],
            marked_at_least=c["marked_at_least"],
            which_margin=c["which_margin"],
            which_at_least=c["which_at_least"],
            unlike_below=c["unlike_below"],
            sharpen=c["sharpen"],
        )

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples if m.get(INTENT) and m.get(TEXT)]
        if examples:
            texts = [m.get(TEXT) for m in examples]
            vectors = np.vstack(encode_in_batches(self.encoder, texts))
            self.model = TopicModel.train(
                texts,
                [m.get(INTENT) for m in examples],
                vectors,
                scale=self.config["scale"],
                c=self.config["c"],
                random_state=self.config["random_state"],
            )
            with self.kept() as folder:
                self.model.save(folder)
        return self._resource  # type: ignore[return-value]

    @classmethod
    def read_trained(cls, folder: Path) -> Dict[str, Any]:
        return {"model": TopicModel.load(folder)}

    @classmethod
    def not_trained(cls, error: Exception) -> None:
        logger.warning("QuestionTopics not loaded (%s): the classifiers decide alone.", error)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            try:
                if self.model is not None and message.get(TEXT):
                    self._decide(message, self.model)
            finally:
                restore_text(message)
        return messages

    def _decide(self, message: Message, model: TopicModel) -> None:
        text = message.get(TEXT)
        asked = first_parts(text, self.config["max_questions"])
        first = message.get(INTENT) or {}
        single = one_question(text, asked)
        if single and first.get("confidence", 0.0) >= self.config["sure_at"]:
            return
        classes = model.classes
        upstream = np.zeros(len(classes))
        index = {name: i for i, name in enumerate(classes)}
        for entry in message.get(INTENT_RANKING_KEY) or []:
            if entry.get(INTENT_NAME_KEY) in index:
                upstream[index[entry[INTENT_NAME_KEY]]] = float(entry.get("confidence") or 0.0)
        # The whole and each question (from the message if the second opinion
        # read them), with the safety check's pieces of the message as typed
        # in the same pass, left on the message for it.
        read = message_vectors.vectors(
            message, self.encoder, [text] + ([] if single else asked), ahead=message_vectors.safety_ahead(message)
        )
        whole_vector = read[0]
        own = model.probabilities([text], whole_vector[np.newaxis, :])[0]
        whole = 0.5 * own + 0.5 * upstream if upstream.sum() > 0 else own
        parts, nearest = [], model.nearest(whole_vector)
        if not single:
            vectors = np.vstack(read[1:])
            parts = list(model.probabilities(asked, vectors))
            nearest = max(nearest, *(model.nearest(v) for v in vectors))
        going_on = continues(text, asked) if parts else []
        own = marked(text, asked) if parts else []
        decision = decide(classes, whole, parts, nearest, self.settings, asked, going_on, own)
        ranking = [{INTENT_NAME_KEY: name, "confidence": confidence} for name, confidence in decision.ranking]
        message.set("questions", {"count": len(asked), "nearest": round(decision.nearest, 3)}, add_to_output=True)
        if decision.also:
            message.set(
                "also_asked", {INTENT_NAME_KEY: decision.also[0], "confidence": decision.also[1]}, add_to_output=True
            )
        if decision.unlike or decision.which:
            if decision.which:
                message.set("which_one", {"intents": list(decision.which)}, add_to_output=True)
            if decision.unlike:
                message.set("unlike_training", True, add_to_output=True)
            fallback = {INTENT_NAME_KEY: FALLBACK, "confidence": 1.0}
            message.set(INTENT, fallback, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [fallback] + ranking, add_to_output=True)
            return
        message.set(INTENT, ranking[0], add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
