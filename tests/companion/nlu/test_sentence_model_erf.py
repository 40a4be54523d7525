"""The sentence model's GELU uses a fast rational erf: it must stay within
float32 rounding of scipy's erf, and the vectors a message gets must stay
those of the exact GELU."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import erf

from companion import sentence_model
from companion.sentence_model import SentenceEncoder, _erf, _gelu


def test_erf_is_scipys_to_float32_rounding_over_the_whole_line():
    x = np.linspace(-12.0, 12.0, 240_001, dtype=np.float32)
    fast = _erf(x)
    assert fast.dtype == np.float32
    assert np.abs(fast - erf(x)).max() < 5e-7
    assert fast[0] == pytest.approx(-1.0) and fast[-1] == pytest.approx(1.0)


def test_erf_is_odd_and_leaves_its_input_alone():
    x = np.array([0.0, 0.3, 1.7, 3.9, 7.0], dtype=np.float32)
    kept = x.copy()
    assert np.array_equal(_erf(-x), -_erf(x))
    assert _erf(x)[0] == 0.0
    assert np.array_equal(x, kept)


def test_gelu_is_the_exact_gelu():
    x = np.random.default_rng(7).normal(0.0, 3.0, size=(40, 1536)).astype(np.float32)
    exact = 0.5 * x * (1.0 + erf(x / np.sqrt(np.float32(2.0))))
    assert np.abs(_gelu(x) - exact).max() < 2e-6


def test_a_message_gets_the_vector_of_the_exact_gelu(monkeypatch):
    """The numpy reference (the numbers ONNX Runtime's graph, which uses
    the exact erf, is held to: test_sentence_model_onnx.py)."""
    texts = ["can i bring my mum to the conference", "wat happens if i dont go", "He has a knife and he's at the door"]
    encoder = SentenceEncoder(SentenceEncoder.default_path())
    ids = [tuple(e.ids) for e in encoder.tokenizer.encode_batch(texts)]
    fast = encoder.reference_encode_all(ids)

    def exact_gelu(x):
        x[...] = 0.5 * x * (1.0 + erf(x * np.float32(1 / np.sqrt(2)))).astype(np.float32)
        return x

    monkeypatch.setattr(sentence_model, "_gelu_in_place", exact_gelu)
    exact = encoder.reference_encode_all(ids)
    assert not all(np.array_equal(a, b) for a, b in zip(fast, exact, strict=True))  # the patch took effect
    for a, b in zip(fast, exact, strict=True):
        assert float(a @ b) > 1 - 1e-6
        assert np.abs(a - b).max() < 1e-5
