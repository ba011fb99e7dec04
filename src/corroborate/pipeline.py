"""The pipeline: ingest -> clean -> analyze -> assess -> incidents.

``run(inputs)`` is the Python API; the ``corroborate run`` command is a thin
shell over it and :func:`corroborate.report.write_outputs`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from corroborate.ingest import iter_inputs
from corroborate.ingest.clean import clean_text
from corroborate.ingest.readers import JSONL_SUFFIXES, SUPPORTED, RawDoc, Skipped
from corroborate.records import CONTRACT_VERSION, Incident, InputError, Report

BATCH_SIZE = 64


@dataclass
class Result:
    reports: list[Report] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    warnings: list[InputError] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    previous: int = 0  # reports carried over from ``--previous``

    @property
    def exit_code(self) -> int:
        """1 if any input was bad, else 0."""
        return 1 if self.errors else 0


def estimate_total(inputs: Iterable[str | os.PathLike]) -> int:
    """How many reports the inputs hold, for a progress bar: files, plus lines of JSONL files."""
    total = 0
    for item in inputs:
        path = Path(item)
        files = (p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
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


def to_report(raw: RawDoc) -> Report:
    """Clean a raw document into a report (the clean stage)."""
    cleaned = clean_text(raw.text)
    return Report(
        id=raw.id,
        title=raw.title,
        source=raw.source,
        url=raw.url,
        published=raw.published,
        byline=raw.byline or cleaned.byline,
        text=cleaned.text,
        removed=cleaned.removed,
        origin=raw.origin,
    )


class PreviousRunError(ValueError):
    """``--previous DIR`` is not the output of an earlier compatible run."""


def load_previous(directory: str | os.PathLike) -> tuple[list[Report], list[Incident]]:
    """The reports and incidents an earlier ``corroborate run`` wrote to ``directory``."""
    folder = Path(directory)
    records: dict[str, list] = {}
    for name, model in (("reports.jsonl", Report), ("incidents.jsonl", Incident)):
        path = folder / name
        if not path.is_file():
            raise PreviousRunError(f"{folder} is not the output of an earlier run: {name} is missing")
        items = []
        with path.open(encoding="utf-8") as handle:
            for lineno, line in enumerate(handle, start=1):
                try:
                    item = model.model_validate_json(line)
                except ValueError as exc:
                    raise PreviousRunError(f"{path}:{lineno}: not a valid record ({str(exc).splitlines()[0]})") from None
                if item.schema_version.split(".")[0] != CONTRACT_VERSION.split(".")[0]:
                    raise PreviousRunError(f"{path}:{lineno}: contract {item.schema_version}, this corroborate writes {CONTRACT_VERSION}")
                items.append(item)
        records[name] = items
    return records["reports.jsonl"], records["incidents.jsonl"]


def iter_reports(
    inputs: Iterable[str | os.PathLike],
    result: Result,
    on_error: Callable[[InputError], None] | None = None,
    on_warning: Callable[[InputError], None] | None = None,
    known: dict[str, str] | None = None,
) -> Iterator[Report]:
    """Cleaned reports from the inputs, in input order; bad inputs go to ``result.errors``.

    A page that is all furniture is kept (empty ``text``, every line in ``removed``)
    with a warning: its title and metadata still count, and nothing is lost.
    """
    seen: dict[str, str] = dict(known or {})

    def fail(error: InputError) -> None:
        result.errors.append(error)
        if on_error:
            on_error(error)

    for item in iter_inputs(inputs):
        if isinstance(item, Skipped):
            result.skipped.append(item.path)
            continue
        if isinstance(item, InputError):
            fail(item)
            continue
        if item.id in seen:
            fail(InputError(input=item.origin, message=f"duplicate id '{item.id}': already read from {seen[item.id]}"))
            continue
        seen[item.id] = item.origin
        report = to_report(item)
        if not report.text:
            warning = InputError(
                input=item.origin,
                message=f"no article text left after removing {len(report.removed)} boilerplate line(s); kept with its title and the removed lines",
            )
            result.warnings.append(warning)
            if on_warning:
                on_warning(warning)
        yield report


def analyze_reports(reports: Iterable[Report], *, batch_size: int = BATCH_SIZE) -> Iterator[Report]:
    """Parse with spaCy in batches, then analyze and assess each report, in order."""
    from corroborate.analyze import analyze_doc
    from corroborate.analyze.nlp import load_nlp
    from corroborate.assess import assess_report

    nlp = load_nlp()
    for doc, report in nlp.pipe(((r.text, r) for r in reports), as_tuples=True, batch_size=batch_size):
        yield assess_report(analyze_doc(report, doc), doc)


def run(
    inputs: Iterable[str | os.PathLike],
    *,
    on_report: Callable[[Report], None] | None = None,
    on_error: Callable[[InputError], None] | None = None,
    on_warning: Callable[[InputError], None] | None = None,
    previous: str | os.PathLike | None = None,
    embeddings: bool = False,
) -> Result:
    """Run the whole pipeline over files, directories and JSONL inputs.

    Bad inputs never stop the run: each becomes one :class:`InputError` in
    ``result.errors`` (and is passed to ``on_error`` as it is found). Reports
    that are all boilerplate are kept, with a warning in ``result.warnings``.

    ``previous`` is the output directory of an earlier run: its reports are kept
    (ids must stay unique), its incidents keep their ids, and the new reports
    join them or form new incidents. Raises :class:`PreviousRunError` if the
    directory is not such an output.

    ``embeddings`` adds sentence embeddings (the optional ``embed`` extra) to clustering
    and claim alignment. The model is loaded and verified first, so that a missing extra
    (:class:`corroborate.analyze.embed.EmbeddingsUnavailable`) fails before any work.
    """
    from corroborate.incidents import build_incidents

    embedder = None
    if embeddings:
        from corroborate.analyze.embed import load_embedder

        embedder = load_embedder()
    inputs = list(inputs)
    old_reports, old_incidents = load_previous(previous) if previous is not None else ([], [])
    known = {r.id: f"the previous run ({Path(previous) / 'reports.jsonl'})" for r in old_reports}
    result = Result(reports=list(old_reports), previous=len(old_reports))
    for report in analyze_reports(iter_reports(inputs, result, on_error, on_warning, known)):
        result.reports.append(report)
        if on_report:
            on_report(report)
    result.incidents = build_incidents(result.reports, old_incidents, embedder)
    return result
