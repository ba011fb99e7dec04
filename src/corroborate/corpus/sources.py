"""Sources: the outlets, each with its reports, its reliability signals and how its claims fared
across the incidents (:class:`corroborate.assess.sources.SourceTally`, written to ``sources.jsonl``).

The tally is fed one incident (by :class:`~corroborate.corpus.Reconcile`) and one report (by
:meth:`~corroborate.corpus.Collected.write_reports`) at a time: a long run keeps per outlet only
running sums and report ids.
"""

from __future__ import annotations

from corroborate.assess.sources import SourceTally
from corroborate.corpus.collect import Collected


class Sources:
    """The sources step: a tally over the run's outlets (by report id)."""

    name = "sources"

    def __call__(self, collected: Collected) -> SourceTally:
        return SourceTally(collected.outlets)
