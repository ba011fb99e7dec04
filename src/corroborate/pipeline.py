"""The pipeline: sources -> executor(steps) -> incidents -> writers.

:func:`stream` is the run itself, in bounded memory: inputs are read one at a time, the
per-report steps (:mod:`corroborate.steps`: clean, parse, analyze, assess, features) run over
batches on an executor (:mod:`corroborate.executors`: in this process, or a pool of ``workers``
processes) and each report is appended to a file as soon as it is
analyzed; only its clustering features stay in memory. Clustering then groups those
features, and each incident is reconciled from its own reports, read back from disk. The
``corroborate run`` command is :func:`stream` into ``--out`` plus
:func:`corroborate.report.write_documents`.

:func:`run` is the Python API: the same, returning the reports and incidents as lists.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from corroborate.executors import Executor, make_executor
from corroborate.ingest import iter_inputs
from corroborate.ingest.readers import (
    JSONL_SUFFIXES,
    SUPPORTED,
    RawDoc,
    ReadOptions,
    Skipped,
)
from corroborate.records import CONTRACT_VERSION, Incident, InputError, Report, Source
from corroborate.settings import Settings
from corroborate.steps import Analyzed, Failed

#: the major versions of the contract an earlier run's outputs may have (1.x records are upgraded
#: as they are read: :class:`corroborate.records.Signals`)
READABLE_MAJORS = ("1", "2")
BATCH_SIZE = 64  # for analyze_reports (bench and tests); runs use Settings.batch_size


@dataclass
class Result:
    """What a run produced. ``reports`` and ``incidents`` are lists (:func:`run`) or, for a
    streamed run (:func:`stream`), :class:`corroborate.store.JsonlStore` views of the output
    files, read back on demand."""

    reports: Sequence[Report] = field(default_factory=list)
    incidents: Sequence[Incident] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    warnings: list[InputError] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)  # files in input folders not read, with why
    previous: int = 0  # reports carried over from ``--previous``
    words: int = 0  # words in the new reports' texts
    sources: list[Source] | None = None  # the outlets, once aggregated
    first_report_at: float | None = None  # time.perf_counter() when the first report was analyzed

    @property
    def exit_code(self) -> int:
        """1 if any input was bad, else 0."""
        return 1 if self.errors else 0


def estimate_total(inputs: Iterable[str | os.PathLike]) -> int:
    """How many reports the inputs hold, for a progress bar: files, plus lines of JSONL files; a URL
    counts one, standard input none. Files that a run does not read (hidden ones, corroborate output
    folders) are not counted."""
    from corroborate.ingest.readers import folder_files, is_url

    total = 0
    for item in inputs:
        if is_url(item):
            total += 1
            continue
        if str(item) == "-":
            continue
        path = Path(item)
        files = folder_files(path) if path.is_dir() else [path]
        for file in files:
            if file.suffix.lower() in JSONL_SUFFIXES:
                try:
                    with file.open("rb") as handle:
                        total += sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
                except OSError:
                    total += 1
            elif file.suffix.lower() in SUPPORTED:
                total += 1
    return total


class PreviousRunError(ValueError):
    """``--previous DIR`` is not the output of an earlier compatible run."""


def _previous_records(directory: str | os.PathLike, name: str, model) -> Iterator[tuple[str, object]]:
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
            if item.schema_version.split(".")[0] not in READABLE_MAJORS:
                raise PreviousRunError(f"{path}:{lineno}: contract {item.schema_version}, this corroborate reads "
                                       f"{' and '.join(m + '.x' for m in READABLE_MAJORS)} and writes {CONTRACT_VERSION}")
            yield line, item


def load_previous(directory: str | os.PathLike) -> tuple[list[Report], list[Incident]]:
    """The reports and incidents an earlier ``corroborate run`` wrote to ``directory``."""
    reports = [item for _, item in _previous_records(directory, "reports.jsonl", Report)]
    incidents = [item for _, item in _previous_records(directory, "incidents.jsonl", Incident)]
    return reports, incidents


def _report_error(result: Result, error: InputError, on_error: Callable[[InputError], None] | None) -> None:
    result.errors.append(error)
    if on_error:
        on_error(error)


def iter_raw(
    inputs: Iterable[str | os.PathLike],
    result: Result,
    on_error: Callable[[InputError], None] | None = None,
    known: dict[str, str] | None = None,
    options: ReadOptions | None = None,
    on_warning: Callable[[InputError], None] | None = None,
    admit: Callable[[RawDoc], bool] | None = None,
) -> Iterator[RawDoc]:
    """Raw documents from the inputs, in input order; bad inputs and duplicate ids go to
    ``result.errors`` (and ``on_error``), files in directories that are not read to ``result.skipped``,
    and what a reader could not read of a kept document (a date, ...) to ``result.warnings``.
    ``admit``: a document it refuses is passed over silently (a store's unchanged report)."""
    seen: dict[str, str] = dict(known or {})
    for item in iter_inputs(inputs, options):
        if isinstance(item, Skipped):
            result.skipped.append(item)
            continue
        if isinstance(item, InputError):
            _report_error(result, item, on_error)
            continue
        if admit is not None and not admit(item):
            continue
        if item.id in seen:
            _report_error(result, InputError(input=item.origin, message=f"duplicate id '{item.id}': already read from {seen[item.id]}"), on_error)
            continue
        seen[item.id] = item.origin
        for message in item.warnings:
            warning = InputError(input=item.origin, message=message)
            result.warnings.append(warning)
            if on_warning:
                on_warning(warning)
        yield item


def analyze_reports(reports: Iterable[Report], *, batch_size: int = BATCH_SIZE) -> Iterator[Report]:
    """Parse already-cleaned reports with spaCy in batches (a long text in chunks, see
    :func:`corroborate.analyze.nlp.parse`), then analyze and assess each, in order."""
    from itertools import islice

    from corroborate.analyze import analyze_doc
    from corroborate.analyze.nlp import load_nlp, parse_all
    from corroborate.assess import assess_report

    nlp = load_nlp()
    reports = iter(reports)
    while batch := list(islice(reports, batch_size)):
        for doc, report in zip(parse_all([r.text for r in batch], nlp, batch_size=batch_size), batch):
            yield assess_report(analyze_doc(report, doc), doc)


def analyze_stream(raws: Iterable[RawDoc], executor: Executor, *, keep_lead: bool = False,
                   settings: Settings | None = None) -> Iterator[Analyzed | Failed]:
    """The per-report steps over ``raws`` (:func:`corroborate.steps.analyze_batch`), batch by batch on
    ``executor``, in input order. In one process the features come unsigned (the caller signs them
    in chunks, so that a small run never imports datasketch before its first report is out); pool
    workers sign their own."""
    from functools import partial

    from corroborate.steps import analyze_batch, batched

    settings = settings or Settings()
    work = partial(analyze_batch, keep_lead=keep_lead, sign=executor.workers > 1)
    for out in executor.map(work, batched(raws, settings.batch_size, settings.batch_chars)):
        yield from out


def stream(
    inputs: Iterable[str | os.PathLike],
    out_dir: str | os.PathLike,
    *,
    on_report: Callable[[str], None] | None = None,
    on_error: Callable[[InputError], None] | None = None,
    on_warning: Callable[[InputError], None] | None = None,
    previous: str | os.PathLike | None = None,
    embeddings: bool = False,
    workers: int = 1,
    on_stage: Callable[[str], None] | None = None,
    options: ReadOptions | None = None,
    settings: Settings | None = None,
    admit: Callable[[RawDoc], bool] | None = None,
) -> Result:
    """Run the whole pipeline, writing ``reports.jsonl`` and ``incidents.jsonl`` into ``out_dir``.

    Memory stays bounded as the input grows: reports are analyzed in batches and appended
    to a work file as they come; in memory stay only each report's clustering features
    (a MinHash signature and its name sets) and offsets. The returned result's ``reports``
    and ``incidents`` read the output files back on demand. Both files are written under
    temporary names and renamed when complete; a run that raises (or is interrupted) removes
    its temporary files, and leaves no partial output under the final names. (``corroborate
    run`` goes further: ``out_dir`` is a new folder, swapped in whole for ``--out`` at the end;
    see :class:`corroborate.report.StagedOutput`.)

    ``on_report`` is called with each report's id as soon as it is analyzed. Bad inputs never stop the run: each becomes one :class:`InputError` in
    ``result.errors`` (and is passed to ``on_error`` as it is found). Reports that are all
    boilerplate are kept, with a warning in ``result.warnings``.

    ``previous`` is the output directory of an earlier run: its reports are kept
    (ids must stay unique), its incidents keep their ids, and the new reports join them or
    form new incidents. Raises :class:`PreviousRunError` if the directory is not such an
    output. It may be ``out_dir`` itself: it is read in full before anything is replaced.

    ``embeddings`` adds sentence embeddings (the optional ``embed`` extra) to clustering
    and claim alignment. The model is loaded and verified first, so that a missing extra
    (:class:`corroborate.analyze.embed.EmbeddingsUnavailable`) fails before any work.

    ``workers``: processes for the per-report steps (a pool executor, :mod:`corroborate.executors`,
    each worker started by :func:`corroborate.steps.prepare`); the output does not depend on it.
    ``admit``: inputs it refuses are left out (a store's unchanged reports: :mod:`corroborate.stores.run`).
    ``settings``: batch sizes and the like (:class:`corroborate.settings.Settings`). ``on_stage``
    is told when a later stage begins.
    """
    from corroborate.steps import prepare

    settings = settings or Settings()
    executor = make_executor(settings.executor, workers, initializer=prepare)
    embedder = None
    if embeddings:
        from corroborate.analyze.embed import load_embedder

        embedder = load_embedder()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    result = Result()
    work = _Work(out, settings, keep_lead=embedder is not None)
    incidents = reports = None
    done = False
    try:
        old_groups = work.carry(previous) if previous is not None else []
        result.previous = len(work.store)
        raws = iter_raw(inputs, result, on_error, work.known, options, on_warning, admit)
        work.analyze(analyze_stream(raws, executor, keep_lead=embedder is not None, settings=settings), result,
                     on_report, on_error, on_warning)
        if on_stage:
            on_stage("grouping into incidents")
        groups, owner, stats = work.group(old_groups, embedder)
        tally = _tally(work.outlets)
        incidents, derived = _reconcile(work.store, groups, owner, stats, embedder, out, tally)
        if on_stage:
            on_stage("writing reports.jsonl")
        reports = _write_reports(work, derived, out, tally)
        incidents.move(out / "incidents.jsonl")
        done = True
    finally:
        for store in (work.store, *([] if done else [reports, incidents])):
            if store is not None:
                with contextlib.suppress(OSError):  # a full disk fails the last flush: the file goes anyway
                    store.close()
                store.path.unlink(missing_ok=True)
    result.reports, result.incidents, result.sources = reports, incidents, tally.sources()
    return result


class _Work:
    """What a run gathers as its reports are read and analyzed: the reports themselves, on disk
    (``store``), and in memory each report's outlet, source and signal values (``digest``), and
    the clustering features of those that take part in incidents (``feats``, with their positions
    in ``store``: ``members``)."""

    def __init__(self, out: Path, settings: Settings, keep_lead: bool) -> None:
        from corroborate.store import JsonlStore

        self.store = JsonlStore(out / ".reports.analyzed.jsonl.tmp", Report)  # analyzed, before the incidents stage
        self.settings = settings
        self.keep_lead = keep_lead
        self.feats: list = []
        self.members: list[int] = []
        self.unsigned: list = []  # features still holding their shingles (one process: signed here, a chunk at a time)
        self.outlets: dict[str, str] = {}
        self.digest: list[tuple[str | None, tuple | None]] = []  # each report's source and signal values
        self.known: dict[str, str] = {}  # ids read from the previous run, and where

    def keep(self, feat) -> None:
        from corroborate.incidents.cluster import signatures

        self.feats.append(feat)
        self.members.append(len(self.store) - 1)
        if feat.minhash is None:
            self.unsigned.append(feat)
            if len(self.unsigned) >= self.settings.sign_chunk:
                signatures(self.unsigned)
                self.unsigned.clear()

    def carry(self, previous: str | os.PathLike) -> list[tuple[str, list[str]]]:
        """The previous run's reports, kept as they were; returns its incidents' (id, report ids)."""
        from corroborate.analyze import takes_part
        from corroborate.assess.sources import outlet_of, signal_values
        from corroborate.incidents.cluster import features

        where = f"the previous run ({Path(previous) / 'reports.jsonl'})"
        for _, report in _previous_records(previous, "reports.jsonl", Report):
            self.store.append_line(report.model_dump_json(), report.id)  # in this version's form
            if takes_part(report):
                self.keep(features(report, keep_lead=self.keep_lead))
            self.outlets[report.id] = outlet_of(report)
            self.digest.append((report.source, signal_values(report)))
            self.known[report.id] = where
        return [(inc.id, inc.reports) for _, inc in _previous_records(previous, "incidents.jsonl", Incident)]

    def analyze(self, analyzed: Iterable[Analyzed | Failed], result: Result, on_report, on_error, on_warning) -> None:
        """Each analyzed report appended as it comes; failures and warnings to ``result``."""
        for item in analyzed:
            if not isinstance(item, Analyzed):
                _report_error(result, item.error, on_error)
                continue
            if result.first_report_at is None:
                result.first_report_at = time.perf_counter()
            self.store.append_line(item.line, item.id)
            if item.features is not None:  # None: the report joins no incident
                self.keep(item.features)
            self.outlets[item.id] = item.outlet
            self.digest.append((item.source, item.signals))
            result.words += item.words
            if item.warning is not None:
                result.warnings.append(item.warning)
                if on_warning:
                    on_warning(item.warning)
            if on_report:
                on_report(item.id)

    def group(self, old_groups: list[tuple[str, list[str]]], embedder) -> tuple[list[list[int]], dict[int, str], dict]:
        """Link: the reports' groups (positions in ``store``), each earlier incident's reports kept
        together under its id (``owner``), and the linker's stats (near-copies among them)."""
        from corroborate.incidents.cluster import cluster_members

        position = {ident: i for i, ident in enumerate(self.store.ids)}
        fixed, owner = [], {}
        for ident, reports_of in old_groups:
            group = [position[r] for r in reports_of if r in position]
            if group:
                fixed.append(group)
                for i in group:
                    owner[i] = ident
        stats: dict = {}
        groups = cluster_members(self.feats, self.members, fixed, embedder, stats)  # signs what is left unsigned
        self.feats, self.unsigned = [], []
        return groups, owner, stats


def _tally(outlets: dict[str, str]):
    from corroborate.assess.sources import SourceTally

    return SourceTally(outlets)


def _reconcile(work, groups: list[list[int]], owner: dict[int, str], stats: dict, embedder, out: Path, tally):
    """Independence and reconciliation, one incident at a time, into ``incidents.jsonl.tmp``; then
    the near-copies across incidents. Returns the incidents and each derived report's derivations."""
    from corroborate.incidents import reconcile_groups
    from corroborate.incidents.derive import derivation
    from corroborate.store import JsonlStore

    derived: dict[int, list] = {}  # the derivations of the reports that reuse another's text
    incidents = JsonlStore(out / "incidents.jsonl.tmp", Incident)
    for group, incident, found in reconcile_groups(groups, work, owner, embedder):
        incidents.append(incident)
        tally.add_incident(incident)
        for i in group:
            if work.ids[i] in found:
                derived[i] = found[work.ids[i]]
    incident_of = {i: k for k, group in enumerate(groups) for i in group}
    for i, j in stats.get("near_copies", []):  # near-copies across incidents (within one, found above)
        if incident_of.get(i) != incident_of.get(j):
            found_across = derivation(work[i], work[j])
            if found_across is not None:
                k = i if found_across[0].id == work.ids[i] else j
                derived[k] = sorted([*derived.get(k, []), found_across[1]], key=lambda d: d.report)
    return incidents, derived


def _write_reports(work: _Work, derived: dict[int, list], out: Path, tally):
    """``reports.jsonl``: each report once, with the derivations the incidents stage found."""
    from corroborate.store import JsonlStore

    reports = JsonlStore(out / "reports.jsonl.tmp", Report, keep=lambda r: r.source)
    store = work.store
    for i, line in enumerate(store.lines()):
        source, values = work.digest[i]
        if i in derived or '"derived_from":[]' not in line:  # found now; or a previous run's, found again or not
            line = Report.model_validate_json(line).model_copy(update={"derived_from": derived.get(i, [])}).model_dump_json()
        reports.append_line(line, store.ids[i], source)
        tally.add_values(store.ids[i], values, work.outlets[store.ids[i]])
    reports.move(out / "reports.jsonl")
    return reports


def run(
    inputs: Iterable[str | os.PathLike],
    *,
    on_report: Callable[[str], None] | None = None,
    on_error: Callable[[InputError], None] | None = None,
    on_warning: Callable[[InputError], None] | None = None,
    previous: str | os.PathLike | None = None,
    embeddings: bool = False,
    workers: int = 1,
) -> Result:
    """Run the whole pipeline over files, directories and JSONL inputs; the reports and
    incidents come back as lists (see :func:`stream` for the arguments). For corpora too
    large to hold in memory, use :func:`stream` (what ``corroborate run`` does)."""
    with tempfile.TemporaryDirectory(prefix="corroborate-") as tmp:
        result = stream(inputs, tmp, on_report=on_report, on_error=on_error, on_warning=on_warning,
                        previous=previous, embeddings=embeddings, workers=workers)
        for store in (result.reports, result.incidents):
            store.close()
        result.reports, result.incidents = list(result.reports), list(result.incidents)
    return result
