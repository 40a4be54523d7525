"""The sentence model (numpy MiniLM) and the two Rasa steps that use it."""

import numpy as np
import pytest
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from companion.nlu.sentence_features import SecondOpinionClassifier, WordVectorsFeaturizer
from companion.sentence_model import SentenceEncoder, SentenceModelMissing


@pytest.fixture(scope="module")
def encoder():
    return SentenceEncoder.load(SentenceEncoder.default_path())


def similarity(encoder, a, b, contextual=True):
    return float(encoder.encode(a, contextual) @ encoder.encode(b, contextual))


def test_a_sentence_becomes_384_numbers_of_length_one(encoder):
    vector = encoder.encode("Can I bring my mum to the conference?")
    assert vector.shape == (384,) and vector.dtype == np.float32
    assert abs(float(np.linalg.norm(vector)) - 1) < 1e-5
    assert np.array_equal(vector, encoder.encode("Can I bring my mum to the conference?"))


def test_the_same_question_in_other_words_is_closer_than_another_question(encoder):
    question = "can I bring my mum to the meeting"
    same = similarity(encoder, question, "can my mother come with me to the conference")
    other = similarity(encoder, question, "when will I get the social worker's report")
    # A broken forward pass (padding tokens, a missing layer norm) puts every
    # sentence close together (0.84 against 0.80 with padding left in); the
    # real model separates them clearly (about 0.73 against 0.12).
    assert same > 0.6 and other < 0.3


def test_word_vectors_alone_are_cheaper_but_different(encoder):
    text = "what is a core group"
    assert not np.allclose(encoder.encode(text, contextual=False), encoder.encode(text))
    assert abs(float(np.linalg.norm(encoder.encode(text, contextual=False))) - 1) < 1e-5


def test_a_sentence_read_again_is_not_computed_again_and_is_the_same(encoder, monkeypatch):
    text = "the social worker said my case goes to conference in march"
    first = encoder.encode(text)
    computed = []
    monkeypatch.setattr(
        encoder, "_encode_all", lambda texts, *a: computed.append(texts) or [np.zeros(384, np.float32) for _ in texts]
    )
    again = encoder.encode(text.upper().replace(" ", "  "))  # the tokenizer ignores case and spacing
    assert again is first and computed == []
    assert not first.flags.writeable  # kept: nobody may change it in place
    assert encoder.encode(text, contextual=False) is not first and len(computed) == 1  # kept apart
    monkeypatch.undo()
    fresh = SentenceEncoder(SentenceEncoder.default_path()).encode(text)
    assert np.array_equal(fresh, first)


def test_several_sentences_are_read_in_one_pass_as_each_would_be_alone(encoder, monkeypatch):
    texts = [
        "my son is on a plan",
        "",
        "the social worker never rings me back, and i don't know who else to ask about the core group",
        "MY SON IS ON A PLAN",  # the same tokens as the first: read once
        "why " * 500,  # cut at 128 tokens
    ]
    alone = [SentenceEncoder(SentenceEncoder.default_path()).encode(t) for t in texts]
    fresh = SentenceEncoder(SentenceEncoder.default_path())
    passes = []
    real = fresh._encode_all
    monkeypatch.setattr(fresh, "_encode_all", lambda ids, *a: passes.append(len(ids)) or real(ids, *a))
    together = fresh.encode_many(texts)
    assert passes == [4]
    assert together[0] is together[3]
    for one, other in zip(alone, together, strict=True):
        # The products over more tokens at once may round the last bit otherwise.
        assert other.shape == (384,) and np.allclose(one, other, atol=1e-6)
    assert all(a is b for a, b in zip(fresh.encode_many(texts[:2]), together, strict=False)) and passes == [4]  # kept
    assert fresh.encode(texts[2]) is together[2] and passes == [4]


def test_only_the_latest_vectors_are_kept(encoder, monkeypatch):
    monkeypatch.setattr(SentenceEncoder, "KEPT", 3)
    small = SentenceEncoder(SentenceEncoder.default_path())
    for word in ("one", "two", "three", "four", "five"):
        small.encode(word, contextual=False)
    assert len(small._kept) == 3


@pytest.mark.parametrize("text", ["", "😢😢😢", "<script>alert(1)</script>", "why " * 5000, "\u0000\n\t"])
def test_odd_messages_still_give_a_vector(encoder, text):
    vector = encoder.encode(text)
    assert vector.shape == (384,) and np.all(np.isfinite(vector))


def test_a_missing_model_says_how_to_install_it(tmp_path):
    with pytest.raises(SentenceModelMissing, match="make venvs"):
        SentenceEncoder(tmp_path)


def test_the_fingerprint_follows_the_weights(encoder):
    assert len(encoder.fingerprint) == 64 and encoder.fingerprint == encoder.fingerprint


# ------------------------------------------------------------------- Rasa steps
def test_the_featurizer_adds_scaled_word_vectors_as_sentence_features(encoder):
    featurizer = WordVectorsFeaturizer({**WordVectorsFeaturizer.get_default_config(), "scale": 10.0}, "wv")
    message = Message(data={TEXT: "who will be at the meeting"})
    featurizer.process([message])
    _, sentence = message.get_dense_features(TEXT)
    assert sentence.features.shape == (1, 384)
    assert np.allclose(sentence.features[0], encoder.encode("who will be at the meeting", contextual=False) * 10)
    empty = Message(data={TEXT: ""})
    featurizer.process([empty])
    assert empty.get_dense_features(TEXT) == (None, None)


