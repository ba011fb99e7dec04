"""Shared fixtures. Tests that need ../shared (seed reports, dev data) skip with a clear reason
when it is absent, as on a user's fresh clone; CI has it."""

from __future__ import annotations

import pytest
from helpers import CROCUS, DEMO


@pytest.fixture(scope="session")
def nlp():
    from corroborate.analyze.nlp import load_nlp

    return load_nlp()


@pytest.fixture(scope="session")
def demo_result():
    import corroborate

    return corroborate.run([DEMO])


@pytest.fixture(scope="session")
def crocus_result():
    if not CROCUS.exists():
        pytest.skip("../shared (seed reports) is not present beside the repo")
    import corroborate

    return corroborate.run([CROCUS])


@pytest.fixture(scope="session")
def crocus_incident(crocus_result):
    """The two seed reports reconciled as the one incident they tell (the linker keeps them apart:
    a known failure, see tests/incidents/test_cluster.py), for the tests of reconciliation."""
    from corroborate.incidents.cluster import incident_id
    from corroborate.incidents.reconcile import reconcile

    return reconcile(crocus_result.reports, ident=incident_id(crocus_result.reports[0].id))


@pytest.fixture(scope="session")
def crocus_000(crocus_result):
    return next(r for r in crocus_result.reports if r.id.startswith("000_"))


@pytest.fixture(scope="session")
def crocus_004(crocus_result):
    return next(r for r in crocus_result.reports if r.id.startswith("004_"))
