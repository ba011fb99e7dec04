"""Independence: which reports reuse another's text (a copy is not a second witness).

The reuse detector (:mod:`corroborate.incidents.derive`, a learned model) looks at each pair of
one incident's reports (:meth:`Independence.within`), and at each pair of near-copies the
linker put in different incidents (:meth:`Independence.across`). The derived reports of an
incident form source groups, which reconciliation counts as one source.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from corroborate.corpus.link import Grouping
from corroborate.records import Derivation, Report

if TYPE_CHECKING:
    from corroborate.spill import JsonlSpill


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

    def across(self, reports: JsonlSpill[Report], grouping: Grouping, executor: Any = None) -> list[tuple[int, Derivation]]:
        """(position of the derived report, its derivation) for each pair of near-copies in two
        different incidents of which one reuses the other, in the linker's order (on ``executor``,
        in batches of ``ACROSS_BATCH`` pairs; None: this process). ``reports``: the run's store."""
        from corroborate.executors import LocalExecutor

        executor = executor or LocalExecutor()
        incident_of = {i: k for k, group in enumerate(grouping.groups) for i in group}
        pairs = [(i, j) for i, j in grouping.near_copies if incident_of.get(i) != incident_of.get(j)]  # one incident: within() judged them
        batches = ([(i, j, reports.line(i), reports.line(j)) for i, j in pairs[k : k + ACROSS_BATCH]]
                   for k in range(0, len(pairs), ACROSS_BATCH))
        return [found for batch in executor.map(across_batch, batches) for found in batch]


#: near-copy pairs judged per batch (:meth:`Independence.across`)
ACROSS_BATCH = 256


def across_batch(batch: list[tuple]) -> list[tuple[int, Derivation]]:
    """Each pair (i, j, line of i, line of j): (position of the derived report, its derivation),
    for the pairs of which one reuses the other."""
    from corroborate.incidents.derive import derivation

    found = []
    for i, j, line_x, line_y in batch:
        x, y = Report.model_validate_json(line_x), Report.model_validate_json(line_y)
        pair = derivation(x, y)
        if pair is not None:
            found.append((i if pair[0].id == x.id else j, pair[1]))
    return found
