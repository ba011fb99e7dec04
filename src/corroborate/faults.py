"""Named points of a run where it can be killed on purpose, to show that a kill anywhere leaves
a store consistent and that a run again completes it (tests/stores/test_kill.py, bench/store.py).

``CORROBORATE_KILL_AT=<point>`` makes the run kill its own process with SIGKILL (no cleanup, no
``finally``, no rollback by Python: what a power cut or the OOM killer does) when it reaches that
point. Unset, :func:`checkpoint` costs one dictionary lookup. The points of a run into a store
(:data:`POINTS`), in order:

* ``classified``: the inputs compared with the store, nothing analyzed;
* ``analyzing``: the first report analyzed, the rest not;
* ``grouped``: every report analyzed and linked, no incident reconciled;
* ``reconciled``: the run's outputs complete on disk, nothing stored;
* ``saving``: inside the transaction that stores the run, its reports written, its incidents not;
* ``saved``: the transaction committed, the run not yet marked done.
"""

from __future__ import annotations

import os
import signal

POINTS = ("classified", "analyzing", "grouped", "reconciled", "saving", "saved")
ENV = "CORROBORATE_KILL_AT"


def checkpoint(point: str) -> None:
    """Kill this process (SIGKILL) if ``CORROBORATE_KILL_AT`` names ``point``."""
    if os.environ.get(ENV) == point:
        os.kill(os.getpid(), signal.SIGKILL)
