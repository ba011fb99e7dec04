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

And in a Ray worker (``--engine ray``; a local Ray's workers inherit the environment):

* ``ray-task``: a task has started on its batch. With ``CORROBORATE_KILL_ONCE=<file>``, only the
  first task to get there dies (Ray runs it again); without it, every attempt does.
"""

from __future__ import annotations

import os
import signal

POINTS = ("classified", "analyzing", "grouped", "reconciled", "saving", "saved")
ENV = "CORROBORATE_KILL_AT"
#: with it, a point kills once only: the first process to reach it creates this file, and dies
ONCE = "CORROBORATE_KILL_ONCE"


def checkpoint(point: str) -> None:
    """Kill this process (SIGKILL) if ``CORROBORATE_KILL_AT`` names ``point``."""
    if os.environ.get(ENV) == point:
        once = os.environ.get(ONCE)
        if once:
            try:
                os.close(os.open(once, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
            except FileExistsError:
                return  # another process was killed here already
        os.kill(os.getpid(), signal.SIGKILL)
