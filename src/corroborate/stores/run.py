"""A run into a store: ``corroborate run INPUT... --db URL``.

1. Runs into one database take turns (:meth:`~corroborate.stores.sql.SqlStore.run_lock`).
2. A first pass reads each input as the run will, cleans it, and compares its content hash
   (:func:`~corroborate.stores.sql.content_hash`: text, title, published, url, source) with the
   stored one: the same report again is ``unchanged`` and left out of the run; the same id with
   other content is a new ``version``; any other is ``added``. (Inputs are read twice: a URL is
   fetched twice; standard input is copied to a temporary file first.)
3. The stored reports and incidents are the run's previous run (as ``--previous DIR``): their
   incidents keep their ids, new reports join them or form new ones, and only new reports are
   analyzed. A report with a new version leaves the previous set; its new version is analyzed.
   Only the incidents the new reports touch are reconciled again: the others are kept as they
   were when the engine that made them (recorded with them, :meth:`~corroborate.stores.sql.SqlStore.incidents_engine`)
   is this run's (:mod:`corroborate.corpus.previous`).
4. One transaction stores what changed (:meth:`~corroborate.stores.sql.SqlStore.save`): the new
   reports and versions, the carried reports whose incident-stage part changed (``derived_from``),
   the incidents that are new or changed, the incidents no longer there, and the run's engine.
   A run killed before it leaves the store as it was, and a run again completes it.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from corroborate.faults import checkpoint
from corroborate.pipeline import Result, stream
from corroborate.records import Incident, Report
from corroborate.sources import iter_raw
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
    refreshed: int = 0  # stored reports whose derivations changed
    incidents_written: int = 0  # incidents stored anew (new, or changed by the reports that joined them)


def classify(inputs: Iterable, store: SqlStore, options=None,
             texts: dict[str, str] | None = None) -> tuple[set[str], set[str], set[str]]:
    """(added, versioned, unchanged) ids of the inputs against the store (the first pass);
    ``texts``, when given, gets each input's title and text by id."""
    from corroborate.steps.clean import to_report

    hashes: dict[str, str] = {}
    for raw in iter_raw(inputs, Result(), options=options):  # bad inputs are reported by the run itself
        report = to_report(raw)
        hashes.setdefault(raw.id, content_hash(report))
        if texts is not None:
            texts.setdefault(raw.id, f"{report.title or ''}\n{report.text}")
    stored = store.content_hashes(hashes)
    unchanged = {i for i, h in hashes.items() if stored.get(i) == h}
    versioned = {i for i in hashes if i in stored} - unchanged
    return set(hashes) - set(stored), versioned, unchanged


def export_previous(store: SqlStore, folder: Path, leave_out: set[str], scope: set[str] | None = None) -> Stored:
    """Write the stored reports (but ``leave_out``) and incidents into ``folder`` as a run's
    outputs, with a marker file naming the engine that made the incidents (:meth:`SqlStore.incidents_engine`),
    for the run to read as its previous run; returns what was stored, to tell what the run changed.
    ``scope``: only these incidents and their reports (None: everything)."""
    from corroborate.render.outputs import write_marker

    stored = Stored()
    members: set[str] | None = None
    with (folder / "incidents.jsonl").open("w", encoding="utf-8") as handle:
        if scope is None:
            lines: Iterable[str] = store.incident_lines()
        else:
            lines = store.incident_lines_of(scope)
            members = set()
        for line in lines:
            record = json.loads(line)
            stored.incidents[record["id"]] = _digest(line)
            if members is not None:
                members.update(record["reports"])
            handle.write(line + "\n")
    with (folder / "reports.jsonl").open("w", encoding="utf-8") as handle:
        report_lines = store.report_lines() if members is None else store.report_lines_of(sorted(members))
        for line in report_lines:
            ident = json.loads(line)["id"]
            if ident not in leave_out:
                handle.write(line + "\n")
                stored.reports[ident] = _digest(line)
    write_marker(folder, store.incidents_engine())
    return stored


