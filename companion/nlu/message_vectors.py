"""A message's sentence vectors, handed from one NLU step to the next.

Three steps may read one message with the sentence model's six layers (in
config.yml's order): the second opinion (the whole message, when the first
classifier is unsure), QuestionTopics (the whole message and each of its
questions) and, last, the safety check (each sentence and clause of the
message as typed, companion/nlu/safety_net.py). The first of them to need
the model reads, in one pass (`encode_many`), what it needs and what the
steps after it will (`ahead`), and keeps the vectors on the Rasa message
under a private key (not added to the parse output); a later step takes its
vectors from there and reads only what is missing. The safety check, last,
takes them off the message (`forget`). The sentence model's own store of
its last vectors stays behind this, for a message sent again.

Plain Python: a message is anything with Rasa's Message `get` and `set`.
"""

from __future__ import annotations

from typing import Any, Dict, List, Protocol, Sequence

import numpy as np

from companion.nlu.questions import parts as question_parts
from companion.nlu.safety_net import pieces_read
from companion.nlu.sentence_vectors import TextEncoder, read_into

KEY = "_sentence_vectors"
# Set by ParentWordsNormaliser when it changed the message's words: the
# message as typed (what the safety check reads).
ORIGINAL = "original_text"
# QuestionTopics' default `max_questions` (what the second opinion reads ahead for it).
MAX_QUESTIONS = 4


class HasData(Protocol):
    data: Dict[str, Any]

    def get(self, prop: str, default: Any = None) -> Any: ...

    def set(self, prop: str, info: Any, add_to_output: bool = False) -> None: ...


def vectors(
    message: HasData, encoder: TextEncoder, texts: Sequence[str], ahead: Sequence[str] = ()
) -> List[np.ndarray]:
    """``texts``' vectors: those the message has, and the others read in one
    pass with ``ahead`` (texts a later step will ask for), all kept on it."""
    kept: Dict[str, np.ndarray] | None = message.get(KEY)
    if kept is None:
        kept = {}
        message.set(KEY, kept)
    return read_into(kept, encoder.encode_many, texts, ahead)


def kept(message: HasData) -> Dict[str, np.ndarray]:
    """The vectors on the message, by text (none before a step read it)."""
    return dict(message.get(KEY) or {})


def forget(message: HasData) -> None:
    """Takes the vectors off the message (the last step that reads them)."""
    message.data.pop(KEY, None)


def questions(text: str, most: int = MAX_QUESTIONS) -> List[str]:
    """The questions QuestionTopics reads in ``text`` (at most ``most``)."""
    return question_parts(text)[:most]


def one_question(text: str, asked: Sequence[str]) -> bool:
    """The message is its one question (or none): QuestionTopics reads it whole only."""
    return len(asked) <= 1 and (not asked or asked[0].strip() == text.strip())


def typed_text(message: HasData) -> str:
    """The message as the parent typed it (the safety check reads that)."""
    return str(message.get(ORIGINAL) or message.get("text") or "")


def safety_ahead(message: HasData) -> List[str]:
    """The pieces the safety check will read: the typed message's sentences and clauses."""
    return pieces_read(typed_text(message))


def topics_ahead(message: HasData, max_questions: int = MAX_QUESTIONS) -> List[str]:
    """What QuestionTopics will read of a message of several questions (its
    questions; the whole it shares with the second opinion), then the safety
    check's pieces."""
    text = str(message.get("text") or "")
    asked = questions(text, max_questions)
    return ([] if one_question(text, asked) else asked) + safety_ahead(message)
