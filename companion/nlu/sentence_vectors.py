"""What the NLU steps ask of the sentence model (companion/sentence_model.py).

Plain Python (numpy). An encoder gives a text's unit vector (`encode`) and
several texts' vectors in one pass (`encode_many`): the model's weights are
gone through once a pass, so reading a message's pieces, or a few dozen
training examples, together costs much less than reading them one by one.
The shipped SentenceEncoder is one; `OneAtATime` makes a plain function of
one text into one (tests and stand-ins), and says so by its name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Dict, List, Protocol, Sequence

import numpy as np

# Texts a pass when many are read (training): about the length of a long
# message's pieces. Larger passes gain little and use more memory.
BATCH = 48


class TextEncoder(Protocol):
    def encode(self, text: str) -> np.ndarray: ...

    def encode_many(self, texts: Sequence[str]) -> List[np.ndarray]: ...


EncodeMany = Callable[[Sequence[str]], Sequence[np.ndarray]]


@dataclass(frozen=True)
class OneAtATime:
    """A function of one text as an encoder: `encode_many` reads each text in turn."""

    function: Callable[[str], np.ndarray]

    def encode(self, text: str) -> np.ndarray:
        return self.function(text)

    def encode_many(self, texts: Sequence[str]) -> List[np.ndarray]:
        return [self.function(text) for text in texts]


def encode_in_batches(encoder: TextEncoder, texts: Sequence[str], size: int = BATCH) -> List[np.ndarray]:
    """Each text's vector, read ``size`` texts a pass (in their order)."""
    if size < 1:
        raise ValueError("size must be above 0")
    vectors: List[np.ndarray] = []
    for first in range(0, len(texts), size):
        vectors.extend(encoder.encode_many(texts[first : first + size]))
    return vectors


def read_into(
    kept: Dict[str, np.ndarray], encode_many: EncodeMany, texts: Sequence[str], ahead: Sequence[str] = ()
) -> List[np.ndarray]:
    """``texts``' vectors from ``kept``; those not there, with ``ahead``
    (texts asked for later), read in one ``encode_many`` pass and kept."""
    missing = [text for text in dict.fromkeys([*texts, *ahead]) if text not in kept]
    if missing:
        kept.update(zip(missing, encode_many(missing), strict=True))
    return [kept[text] for text in texts]
