"""ONNX Runtime runs the sentence model's six layers (companion/sentence_model.py,
graph written by scripts/sentence_graph.py at install time): its vectors
must be the numpy reference's within float32 rounding, a text's tokens must
attend to that text's only (the mask), and a pass over RUN_TOKENS is cut
into runs of whole texts."""

from __future__ import annotations

import runpy
import shutil
from pathlib import Path

import numpy as np
import pytest

from companion import sentence_model
from companion.sentence_model import GRAPH_FILE, SentenceEncoder, SentenceModelMissing, _runs

ROOT = Path(__file__).resolve().parents[3]
TEXTS = [
    "can i bring my mum to the conference",
    "wat happens if i dont go",
    "He has a knife and he's at the door",
    "My social worker said the plan might change. What is a core group and who comes to it? Will my ex be there too?",
    "",
    "i'm scared they will take my kids",
]


@pytest.fixture(scope="module")
def encoder():
    return SentenceEncoder(SentenceEncoder.default_path())


@pytest.fixture(scope="module")
def ids(encoder):
    return [tuple(e.ids) for e in encoder.tokenizer.encode_batch(TEXTS)]


def test_the_vectors_are_the_numpy_references_for_one_text_and_for_a_pass(encoder, ids):
    for pass_ in ([ids[0]], [ids[3]], ids, ids * 6):  # ids * 6: over RUN_TOKENS, several runs
        got = encoder._encode_all(pass_, True)
        expected = encoder.reference_encode_all(pass_)
        for a, b in zip(got, expected, strict=True):
            assert np.abs(a - b).max() < 1e-5
            assert float(a @ b) > 1 - 1e-6


def test_every_tokens_output_is_the_numpy_references(encoder, ids):
    x, spans = encoder._embed(ids)
    got = encoder._layers(x.copy(), spans)
    expected = encoder.reference_layers(x.copy(), spans)
    assert got.shape == expected.shape == (sum(len(t) for t in ids), 384)
    assert np.abs(got - expected).max() < 5e-5
    # The model's outputs are of order 1: a wrong step would be far off.
    assert np.abs(expected).max() > 0.5


def test_a_text_attends_to_its_own_tokens_only(encoder, ids):
    alone = encoder._encode_all([ids[1]], True)[0]
    among = encoder._encode_all([ids[0], ids[1], ids[2]], True)[1]
    assert np.abs(alone - among).max() < 1e-6
    # Without the mask the other texts' tokens would change it: the graph's
    # mask input is what keeps them apart.
    x, spans = encoder._embed([ids[0], ids[1], ids[2]])
    (unmasked,) = encoder._session.run(["tokens"], {"x": x, "mask": np.zeros((len(x), len(x)), np.float32)})
    a, b = spans[1]
    mixed = unmasked[a:b].mean(0)
    assert float(alone @ (mixed / np.linalg.norm(mixed))) < 0.99


def test_runs_are_whole_texts_of_at_most_run_tokens():
    assert _runs([]) == []
    assert _runs([10, 20, 30], most=256) == [(0, 3)]
    assert _runs([100, 100, 100, 40], most=256) == [(0, 2), (2, 4)]
    assert _runs([300, 10, 128, 128, 1], most=256) == [(0, 1), (1, 3), (3, 5)]  # a longer text runs alone


def test_a_pass_over_run_tokens_is_cut_into_runs(encoder, ids, monkeypatch):
    calls = []
    real = encoder._session

    class Counting:
        def run(self, names, feeds):
            calls.append(len(feeds["x"]))
            return real.run(names, feeds)

    monkeypatch.setattr(encoder, "_session", Counting())
    encoder._encode_all(ids * 6, True)
    assert len(calls) > 1 and max(calls) <= sentence_model.RUN_TOKENS
    assert sum(calls) == 6 * sum(len(t) for t in ids)


def test_the_installed_graph_is_the_one_the_weights_give():
    """scripts/install-sentence-model wrote it from the same weights: a graph
    left from other weights, or from an older builder, fails here."""
    builder = runpy.run_path(str(ROOT / "scripts" / "sentence_graph.py"))
    folder = SentenceEncoder.default_path()
    assert (folder / GRAPH_FILE).read_bytes() == builder["graph_bytes"](folder)


def test_a_missing_graph_says_how_to_install_it(tmp_path):
    folder = SentenceEncoder.default_path()
    for name in ("config.json", "tokenizer.json", "model.safetensors"):
        shutil.copy(folder / name, tmp_path / name)
    with pytest.raises(SentenceModelMissing, match=GRAPH_FILE):
        SentenceEncoder(tmp_path)
    builder = runpy.run_path(str(ROOT / "scripts" / "sentence_graph.py"))
    builder["write"](tmp_path)
    assert SentenceEncoder(tmp_path).encode("can i bring my mum").shape == (384,)
