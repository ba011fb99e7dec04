"""The pipeline: sources -> steps (on an executor) -> corpus steps -> renderers.

::

    sources/          steps/ (executors/: local | pool | ray)     corpus/                        render/
    iter_raw ------>  clean -> parse -> analyze -> assess ->  Collected -> Link -> Reconcile  -> reports.jsonl
    (files, JSONL,    features          (a batch at a time)        (Independence) -> Sources  incidents.jsonl
     feeds, URLs,                                                                              sources.jsonl,
     WARC)                                                                                     report.md/.html

:func:`stream` is the run itself, in bounded memory: inputs are read one at a time, the
per-report steps run over batches on an executor, and each report is appended to a file as
soon as it is analyzed; only its clustering features stay in memory. The corpus steps then
group the reports and reconcile each incident from its own reports, read back from disk. The
``corroborate run`` command is :func:`stream` into ``--out`` plus
:func:`corroborate.render.write_documents` (or, with ``--db``, :mod:`corroborate.stores.run`).

:func:`run` is the Python API: the same, returning the reports and incidents as lists.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from corroborate.corpus import (
    Collected,
    Independence,
    Link,
    PreviousRunError,
    Reconcile,
    Sources,
    engine,
    previous_engine,
)
from corroborate.executors import make_executor
from corroborate.faults import checkpoint
from corroborate.records import Incident, InputError, Report, Source
from corroborate.render.outputs import write_marker
from corroborate.settings import Settings
from corroborate.sources import iter_raw
from corroborate.sources.readers import RawDoc, ReadOptions, Skipped
from corroborate.spill import JsonlSpill

__all__ = ["PreviousRunError", "Result", "run", "stream"]


@dataclass
class Result:
    """What a run produced. ``reports`` and ``incidents`` are lists (:func:`run`) or, for a
    streamed run (:func:`stream`), :class:`corroborate.spill.JsonlSpill` views of the output
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
    reconciled: int = 0  # incidents reconciled by this run
    kept: int = 0  # an earlier run's incidents no new report touched, kept as they were
    engine: str = ""  # what made the incidents (corroborate.corpus.engine)
    workers: int = 1  # the executor's workers (Ray: tasks at once)

    @property
    def exit_code(self) -> int:
        """1 if any input was bad, else 0."""
        return 1 if self.errors else 0


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
    see :class:`corroborate.render.StagedOutput`.)

    ``on_report`` is called with each report's id as soon as it is analyzed. Bad inputs never stop the run: each becomes one :class:`InputError` in
    ``result.errors`` (and is passed to ``on_error`` as it is found). Reports that are all
    boilerplate are kept, with a warning in ``result.warnings``.

    ``previous`` is the output directory of an earlier run: its reports are kept
    (ids must stay unique), its incidents keep their ids, and the new reports join them or
    form new incidents. Its incidents that no new report touches are kept as they were, not
    reconciled again, when the same engine made them (:mod:`corroborate.corpus.previous`;
    ``Settings(reconcile="all")`` reconciles them all). Raises :class:`PreviousRunError` if the
    directory is not such an output. It may be ``out_dir`` itself: it is read in full before
    anything is replaced.

    ``embeddings`` adds sentence embeddings (the optional ``embed`` extra) to clustering
    and claim alignment. The model is loaded and verified first, so that a missing extra
    (:class:`corroborate.analyze.embed.EmbeddingsUnavailable`) fails before any work.

    ``workers``: processes for the per-report steps (a pool executor, :mod:`corroborate.executors`,
    each worker started by :func:`corroborate.steps.prepare`); the output does not depend on it.
    With ``Settings(executor="ray")`` (``--engine ray``) the per-report steps, the linking and the
    reconciliation run as Ray tasks (on ``settings.ray_address``, or a Ray started here), with the
    same output.
    ``admit``: inputs it refuses are left out (a store's unchanged reports: :mod:`corroborate.stores.run`).
    ``settings``: batch sizes and the like (:class:`corroborate.settings.Settings`). ``on_stage``
    is told when a later stage begins.
    """
    from corroborate.steps import prepare, run_steps

    settings = settings or Settings()
    options = options or settings.read_options()
    embedder = _embedder() if embeddings else None
    if settings.deep_detect:
        _language_model()
    start = partial(prepare, deep=True) if settings.deep_detect else prepare
    executor = make_executor(settings.executor, workers, initializer=start, address=settings.ray_address)
    on_cluster = executor if executor.name == "ray" else None  # the corpus steps too; else in this process
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    result = Result(engine=engine(embeddings, settings.deep_detect), workers=executor.workers)
    corpus = Collected(out, settings, keep_lead=embedder is not None)
    reports = incidents = None
    try:
        if previous is not None:
            keep = settings.reconcile == "touched" and previous_engine(previous) == result.engine
            corpus.carry(previous, keep_incidents=keep)
        result.previous = corpus.carried
        raws = iter_raw(inputs, result, on_error, corpus.known, options, on_warning, admit)
        corpus.analyze(run_steps(raws, executor, keep_lead=embedder is not None, settings=settings), result,
                       on_report, on_error, on_warning)
        _stage(on_stage, "grouping into incidents")
        grouping = Link(embedder, on_cluster)(corpus)
        checkpoint("grouped")
        tally = Sources()(corpus)
        done = Reconcile(embedder, Independence(embedder), reuse=corpus.kept is not None,
                         executor=on_cluster)(corpus, grouping, tally, out)
        incidents = done.incidents
        _stage(on_stage, "writing reports.jsonl")
        reports = corpus.write_reports(done.derived, tally)
        incidents.move(out / "incidents.jsonl")
        write_marker(out, result.engine)  # names the engine, for a later run with this one as --previous
    except BaseException:
        for spill in (reports, incidents):
            if spill is not None:
                spill.discard()
        raise
    finally:
        corpus.close()
        executor.close()
    result.reports, result.incidents, result.sources = reports, incidents, tally.sources()
    result.reconciled, result.kept = done.reconciled, done.kept
    return result


def _embedder():
    """The sentence-embedding model, loaded and verified before any work (a missing extra fails first)."""
    from corroborate.analyze.embed import load_embedder

    return load_embedder()


def _language_model() -> None:
    """The deep detector's language model, found and verified before any work (a missing extra fails first)."""
    from corroborate.assess.detector import load_deep
    from corroborate.assess.likelihood import load_model

    load_deep()
    load_model()


def _stage(on_stage: Callable[[str], None] | None, name: str) -> None:
    if on_stage:
        on_stage(name)


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
        reports, incidents = result.reports, result.incidents
        assert isinstance(reports, JsonlSpill) and isinstance(incidents, JsonlSpill)
        reports.close()
        incidents.close()
        result.reports, result.incidents = list(reports), list(incidents)
    return result
