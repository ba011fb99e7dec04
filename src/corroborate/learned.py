"""Loading the package's learned models: each is a small JSON file under a ``data/`` folder,
checked against the sha256 recorded in ``corroborate/data/models.sha256.json`` before use.

A mismatch (a file edited, truncated or swapped) refuses to run with
:class:`ModelIntegrityError`. The ``make train-...`` targets rewrite both the model file and
its sum (:func:`record_sha256`).
"""

from __future__ import annotations

import hashlib
import json
from importlib import resources
from pathlib import Path


class ModelIntegrityError(RuntimeError):
    """A shipped model file does not match its recorded sha256."""


def _manifest_path() -> Path:
    return Path(str(resources.files("corroborate").joinpath("data/models.sha256.json")))


def manifest() -> dict[str, str]:
    return json.loads(_manifest_path().read_text(encoding="utf-8"))["files"]


def checked_bytes(package: str, name: str, raw: bytes | None = None, *, what: str = "model file",
                  shown: str | None = None, rebuild: str = "its make train-... target") -> bytes:
    """The bytes of the shipped file ``name`` of ``package`` (or ``raw``, bytes said to be that
    file), after checking them against the sha256 recorded for it. ``what``, ``shown`` (the
    name in the message; the file's key by default) and ``rebuild`` word the error."""
    key = f"{package}/{name}"
    if raw is None:
        raw = resources.files(package).joinpath(name).read_bytes()
    expected = manifest().get(key)
    if expected is None:
        raise ModelIntegrityError(f"{what} {key} has no recorded sha256 in corroborate/data/models.sha256.json")
    actual = hashlib.sha256(raw).hexdigest()
    if actual != expected:
        raise ModelIntegrityError(f"{what} {shown or key} has sha256 {actual}, expected {expected}: reinstall corroborate or rebuild it with {rebuild}")
    return raw


def load_json_model(package: str, name: str) -> dict:
    """The parsed model file ``name`` (e.g. ``data/relevance.json``) of ``package``
    (e.g. ``corroborate.analyze``), after checking its sha256."""
    return json.loads(checked_bytes(package, name))


def write_json_model(package: str, name: str, data: dict, out: str | Path | None = None) -> Path:
    """Write a trained model as stable JSON (sorted keys, no spaces): into the package's own file
    (in a source checkout), recording its sha256; or, with ``out``, to that path only (a scratch
    copy, say to check that training reproduces the shipped file)."""
    target = Path(out) if out is not None else Path(str(resources.files(package).joinpath(name)))
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    if out is None:
        record_sha256(package, name, hashlib.sha256(text.encode("utf-8")).hexdigest())
    return target


def record_sha256(package: str, name: str, digest: str) -> None:
    path = _manifest_path()
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {"files": {}}
    data.setdefault("_doc", "sha256 of each learned model file the package ships; checked at load (corroborate.learned).")
    data["files"][f"{package}/{name}"] = digest
    data["files"] = dict(sorted(data["files"].items()))
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def out_option(argv: list[str]) -> tuple[list[str], Path | None]:
    """A training command's arguments without ``--out PATH``, and that path (None: the package's
    own file)."""
    argv = list(argv)
    if "--out" not in argv:
        return argv, None
    k = argv.index("--out")
    return argv[:k] + argv[k + 2 :], Path(argv[k + 1])
