"""Topics question by question (companion/nlu/topics.py) and its Rasa steps
(companion/nlu/topic_components.py), on small data made here."""

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from companion.nlu.topic_components import ParentWordsNormaliser, QuestionTopics
from companion.nlu.topics import Settings, TopicModel, decide

CLASSES = ["ask_bring_supporter", "ask_venue", "ask_who_attends", "greet"]
EXAMPLES = {
    "ask_bring_supporter": [
        "can i bring my mum",
        "can my sister come with me",
        "can i bring a friend",
        "is it ok to bring someone for support",
        "can my partner sit with me",
    ],
    "ask_venue": [
        "where is the meeting",
        "what is the address",
        "where do i go on the day",
        "is there parking at the building",
        "which office is it in",
    ],
    "ask_who_attends": [
        "who will be at the meeting",
        "will the school be there",
        "who is invited",
        "will the police come",
        "how many people will be there",
    ],
    "greet": ["hello", "hi there", "good morning", "hiya", "hey"],
}


def p(*values):
    return np.array(values, dtype=float)


def test_the_question_decides_over_the_story():
    whole = p(0.1, 0.1, 0.7, 0.1)  # the story looks like "who attends"
    question = p(0.9, 0.05, 0.03, 0.02)  # the question asks to bring someone
    decision = decide(CLASSES, whole, [question], 0.9, Settings(question_weight=0.6))
    assert decision.ranking[0][0] == "ask_bring_supporter"
    assert decision.also is None


def test_a_second_question_is_offered():
    decision = decide(
        CLASSES,
        p(0.4, 0.4, 0.1, 0.1),
        [p(0.8, 0.1, 0.05, 0.05), p(0.1, 0.8, 0.05, 0.05)],
        0.9,
        Settings(second_at_least=0.5),
    )
    assert decision.ranking[0][0] == "ask_bring_supporter"
    assert decision.also == ("ask_venue", pytest.approx(0.8))
    assert decision.which == ()  # two questions: both answered, not "which one?"


def test_when_both_questions_are_certain_the_other_topic_is_offered():
    # Both questions read at 1.0: the main topic comes from the whole message
    # (here the first question's), while the "main" question by confidence is
    # the second one. The second question's topic must still be offered.
    decision = decide(
        CLASSES,
        p(0.9, 0.05, 0.03, 0.02),
        [p(1.0, 0.0, 0.0, 0.0), p(0.0, 0.0, 1.0, 0.0)],
        0.9,
        Settings(question_weight=0.4, second_at_least=0.6),
    )
    assert decision.ranking[0][0] == "ask_bring_supporter"
    assert decision.also == ("ask_who_attends", pytest.approx(1.0))
    decision = decide(
        CLASSES,
        p(0.05, 0.05, 0.88, 0.02),
        [p(1.0, 0.0, 0.0, 0.0), p(0.0, 0.0, 1.0, 0.0)],
        0.9,
        Settings(question_weight=0.4, second_at_least=0.6),
    )
    assert decision.ranking[0][0] == "ask_who_attends"
    assert decision.also == ("ask_bring_supporter", pytest.approx(1.0))


def test_the_second_topic_is_no_rival_of_the_main_one():
    # Two questions, both found: the whole message is split between their
    # topics (0.5 / 0.45), which alone would be "too close to choose". The
    # second is offered after the answer, so the main topic's confidence
    # leaves it out; it stays in the ranking, third, for the suggestions.
    decision = decide(
        CLASSES,
        p(0.5, 0.45, 0.03, 0.02),
        [p(0.95, 0.03, 0.01, 0.01), p(0.03, 0.95, 0.01, 0.01)],
        0.9,
        Settings(question_weight=0.4, second_at_least=0.6),
    )
    assert decision.also[0] == "ask_venue"
    names = [name for name, _ in decision.ranking]
    assert names[0] == "ask_bring_supporter" and names[2] == "ask_venue"
    assert decision.ranking[0][1] > 0.9
    assert decision.ranking[0][1] - decision.ranking[1][1] > 0.5


@pytest.mark.parametrize("confidence, offered", [(0.85, False), (0.97, True)])
def test_a_question_that_goes_on_with_the_one_before_is_offered_only_when_sure(confidence, offered):
    # "Where is it held? Is it near the town centre?": the last question goes
    # on with the first (questions.continues), so its own topic is offered as
    # a second only from `continued_at_least`.
    rest = (1 - confidence) / 3
    parts = [p(0.1, 0.85, 0.03, 0.02), p(rest, rest, confidence, rest)]
    settings = Settings(question_weight=0.4, second_at_least=0.6, continued_at_least=0.95)
    decision = decide(CLASSES, p(0.05, 0.9, 0.03, 0.02), parts, 0.9, settings, continuing=[False, True])
    assert (decision.also is not None) is offered
    # The same question asked as a second one ("and who will be there?") is offered at 0.85.
    assert decide(CLASSES, p(0.05, 0.9, 0.03, 0.02), parts, 0.9, settings, continuing=[False, False]).also[0] == (
        "ask_who_attends"
    )


