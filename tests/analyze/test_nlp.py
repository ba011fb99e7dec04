"""Model loading: sha256 verification and paragraph-aware sentence starts."""

from __future__ import annotations

import shutil

import pytest

from corroborate.analyze.nlp import ModelIntegrityError, model_dir, verify_model


def test_installed_model_verifies():
    assert verify_model() == model_dir()


def test_tampered_model_is_refused(tmp_path):
    copy = tmp_path / "model"
    shutil.copytree(model_dir(), copy)
    with (copy / "ner" / "model").open("ab") as handle:
        handle.write(b"\x00")
    with pytest.raises(ModelIntegrityError, match="ner/model has sha256"):
        verify_model(copy)


def test_missing_model_file_is_refused(tmp_path):
    copy = tmp_path / "model"
    shutil.copytree(model_dir(), copy)
    (copy / "parser" / "moves").unlink()
    with pytest.raises(ModelIntegrityError, match="model file missing"):
        verify_model(copy)


def test_pipeline_components(nlp):
    assert nlp.pipe_names == ["tok2vec", "corroborate_paragraphs", "parser", "corroborate_roles", "ner"]


def test_a_line_break_always_starts_a_sentence(nlp):
    doc = nlp("Market attack leaves 15 dead\nGunmen struck the market on Saturday")
    assert [s.text.strip() for s in doc.sents] == ["Market attack leaves 15 dead", "Gunmen struck the market on Saturday"]
