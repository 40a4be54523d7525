"""The numpy reference of the sentence model's forward pass
(companion/sentence_model.py, `reference_encode_all`: what ONNX Runtime's
vectors are held to) works in place and its GELU by blocks: faster, and
the same numbers to the last bit as the plain expressions it replaced, for a read of one piece and for a pass
of many (over 171 tokens numpy reuses the residual sums' arrays in place,
which decides the layout the layer norm's means are summed in)."""

from __future__ import annotations

import numpy as np
import pytest

from companion import sentence_model
from companion.sentence_model import SentenceEncoder, _erf, _gelu, _gelu_in_place, _layer_norm


def plain_gelu(x):
    out = _erf(x * np.float32(1 / np.sqrt(2)))
    out += 1.0
    out *= x
    out *= 0.5
    return out


def plain_layer_norm(x, gain, bias, eps):
    mean = x.mean(-1, keepdims=True)
    centred = x - mean
    variance = (centred * centred).mean(-1, keepdims=True)
    return centred / np.sqrt(variance + eps) * gain + bias


def plain_encode_all(encoder, texts):
    """The forward pass as it was written before (f6e2b98), new arrays at every step."""
    lengths = [len(ids) for ids in texts]
    ends = np.cumsum(lengths).tolist()
    spans = list(zip([0] + ends[:-1], ends, strict=True))
    x = encoder.words[[i for ids in texts for i in ids]] + encoder.positions[[p for n in lengths for p in range(n)]]
    x = plain_layer_norm(x + encoder.token_type, *encoder.embedding_norm, encoder.eps)
    heads, size, width = encoder.heads, encoder.width // encoder.heads, encoder.width
    scale = np.float32(1 / np.sqrt(size))
    dense = sentence_model._dense
    for layer in encoder.layers:
        qkv = dense(x, layer["qkv"], layer["qkv_bias"])
        context = np.empty_like(x)
        for a, b in spans:
            n = b - a
            q, k, v = (
                qkv[a:b, i * width : (i + 1) * width].reshape(n, heads, size).transpose(1, 0, 2) for i in range(3)
            )
            scores = (q @ k.transpose(0, 2, 1)) * scale
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context[a:b] = (scores @ v).transpose(1, 0, 2).reshape(n, width)
        x = plain_layer_norm(
            x + dense(context, layer["out"], layer["out_bias"]), layer["norm1"], layer["norm1_bias"], encoder.eps
        )
        hidden = plain_gelu(dense(x, layer["up"], layer["up_bias"]))
        x = plain_layer_norm(
            x + dense(hidden, layer["down"], layer["down_bias"]), layer["norm2"], layer["norm2_bias"], encoder.eps
        )
    out = []
    for a, b in spans:
        sentence = x[a:b].mean(0)
        out.append(sentence / max(float(np.linalg.norm(sentence)), 1e-12))
    return out


@pytest.fixture(scope="module")
def encoder():
    return SentenceEncoder(SentenceEncoder.default_path())


def test_the_gelu_by_blocks_is_the_plain_gelu_in_both_layouts():
    rng = np.random.default_rng(19)
    for shape in ((3, 1536), (100, 1536), (250, 1536)):  # under one block, one and a half, several
        x = rng.normal(0.0, 3.0, size=shape).astype(np.float32)
        for layout in (np.ascontiguousarray(x), np.asfortranarray(x)):
            expected = plain_gelu(layout)
            got = _gelu_in_place(layout.copy(order="K"))
            assert np.array_equal(got, expected)
        assert np.array_equal(_gelu(x), plain_gelu(x))


def test_the_gelu_works_in_its_own_array_and_refuses_a_view_it_cannot_change():
    x = np.linspace(-5, 5, 3 * 1536, dtype=np.float32).reshape(3, 1536)
    kept = x.copy()
    assert _gelu_in_place(x) is x
    assert np.array_equal(x, plain_gelu(kept))
    with pytest.raises(ValueError):
        _gelu_in_place(np.zeros((4, 10), dtype=np.float32)[:, ::2])
    assert np.array_equal(_gelu(kept), x) and not np.array_equal(kept, x)  # _gelu leaves its input alone


def test_the_layer_norm_in_place_is_the_plain_one_in_both_layouts():
    rng = np.random.default_rng(5)
    gain, bias = rng.normal(size=384).astype(np.float32), rng.normal(size=384).astype(np.float32)
    for n in (1, 40, 300):
        x = rng.normal(0.0, 2.0, size=(n, 384)).astype(np.float32)
        for layout in (np.ascontiguousarray(x), np.asfortranarray(x)):
            expected = plain_layer_norm(layout, gain, bias, 1e-12)
            assert np.array_equal(_layer_norm(layout.copy(order="K"), gain, bias, 1e-12), expected)


def test_the_reference_pass_gives_the_plain_forward_pass_numbers_to_the_last_bit(encoder):
    texts = [
        "can i bring my mum to the conference",
        "wat happens if i dont go",
        "He has a knife and he's at the door",
        "My social worker said the plan might change. What is a core group and who comes to it?"
        " Will my ex be there too?",
    ]
    ids = [tuple(e.ids) for e in encoder.tokenizer.encode_batch(texts)]
    for pass_ in ([ids[0]], [ids[3]], ids, ids * 4):  # ids * 4: over 171 tokens in one pass
        for got, expected in zip(encoder.reference_encode_all(pass_), plain_encode_all(encoder, pass_), strict=True):
            assert np.array_equal(got, expected)
