"""Paths and markers shared by the tests (importable: pytest puts tests/ on sys.path)."""

from __future__ import annotations

import json
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


def demo_jsonl(path: Path, copies: int = 1, changed: str | None = None) -> Path:
    """The demo's JSONL reports (``copies`` times with new ids); ``changed``: that id with another text."""
    lines = (DEMO / "wire.jsonl").read_text(encoding="utf-8").splitlines()
    with path.open("w", encoding="utf-8") as handle:
        for k in range(copies):
            for line in lines:
                obj = json.loads(line)
                obj["id"] = obj["id"] if copies == 1 else f"{obj['id']}-{k}"
                if obj["id"] == changed:
                    obj["text"] += "\n\nUpdate: police later said a second suspect was arrested on Friday."
                handle.write(json.dumps(obj) + "\n")
    return path
