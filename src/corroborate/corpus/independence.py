"""Independence: which reports reuse another's text (a copy is not a second witness).

The reuse detector (:mod:`corroborate.incidents.derive`, a learned model) looks at each pair of
one incident's reports (:meth:`Independence.within`), and at each pair of near-copies the
linker put in different incidents (:meth:`Independence.across`). The derived reports of an
incident form source groups, which reconciliation counts as one source.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from corroborate.corpus.link import Grouping
from corroborate.records import Derivation, Report


class Independence:
    """The independence step. ``embedder`` (``--embeddings``): sentences are also aligned by
    meaning, and the detector's embedding variant decides."""

    name = "independence"

    def __init__(self, embedder: Any = None) -> None:
        self.embedder = embedder

    def within(self, members: list[Report]) -> dict[str, list[Derivation]]:
        """The derivations among one incident's reports, by derived report id."""
        from corroborate.incidents import derive

        return derive.within(members, embedder=self.embedder)

    def across(self, reports: Sequence[Report], grouping: Grouping) -> list[tuple[int, Derivation]]:
        """(position of the derived report, its derivation) for each pair of near-copies in two
        different incidents of which one reuses the other, in the linker's order."""
        from corroborate.incidents.derive import derivation

        incident_of = {i: k for k, group in enumerate(grouping.groups) for i in group}
        found: list[tuple[int, Derivation]] = []
        for i, j in grouping.near_copies:
            if incident_of.get(i) == incident_of.get(j):
                continue  # one incident: within() judged them
            x, y = reports[i], reports[j]
            pair = derivation(x, y)
            if pair is not None:
                found.append((i if pair[0].id == x.id else j, pair[1]))
        return found
