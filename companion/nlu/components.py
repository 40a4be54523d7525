"""Rasa glue: NLU steps of our own.

UnknownWordsGuard: a message none of whose words appear in the training
data ("hmm", "asdfgh") is not guessed at either: its intent becomes
nlu_fallback, with the classifier's ranking kept for the suggestions. The
classifiers are sure of themselves on such messages for no good reason
(character pieces of "hmm" resemble "uh huh", a yes).

MessageLengthGuard: a message over the limit is not guessed at. Its intent
becomes nlu_fallback and it carries `too_long`, so the fallback action can
ask kindly for a shorter question.

DateExtractor: finds the conference date and time (companion/nlu/dates.py)
and adds them as `date` (ISO) and `time` (HH:MM) entities, and impossible
dates as `invalid_date` (the words, for "31st February"). Dates that are not
the conference (a birth, "since", "last year", another event) are left out.
A date of birth ("born on 3 March 2019", "DOB: 12/03/2018", as
companion/stores/redact.py finds them) is never taken as the conference
date, read back, or stored. A message with a date and a date question that
the classifier put elsewhere becomes ask_dates
(companion/nlu/date_questions.py), the classifier's intent kept as
`date_question`.

ConferenceWordsExtractor: adds `conference_kind` and `nation` entities, and the
list `milestones` (which dates a question is about), from
content/conference_words.yml.

SafetyCheckComponent: the safety net (companion/nlu/safety_net.py) as the
last step of the NLU pipeline. When a strong signal finds danger, the
message's intent becomes child_in_danger, parent_in_crisis or
parent_in_danger with confidence 1.0, whatever the classifier said (even
nlu_fallback), so the dialogue rules answer with 999 or crisis help first; a
crisis with an act under way also gets the entity `crisis_act` (its words),
and its rule puts an ambulance first. When only a weak signal finds it, the
message keeps its intent and carries `safety.note`, and the server puts one
line with 999 before the answer (companion/patches.py). A safety intent the
classifier alone chose without being sure is not used: its next intent, or
the fallback. `safety` keeps what was found (not the words) and the
classifier's own intent. It reads the sentence model's vectors of the
message's pieces from the message first, where the steps before it left
them (companion/nlu/message_vectors.py), and takes them off it.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Dict, List, Sequence, Tuple

import numpy as np
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    EXTRACTOR,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from companion.nlu import message_vectors
from companion.nlu.component_base import BuiltFromConfig, TrainedStep
from companion.nlu.conference_words import WORDS_PATH, load_conference_words
from companion.nlu.danger_bank import (
    BANK_PATH,
    DangerBank,
    bank_matrices,
    bank_texts,
    encode_all,
    read_bank,
    shipped_encoder,
    with_training_examples,
)
from companion.nlu.danger_reader import DangerReader, examples_for_fitting
from companion.nlu.danger_words import WORDS_PATH as DANGER_WORDS_PATH
from companion.nlu.danger_words import load_danger_words
from companion.nlu.date_questions import goes_to_dates
from companion.nlu.dates import DateFinder, london_now
from companion.nlu.safety import RULES_PATH, load_safety_check
from companion.nlu.safety_net import NET_PATH, SafetyNet, read_settings
from companion.nlu.safety_net import ROUTES as SAFETY_ROUTES
from companion.nlu.sentence_vectors import TextEncoder, encode_in_batches
from companion.stores.redact import BIRTH


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class MessageLengthGuard(BuiltFromConfig):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"max_characters": 1000}

    def __init__(self, config: Dict[str, Any]) -> None:
        super().__init__(config)
        self._limit = int(config["max_characters"])

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            length = len(message.get(TEXT) or "")
            if length > self._limit:
                fallback = {INTENT_NAME_KEY: "nlu_fallback", "confidence": 1.0}
                message.set(INTENT, fallback, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [fallback], add_to_output=True)
                message.set("too_long", {"length": length, "limit": self._limit}, add_to_output=True)
        return messages


def _put_first(message: Message, intent: str, confidence: float = 1.0) -> None:
    """The message's intent becomes `intent` (confidence 1.0 unless given), ahead
    of the classifier's ranking (kept, for the suggestions and the logs)."""
    ranking = [entry for entry in message.get(INTENT_RANKING_KEY) or [] if entry.get(INTENT_NAME_KEY) != intent]
    chosen = {INTENT_NAME_KEY: intent, "confidence": confidence}
    message.set(INTENT, chosen, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [chosen] + ranking, add_to_output=True)


