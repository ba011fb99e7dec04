"""The process-pool executor: batches on ``workers`` spawned processes, results in input order.

At most :data:`AHEAD_PER_WORKER` batches per worker are in flight, so memory stays bounded
however long the input. A worker that dies (killed, out of memory) fails the run with one
:class:`~corroborate.executors.WorkerError`; Ctrl-C stops the workers at once.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as Pending
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.context import SpawnContext, SpawnProcess
from typing import Any, TypeVar

from corroborate.executors import WorkerError

T = TypeVar("T")
R = TypeVar("R")

#: Batches handed to the pool ahead of the one being collected, per worker: enough to keep
#: every worker busy, few enough to keep the memory of the run bounded.
AHEAD_PER_WORKER = 2
#: Seconds between checks that every worker is still alive, while a batch is awaited.
WATCH_SECONDS = 1.0


class PoolExecutor:
    """``workers`` spawned processes, each started by ``initializer`` (after it arranges to die
    with this process)."""

    name = "pool"

    def __init__(self, workers: int, initializer: Callable[[], None] | None = None) -> None:
        self.workers = workers
        self.initializer = initializer

    def map(self, fn: Callable[[list[T]], list[R]], batches: Iterable[list[T]]) -> Iterator[list[R]]:
        others = set(multiprocessing.active_children())
        pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=_QuietSpawnContext(),
                                   initializer=_worker_start, initargs=(self.initializer,))
        watch = _Watch(others)
        pending: deque[Future] = deque()
        try:
            for batch in batches:
                pending.append(_submit(pool, fn, batch))
                while len(pending) > AHEAD_PER_WORKER * self.workers:
                    yield watch.collect(pending.popleft())
            while pending:
                yield watch.collect(pending.popleft())
        except (WorkerError, KeyboardInterrupt):
            # A worker the pool started while another died is neither stopped nor told to stop by
            # the pool: it would wait for work for ever, and the pool's shutdown with it. On Ctrl-C,
            # the batches in progress are not waited for.
            _stop(watch.processes())
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


    def share(self, value: Any) -> Any:
        return value  # pickled with each batch that holds it

    def close(self) -> None:
        pass  # each map() starts and stops its pool


def _submit(pool: ProcessPoolExecutor, fn: Callable, batch: list) -> Future:
    try:
        return pool.submit(fn, batch)
    except (BrokenProcessPool, OSError) as exc:  # a worker died while the pool started it
        raise WorkerError(f"could not hand work to a worker process: {exc}") from exc


class _Watch:
    """Waits for a batch while checking that the pool's workers are alive."""

    def __init__(self, others: set) -> None:
        self.others = others
        self.seen: set = set()

    def processes(self) -> set:
        return set(multiprocessing.active_children()) - self.others

    def collect(self, future: Future) -> list:
        while True:
            try:
                return future.result(timeout=WATCH_SECONDS)
            except BrokenProcessPool as exc:
                raise WorkerError(str(exc)) from exc
            except Pending:
                # The pool itself notices a dead worker and fails every pending batch, except
                # when the worker dies while the pool starts another (CPython's executor then
                # may leave a batch pending for ever): so look for ourselves too. Workers
                # never end on their own while work is pending.
                alive = self.processes()
                if not alive or self.seen - alive:
                    raise WorkerError("a worker process died") from None
                self.seen.update(alive)


def _worker_start(initializer: Callable[[], None] | None) -> None:
    """A pool worker's start: die with the main process (if it is killed, its workers must not
    linger holding a model each), then ``initializer``."""
    import signal

    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG (Linux)
    except (OSError, AttributeError):
        pass  # not Linux: the pool's own shutdown still ends the workers of a run that ends normally
    if os.getppid() == 1:  # the main process died before the line above ran
        os._exit(1)
    if initializer is not None:
        initializer()


class _QuietProcess(SpawnProcess):
    """A spawned worker started with SIGINT blocked: Ctrl-C reaches the whole process group, and
    only the main process must act on it (stop the workers, say what was kept, exit 130); a worker
    that took it too would print a ``KeyboardInterrupt`` traceback. The blocked mask is inherited
    across the spawn's exec; the main process stops the workers with SIGTERM, which stays
    unblocked. (Module level: the pool pickles the process object.)"""

    def start(self) -> None:
        import signal

        old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            super().start()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)


class _QuietSpawnContext(SpawnContext):
    """The "spawn" context, its workers started with SIGINT blocked (:class:`_QuietProcess`)."""

    Process = _QuietProcess  # type: ignore[assignment]


def _stop(processes: Iterable) -> None:
    """Terminate worker processes and wait for them (kill those that do not end at once)."""
    processes = list(processes)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(5)
        if process.is_alive():
            process.kill()
            process.join()
