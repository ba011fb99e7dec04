"""An earlier run's outputs, read back: ``--previous DIR``, and a store's contents (which a run
into a store reads as its previous run, :mod:`corroborate.stores.run`).

An earlier run's incidents keep their ids; its reports are kept as they were. Whether its
incidents may be kept as they were too, unless a new report joins them (``reconcile="touched"``,
:class:`corroborate.corpus.Reconcile`), depends on the *engine* that made them: the
corroborate version, the contract, the learned models (their sha256) and ``--embeddings``
(:func:`engine`). A run records its engine in its output folder's marker file (and a store in
its runs); an earlier run made by another engine, or that did not record one, has all its
incidents reconciled again.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from corroborate.records import CONTRACT_VERSION, Incident, Report

#: the major versions of the contract an earlier run's outputs may have (1.x records are upgraded
#: as they are read: :class:`corroborate.records.Signals`)
READABLE_MAJORS = ("1", "2")

M = TypeVar("M", bound=BaseModel)


class PreviousRunError(ValueError):
    """``--previous DIR`` is not the output of an earlier compatible run."""


def engine(embeddings: bool, deep_detect: bool = False) -> str:
    """What made a run's incidents, as a short hash: this corroborate's version, the contract,
    the sha256 of each learned model it ships, and whether sentence embeddings (and the deep
    detector, ``--deep-detect``) were used."""
    from corroborate import __version__
    from corroborate.learned import manifest

    made_by = {"corroborate": __version__, "contract": CONTRACT_VERSION, "models": manifest(),
               "embeddings": bool(embeddings)}
    if deep_detect:
        made_by["deep_detect"] = True
    return hashlib.sha256(json.dumps(made_by, sort_keys=True).encode()).hexdigest()[:16]


def previous_engine(directory: str | os.PathLike) -> str | None:
    """The engine an earlier run's output folder records in its marker file, or None."""
    from corroborate.sources.readers import OUTPUT_MARKER

    try:
        stamp = json.loads((Path(directory) / OUTPUT_MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    found = stamp.get("engine") if isinstance(stamp, dict) else None
    return found if isinstance(found, str) else None


def previous_records(directory: str | os.PathLike, name: str, model: type[M]) -> Iterator[tuple[str, M]]:
    """(line, record) for each line of ``directory/name``; raises :class:`PreviousRunError`."""
    folder = Path(directory)
    path = folder / name
    if not path.is_file():
        raise PreviousRunError(f"{folder} is not the output of an earlier run: {name} is missing")
    with path.open(encoding="utf-8") as handle:
        for lineno, line in enumerate(handle, start=1):
            try:
                item = model.model_validate_json(line)
            except ValueError as exc:
                raise PreviousRunError(f"{path}:{lineno}: not a valid record ({str(exc).splitlines()[0]})") from None
            version = str(getattr(item, "schema_version", ""))
            if version.split(".")[0] not in READABLE_MAJORS:
                raise PreviousRunError(f"{path}:{lineno}: contract {version}, this corroborate reads "
                                       f"{' and '.join(m + '.x' for m in READABLE_MAJORS)} and writes {CONTRACT_VERSION}")
            yield line, item


def load_previous(directory: str | os.PathLike) -> tuple[list[Report], list[Incident]]:
    """The reports and incidents an earlier ``corroborate run`` wrote to ``directory``."""
    reports = [item for _, item in previous_records(directory, "reports.jsonl", Report)]
    incidents = [item for _, item in previous_records(directory, "incidents.jsonl", Incident)]
    return reports, incidents
