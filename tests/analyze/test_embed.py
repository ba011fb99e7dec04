"""Sentence embeddings: the verified int8 MiniLM model on onnxruntime (the optional ``embed`` extra)."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from corroborate.analyze import embed
from corroborate.analyze.nlp import ModelIntegrityError

pytestmark = pytest.mark.skipif(not embed.available(), reason="the optional 'embed' extra is not installed")

FERRY = "Firefighters pulled three crew members from the burning ferry before dawn on Tuesday."
PARAPHRASE = "Before sunrise on Tuesday, rescuers brought a trio of sailors out of the vessel, which was on fire."
UNRELATED = "The city council approved a new budget for road repairs in the northern districts."


def test_vectors_are_unit_length_and_paraphrases_are_close():
    vectors = embed.load_embedder().encode([FERRY, PARAPHRASE, UNRELATED])
    assert vectors.shape == (3, embed.DIM)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    sims = vectors @ vectors.T
    assert sims[0, 1] > 0.65  # measured 0.73
    assert sims[0, 2] < 0.2 and sims[1, 2] < 0.2


def test_batching_does_not_change_vectors():
    embedder = embed.load_embedder()
    texts = [FERRY, PARAPHRASE, UNRELATED] * 30  # more than one batch, mixed lengths
    together = embedder.encode(texts)
    alone = embedder.encode([PARAPHRASE])
    assert np.allclose(together[1], alone[0], atol=1e-4)
    assert np.allclose(together[1], together[88], atol=1e-6)


def test_empty_input_gives_no_vectors():
    assert embed.load_embedder().encode([]).shape == (0, embed.DIM)


def test_a_tampered_file_is_refused(tmp_path):
    fake = tmp_path / "model.onnx"
    fake.write_bytes(b"not the model")
    with pytest.raises(ModelIntegrityError, match="sha256"):
        embed._check(fake, embed.MODEL_SHA256)


def test_missing_extra_is_one_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import fails as if not installed
    with pytest.raises(embed.EmbeddingsUnavailable, match=r"pip install 'corroborate\[embed\]'"):
        embed.Embedder()
