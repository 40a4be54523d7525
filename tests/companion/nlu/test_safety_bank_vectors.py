"""The safety net's bank is encoded at training time and kept in the model:
loading it encodes nothing but one check sentence, and gives the same vectors
the server would have computed at start-up (to float rounding)."""

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from threadpoolctl import threadpool_limits

from companion.nlu import components
from companion.nlu.components import SafetyCheckComponent, _still_valid
from companion.nlu.danger_bank import BANK_PATH, ROUTES, encode_all, read_bank, shipped_encoder
from companion.nlu.sentence_vectors import BATCH

EXAMPLES = [
    Message(data={TEXT: "the tortoise has escaped from the garden", INTENT: "parent_in_danger"}),
    Message(data={TEXT: "what is a core group", INTENT: "ask_core_group"}),
]


class Seen(list):
    """The sentences asked for, and (`calls`) how many at a time."""

    calls: list


class Counting:
    """The shipped encoder, counting the sentences it is asked for."""

    def __init__(self, seen):
        self.encoder, self.seen = shipped_encoder(), seen

    def encode(self, text):
        self.seen.append(text)
        self.seen.calls.append(1)
        return self.encoder.encode(text)

    def encode_many(self, texts):
        self.seen.extend(texts)
        self.seen.calls.append(len(texts))
        return self.encoder.encode_many(texts)


@pytest.fixture
def counted(monkeypatch):
    """The sentences the component encodes."""
    seen = Seen()
    seen.calls = []
    monkeypatch.setattr(components, "shipped_encoder", lambda *a: Counting(seen))
    return seen


def trained(tmp_path, config):
    (tmp_path / "model").mkdir(parents=True, exist_ok=True)
    storage, resource = LocalModelStorage(tmp_path / "model"), Resource("safety")
    context = ExecutionContext(GraphSchema({}), "t")
    SafetyCheckComponent.create(config, storage, resource, context).train(TrainingData(EXAMPLES))
    return lambda: SafetyCheckComponent.load(config, storage, resource, context)


class Trained:
    """One training with the shipped bank (about 20 s), shared by this file's
    tests that only read it: its folder, a loader, and what training encoded."""

    def __init__(self, folder, seen):
        self.folder, self.seen = folder, seen
        self.load = trained(folder, SafetyCheckComponent.get_default_config())


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    seen = Seen()
    seen.calls = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(components, "shipped_encoder", lambda *a: Counting(seen))
        model = Trained(tmp_path_factory.mktemp("shipped"), seen)
    return model


def test_training_reads_every_text_once_a_few_dozen_at_a_time(shipped):
    bank = read_bank(BANK_PATH)
    counted = shipped.seen
    assert len(counted) == len(set(counted)) > len({t.strip().lower() for v in bank.values() for t in v})
    assert max(counted.calls) == BATCH and len(counted.calls) == -(-len(counted) // BATCH)


def test_loading_a_trained_model_encodes_one_check_sentence_not_the_bank(shipped, counted):
    shipped.load()
    assert len(counted) == 1


def test_the_stored_vectors_are_those_the_server_computes_at_start_up(shipped):
    load = shipped.load
    bank = read_bank(BANK_PATH)
    with threadpool_limits(limits=1, user_api="blas"):  # as the server (companion/server.py)
        fresh = encode_all(bank, shipped_encoder())
    matrices = load()._net.bank._matrices
    for key, matrix in fresh.items():
        # Routes have the trained examples' rows after the bank's own. Read a
        # few dozen a pass, a vector may differ in its last bit with the
        # pass it was read in (test_sentence_features.py).
        assert np.allclose(matrices[key][: len(matrix)], matrix, rtol=0, atol=1e-6), key
    assert matrices["parent_in_danger"].shape[0] == fresh["parent_in_danger"].shape[0] + 1
    assert matrices["safe"].shape[0] == fresh["safe"].shape[0] + 1


def test_loaded_and_unstored_banks_give_the_same_signals(shipped):
    stored = shipped.load()._net.bank
    rebuilt = SafetyCheckComponent(SafetyCheckComponent.get_default_config(), trained=_trained_rows(shipped.folder))
    for text in ("the tortoise has escaped from the garden", "i cant go on. he hits me", "what is a core group"):
        a, b = stored.nearest(text), rebuilt._net.bank.nearest(text)
        for route in ROUTES:
            assert a[route].similarity == pytest.approx(b[route].similarity, abs=1e-5)
            assert a[route].safe == pytest.approx(b[route].safe, abs=1e-5)


def _trained_rows(tmp_path):
    with np.load(tmp_path / "model" / "safety" / SafetyCheckComponent.FILE) as stored:
        return {key: stored[key] for key in stored.files}


def test_a_sentence_added_to_the_bank_after_training_is_encoded_at_start_up(tmp_path, counted, small_bank):
    bank = small_bank
    config = {**SafetyCheckComponent.get_default_config(), "bank": str(bank)}
    load = trained(tmp_path, config)
    added = "my neighbour's parrot bit the postman"
    bank.write_text(_with_safe(bank, added), encoding="utf-8")
    counted.clear()
    matrices = load()._net.bank._matrices
    assert counted[1:] == [added]  # the check sentence, then the new one only
    assert any(np.allclose(row, shipped_encoder().encode(added), atol=1e-5) for row in matrices["safe"])


def _with_safe(bank, sentence):
    import yaml

    data = yaml.safe_load(bank.read_text(encoding="utf-8"))
    data["safe"].append(sentence)
    return yaml.safe_dump(data, allow_unicode=True)


def test_a_model_trained_before_the_vectors_were_kept_still_loads(tmp_path, shipped, counted):
    import shutil

    shutil.copytree(shipped.folder / "model", tmp_path / "model")
    storage, context = LocalModelStorage(tmp_path / "model"), ExecutionContext(GraphSchema({}), "t")
    config = SafetyCheckComponent.get_default_config()
    load = lambda: SafetyCheckComponent.load(config, storage, Resource("safety"), context)  # noqa: E731
    (tmp_path / "model" / "safety" / SafetyCheckComponent.BANK_FILE).unlink()
    loaded = load()
    assert loaded._net.bank.nearest("the tortoise has escaped from the garden")["parent_in_danger"].similarity > 0.99


def test_vectors_from_another_sentence_model_are_not_used():
    known = {"a sentence": np.ones(4, dtype=np.float32) / 2}
    assert _still_valid(known, lambda text: np.ones(4, dtype=np.float32) / 2) == known
    assert _still_valid(known, lambda text: np.array([1, 0, 0, 0], dtype=np.float32)) == {}
    assert _still_valid({}, lambda text: 1 / 0) == {}


def test_the_reader_is_fitted_with_the_model_and_kept(tmp_path, shipped, small_bank):
    assert (shipped.folder / "model" / "safety" / SafetyCheckComponent.READER_FILE).is_file()
    net = shipped.load()._net
    assert net.reader is not None and set(net.reader.labels) == {"none", *ROUTES}
    reading = net.reader.read("he has a knife to my throat right now", net.encoder.encode_many)
    assert reading["parent_in_danger"].probability > reading["child_in_danger"].probability
    # Off in the config: not fitted, not used.
    config = {**SafetyCheckComponent.get_default_config(), "reader": False, "bank": str(small_bank)}
    off = trained(tmp_path / "off", config)
    assert not (tmp_path / "off" / "model" / "safety" / SafetyCheckComponent.READER_FILE).exists()
    assert off()._net.reader is None
