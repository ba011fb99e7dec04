"""Sources: read inputs (files, folders, JSONL, feeds, URLs, web archives) into raw reports.

:func:`iter_inputs` (:mod:`corroborate.sources.readers`) yields each input's raw documents, or an
error naming a bad input, or a file of a folder it passes over; :func:`iter_raw` is what a run
reads: those documents in input order, with errors, duplicate ids and warnings set aside.
(Page furniture is removed by the ``clean`` step, :mod:`corroborate.steps.clean`, with the
patterns in :mod:`corroborate.sources.clean`.)
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from corroborate.records import InputError
from corroborate.sources.readers import (
    JSONL_SUFFIXES,
    SUPPORTED,
    RawDoc,
    ReadOptions,
    Skipped,
    iter_inputs,
)


def estimate_total(inputs: Iterable[str | os.PathLike]) -> int:
    """How many reports the inputs hold, for a progress bar: files, plus lines of JSONL files; a URL
    counts one, standard input none. Files that a run does not read (hidden ones, corroborate output
    folders) are not counted."""
    from corroborate.sources.readers import folder_files, is_url

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


def _report_error(result, error: InputError, on_error: Callable[[InputError], None] | None) -> None:
    result.errors.append(error)
    if on_error:
        on_error(error)


def iter_raw(
    inputs: Iterable[str | os.PathLike],
    result,
    on_error: Callable[[InputError], None] | None = None,
    known: dict[str, str] | None = None,
    options: ReadOptions | None = None,
    on_warning: Callable[[InputError], None] | None = None,
    admit: Callable[[RawDoc], bool] | None = None,
) -> Iterator[RawDoc]:
    """Raw documents from the inputs, in input order. ``result`` (a :class:`corroborate.pipeline.Result`)
    gathers what is not a document: bad inputs and duplicate ids go to
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


__all__ = ["RawDoc", "Skipped", "estimate_total", "iter_inputs", "iter_raw"]
