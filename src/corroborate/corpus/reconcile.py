"""Reconcile: each group of reports becomes one incident record, whose every fact is
corroborated, discrepant, conflicting or single-source, counted in independent sources and
traced to the spans that support or dissent (:func:`corroborate.incidents.reconcile.reconcile`).

Incidents are reconciled in batches, each from its own reports read back from disk, on the run's
executor (this process, or Ray tasks on a cluster: :func:`reconcile_batch`), and appended to
``incidents.jsonl.tmp`` in the order of their groups, whatever the executor. With ``reuse`` (``Settings.reconcile == "touched"``), an
earlier run's incident that no new report joined and that lost none of its reports is kept as it
was, with its reports' derivations, instead of being reconciled again; only the incidents a run
touches are reconciled (:mod:`corroborate.corpus.previous` says when an earlier run's incidents
may be kept at all).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

from corroborate.assess.sources import SourceTally
from corroborate.corpus.collect import Collected
from corroborate.corpus.independence import Independence
from corroborate.corpus.link import Grouping
from corroborate.records import Derivation, Incident, Report
from corroborate.spill import JsonlSpill

#: groups reconciled per batch, and their reports at most (a batch is one task on a cluster)
BATCH_GROUPS = 64
BATCH_REPORTS = 256


class Reconciled:
    """What the step produced: the incidents (on disk), each derived report's derivations (by
    position in the run's store), and how many incidents were reconciled and how many kept."""

    def __init__(self, incidents: JsonlSpill[Incident]) -> None:
        self.incidents = incidents
        self.derived: dict[int, list[Derivation]] = {}
        self.reconciled = 0
        self.kept = 0


class Reconcile:
    """The reconcile step (with the independence step inside it: an incident's facts are judged
    on its source groups)."""

    name = "reconcile"

    def __init__(self, embedder: Any = None, independence: Independence | None = None, *, reuse: bool = False,
                 executor: Any = None) -> None:
        from corroborate.executors import LocalExecutor

        self.embedder = embedder
        self.independence = independence or Independence(embedder)
        self.reuse = reuse
        self.executor = executor or LocalExecutor()

    def __call__(self, collected: Collected, grouping: Grouping, tally: SourceTally, out: Path) -> Reconciled:
        done = Reconciled(JsonlSpill(out / "incidents.jsonl.tmp", Incident))
        try:
            self._run(done, collected, grouping, tally)
        except BaseException:
            done.incidents.discard()
            raise
        return done

    def _run(self, done: Reconciled, collected: Collected, grouping: Grouping, tally: SourceTally) -> None:
        work = partial(reconcile_batch, embeddings=self.embedder is not None)
        for batch in self.executor.map(work, self._jobs(collected, grouping)):
            for group, ident, where, made in batch:
                if made is None:
                    incident = self._keep(done, collected, group, where)
                else:
                    line, incident, found = made
                    for i, report_id in zip(group, (collected.store.ids[i] for i in group)):
                        if report_id in found:
                            done.derived[i] = found[report_id]
                    done.incidents.append_line(line, incident.id)
                    done.reconciled += 1
                tally.add_incident(incident)
        for k, derivation in self.independence.across(collected.store, grouping, self.executor):  # near-copies across incidents
            done.derived[k] = sorted([*done.derived.get(k, []), derivation], key=lambda d: d.report)

    def _jobs(self, collected: Collected, grouping: Grouping) -> Iterator[list[tuple]]:
        """Batches of groups, in order: (positions, incident id to keep or None, where the kept
        incident is or the reports' lines)."""
        reports = collected.store
        keepable = self._keepable(collected)
        batch: list[tuple] = []
        held = 0
        for group in grouping.groups:
            owners = {grouping.owner[i] for i in group if i in grouping.owner}
            ids = [reports.ids[i] for i in group]
            ident = owners.pop() if owners else None
            if ident in keepable and keepable[ident][1] == ids and max(group) < collected.carried:
                batch.append((group, ident, keepable[ident][0], None))  # kept as it was
            else:
                batch.append((group, ident, None, [reports.line(i) for i in group]))
                held += len(group)
            if len(batch) >= BATCH_GROUPS or held >= BATCH_REPORTS:
                yield batch
                batch, held = [], 0
        if batch:
            yield batch

    @staticmethod
    def _keep(done: Reconciled, collected: Collected, group: list[int], where: int) -> Incident:
        """An earlier incident no new report touched, as it was, with the derivations within it."""
        assert collected.kept is not None
        line = collected.kept.line(where)
        members = {collected.store.ids[i] for i in group}
        for i in group:  # the derivations within this incident, as the earlier run found them
            within = [d for d in collected.carried_derivations.get(i, []) if d.report in members]
            if within:
                done.derived[i] = within
        done.incidents.append_line(line, collected.kept.ids[where])
        done.kept += 1
        return Incident.model_validate_json(line)

    def _keepable(self, collected: Collected) -> dict[str, tuple[int, list[str]]]:
        """The earlier run's incidents that may be kept as they were, by id: (position in
        ``collected.kept``, report ids)."""
        if not self.reuse or collected.kept is None:
            return {}
        where = {ident: k for k, ident in enumerate(collected.kept.ids)}
        return {ident: (where[ident], reports) for ident, reports in collected.previous_incidents if ident in where}


def reconcile_batch(batch: list[tuple], embeddings: bool = False) -> list[tuple]:
    """A batch of groups (:meth:`Reconcile._jobs`), each reconciled into an incident from its
    reports' lines (an earlier incident to keep is passed on): (positions, id, where, None) or
    (positions, id, None, (the incident's line, the incident, its derivations by report id)).
    ``embeddings``: with sentence embeddings (the model loaded once per process)."""
    from corroborate.incidents.cluster import incident_id
    from corroborate.incidents.reconcile import reconcile

    embedder = None
    if embeddings:
        from corroborate.analyze.embed import load_embedder

        embedder = load_embedder()
    independence = Independence(embedder)
    out: list[tuple] = []
    for group, ident, where, lines in batch:
        if lines is None:
            out.append((group, ident, where, None))
            continue
        members = [Report.model_validate_json(line) for line in lines]
        found = independence.within(members)
        incident = reconcile(members, ident=ident or incident_id(members[0].id), embedder=embedder, derived=found)
        out.append((group, ident, None, (incident.model_dump_json(), incident, found)))
    return out
