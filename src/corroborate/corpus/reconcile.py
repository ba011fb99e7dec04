"""Reconcile: each group of reports becomes one incident record, whose every fact is
corroborated, discrepant, conflicting or single-source, counted in independent sources and
traced to the spans that support or dissent (:func:`corroborate.incidents.reconcile.reconcile`).

Incidents are reconciled one at a time, each from its own reports read back from disk, and
appended to ``incidents.jsonl.tmp``. With ``reuse`` (``Settings.reconcile == "touched"``), an
earlier run's incident that no new report joined and that lost none of its reports is kept as it
was, with its reports' derivations, instead of being reconciled again; only the incidents a run
touches are reconciled (:mod:`corroborate.corpus.previous` says when an earlier run's incidents
may be kept at all).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from corroborate.assess.sources import SourceTally
from corroborate.corpus.collect import Collected
from corroborate.corpus.independence import Independence
from corroborate.corpus.link import Grouping
from corroborate.records import Derivation, Incident
from corroborate.spill import JsonlSpill


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

    def __init__(self, embedder: Any = None, independence: Independence | None = None, *, reuse: bool = False) -> None:
        self.embedder = embedder
        self.independence = independence or Independence(embedder)
        self.reuse = reuse

    def __call__(self, collected: Collected, grouping: Grouping, tally: SourceTally, out: Path) -> Reconciled:
        done = Reconciled(JsonlSpill(out / "incidents.jsonl.tmp", Incident))
        try:
            self._run(done, collected, grouping, tally)
        except BaseException:
            done.incidents.discard()
            raise
        return done

    def _run(self, done: Reconciled, collected: Collected, grouping: Grouping, tally: SourceTally) -> None:
        reports = collected.store
        keepable = self._keepable(collected)
        for group in grouping.groups:
            owners = {grouping.owner[i] for i in group if i in grouping.owner}
            ids = [reports.ids[i] for i in group]
            ident = owners.pop() if owners else None
            if ident in keepable and keepable[ident][1] == ids and max(group) < collected.carried:
                incident = self._keep(done, collected, group, ids, keepable[ident][0])
            else:
                incident = self._reconcile(done, collected, group, ident)
            tally.add_incident(incident)
        for k, derivation in self.independence.across(reports, grouping):  # near-copies across incidents
            done.derived[k] = sorted([*done.derived.get(k, []), derivation], key=lambda d: d.report)

    @staticmethod
    def _keep(done: Reconciled, collected: Collected, group: list[int], ids: list[str], where: int) -> Incident:
        """An earlier incident no new report touched, as it was, with the derivations within it."""
        assert collected.kept is not None
        line = collected.kept.line(where)
        members = set(ids)
        for i in group:  # the derivations within this incident, as the earlier run found them
            within = [d for d in collected.carried_derivations.get(i, []) if d.report in members]
            if within:
                done.derived[i] = within
        done.incidents.append_line(line, collected.kept.ids[where])
        done.kept += 1
        return Incident.model_validate_json(line)

    def _reconcile(self, done: Reconciled, collected: Collected, group: list[int], ident: str | None) -> Incident:
        """One group reconciled into an incident (keeping ``ident``, an earlier incident's id)."""
        from corroborate.incidents.cluster import incident_id
        from corroborate.incidents.reconcile import reconcile

        members = [collected.store[i] for i in group]
        found = self.independence.within(members)
        incident = reconcile(members, ident=ident or incident_id(members[0].id), embedder=self.embedder, derived=found)
        for i, report in zip(group, members):
            if report.id in found:
                done.derived[i] = found[report.id]
        done.incidents.append(incident)
        done.reconciled += 1
        return incident

    def _keepable(self, collected: Collected) -> dict[str, tuple[int, list[str]]]:
        """The earlier run's incidents that may be kept as they were, by id: (position in
        ``collected.kept``, report ids)."""
        if not self.reuse or collected.kept is None:
            return {}
        where = {ident: k for k, ident in enumerate(collected.kept.ids)}
        return {ident: (where[ident], reports) for ident, reports in collected.previous_incidents if ident in where}
