"""The corpus a run gathers: its reports on disk, and in memory what the corpus steps need of them.

:class:`Collected` takes the earlier run's reports and incidents (:meth:`Collected.carry`) and
each analyzed report as it comes (:meth:`Collected.analyze`). A report is appended to a spill
file (:class:`corroborate.spill.JsonlSpill`) as soon as it arrives; in memory stay its outlet,
source and signal values (``digest``), and the clustering features of those that take part in
incidents (``feats``, with their positions in ``store``: ``members``). After the incidents,
:meth:`Collected.write_reports` writes ``reports.jsonl`` with what the incidents stage found.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corroborate.corpus.previous import previous_records
from corroborate.faults import checkpoint
from corroborate.records import Derivation, Incident, InputError, Report
from corroborate.settings import Settings
from corroborate.spill import JsonlSpill
from corroborate.steps import Analyzed, Failed

if TYPE_CHECKING:
    from corroborate.assess.sources import SourceTally

Hook = Callable[[InputError], None] | None


class Collected:
    """A run's reports (``store``, on disk) and what the corpus steps need of them, in memory."""

    def __init__(self, out: Path, settings: Settings, keep_lead: bool) -> None:
        self.out = out
        self.store: JsonlSpill[Report] = JsonlSpill(out / ".reports.analyzed.jsonl.tmp", Report)
        self.settings = settings
        self.keep_lead = keep_lead
        self.feats: list[Any] = []
        self.members: list[int] = []
        self.unsigned: list[Any] = []  # features still holding their shingles (one process: signed here, a chunk at a time)
        self.outlets: dict[str, str] = {}
        self.digest: list[tuple[str | None, tuple | None]] = []  # each report's source and signal values
        self.known: dict[str, str] = {}  # ids read from the previous run, and where
        self.previous_incidents: list[tuple[str, list[str]]] = []  # the previous run's incidents: (id, report ids)
        #: the previous run's incidents as they were written (when they may be kept: see corpus.previous)
        self.kept: JsonlSpill[Incident] | None = None
        self.carried_derivations: dict[int, list[Derivation]] = {}  # the previous run's reports' derived_from

    @property
    def carried(self) -> int:
        """How many reports came from the previous run (the first ones in ``store``)."""
        return len(self.known)

    def keep(self, feat) -> None:
        from corroborate.incidents.cluster import signatures

        self.feats.append(feat)
        self.members.append(len(self.store) - 1)
        if feat.minhash is None:
            self.unsigned.append(feat)
            if len(self.unsigned) >= self.settings.sign_chunk:
                signatures(self.unsigned)
                self.unsigned.clear()

    def carry(self, previous: str | os.PathLike, *, keep_incidents: bool = False) -> None:
        """The previous run's reports, kept as they were, and its incidents' ids and reports (and,
        with ``keep_incidents``, the incidents themselves, for :class:`~corroborate.corpus.Reconcile`
        to keep those no new report touches)."""
        from corroborate.analyze import takes_part
        from corroborate.assess.sources import outlet_of, signal_values
        from corroborate.incidents.cluster import features

        where = f"the previous run ({Path(previous) / 'reports.jsonl'})"
        for _, report in previous_records(previous, "reports.jsonl", Report):
            position = self.store.append_line(report.model_dump_json(), report.id)  # in this version's form
            if takes_part(report):
                self.keep(features(report, keep_lead=self.keep_lead))
            if report.derived_from:
                self.carried_derivations[position] = report.derived_from
            self.outlets[report.id] = outlet_of(report)
            self.digest.append((report.source, signal_values(report)))
            self.known[report.id] = where
        if keep_incidents:
            self.kept = JsonlSpill(self.out / ".incidents.previous.jsonl.tmp", Incident)
        for _, incident in previous_records(previous, "incidents.jsonl", Incident):
            self.previous_incidents.append((incident.id, incident.reports))
            if self.kept is not None:
                self.kept.append_line(incident.model_dump_json(), incident.id)

    def analyze(self, analyzed: Iterable[Analyzed | Failed], result, on_report: Callable[[str], None] | None,
                on_error: Hook, on_warning: Hook) -> None:
        """Each analyzed report appended as it comes; failures and warnings to ``result``
        (a :class:`corroborate.pipeline.Result`)."""
        for item in analyzed:
            if not isinstance(item, Analyzed):
                result.errors.append(item.error)
                if on_error:
                    on_error(item.error)
                continue
            self.store.append_line(item.line, item.id)
            if result.first_report_at is None:
                result.first_report_at = time.perf_counter()
                self.store.flush()
                checkpoint("analyzing")
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

    def write_reports(self, derived: dict[int, list[Derivation]], tally: SourceTally) -> JsonlSpill[Report]:
        """``reports.jsonl``: each report once, with the derivations the incidents stage found."""
        reports: JsonlSpill[Report] = JsonlSpill(self.out / "reports.jsonl.tmp", Report, keep=lambda r: r.source)
        store = self.store
        for i, line in enumerate(store.lines()):
            source, values = self.digest[i]
            if i in derived or '"derived_from":[]' not in line:  # found now; or a previous run's, found again or not
                line = Report.model_validate_json(line).model_copy(update={"derived_from": derived.get(i, [])}).model_dump_json()
            reports.append_line(line, store.ids[i], source)
            tally.add_values(store.ids[i], values, self.outlets[store.ids[i]])
        reports.move(self.out / "reports.jsonl")
        return reports

    def close(self) -> None:
        """Remove the work files."""
        for spill in (self.store, self.kept):
            if spill is not None:
                spill.discard()