@pytest.mark.parametrize("marked, offered", [(True, True), (False, False)], ids=["marked", "unmarked"])
def test_a_second_question_the_parent_marked_is_offered_from_a_lower_confidence(marked, offered):
    # "... and can my nan come in with me?": the parent marked it as a second
    # question (questions.marked), so its topic is offered from `marked_at_least`.
    parts = [p(0.1, 0.85, 0.03, 0.02), p(0.5, 0.05, 0.05, 0.4)]
    settings = Settings(question_weight=0.4, second_at_least=0.6, marked_at_least=0.4)
    decision = decide(CLASSES, p(0.05, 0.9, 0.03, 0.02), parts, 0.9, settings, marked=[False, marked])
    assert (decision.also is not None) is offered


@pytest.mark.parametrize("second", [p(0.3, 0.4, 0.2, 0.1), p(0.0, 0.0, 0.1, 0.9)], ids=["weak", "greeting"])
def test_a_weak_second_question_or_a_greeting_is_not_offered(second):
    decision = decide(
        CLASSES,
        p(0.6, 0.2, 0.1, 0.1),
        [p(0.8, 0.1, 0.05, 0.05), second],
        0.9,
        Settings(second_at_least=0.5),
    )
    assert decision.also is None


@pytest.mark.parametrize(
    "whole, which",
    [(p(0.42, 0.38, 0.1, 0.1), ("ask_bring_supporter", "ask_venue")), (p(0.7, 0.2, 0.05, 0.05), ())],
    ids=["close", "clear"],
)
def test_two_close_topics_are_asked_about(whole, which):
    assert decide(CLASSES, whole, [], 0.9, Settings(which_margin=0.1, which_at_least=0.25)).which == which


@pytest.mark.parametrize("nearest, unlike", [(0.2, True), (0.5, False)])
def test_a_message_unlike_any_training_example_is_not_guessed(nearest, unlike):
    assert decide(CLASSES, p(0.9, 0.05, 0.03, 0.02), [], nearest, Settings(unlike_below=0.3)).unlike is unlike


