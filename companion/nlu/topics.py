"""Which topics a message asks about, question by question (plain Python).

`TopicModel` is a small classifier of its own: word and character pieces
(hashed, so there is no vocabulary to store) beside the sentence model's
contextual vector, and a multinomial logistic regression. It can classify
any piece of a message, which Rasa's classifiers cannot (they read the
features Rasa computed for the whole message).

`decide` turns the whole message's and each question's probabilities into
what the bot does: the main topic, a second topic ("You also asked
about..."), or a question back ("Do you mean X or Y?"), or nothing at all
when the message is far from every training example.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Sequence, Tuple

import numpy as np
import scipy.sparse as sparse

WORD_FEATURES = 2**14
CHAR_FEATURES = 2**15


def _hashers():
    from sklearn.feature_extraction.text import HashingVectorizer

    words = HashingVectorizer(
        analyzer="word", ngram_range=(1, 2), n_features=WORD_FEATURES, alternate_sign=False, norm="l2", lowercase=True
    )
    chars = HashingVectorizer(
        analyzer="char_wb",
        ngram_range=(2, 5),
        n_features=CHAR_FEATURES,
        alternate_sign=False,
        norm="l2",
        lowercase=True,
    )
    return words, chars


def side_by_side(blocks: Sequence[sparse.csr_matrix], dense: np.ndarray) -> sparse.csr_matrix:
    """``sparse.hstack(blocks + [sparse.csr_matrix(dense)]).tocsr()``, built
    row by row: each row holds each block's entries in turn, then the dense
    row's non-zero numbers (float64, int32 indices)."""
    dense = np.atleast_2d(dense)
    widths = [block.shape[1] for block in blocks]
    offsets = np.cumsum([0] + widths)
    data: List[np.ndarray] = []
    indices: List[np.ndarray] = []
    indptr = [0]
    for row in range(dense.shape[0]):
        for block, offset in zip(blocks, offsets, strict=False):
            first, last = block.indptr[row], block.indptr[row + 1]
            data.append(block.data[first:last])
            indices.append(block.indices[first:last] + offset)
        kept = np.flatnonzero(dense[row])
        data.append(dense[row, kept])
        indices.append(kept + offsets[-1])
        indptr.append(indptr[-1] + sum(len(d) for d in data[-len(blocks) - 1 :]))
    shape = (dense.shape[0], int(offsets[-1]) + dense.shape[1])
    return sparse.csr_matrix(
        (
            np.concatenate(data).astype(np.float64, copy=False),
            np.concatenate(indices).astype(np.int32, copy=False),
            np.asarray(indptr, dtype=np.int32),
        ),
        shape=shape,
    )


class TopicModel:
    """Counts + sentence vector -> topic probabilities, for any text."""

    def __init__(
        self,
        classes: Sequence[str],
        weights: sparse.csr_matrix,
        intercept: np.ndarray,
        vectors: np.ndarray,
        vector_labels: Sequence[str],
        scale: float,
    ) -> None:
        self.classes = list(classes)
        self._weights = weights.tocsr()  # (features, classes), as stored
        # The same weights dense, in the precision SciPy multiplies in: a
        # message times this is the same numbers as times the sparse weights
        # (same products, added in the same order) in a thirtieth of the time
        # (0.78 -> 0.02 ms on the realistic mix); about 20 MB of memory.
        self._dense_weights = np.asarray(self._weights.todense(), dtype=np.float64)
        self._intercept = np.asarray(intercept, dtype=np.float64)
        self.vectors = np.asarray(vectors, dtype=np.float32)  # training examples' sentence vectors
        self.vector_labels = list(vector_labels)
        self.scale = float(scale)
        self._words, self._chars = _hashers()

    def features(self, texts: Sequence[str], vectors: np.ndarray) -> sparse.csr_matrix:
        """Each text's word pieces, character pieces and scaled sentence
        vector side by side: the matrix `sparse.hstack(...).tocsr()` of the
        three gives, entry for entry in the same order (so the same
        products), put together directly (about 0.17 ms less a text)."""
        return side_by_side(
            [self._words.transform(texts), self._chars.transform(texts)], np.asarray(vectors) * self.scale
        )

    @classmethod
    def train(
        cls,
        texts: Sequence[str],
        labels: Sequence[str],
        vectors: np.ndarray,
        scale: float = 10.0,
        c: float = 1.0,
        random_state: int = 2026,
    ) -> TopicModel:
        from sklearn.linear_model import LogisticRegression

        empty = cls([], sparse.csr_matrix((1, 1)), np.zeros(1), np.zeros((0, vectors.shape[1])), [], scale)
        x = empty.features(texts, vectors)
        model = LogisticRegression(C=c, class_weight="balanced", max_iter=2000, random_state=random_state)
        model.fit(x, list(labels))
        weights = sparse.csr_matrix(model.coef_.T.astype(np.float32))
        weights.eliminate_zeros()
        return cls(model.classes_.tolist(), weights, model.intercept_, vectors, labels, scale)

    def probabilities(self, texts: Sequence[str], vectors: np.ndarray) -> np.ndarray:
        scores = np.asarray(self.features(texts, vectors) @ self._dense_weights) + self._intercept
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return exp / exp.sum(axis=1, keepdims=True)

    def nearest(self, vector: np.ndarray) -> float:
        """Cosine similarity to the closest training example (vectors are unit length)."""
        return float((self.vectors @ vector).max()) if len(self.vectors) else 1.0

    # ------------------------------------------------------------ storing
    def save(self, folder: Path) -> None:
        sparse.save_npz(folder / "weights.npz", self._weights)
        np.save(folder / "intercept.npy", self._intercept)
        np.save(folder / "vectors.npy", self.vectors.astype(np.float16))
        (folder / "topics.json").write_text(
            json.dumps({"classes": self.classes, "scale": self.scale, "vector_labels": self.vector_labels})
        )

    @classmethod
    def load(cls, folder: Path) -> TopicModel:
        meta = json.loads((folder / "topics.json").read_text())
        return cls(
            meta["classes"],
            sparse.load_npz(folder / "weights.npz"),
            np.load(folder / "intercept.npy", allow_pickle=False),
            np.load(folder / "vectors.npy", allow_pickle=False).astype(np.float32),
            meta["vector_labels"],
            meta["scale"],
        )