EXAMPLES = {
    "bring_someone": [
        "can I bring my mum",
        "can my sister come with me",
        "can a friend support me",
        "is my partner allowed to come",
        "can I bring a supporter",
    ],
    "report_date": [
        "when do I get the report",
        "when will the report come",
        "how long before the meeting is the report",
        "when should I receive the social worker's report",
        "the report date",
    ],
}


def with_counts(text, intent=None):
    """A message as the count featurizers leave it: a sparse sentence row."""
    message = Message(data={TEXT: text, **({INTENT: intent} if intent else {})})
    row = scipy.sparse.coo_matrix(np.array([[len(text) % 7, 1.0]]))
    message.add_features(Features(row, FEATURE_TYPE_SENTENCE, TEXT, "counts"))
    return message


def trained(tmp_path, consult_below=0.7, **settings):
    tmp_path.mkdir(parents=True, exist_ok=True)
    storage = LocalModelStorage(tmp_path)
    resource = Resource("second_opinion")
    context = ExecutionContext(GraphSchema({}), "test")
    config = {**SecondOpinionClassifier.get_default_config(), "consult_below": consult_below, **settings}
    classifier = SecondOpinionClassifier.create(config, storage, resource, context)
    classifier.train(TrainingData([with_counts(t, i) for i, texts in EXAMPLES.items() for t in texts]))
    return SecondOpinionClassifier.load(config, storage, resource, context)


def unsure(text, intent, confidence):
    message = with_counts(text)
    message.set(INTENT, {"name": intent, "confidence": confidence})
    message.set(INTENT_RANKING_KEY, [{"name": intent, "confidence": confidence}])
    return message


def test_an_unsure_first_guess_gets_a_second_opinion_from_the_saved_model(tmp_path):
    classifier = trained(tmp_path)
    message = unsure("is it ok if my auntie comes along", "report_date", 0.4)
    classifier.process([message])
    assert message.get(INTENT)["name"] == "bring_someone"
    assert message.get(INTENT_RANKING_KEY)[0] == message.get(INTENT)
    assert {r["name"] for r in message.get(INTENT_RANKING_KEY)} == {"bring_someone", "report_date"}
    assert message.get("second_opinion") == {"first": "report_date", "first_confidence": 0.4}


def test_a_confident_first_guess_is_left_alone(tmp_path):
    classifier = trained(tmp_path)
    message = unsure("is it ok if my auntie comes along", "report_date", 0.9)
    classifier.process([message])
    assert message.get(INTENT) == {"name": "report_date", "confidence": 0.9}
    assert message.get("second_opinion") is None


def test_without_a_saved_model_the_first_guess_stands(tmp_path):
    context = ExecutionContext(GraphSchema({}), "test")
    classifier = SecondOpinionClassifier.load(
        SecondOpinionClassifier.get_default_config(), LocalModelStorage(tmp_path), Resource("nothing"), context
    )
    message = unsure("can my sister come", "report_date", 0.2)
    classifier.process([message])
    assert message.get(INTENT)["name"] == "report_date"


def test_rasa_side_matrix_products_use_one_thread():
    from threadpoolctl import threadpool_info

    from companion.sentence_model import use_one_blas_thread

    use_one_blas_thread()  # as companion/server.py does at start-up
    blas = [pool for pool in threadpool_info() if pool["user_api"] == "blas"]
    assert blas and all(pool["num_threads"] == 1 for pool in blas)


# The second opinion blended with the first classifier (its `blend`), read
# always, or on the sentence vector alone (`with_counts`).
def confidences(message):
    return {r["name"]: r["confidence"] for r in message.get(INTENT_RANKING_KEY)}


def test_blended_the_two_opinions_are_averaged(tmp_path):
    text = "is it ok if my auntie comes along"
    alone = unsure(text, "report_date", 0.6)
    trained(tmp_path / "a", consult_below=1.01).process([alone])
    second = confidences(alone)
    mixed = unsure(text, "report_date", 0.6)
    trained(tmp_path / "b", consult_below=1.01, blend=0.5).process([mixed])
    got = confidences(mixed)
    total = 0.5 * 1.0 + 0.5 * 0.6  # the second opinion sums to 1, the first ranking to 0.6
    assert got["report_date"] == pytest.approx((0.5 * second["report_date"] + 0.3) / total)
    assert got["bring_someone"] == pytest.approx(0.5 * second["bring_someone"] / total)
    assert sum(got.values()) == pytest.approx(1.0)
    assert mixed.get(INTENT) == mixed.get(INTENT_RANKING_KEY)[0]


def test_always_consulted_a_sure_first_guess_is_read_again(tmp_path):
    classifier = trained(tmp_path, consult_below=1.01)
    message = unsure("is it ok if my auntie comes along", "report_date", 0.99)
    classifier.process([message])
    assert message.get("second_opinion") == {"first": "report_date", "first_confidence": 0.99}


@pytest.mark.parametrize("blend", [0.0, -0.1, 1.5])
def test_a_blend_outside_0_to_1_is_refused(tmp_path, blend):
    with pytest.raises(ValueError, match="blend"):
        trained(tmp_path, blend=blend)


def test_without_counts_the_regression_reads_the_sentence_vector_alone(tmp_path):
    counted = trained(tmp_path / "a")
    vector_only = trained(tmp_path / "b", with_counts=False)
    message = unsure("is it ok if my auntie comes along", "report_date", 0.4)
    assert counted._features(message).shape[1] == 2 + 384  # the two count columns, then the vector
    assert vector_only._features(message).shape[1] == 384
    vector_only.process([message])
    assert message.get(INTENT)["name"] == "bring_someone"