def unit(rows):
    rows = np.asarray(rows, dtype=np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_the_model_learns_and_is_stored_and_read_back(tmp_path):
    texts = [t for ts in EXAMPLES.values() for t in ts]
    labels = [i for i, ts in EXAMPLES.items() for _ in ts]
    rng = np.random.default_rng(1)
    vectors = unit(rng.normal(size=(len(texts), 8)))
    model = TopicModel.train(texts, labels, vectors, scale=1.0)
    probe = unit(rng.normal(size=(1, 8)))
    guess = model.probabilities(["can i bring my mum with me"], probe)[0]
    assert model.classes[int(guess.argmax())] == "ask_bring_supporter"
    assert model.nearest(vectors[3]) == pytest.approx(1.0, abs=1e-3)
    model.save(tmp_path)
    again = TopicModel.load(tmp_path)
    assert np.allclose(again.probabilities(["can i bring my mum with me"], probe)[0], guess, atol=1e-6)


def test_the_dense_weights_give_exactly_the_sparse_products(tmp_path):
    texts = [t for ts in EXAMPLES.values() for t in ts]
    labels = [i for i, ts in EXAMPLES.items() for _ in ts]
    rng = np.random.default_rng(2)
    model = TopicModel.train(texts, labels, unit(rng.normal(size=(len(texts), 8))), scale=3.0)
    asked = ["can i bring my mum with me", "what happens at the meeting and who will be there", "xyz"]
    x = model.features(asked, unit(rng.normal(size=(len(asked), 8))))
    assert np.array_equal(x @ model._dense_weights, np.asarray((x @ model._weights).todense()))
    scores = np.asarray((x @ model._weights).todense()) + model._intercept
    expected = np.exp(scores - scores.max(axis=1, keepdims=True))
    got = model.probabilities(asked, x[:, -8:].toarray() / 3.0)
    assert np.allclose(got, expected / expected.sum(axis=1, keepdims=True), rtol=0, atol=1e-12)


def test_the_features_are_put_together_as_scipy_would_stack_them_without_stacking(monkeypatch):
    from scipy import sparse

    from companion.nlu import topics as module

    texts = [t for ts in EXAMPLES.values() for t in ts]
    rng = np.random.default_rng(3)
    vectors = unit(rng.normal(size=(len(texts), 8))).astype(np.float32)
    vectors[0, :3] = 0.0  # a zero in the vector is left out, as csr_matrix does
    vectors[1] = 0.0
    model = TopicModel([], sparse.csr_matrix((1, 1)), np.zeros(1), np.zeros((0, 8)), [], 2.5)
    texts[2] = ""  # a text with no word or character piece
    stacked = [
        sparse.hstack(
            [model._words.transform(t), model._chars.transform(t), sparse.csr_matrix(np.asarray(v) * model.scale)]
        ).tocsr()
        for t, v in [(texts, vectors), (texts[:1], vectors[:1]), (["speed3 one", "and two?"], vectors[5:7])]
    ]
    calls = []
    monkeypatch.setattr(module.sparse, "hstack", lambda *a, **k: calls.append(a))
    got = [model.features(texts, vectors), model.features(texts[:1], vectors[:1])]
    got.append(model.features(["speed3 one", "and two?"], vectors[5:7]))
    assert not calls  # put together directly (about 0.17 ms less a text than hstack)
    for x, y in zip(got, stacked, strict=True):
        assert x.shape == y.shape and x.dtype == y.dtype == np.float64
        assert np.array_equal(x.indptr, y.indptr) and np.array_equal(x.indices, y.indices)
        assert np.array_equal(x.data, y.data)  # same numbers in the same order: the same products


# ------------------------------------------------------------------ Rasa steps
def message(text, intent=None, confidence=0.0, ranking=()):
    m = Message(data={TEXT: text})
    if intent:
        m.set(INTENT, {"name": intent, "confidence": confidence})
        m.set(INTENT_RANKING_KEY, [{"name": n, "confidence": c} for n, c in ranking])
    return m


def test_parents_words_are_normalised_for_training_and_put_back_after():
    step = ParentWordsNormaliser.create({}, None, None, None)
    typed = message("the SW said we r on a plan")
    step.process([typed])
    assert typed.get(TEXT) == "the social worker said we are on a child protection plan"
    data = TrainingData([Message(data={TEXT: "wat is the conf", INTENT: "ask_what_is_conference"})])
    step.process_training_data(data)
    assert data.training_examples[0].get(TEXT) == "what is the conference"


@pytest.fixture(scope="module")
def topic_step(tmp_path_factory):
    storage = LocalModelStorage(tmp_path_factory.mktemp("storage"))
    resource = Resource("question_topics")
    context = ExecutionContext(GraphSchema({}), "question_topics")
    step = QuestionTopics.create(
        {**QuestionTopics.get_default_config(), "which_margin": 0.0}, storage, resource, context
    )
    step.train(TrainingData([Message(data={TEXT: t, INTENT: i}) for i, ts in EXAMPLES.items() for t in ts]))
    return QuestionTopics.load({**QuestionTopics.get_default_config(), "which_margin": 0.0}, storage, resource, context)


def test_a_sure_short_message_is_left_alone(topic_step):
    typed = message("can i bring my mum", "ask_bring_supporter", 0.9, [("ask_bring_supporter", 0.9)])
    topic_step.process([typed])
    assert typed.get(INTENT)["name"] == "ask_bring_supporter" and typed.get("also_asked") is None


def test_two_questions_give_a_main_and_a_second_topic_and_the_text_as_typed(topic_step):
    normaliser = ParentWordsNormaliser.create({}, None, None, None)
    typed = "Where is the meeting? And can i bring my mam wiv me?"
    m = message(typed, "ask_venue", 0.5, [("ask_venue", 0.5), ("ask_bring_supporter", 0.4)])
    normaliser.process([m])
    topic_step.process([m])
    found = {m.get(INTENT)["name"], m.get("also_asked")["name"]}
    assert found == {"ask_venue", "ask_bring_supporter"}
    assert m.get(TEXT) == typed
    assert m.get("questions")["count"] == 2


def test_a_safety_route_is_never_the_second_topic_a_real_one_is():
    classes = ["ask_for_break", "child_in_danger", "ask_venue", "greet"]
    decision = decide(
        classes,
        p(0.7, 0.1, 0.1, 0.1),
        [p(0.9, 0.05, 0.03, 0.02), p(0.05, 0.9, 0.03, 0.02), p(0.1, 0.1, 0.7, 0.1)],
        0.9,
        Settings(second_at_least=0.5),
    )
    assert decision.ranking[0][0] == "ask_for_break"
    assert decision.also == ("ask_venue", pytest.approx(0.7))
