"""The safety net's reader: a small linear classifier over the sentence
model's vector of each sentence, that says how likely the sentence is to be
a child in danger, a parent in crisis, a parent in danger from another adult
or none of them.

Plain Python (numpy; scikit-learn only to fit). Where the example bank
(companion/nlu/danger_bank.py) asks "which example is this sentence closest
to?", and so rewards a parent who happens to write like one example, the
reader learns one direction per route from all the examples at once: what
the danger examples share and the safe ones lack. It is fitted when the model
is trained, on content/safety_bank.yml's lists (a route's examples, and the
act-under-way ones as crisis) against the `safe` list and the classifier's
training examples of every other intent (data/nlu, near-misses included,
each sentence of a long one on its own); the classifier's own safety
examples join their route. A message is read sentence by sentence (and
clause by clause when a sentence has several): its pieces in one pass of the
sentence model and one product with the weights, and each route takes its
most likely piece.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Iterable, List, Mapping, Sequence, Tuple

import numpy as np

from companion.nlu.sentence_spans import distinct_spans, piece_text, sentence_spans
from companion.nlu.sentence_vectors import EncodeMany

ROUTES = ("child_in_danger", "parent_in_crisis", "parent_in_danger")
NONE = "none"
LABELS = (NONE,) + ROUTES
# The bank's lists, by the reader's label.
LABEL_OF = {
    "child_in_danger": "child_in_danger",
    "parent_in_crisis": "parent_in_crisis",
    "parent_in_crisis_act": "parent_in_crisis",
    "parent_in_danger": "parent_in_danger",
    "safe": NONE,
}
# Different pieces of a message read (sentences and clauses).
MOST_PIECES = 60


class DangerReaderError(ValueError):
    """The reader's weights do not fit the sentence model or its labels."""


@dataclass(frozen=True)
class Reading:
    """A route's most likely piece of one message."""

    route: str
    probability: float
    span: Tuple[int, int]


def examples_for_fitting(bank: Mapping[str, Sequence[str]]) -> List[Tuple[str, str]]:
    """(label, text) pairs from a bank merged with the training examples
    (danger_bank.with_training_examples): each route's own, the act-under-way
    list as crisis, everything safe as none. A safe text of several sentences
    also gives each sentence on its own (each is as safe as the whole); a
    danger example is kept whole (its other sentences may be the story)."""
    pairs: List[Tuple[str, str]] = []
    for key, texts in bank.items():
        label = LABEL_OF.get(key)
        if label is None:
            continue
        for text in texts:
            pairs.append((label, text))
            if label == NONE:
                spans = sentence_spans(text)
                if len(spans) > 1:
                    pairs.extend((NONE, text[a:b]) for a, b in spans)
    seen = set()
    unique = []
    for label, text in pairs:
        pair = (label, text.strip().lower())
        if pair[1] and pair not in seen:
            seen.add(pair)
            unique.append(pair)
    return unique


class DangerReader:
    """``weights``: one row of the vector's width per label of ``labels``;
    ``bias``: one number per label. Probabilities are the softmax."""

    def __init__(self, weights: np.ndarray, bias: np.ndarray, labels: Sequence[str] = LABELS) -> None:
        weights = np.asarray(weights, dtype=np.float32)
        bias = np.asarray(bias, dtype=np.float32)
        labels = tuple(str(label) for label in labels)
        if weights.ndim != 2 or weights.shape[0] != len(labels) or bias.shape != (len(labels),):
            raise DangerReaderError("one row of weights and one bias per label")
        if set(labels) != set(LABELS):
            raise DangerReaderError(f"labels should be {', '.join(LABELS)}")
        self.weights, self.bias, self.labels = weights, bias, labels
        self._index = {label: n for n, label in enumerate(labels)}

    @classmethod
    def fit(
        cls,
        vectors: np.ndarray,
        labels: Sequence[str],
        strength: float = 1.0,
        random_state: int = 2026,
        balanced: bool = True,
    ) -> DangerReader:
        """A multinomial logistic regression; ``strength`` is scikit-learn's C
        (smaller: simpler directions). ``balanced``: each label weighs the
        same in total, however many examples it has."""
        from sklearn.linear_model import LogisticRegression

        missing = set(LABELS) - set(labels)
        if missing:
            raise DangerReaderError(f"no examples for {', '.join(sorted(missing))}")
        model = LogisticRegression(
            C=strength, class_weight="balanced" if balanced else None, max_iter=2000, random_state=random_state
        )
        model.fit(np.asarray(vectors, dtype=np.float64), list(labels))
        return cls(model.coef_, model.intercept_, [str(label) for label in model.classes_])

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        """(n, labels) for n vectors, each row summing to 1."""
        scores = np.atleast_2d(vectors).astype(np.float32) @ self.weights.T + self.bias
        scores = np.exp(scores - scores.max(axis=1, keepdims=True))
        return scores / scores.sum(axis=1, keepdims=True)

    def route_probabilities(self, vector: np.ndarray) -> Dict[str, float]:
        row = self.probabilities(vector)[0]
        return {route: float(row[self._index[route]]) for route in ROUTES}

    def read(
        self, text: str, encode_many: EncodeMany, spans: Iterable[Tuple[int, int]] | None = None
    ) -> Dict[str, Reading]:
        """Each route's most likely piece of ``text`` (``spans``: the pieces
        to read; by default each sentence and, in a sentence of several
        clauses, each clause). The pieces are read in one ``encode_many``
        call and scored in one product; on a tie the first piece is kept."""
        read = [span for span in (pieces(text) if spans is None else spans) if piece_text(text, span)]
        if not read:
            return {}
        rows = self.probabilities(np.stack(encode_many([piece_text(text, span) for span in read])))
        best: Dict[str, Reading] = {}
        for route in ROUTES:
            column = rows[:, self._index[route]]
            first = int(np.argmax(column))
            best[route] = Reading(route, float(column[first]), read[first])
        return best

    def arrays(self) -> Dict[str, np.ndarray]:
        """What a trained model keeps (np.savez)."""
        return {"weights": self.weights, "bias": self.bias, "labels": np.array(self.labels)}

    @classmethod
    def from_arrays(cls, stored: Mapping[str, np.ndarray]) -> DangerReader:
        return cls(stored["weights"], stored["bias"], [str(label) for label in stored["labels"]])


def pieces(text: str, most: int = MOST_PIECES) -> List[Tuple[int, int]]:
    """The spans the reader reads: each sentence, and each clause of a
    sentence of several clauses that has at least three words; at most
    ``most`` different pieces."""
    return distinct_spans(text or "", most, clauses=True, clause_words=3)
