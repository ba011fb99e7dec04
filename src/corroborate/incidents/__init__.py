"""The incidents stage: cluster reports into incidents, then reconcile each one."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from corroborate.incidents import derive
from corroborate.incidents.cluster import cluster, incident_id
from corroborate.incidents.reconcile import reconcile
from corroborate.records import Derivation, Incident, Report


def reconcile_groups(
    groups: list[list[int]], reports: Sequence[Report], owner: dict[int, str] | None = None, embedder=None
) -> Iterator[tuple[list[int], Incident, dict[str, list[Derivation]]]]:
    """Find the derived reports of each group of report indices (:func:`derive.within`), then
    reconcile it into an incident, one group at a time.

    ``reports`` may be a :class:`corroborate.spill.JsonlSpill`: only one group's reports are
    read at a time. ``owner`` maps the indices of reports that belonged to an incident of an
    earlier run to that incident's id, which the group keeps. Yields (group, incident, and the
    derivations, by derived report id).
    """
    owner = owner or {}
    for group in groups:
        ids = {owner[i] for i in group if i in owner}
        members = [reports[i] for i in group]
        ident = ids.pop() if ids else incident_id(members[0].id)
        derived = derive.within(members, embedder=embedder)
        incident = reconcile(members, ident=ident, embedder=embedder, derived=derived)
        yield group, incident, derived


def build_incidents(reports: list[Report], previous: list[Incident] | None = None,
                    embedder=None) -> tuple[list[Report], list[Incident]]:
    """Group reports into incidents and reconcile each (in memory; runs use
    :func:`corroborate.pipeline.stream`): the reports with their ``derived_from`` (new records;
    those given are left as they were), and the incidents.

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
    derived: dict[str, list[Derivation]] = {}
    for _group, incident, found in reconcile_groups(cluster(reports, fixed, embedder), reports, owner, embedder):
        incidents.append(incident)
        derived.update(found)
    return [r.model_copy(update={"derived_from": derived.get(r.id, [])}) for r in reports], incidents