@dataclass(frozen=True)
class Settings:
    """Chosen on the tuning sets (make tune, docs/performance.md)."""

    question_weight: float = 0.6  # the main question's share against the whole message
    second_at_least: float = 0.5  # a second question's topic is offered from this confidence
    # ... and from this one when the question goes on with the one before it
    # (companion/nlu/questions.py `continues`: "Is it the same as the first one?")
    continued_at_least: float = 0.95
    # ... and from this one when the parent marked it as a question of its own
    # (companion/nlu/questions.py `marked`: "... and can I bring my mum?")
    marked_at_least: float = 0.5
    which_margin: float = 0.15  # top two closer than this: "Do you mean X or Y?"
    which_at_least: float = 0.25  # ... when the second is at least this likely
    unlike_below: float = 0.0  # nearest training example less similar than this: not guessed at
    sharpen: float = 1.0  # temperature for messages read question by question (below 1: surer)
    # The safety routes are the safety net's to decide (SafetyCheckComponent);
    # offered as a second topic they have no button (no title in
    # content/topics.yml) and would take a real second topic's place.
    never_second: Tuple[str, ...] = (
        "greet",
        "goodbye",
        "thank",
        "affirm",
        "deny",
        "insult",
        "show_menu",
        "out_of_scope",
        "give_conference_details",
        "child_in_danger",
        "parent_in_crisis",
        "parent_in_danger",
    )
    never_which: Tuple[str, ...] = (
        "greet",
        "goodbye",
        "thank",
        "affirm",
        "deny",
        "insult",
        "out_of_scope",
        "give_conference_details",
    )


@dataclass
class Decision:
    ranking: List[Tuple[str, float]]  # main topic first
    also: Tuple[str, float] | None = None  # the second topic to offer
    which: Tuple[str, ...] = ()  # ask "Do you mean X or Y?"
    unlike: bool = False  # too far from every training example
    nearest: float = 1.0
    questions: List[str] = field(default_factory=list)


def _ranked(classes: Sequence[str], p: np.ndarray, most: int = 10) -> List[Tuple[str, float]]:
    order = np.argsort(-p)[:most]
    return [(classes[i], float(p[i])) for i in order]


def decide(
    classes: Sequence[str],
    whole: np.ndarray,
    parts: Sequence[np.ndarray],
    nearest: float,
    settings: Settings,
    questions: Sequence[str] = (),
    continuing: Sequence[bool] = (),
    marked: Sequence[bool] = (),
) -> Decision:
    """whole: the whole message's probabilities; parts: each question's;
    continuing: for each part, whether it goes on with the question before it
    (offered as a second topic only from `continued_at_least`); marked: for
    each part, whether the parent marked it as a question of its own (offered
    from `marked_at_least`)."""
    combined = whole
    main_part: int | None = None
    if parts:
        main_part = int(np.argmax([p.max() for p in parts]))
        combined = (1 - settings.question_weight) * whole + settings.question_weight * parts[main_part]
        if settings.sharpen != 1.0:
            combined = combined ** (1.0 / settings.sharpen)
            combined = combined / combined.sum()
    ranking = _ranked(classes, combined)
    decision = Decision(ranking, nearest=nearest, questions=list(questions))
    main = ranking[0][0]
    # Every question's own topic is a candidate, the main question's too: when
    # two questions are both certain (1.0 and 1.0), the main topic can come
    # from the other one, and the first question's topic is then the second.
    going_on = list(continuing) + [False] * (len(parts) - len(continuing))
    own = list(marked) + [False] * (len(parts) - len(marked))

    def at_least(on: bool, its_own: bool) -> float:
        if on:
            return settings.continued_at_least
        return settings.marked_at_least if its_own else settings.second_at_least

    candidates = [
        (classes[int(p.argmax())], float(p.max()), at_least(on, mine))
        for p, on, mine in zip(parts, going_on, own, strict=False)
    ]
    seconds = [
        (name, confidence)
        for name, confidence, at_least in candidates
        if name != main
        and name not in settings.never_second
        and main not in settings.never_second
        and confidence >= at_least
    ]
    if seconds:
        decision.also = max(seconds, key=lambda s: s[1])
        # The second topic is answered after the first ("You also asked"), so it
        # is no rival of the main one: its share leaves the main topic's
        # confidence (the fallback's threshold and its "too close" check read
        # the first two entries). It stays in the list, third, for the topic
        # suggestions if the message is still not answered.
        also = next((entry for entry in ranking if entry[0] == decision.also[0]), None)
        others = [entry for entry in ranking if entry[0] != decision.also[0]]
        kept = sum(c for _, c in others) or 1.0
        others = [(name, c / kept) for name, c in others]
        decision.ranking = others[:2] + ([also] if also else []) + others[2:]
    if nearest < settings.unlike_below:
        decision.unlike = True
        return decision
    (first, c1), (second, c2) = ranking[0], ranking[1]
    if (
        c1 - c2 < settings.which_margin
        and c2 >= settings.which_at_least
        and decision.also is None
        and first not in settings.never_which
        and second not in settings.never_which
    ):
        decision.which = (first, second)
    return decision
