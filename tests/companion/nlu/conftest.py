"""Fixtures shared by the NLU step tests."""

from __future__ import annotations

import pytest

from companion.sentence_model import SentenceEncoder


@pytest.fixture
def passes(monkeypatch):
    """A fresh encoder (nothing kept) and the number of sequences in each of
    its passes through the six layers."""
    encoder = SentenceEncoder(SentenceEncoder.default_path())
    seen: list = []
    real = encoder._encode_all
    monkeypatch.setattr(encoder, "_encode_all", lambda ids, *a: seen.append(len(ids)) or real(ids, *a))
    return encoder, seen
