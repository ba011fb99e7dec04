"""Paths and markers shared by the tests (importable: pytest puts tests/ on sys.path)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
DEMO = REPO / "examples" / "demo"
CROCUS = SHARED / "examples" / "crocus"
GVA = SHARED / "data" / "gva"

needs_shared = pytest.mark.skipif(
    not CROCUS.exists(), reason="../shared (seed reports and dev data) is not present beside the repo"
)


def by_id(result, report_id):
    return next(r for r in result.reports if r.id == report_id)


def incident_of(result, report_id):
    return next(i for i in result.incidents if report_id in i.reports)


def fact(incident, slot, value=None):
    facts = [f for f in incident.facts if f.slot == slot and (value is None or str(f.value).lower() == str(value).lower())]
    assert len(facts) == 1, f"expected one {slot} fact{'' if value is None else ' ' + str(value)}, got {facts}"
    return facts[0]
