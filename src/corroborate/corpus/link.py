"""Link: a run's reports grouped into incidents.

Blocking and MinHash LSH find candidate pairs, the learned pair linker scores them and greedy
average linkage groups them (:func:`corroborate.incidents.cluster.cluster_members`). An earlier
run's incidents stay together under their ids and are never merged with each other; new
reports join them or form new groups.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from corroborate.corpus.collect import Collected


@dataclass
class Grouping:
    """The groups (positions of reports in the run's store), the earlier incident each position
    belonged to (``owner``: its id), and the near-copies the linker saw, whatever their group."""

    groups: list[list[int]]
    owner: dict[int, str] = field(default_factory=dict)
    near_copies: list[tuple[int, int]] = field(default_factory=list)


class Link:
    """The link step. ``embedder`` (``--embeddings``) adds lead embeddings to the linker's features.
    ``executor``: where candidate search, scoring and grouping run (None: this process; the Ray
    executor: on the cluster, with the same groups)."""

    name = "link"

    def __init__(self, embedder: Any = None, executor: Any = None) -> None:
        self.embedder = embedder
        self.executor = executor

    def __call__(self, collected: Collected) -> Grouping:
        from corroborate.incidents.cluster import cluster_members

        position = {ident: i for i, ident in enumerate(collected.store.ids)}
        fixed, owner = [], {}
        for ident, reports_of in collected.previous_incidents:
            group = [position[r] for r in reports_of if r in position]
            if group:
                fixed.append(group)
                for i in group:
                    owner[i] = ident
        stats: dict = {}
        groups = cluster_members(collected.feats, collected.members, fixed, self.embedder, stats, self.executor)  # signs what is left
        collected.feats, collected.unsigned = [], []  # no longer needed: their memory goes
        return Grouping(groups, owner, list(stats.get("near_copies", [])))
