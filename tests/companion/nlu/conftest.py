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


@pytest.fixture
def small_bank(tmp_path):
    """The shipped safety bank's first few sentences of each list: enough for
    tests that train the safety check with a changed bank or config, in a
    second rather than the twenty the whole bank takes."""
    import yaml

    from companion.nlu.danger_bank import BANK_PATH

    data = yaml.safe_load(BANK_PATH.read_text(encoding="utf-8"))
    path = tmp_path / "small_bank.yml"
    path.write_text(yaml.safe_dump({k: v[:6] for k, v in data.items()}, allow_unicode=True), encoding="utf-8")
    return path
