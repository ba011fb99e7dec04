"""The incidents stage: cluster reports into incidents, then reconcile each one."""

from __future__ import annotations

from collections import Counter

from corroborate.incidents.cluster import cluster, incident_id
from corroborate.incidents.reconcile import reconcile
from corroborate.records import Incident, Report


def build_incidents(reports: list[Report], previous: list[Incident] | None = None, embedder=None) -> list[Incident]:
    """Group reports into incidents and reconcile each.

    With ``previous`` (the incidents of an earlier run over some of these reports), those
    incidents keep their ids and are never merged with each other; new reports join them or
    form new incidents.
    """
    position = {r.id: i for i, r in enumerate(reports)}
    fixed, owner = [], {}
    for incident in previous or []:
        members = [position[r] for r in incident.reports if r in position]
        if members:
            fixed.append(members)
            for i in members:
                owner[i] = incident.id
    incidents = []
    for group in cluster(reports, fixed, embedder):
        ids = {owner[i] for i in group if i in owner}
        ident = ids.pop() if ids else incident_id(reports[group[0]].id)
        incident = reconcile([reports[i] for i in group], ident=ident, embedder=embedder)
        incidents.append(incident)
        alone = Counter(p.report for p in incident.single_source_claims)
        for i in group:
            if reports[i].signals is not None:
                reports[i].signals.single_source_claims = alone[reports[i].id] if len(group) > 1 else None
    return incidents
