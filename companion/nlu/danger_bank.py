"""The safety net's sentence signal: each sentence of a message against
examples of danger and crisis, by meaning rather than by words.

Plain Python around the sentence model the bot already ships
(companion/sentence_model.py). The examples are in content/safety_bank.yml,
one list per route, an extra list of crisis with an act under way, and a
list of `safe` sentences that use the same words harmlessly; the classifier's
training examples join them (a safety intent's join its route, every other
intent's are safe), so an ordinary question near a topic's examples is not
taken for danger. A message is cut
into sentences (companion/nlu/sentence_spans.py); they are encoded in one
pass and compared with every example (cosine similarity of unit vectors). For each
route the result is its best sentence: how close it came to that route's
examples, and how close the same sentence came to the safe ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Dict, List, Mapping, Sequence, Tuple

import numpy as np

from companion.nlu.sentence_spans import distinct_spans, piece_text
from companion.nlu.sentence_vectors import EncodeMany, TextEncoder, encode_in_batches
from companion.paths import CONTENT_DIR
from companion.yaml_file import read_mapping

BANK_PATH = CONTENT_DIR / "safety_bank.yml"
ROUTES = ("child_in_danger", "parent_in_crisis", "parent_in_danger")
ACT = "parent_in_crisis_act"
SAFE = "safe"
# The act examples are crisis examples too.
_ROUTE_OF = {ACT: "parent_in_crisis"}
# Different sentences of a message read (the rest of a very long one is not).
MOST_SENTENCES = 40

if TYPE_CHECKING:
    from companion.sentence_model import SentenceEncoder


class DangerBankError(ValueError):
    """content/safety_bank.yml is missing or malformed."""


@dataclass(frozen=True)
class Nearest:
    """A route's best sentence in one message."""

    route: str
    similarity: float  # to the nearest example of the route
    safe: float  # to the nearest safe example, for the same sentence
    act: float  # to the nearest act-under-way example (crisis only, else 0)
    span: Tuple[int, int]  # the sentence's characters in the message

    @property
    def margin(self) -> float:
        return self.similarity - self.safe


def read_bank(path: Path = BANK_PATH) -> Dict[str, Tuple[str, ...]]:
    data = read_mapping(path, DangerBankError)
    needed = ROUTES + (ACT, SAFE)
    bank = {}
    for key in needed:
        examples = data.get(key)
        if (
            not isinstance(examples, list)
            or not examples
            or not all(isinstance(e, str) and e.strip() for e in examples)
        ):
            raise DangerBankError(f"{path}: {key} needs a list of example sentences")
        bank[key] = tuple(e.strip() for e in examples)
    unknown = sorted(set(data) - set(needed))
    if unknown:
        raise DangerBankError(f"{path}: unknown list {unknown[0]!r} (known: {', '.join(needed)})")
    return bank


def with_training_examples(
    bank: Mapping[str, Sequence[str]], examples: Sequence[Tuple[str, str]]
) -> Dict[str, Tuple[str, ...]]:
    """The bank, plus the classifier's training examples ((intent, text)
    pairs): those of a safety intent join its route, all others are safe."""
    merged = {key: list(texts) for key, texts in bank.items()}
    for intent, text in examples:
        merged.setdefault(intent if intent in ROUTES else SAFE, []).append(text)
    return {key: tuple(dict.fromkeys(t.strip().lower() for t in texts if t.strip())) for key, texts in merged.items()}


def encode_all(
    bank: Mapping[str, Sequence[str]],
    encoder: TextEncoder,
    known: Mapping[str, np.ndarray] | None = None,
) -> Dict[str, np.ndarray]:
    """Each list's examples as unit vectors. A text in ``known`` (the vectors
    a trained model keeps, by text as read: stripped, lower case) is not
    encoded again; the others are read a few dozen a pass, each once."""
    known = known or {}
    missing = [text for text in bank_texts(bank) if text not in known]
    vectors = {**dict(zip(missing, encode_in_batches(encoder, missing), strict=True)), **known}
    return {
        key: np.stack([vectors[text.strip().lower()] for text in texts]).astype(np.float32)
        for key, texts in bank.items()
    }


def bank_texts(bank: Mapping[str, Sequence[str]]) -> List[str]:
    """Every different text of the bank, as encoded (stripped, lower case)."""
    return list(dict.fromkeys(text.strip().lower() for texts in bank.values() for text in texts))


