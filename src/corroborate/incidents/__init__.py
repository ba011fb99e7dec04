"""The incidents stage: cluster reports into incidents, then reconcile each one."""

from __future__ import annotations

from corroborate.incidents.cluster import cluster
from corroborate.incidents.reconcile import reconcile
from corroborate.records import Incident, Report


def build_incidents(reports: list[Report]) -> list[Incident]:
    return [reconcile([reports[i] for i in group]) for group in cluster(reports)]