def _words(message: Message) -> List[str]:
    return [token.text.lower() for token in message.get(TOKENS_NAMES[TEXT]) or [] if token.text.strip()]


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class UnknownWordsGuard(TrainedStep):
    FILE = "known_words.json"

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage | None = None,
        resource: Resource | None = None,
        known: set | None = None,
    ) -> None:
        super().__init__(config, model_storage, resource)
        self._known = known  # None when not trained: the guard stands aside

    def train(self, training_data: TrainingData) -> Resource:
        self._known = {word for example in training_data.intent_examples for word in _words(example)}
        with self.kept() as folder:
            (folder / self.FILE).write_text(json.dumps(sorted(self._known)), encoding="utf-8")
        return self._resource  # type: ignore[return-value]

    @classmethod
    def read_trained(cls, folder: Path) -> Dict[str, Any]:
        return {"known": set(json.loads((folder / cls.FILE).read_text(encoding="utf-8")))}

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            words = _words(message)
            if self._known and words and not any(word in self._known for word in words):
                _put_first(message, "nlu_fallback")
                message.set("unknown_words", True, add_to_output=True)
        return messages


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class DateExtractor(BuiltFromConfig):
    def __init__(self, config: Dict[str, Any] | None = None, now: Callable[[], datetime] = london_now) -> None:
        super().__init__(config or {})
        self._finder = DateFinder()
        self._now = now  # the scorer (bench/dates_score.py) sets each case's day

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            births = [match.span(2) for match in BIRTH.finditer(text)]
            reading = self._finder.read(text, self._now()).without(births)
            found = [f for f in reading.invalid if f is not reading.conference]
            if reading.conference:
                found.append(reading.conference)
            entities = [
                _entity(
                    "invalid_date" if f.value is None else "date",
                    f.value or f.text,
                    f.start,
                    f.end,
                    self.__class__.__name__,
                )
                for f in found
            ]
            if reading.start_time:
                clock = reading.start_time
                entities.append(_entity("time", clock.value, clock.start, clock.end, self.__class__.__name__))
            entities.sort(key=lambda e: e[ENTITY_ATTRIBUTE_START])
            message.set(ENTITIES, list(message.get(ENTITIES) or []) + entities, add_to_output=True)
            # A date and a date question inside another message: answered as a
            # date question; the classifier's topic is kept for after.
            intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
            if intent and goes_to_dates(intent, text, reading, message.get("milestones") or []):
                _put_first(message, "ask_dates")
                message.set("date_question", {"classifier_intent": intent}, add_to_output=True)
        return messages


def _still_valid(known: Dict[str, np.ndarray], encode: Callable[[str], np.ndarray]) -> Dict[str, np.ndarray]:
    """The stored vectors, if the sentence model still gives the first of them
    (one sentence encoded); none if the model changed since training."""
    for text, vector in known.items():
        return known if np.allclose(encode(text), vector, atol=1e-5) else {}
    return known


