"""A run into a store: ``corroborate run INPUT... --db URL``.

1. Runs into one database take turns (:meth:`~corroborate.stores.sql.SqlStore.run_lock`).
2. A first pass reads each input as the run will, cleans it, and compares its content hash
   (:func:`~corroborate.stores.sql.content_hash`: text, title, published, url, source) with the
   stored one: the same report again is ``unchanged`` and left out of the run; the same id with
   other content is a new ``version``; any other is ``added``. (Inputs are read twice: a URL is
   fetched twice; standard input cannot be read twice and is refused with ``--db``.)
3. The stored reports and incidents are the run's previous run (as ``--previous DIR``): their
   incidents keep their ids, new reports join them or form new ones, and only new reports are
   analyzed. A report with a new version leaves the previous set; its new version is analyzed.
4. One transaction stores it all (:meth:`~corroborate.stores.sql.SqlStore.save`): the new reports
   and versions, the carried reports whose incident-stage part changed (``derived_from``), the
   incidents, and the incidents no longer there. A run killed before it leaves the store as it
   was, and a run again completes it.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from corroborate.pipeline import Result, iter_raw, stream
from corroborate.records import Incident, Report
from corroborate.stores.sql import SqlStore, content_hash


@dataclass
class StoreRun:
    """What a run into a store did: the pipeline's result (its outputs, staged), the run's id in
    the store, and the reports it added, stored as new versions, and left out as unchanged."""

    result: Result
    run_id: int
    added: list[str] = field(default_factory=list)
    versioned: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def classify(inputs: Iterable, store: SqlStore, options=None) -> tuple[set[str], set[str], set[str]]:
    """(added, versioned, unchanged) ids of the inputs against the store (the first pass)."""
    from corroborate.steps.clean import to_report

    hashes: dict[str, str] = {}
    for raw in iter_raw(inputs, Result(), options=options):  # bad inputs are reported by the run itself
        hashes.setdefault(raw.id, content_hash(to_report(raw)))
    stored = store.content_hashes(hashes)
    unchanged = {i for i, h in hashes.items() if stored.get(i) == h}
    versioned = {i for i in hashes if i in stored} - unchanged
    return set(hashes) - set(stored), versioned, unchanged


def export_previous(store: SqlStore, folder: Path, leave_out: set[str]) -> set[str]:
    """Write the stored reports (but ``leave_out``) and incidents into ``folder`` as a run's
    outputs, for the run to read as its previous run; returns the stored incident ids."""
    with (folder / "reports.jsonl").open("w", encoding="utf-8") as handle:
        for line in store.report_lines():
            if not leave_out or json.loads(line)["id"] not in leave_out:
                handle.write(line + "\n")
    ids = set()
    with (folder / "incidents.jsonl").open("w", encoding="utf-8") as handle:
        for line in store.incident_lines():
            ids.add(json.loads(line)["id"])
            handle.write(line + "\n")
    return ids


def run_into_store(inputs: list, store: SqlStore, out_dir: str | os.PathLike, **options) -> StoreRun:
    """The run (:func:`corroborate.pipeline.stream` into ``out_dir``, with ``options``), then its
    results stored in one transaction. See the module's description."""
    if any(str(item) == "-" for item in inputs):
        raise ValueError("standard input (-) cannot be read with --db: save it to a file first")
    with store.run_lock():
        run_id = store.begin_run([str(item) for item in inputs])
        try:
            done = _run(inputs, store, out_dir, run_id, options)
        except BaseException:
            store.finish_run(run_id, "failed", 0, 0, 0)
            raise
        store.finish_run(run_id, "done", len(done.added), len(done.unchanged), len(done.versioned))
        return done


def _run(inputs: list, store: SqlStore, out_dir, run_id: int, options: dict) -> StoreRun:
    added, versioned, unchanged = classify(inputs, store, options.get("options"))
    with tempfile.TemporaryDirectory(prefix="corroborate-store-") as tmp:
        stored_incidents = export_previous(store, Path(tmp), versioned)
        result = stream(inputs, out_dir, previous=tmp, admit=lambda raw: raw.id not in unchanged, **options)
    fresh = added | versioned
    new, refreshed = [], []
    for ident, line in zip(result.reports.ids, result.reports.lines()):  # type: ignore[attr-defined]
        if ident in fresh:
            new.append((Report.model_validate_json(line), line))
        else:
            refreshed.append((ident, line))
    incidents = [(Incident.model_validate_json(line), line) for line in result.incidents.lines()]  # type: ignore[attr-defined]
    saved = store.save(new, refreshed, incidents, stored_incidents - {i.id for i, _ in incidents}, run_id=run_id)
    return StoreRun(result=result, run_id=run_id, added=saved.added, versioned=saved.versioned,
                    unchanged=sorted(unchanged))
