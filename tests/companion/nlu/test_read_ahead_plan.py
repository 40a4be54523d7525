"""The second opinion and QuestionTopics read ahead what the steps after
them will ask the sentence model for AS THE MODEL CONFIGURES THEM
(companion/nlu/message_vectors.py `Plan`, read off the model's graph): no
piece a later step reads in a second pass, and none read that no step asks
for. The vectors themselves are those of any read."""

from __future__ import annotations

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphSchema, SchemaNode
from sklearn.linear_model import LogisticRegression
from small_steps import BANK, LABELS_OF, TEXTS, a_reader, scored_message, topics_step

from companion.nlu import message_vectors
from companion.nlu.components import SafetyCheckComponent
from companion.nlu.danger_bank import DangerBank
from companion.nlu.questions import MAX_QUESTIONS, first_parts
from companion.nlu.safety_net import SafetyNet, pieces_read, read_settings
from companion.nlu.sentence_features import SecondOpinionClassifier
from companion.nlu.sentence_spans import distinct_spans, piece_text
from companion.nlu.topic_components import QuestionTopics

# Five questions, the last a sentence of two clauses (a clause for the reader).
FIVE = (
    "Who will be at the conference? Can I bring my sister? Where is it held? "
    "Will the school be there? When will I get the report, and can I read it before?"
)


def schema(topics: dict | None = None, safety: dict | None = None) -> GraphSchema:
    """A model's graph with the second opinion, QuestionTopics and the safety check so configured."""
    nodes = {"run_second": SchemaNode({}, SecondOpinionClassifier, "load", "process", {"with_counts": False})}
    if topics is not None:
        nodes["run_topics"] = SchemaNode({}, QuestionTopics, "load", "process", topics)
    if safety is not None:
        nodes["run_safety"] = SchemaNode({}, SafetyCheckComponent, "load", "process", safety)
    return GraphSchema(nodes)


def second_opinion(encoder, graph: GraphSchema) -> SecondOpinionClassifier:
    classifier = LogisticRegression().fit(np.vstack(encoder.encode_many(TEXTS)), LABELS_OF)
    config = {**SecondOpinionClassifier.get_default_config(), "with_counts": False}
    step = SecondOpinionClassifier.create(config, None, None, ExecutionContext(graph, node_name="run_second"))
    step._classifier = SecondOpinionClassifier(config, classifier=classifier)._classifier
    step._encoder = encoder
    return step


def sentences(text: str) -> list:
    return [piece_text(text, span) for span in distinct_spans(text, 40)]


def test_the_plan_is_read_off_the_models_graph():
    assert message_vectors.plan_of(schema({}, {})) == message_vectors.Plan()
    assert message_vectors.plan_of(schema({"max_questions": 6}, {"reader": False})) == message_vectors.Plan(
        6, 40, False
    )
    assert message_vectors.plan_of(schema({}, {"sentences": False})) == message_vectors.Plan(4, 0, False)
    # No QuestionTopics, no safety check: nothing is read ahead.
    assert message_vectors.plan_of(schema()) == message_vectors.NOTHING_AHEAD
    assert message_vectors.Plan(0, 0, False).safety_pieces(FIVE) == []


def test_the_second_opinion_reads_ahead_as_many_questions_as_question_topics_is_configured_for(passes):
    encoder, seen = passes
    second = second_opinion(encoder, schema({"max_questions": 8}, {}))
    unsure = scored_message(FIVE, 0.3)
    seen.clear()
    second.process([unsure])
    assert len(seen) == 1 and unsure.get("second_opinion")
    asked = first_parts(FIVE, 8)
    assert len(asked) > MAX_QUESTIONS  # more than the default reads
    assert set(message_vectors.kept(unsure)) == {FIVE, *asked, *pieces_read(FIVE)}
    # QuestionTopics, so configured, then finds every question it reads on the message.
    topics = topics_step(encoder, max_questions=8)
    encoder._kept.clear()
    seen.clear()
    topics.process([unsure])
    assert seen == []


def test_the_second_opinion_reads_no_question_question_topics_will_not_read(passes):
    encoder, seen = passes
    second = second_opinion(encoder, schema({"max_questions": 2}, {}))
    unsure = scored_message(FIVE, 0.3)
    second.process([unsure])
    assert set(message_vectors.kept(unsure)) == {FIVE, *first_parts(FIVE, 2), *pieces_read(FIVE)}


def test_a_safety_check_without_the_reader_gets_its_sentences_read_ahead_and_no_clause(passes):
    encoder, seen = passes
    second = second_opinion(encoder, schema({}, {"reader": False}))
    unsure, sure = scored_message(FIVE, 0.3), scored_message(FIVE, 0.9)
    second.process([unsure, sure])
    clause = "when will i get the report"
    assert clause in pieces_read(FIVE)  # what a net with the reader reads
    assert set(message_vectors.kept(unsure)) == {FIVE, *first_parts(FIVE), *sentences(FIVE)}
    # QuestionTopics' own read-ahead (the second opinion was sure) follows the same plan.
    topics_step(encoder).process([sure])
    assert set(message_vectors.kept(sure)) == {FIVE, *first_parts(FIVE), *sentences(FIVE)}
    # And that net, with no reader, reads nothing more.
    net = SafetyNet(read_settings(), bank=DangerBank.from_texts(BANK, encoder))
    encoder._kept.clear()
    seen.clear()
    net.decide(FIVE, (), lambda texts: message_vectors.vectors(unsure, encoder, texts))
    assert seen == []


def test_a_model_without_a_safety_check_reads_nothing_ahead_for_it(passes):
    encoder, seen = passes
    second = second_opinion(encoder, schema({}))
    unsure = scored_message(FIVE, 0.3)
    second.process([unsure])
    assert set(message_vectors.kept(unsure)) == {FIVE, *first_parts(FIVE)}


def test_the_plan_is_private_and_goes_with_the_vectors(passes):
    encoder, _ = passes
    unsure = scored_message(FIVE, 0.3)
    second_opinion(encoder, schema({}, {})).process([unsure])
    assert message_vectors.PLAN not in unsure.as_dict(only_output_properties=True)
    message_vectors.forget(unsure)
    assert message_vectors.PLAN not in unsure.data and message_vectors.KEY not in unsure.data


def test_the_shipped_plan_reads_what_the_shipped_net_reads(passes):
    encoder, seen = passes
    second = second_opinion(encoder, schema({}, {}))
    unsure = scored_message(FIVE, 0.3)
    second.process([unsure])
    net = SafetyNet(read_settings(), bank=DangerBank.from_texts(BANK, encoder), reader=a_reader())
    assert set(message_vectors.kept(unsure)) >= set(net.pieces_read(FIVE))