def _entity(kind: str, value: Any, start: int, end: int, extractor: str) -> Dict[str, Any]:
    return {
        ENTITY_ATTRIBUTE_TYPE: kind,
        ENTITY_ATTRIBUTE_VALUE: value,
        ENTITY_ATTRIBUTE_START: start,
        ENTITY_ATTRIBUTE_END: end,
        EXTRACTOR: extractor,
    }


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class ConferenceWordsExtractor(BuiltFromConfig):
    # Which dates a question names goes in the message as a list, not as
    # entities: it only matters to the dates answer, and as entities it would
    # have to be marked up in every test story that says "report".
    LISTED = {"milestone": "milestones"}

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"words": str(WORDS_PATH)}

    def __init__(self, config: Dict[str, Any]) -> None:
        super().__init__(config)
        # Read at start-up, so a broken pattern stops the server at once.
        self._words = load_conference_words(self.config.get("words") or WORDS_PATH)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            entities = list(message.get(ENTITIES) or [])
            listed: Dict[str, List[str]] = {key: [] for key in self.LISTED.values()}
            for word in self._words.find(message.get(TEXT) or ""):
                if word.entity in self.LISTED:
                    listed[self.LISTED[word.entity]].append(word.value)
                else:
                    entities.append(_entity(word.entity, word.value, word.start, word.end, self.__class__.__name__))
            message.set(ENTITIES, entities, add_to_output=True)
            for key, values in listed.items():
                message.set(key, values, add_to_output=True)
        return messages


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class SafetyCheckComponent(TrainedStep):
    """The safety net (companion/nlu/safety_net.py) as the last step: its route
    replaces whatever the classifier said; the classifier's own safety intent
    counts only as one signal among the others. Training keeps the sentence
    model's vectors of the training examples, and of the bank's own examples
    by their text: at start-up content/safety_bank.yml is read again and
    only a text the model has no vector for is encoded, so the bank can
    change without retraining and a trained model starts without encoding
    it (seconds of a restart, docs/performance.md)."""

    FILE = "safety_examples.npz"
    BANK_FILE = "safety_bank_vectors.npz"
    READER_FILE = "safety_reader.npz"
    NOT_TRAINED = (ValueError, OSError, KeyError)

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {
            "rules": str(RULES_PATH),
            "words": str(DANGER_WORDS_PATH),
            "bank": str(BANK_PATH),
            "settings": str(NET_PATH),
            "sentences": True,
            "answer_at": 0.45,
            # The reader (companion/nlu/danger_reader.py), fitted with the
            # model: scikit-learn's C (smaller, simpler); its thresholds are
            # in content/safety_net.yml.
            # Not balanced: each example weighs the same, so the few danger
            # examples do not make every sentence look dangerous (on the
            # tuning set's writers 1-5 and 7, balanced weights cost more
            # false alarms for the same recall).
            "reader": True,
            "reader_strength": 1.0,
            "reader_balanced": False,
        }

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage | None = None,
        resource: Resource | None = None,
        trained: Dict[str, Any] | None = None,
        known: Dict[str, np.ndarray] | None = None,
        reader: DangerReader | None = None,
    ) -> None:
        super().__init__(config, model_storage, resource)
        config = self.config
        # Read at start-up, so a broken file stops the server at once.
        bank = None
        self._encoder: TextEncoder | None = None
        if config["sentences"]:
            encoder = self._encoder = shipped_encoder()
            known = _still_valid(known or {}, encoder.encode)
            if known:
                matrices = encode_all(read_bank(Path(config["bank"])), encoder, known)
            else:
                matrices = dict(bank_matrices(Path(config["bank"])))
            for key, extra in (trained or {}).items():
                matrices[key] = np.vstack([matrices[key], extra]) if key in matrices else extra
            bank = DangerBank(matrices, encoder)
        if reader is not None and not (config["reader"] and config["sentences"] and known):
            reader = None  # off, or fitted with another sentence model
        self._net = SafetyNet(
            read_settings(Path(config["settings"])),
            load_safety_check(config["rules"]),
            load_danger_words(Path(config["words"])),
            bank,
            reader,
        )
        self._answer_at = float(config["answer_at"])

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> str | None:
        """Rasa's training cache trains again when the bank or the sentence model changes."""
        config = {**cls.get_default_config(), **config}
        if not config["sentences"]:
            return None
        from companion.sentence_model import SentenceEncoder

        digest = hashlib.sha256(Path(config["bank"]).read_bytes())
        digest.update(SentenceEncoder.load(SentenceEncoder.default_path()).fingerprint.encode())
        return digest.hexdigest()

    def train(self, training_data: TrainingData) -> Resource:
        examples = [(e.get(INTENT), e.get(TEXT)) for e in training_data.intent_examples if e.get(TEXT)]
        texts = with_training_examples({}, examples)
        matrices: Dict[str, np.ndarray] = {}
        bank: Dict[str, np.ndarray] = {}
        reader: DangerReader | None = None
        if self.config["sentences"]:
            from threadpoolctl import threadpool_limits

            # One BLAS thread, as the server has (companion/server.py): the
            # vectors are then the ones the server would compute (to the last
            # bit, but for how a pass of several texts rounds).
            with threadpool_limits(limits=1, user_api="blas"):
                lists = {k: v for k, v in texts.items() if v}
                listed = bank_texts(read_bank(Path(self.config["bank"])))
                pairs = self._reader_examples(examples) if self.config["reader"] else []
                # Every text once, a few dozen a pass: the bank's first (in
                # the passes encode_all makes of them at start-up), then the
                # training examples and the reader's pieces.
                encoder = shipped_encoder()
                everything = list(dict.fromkeys([*listed, *bank_texts(lists), *(text for _, text in pairs)]))
                known = dict(zip(everything, encode_in_batches(encoder, everything), strict=True))
                matrices = encode_all(lists, encoder, known)
                bank = {"texts": np.array(listed), "vectors": encode_all({"all": listed}, encoder, known)["all"]}
                if pairs:
                    reader = self._fit_reader(pairs, known)
        if self._storage is not None and self._resource is not None:
            with self.kept() as folder:
                np.savez_compressed(folder / self.FILE, **matrices)
                if bank:
                    np.savez_compressed(folder / self.BANK_FILE, **bank)
                if reader is not None:
                    np.savez_compressed(folder / self.READER_FILE, **reader.arrays())
        return self._resource  # type: ignore[return-value]

    def _reader_examples(self, examples: List[Any]) -> List[Tuple[str, str]]:
        """What the reader is fitted on: (label, text) from the bank's lists and the training examples."""
        return examples_for_fitting(with_training_examples(read_bank(Path(self.config["bank"])), examples))

    def _fit_reader(self, pairs: Sequence[Tuple[str, str]], known: Dict[str, np.ndarray]) -> DangerReader:
        """The reader, fitted on ``pairs`` (``known``: every text's vector)."""
        vectors = np.stack([known[text] for _, text in pairs])
        return DangerReader.fit(
            vectors,
            [label for label, _ in pairs],
            float(self.config["reader_strength"]),
            balanced=bool(self.config["reader_balanced"]),
        )

    @classmethod
    def read_trained(cls, folder: Path) -> Dict[str, Any]:
        # Not trained: nothing; trained before the bank's vectors were kept:
        # the examples only. What is missing is encoded at start-up.
        with np.load(folder / cls.FILE) as stored:
            trained = {key: stored[key] for key in stored.files}
        known: Dict[str, np.ndarray] = {}
        try:
            if (folder / cls.BANK_FILE).is_file():
                with np.load(folder / cls.BANK_FILE) as stored:
                    known = dict(zip((str(text) for text in stored["texts"]), stored["vectors"], strict=True))
        except cls.NOT_TRAINED:
            pass
        reader = None
        if (folder / cls.READER_FILE).is_file():
            with np.load(folder / cls.READER_FILE) as stored:
                reader = DangerReader.from_arrays(stored)
        return {"trained": trained, "known": known, "reader": reader}

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._route(message)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def _route(self, message: Message) -> None:
        previous: Dict[str, Any] | None = message.get(INTENT)
        ranking = [
            (entry.get(INTENT_NAME_KEY), float(entry.get("confidence") or 0))
            for entry in message.get(INTENT_RANKING_KEY) or []
            if entry.get(INTENT_NAME_KEY) != "nlu_fallback"
        ]
        encoder = self._encoder
        decision = self._net.decide(
            message.get(TEXT) or "",
            ranking,
            # The vectors the steps before it left on the message first: the
            # safety check is the last step that reads them.
            (lambda texts: message_vectors.vectors(message, encoder, texts)) if encoder else None,
        )
        message_vectors.forget(message)
        if decision.route is None and (previous or {}).get(INTENT_NAME_KEY) in SAFETY_ROUTES:
            # The classifier alone, and not sure enough: its next answer, or the fallback.
            others = [(name, confidence) for name, confidence in ranking if name not in SAFETY_ROUTES]
            if others and others[0][1] >= self._answer_at:
                _put_first(message, others[0][0], others[0][1])
            else:
                _put_first(message, "nlu_fallback")
        if decision.route is None and not decision.note:
            return
        if decision.route:
            _put_first(message, decision.route)
        if decision.act:
            entities = list(message.get(ENTITIES) or [])
            entities.append(_entity("crisis_act", "under_way", *decision.act, self.__class__.__name__))
            message.set(ENTITIES, entities, add_to_output=True)
        message.set(
            "safety",
            {**decision.summary(), "classifier_intent": (previous or {}).get(INTENT_NAME_KEY)},
            add_to_output=True,
        )
