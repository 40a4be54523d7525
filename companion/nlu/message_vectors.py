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

What the later steps will ask for depends on how the model configures
them (QuestionTopics' `max_questions`; whether the safety check reads the
bank's sentences and the reader's clauses): a `Plan`, read off the model's
graph (`plan_of`) by the second opinion when the model is loaded and put
on every message it sees (`set_plan`), so the read-ahead of the second
opinion and of QuestionTopics is what the later steps read. A message
with no plan (a pipeline without the second opinion) is read ahead for
the steps' defaults.

Plain Python: a message is anything with Rasa's Message `get` and `set`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Protocol, Sequence

import numpy as np

from companion.nlu.danger_bank import MOST_SENTENCES
from companion.nlu.questions import MAX_QUESTIONS, first_parts, one_question
from companion.nlu.safety_net import pieces_read
from companion.nlu.sentence_vectors import TextEncoder, read_into

KEY = "_sentence_vectors"
# What the later steps will read (a Plan), also private.
PLAN = "_sentence_plan"
# Set by ParentWordsNormaliser when it changed the message's words: the
# message as typed (what the safety check reads).
ORIGINAL = "original_text"


class HasData(Protocol):
    data: Dict[str, Any]

    def get(self, prop: str, default: Any = None) -> Any: ...

    def set(self, prop: str, info: Any, add_to_output: bool = False) -> None: ...


@dataclass(frozen=True)
class Plan:
    """What the steps after the first reader ask the sentence model for:
    QuestionTopics reads at most ``max_questions`` questions (0: there is no
    QuestionTopics); the safety check reads the first ``most_sentences``
    different sentences (its bank; 0: none) and, with ``reader``, the
    reader's sentences and clauses."""

    max_questions: int = MAX_QUESTIONS
    most_sentences: int = MOST_SENTENCES
    reader: bool = True

    def safety_pieces(self, text: str) -> List[str]:
        """The pieces of ``text`` the safety check will read (safety_net.pieces_read)."""
        if self.most_sentences < 1 and not self.reader:
            return []
        return pieces_read(text, self.most_sentences, self.reader)


NOTHING_AHEAD = Plan(max_questions=0, most_sentences=0, reader=False)


def plan_of(schema: Any) -> Plan:
    """The plan of the model whose graph is ``schema`` (Rasa's GraphSchema):
    QuestionTopics' configured `max_questions`, and the safety check's
    `sentences` and `reader` settings (its bank reads MOST_SENTENCES
    sentences). A step the graph does not have reads nothing."""
    from companion.nlu.components import SafetyCheckComponent
    from companion.nlu.topic_components import QuestionTopics

    plan = NOTHING_AHEAD
    for node in getattr(schema, "nodes", {}).values():
        uses = node.uses
        if not isinstance(uses, type):
            continue
        config = (
            {**uses.get_default_config(), **(node.config or {})}
            if issubclass(uses, (QuestionTopics, SafetyCheckComponent))
            else {}
        )
        if issubclass(uses, QuestionTopics):
            plan = Plan(int(config["max_questions"]), plan.most_sentences, plan.reader)
        elif issubclass(uses, SafetyCheckComponent):
            sentences = bool(config["sentences"])
            plan = Plan(plan.max_questions, MOST_SENTENCES if sentences else 0, sentences and bool(config["reader"]))
    return plan


def set_plan(message: HasData, plan: Plan) -> None:
    """Puts on the message what the later steps will read (not in the parse output)."""
    message.set(PLAN, plan)


def plan(message: HasData) -> Plan:
    """The plan on the message (the steps' defaults when none was put there)."""
    found = message.get(PLAN)
    return found if isinstance(found, Plan) else Plan()


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
    """Takes the vectors and the plan off the message (the last step that reads them)."""
    message.data.pop(KEY, None)
    message.data.pop(PLAN, None)


def typed_text(message: HasData) -> str:
    """The message as the parent typed it (the safety check reads that)."""
    return str(message.get(ORIGINAL) or message.get("text") or "")


def safety_ahead(message: HasData) -> List[str]:
    """The pieces the safety check will read, as the message's plan says: the
    typed message's sentences and clauses."""
    return plan(message).safety_pieces(typed_text(message))


def topics_ahead(message: HasData) -> List[str]:
    """What QuestionTopics will read of a message of several questions (its
    questions, at most the plan's `max_questions`; the whole it shares with
    the second opinion), then the safety check's pieces."""
    text = str(message.get("text") or "")
    most = plan(message).max_questions
    asked = first_parts(text, most) if most > 0 else []
    return ([] if one_question(text, asked) else asked) + safety_ahead(message)
