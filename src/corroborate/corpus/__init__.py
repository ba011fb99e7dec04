"""Corpus steps: what a run does with all its analyzed reports together.

::

    Collected --Link--> Grouping --Reconcile (Independence inside)--> incidents.jsonl
        |                                     |
        +---------- Sources (tally) <---------+----> write_reports --> reports.jsonl

* :class:`Collected` (``collect.py``): the run's reports on disk, an earlier run's carried
  over (``previous.py``), and in memory only what the steps below need;
* :class:`Link` (``link.py``): reports grouped into incidents, earlier incidents kept whole;
* :class:`Independence` (``independence.py``): which reports reuse another's text;
* :class:`Reconcile` (``reconcile.py``): one incident record per group, facts judged on
  independent sources; untouched earlier incidents kept as they were;
* :class:`Sources` (``sources.py``): the outlets' tally, for ``sources.jsonl``.

Each is a small class with a ``name``, built from the run's settings and models and called with
the corpus; :func:`corroborate.pipeline.stream` composes them. The algorithms they run live in
:mod:`corroborate.incidents` (clustering, the pair linker, the reuse detector, reconciliation)
and :mod:`corroborate.assess.sources`.
"""

from corroborate.corpus.collect import Collected
from corroborate.corpus.independence import Independence
from corroborate.corpus.link import Grouping, Link
from corroborate.corpus.previous import (
    READABLE_MAJORS,
    PreviousRunError,
    engine,
    load_previous,
    previous_engine,
    previous_records,
)
from corroborate.corpus.reconcile import Reconcile, Reconciled
from corroborate.corpus.sources import Sources

__all__ = ["READABLE_MAJORS", "Collected", "Grouping", "Independence", "Link", "PreviousRunError", "Reconcile",
           "Reconciled", "Sources", "engine", "load_previous", "previous_engine", "previous_records"]