class DangerBank:
    """``matrices``: each list's examples as unit vectors (one per row);
    ``encoder`` turns sentences into them (the sentence model: its
    `encode_many` reads a message's sentences in one pass)."""

    def __init__(
        self, matrices: Mapping[str, np.ndarray], encoder: TextEncoder, most_sentences: int = MOST_SENTENCES
    ) -> None:
        missing = [key for key in ROUTES + (ACT, SAFE) if key not in matrices]
        if missing:
            raise DangerBankError(f"no examples for {', '.join(missing)}")
        if not callable(getattr(encoder, "encode_many", None)):
            raise TypeError("the bank needs an encoder with encode_many (sentence_vectors.OneAtATime wraps a function)")
        self.encoder = encoder
        self.most_sentences = most_sentences
        self._matrices = dict(matrices)

    @classmethod
    def from_texts(
        cls, bank: Mapping[str, Sequence[str]], encoder: TextEncoder, most_sentences: int = MOST_SENTENCES
    ) -> DangerBank:
        return cls(encode_all(bank, encoder), encoder, most_sentences)

    def sentences(self, text: str) -> List[Tuple[int, int]]:
        """The spans read: the first `most_sentences` different sentences."""
        return distinct_spans(text or "", self.most_sentences)

    def nearest(self, text: str, encode_many: EncodeMany | None = None) -> Dict[str, Nearest]:
        """For each route, its best sentence in ``text`` (none for an empty
        text). The sentences are read in one `encode_many` pass (the bank's
        encoder's, unless another is given: one that knows the message's
        vectors already) and scored against each list in one product."""
        best: Dict[str, Nearest] = {}
        spans = self.sentences(text or "")
        if not spans:
            return best
        vectors = np.stack((encode_many or self.encoder.encode_many)([piece_text(text, span) for span in spans]))
        # Each list's nearest example to each sentence: (lists, sentences).
        columns = {key: (matrix @ vectors.T).max(axis=0) for key, matrix in self._matrices.items()}
        for n, (start, end) in enumerate(spans):
            scores = {key: float(column[n]) for key, column in columns.items()}
            for key in ROUTES + (ACT,):
                route = _ROUTE_OF.get(key, key)
                similarity = scores[key]
                act = scores[ACT] if route == "parent_in_crisis" else 0.0
                if route == "parent_in_crisis":
                    similarity = max(scores[route], scores[ACT])
                found = Nearest(route, similarity, scores[SAFE], act, (start, end))
                kept = best.get(route)
                if kept is None or (found.similarity, found.margin) > (kept.similarity, kept.margin):
                    best[route] = found
        return best


def shipped_encoder(model_dir: Path | None = None) -> SentenceEncoder:
    """The sentence model the bot ships (one per process)."""
    from companion.sentence_model import SentenceEncoder

    return SentenceEncoder.load(Path(model_dir) if model_dir else SentenceEncoder.default_path())


def bank_matrices(path: Path = BANK_PATH) -> Dict[str, np.ndarray]:
    """content/safety_bank.yml encoded, once per process while the file is unchanged."""
    return _bank_matrices(str(path), Path(path).stat().st_mtime_ns)


@lru_cache(maxsize=2)
def _bank_matrices(path: str, changed: int) -> Dict[str, np.ndarray]:
    return encode_all(read_bank(Path(path)), shipped_encoder())


def load_danger_bank(
    path: Path = BANK_PATH, examples: Sequence[Tuple[str, str]] = (), model_dir: Path | None = None
) -> DangerBank:
    """The bank (and training ``examples``, if given) with the shipped sentence model."""
    return DangerBank.from_texts(with_training_examples(read_bank(path), examples), shipped_encoder(model_dir))


def nlu_examples(folder: Path) -> List[Tuple[str, str]]:
    """(intent, text) for every example in a folder of Rasa NLU files (data/nlu)."""
    import re

    import yaml

    pairs = []
    for path in sorted(Path(folder).glob("*.yml")):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []):
            if "intent" in block:
                for line in str(block.get("examples") or "").splitlines():
                    if line.strip().startswith("- "):
                        text = re.sub(r"\[([^\]]+)\](?:\{[^}]*\}|\([^)]*\))", r"\1", line.strip()[2:])
                        pairs.append((block["intent"], text))
    return pairs