@dataclass
class Stored:
    """A digest of each stored line, by report and by incident id."""

    reports: dict[str, bytes] = field(default_factory=dict)
    incidents: dict[str, bytes] = field(default_factory=dict)


def _digest(line: str) -> bytes:
    return hashlib.blake2b(line.encode("utf-8"), digest_size=16).digest()


def run_into_store(inputs: list, store: SqlStore, out_dir: str | os.PathLike, *, nearby: int | None = None,
                   **options) -> StoreRun:
    """The run (:func:`corroborate.pipeline.stream` into ``out_dir``, with ``options``), then its
    results stored in one transaction. See the module's description.

    ``nearby``: link the new reports against the stored incidents that hold the ``nearby`` stored
    reports best matching each new one by full-text search
    (:func:`corroborate.stores.browse.nearby_incidents`), and their versions' former incidents,
    instead of against every stored incident: what ``corroborate serve`` does, so that a report
    added to a large store is served in seconds. The other incidents are left as they are."""
    from corroborate.sources.readers import Stdin

    stdin = Stdin() if any(str(item) == "-" and not isinstance(item, Stdin) for item in inputs) else None
    if stdin is not None:  # read twice (below): copied to a temporary file first
        inputs = [stdin if str(item) == "-" else item for item in inputs]
    try:
        return _locked(inputs, store, out_dir, options, nearby)
    finally:
        if stdin is not None:
            stdin.close()


def _locked(inputs: list, store: SqlStore, out_dir: str | os.PathLike, options: dict, nearby: int | None) -> StoreRun:
    with store.run_lock():
        run_id = store.begin_run([str(item) for item in inputs])
        try:
            done = _run(inputs, store, out_dir, run_id, options, nearby)
            checkpoint("saved")
        except BaseException:
            store.finish_run(run_id, "failed", 0, 0, 0)
            raise
        store.finish_run(run_id, "done", len(done.added), len(done.unchanged), len(done.versioned))
        return done


def _run(inputs: list, store: SqlStore, out_dir, run_id: int, options: dict, nearby: int | None) -> StoreRun:
    texts: dict[str, str] | None = {} if nearby else None
    added, versioned, unchanged = classify(inputs, store, options.get("options"), texts)
    checkpoint("classified")
    scope = None
    if nearby and texts is not None:
        from corroborate.stores.browse import nearby_incidents

        new_texts = [texts[ident] for ident in sorted(added | versioned) if ident in texts]
        scope = nearby_incidents(store, new_texts, nearby) | set(store.incident_of(versioned).values())
    with tempfile.TemporaryDirectory(prefix="corroborate-store-") as tmp:
        stored = export_previous(store, Path(tmp), versioned, scope)
        result = stream(inputs, out_dir, previous=tmp, admit=lambda raw: raw.id not in unchanged, **options)
    checkpoint("reconciled")
    fresh = added | versioned
    new, refreshed = [], []
    for ident, line in zip(result.reports.ids, result.reports.lines()):  # type: ignore[attr-defined]
        if ident in fresh:
            new.append((Report.model_validate_json(line), line))
        elif stored.reports.get(ident) != _digest(line):  # its derivations changed
            refreshed.append((ident, line))
    incidents, kept = [], set()
    for ident, line in zip(result.incidents.ids, result.incidents.lines()):  # type: ignore[attr-defined]
        kept.add(ident)
        if stored.incidents.get(ident) != _digest(line):  # new, or reconciled to another record
            incidents.append((Incident.model_validate_json(line), line))
    saved = store.save(new, refreshed, incidents, set(stored.incidents) - kept, run_id=run_id, engine=result.engine)
    return StoreRun(result=result, run_id=run_id, added=saved.added, versioned=saved.versioned,
                    unchanged=sorted(unchanged), refreshed=len(refreshed), incidents_written=len(incidents))
