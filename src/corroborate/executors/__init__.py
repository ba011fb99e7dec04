"""Executors: map a batch function over batches, in input order (in the manner of datatrove's
executors, which only map a pipeline over shards).

- ``local`` (:class:`LocalExecutor`): in this process.
- ``pool`` (:class:`corroborate.executors.pool.PoolExecutor`): a pool of spawned worker processes,
  each of which loads and verifies the models once; batches go out while later inputs are read,
  and results come back in input order, so the output never depends on the number of workers.
- ``ray`` (:class:`corroborate.executors.ray.RayExecutor`): Ray tasks on a cluster (a new local Ray,
  or one joined by address), in the same way; a task whose worker dies is run again by Ray. The
  corpus steps (linking, reconciliation) also map their work over it (see :mod:`corroborate.corpus`).

A batch function takes a list and returns a list; for the pool it must be picklable (a
module-level function, or a :func:`functools.partial` of one).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R")

KINDS = ("local", "pool", "ray")


class WorkerError(RuntimeError):
    """A worker process died (killed, out of memory) or the pool could not start one."""


class Executor(Protocol):
    """Maps a batch function over batches; yields each batch's results, in input order."""

    name: str
    workers: int

    def map(self, fn: Callable[[list[T]], list[R]], batches: Iterable[list[T]]) -> Iterator[list[R]]: ...

    def share(self, value: Any) -> Any:
        """``value`` made readable by the batch functions (:func:`shared` gives it back)."""
        ...

    def close(self) -> None: ...


class LocalExecutor:
    """Every batch in this process, one after the other."""

    name = "local"
    workers = 1

    def map(self, fn: Callable[[list[T]], list[R]], batches: Iterable[list[T]]) -> Iterator[list[R]]:
        for batch in batches:
            yield fn(batch)

    def share(self, value: Any) -> Any:
        return value

    def close(self) -> None:
        pass


def shared(value: Any) -> Any:
    """A value an executor shared (:meth:`Executor.share`), in a batch function."""
    from corroborate.executors.ray import shared as from_object_store

    return from_object_store(value)


def make_executor(kind: str = "pool", workers: int | None = 1, initializer: Callable[[], None] | None = None,
                  address: str | None = None) -> Executor:
    """The executor ``kind`` with ``workers`` processes; one pool worker runs locally.
    ``initializer`` runs once in each worker process (load and verify the models). ``ray``:
    ``address`` is the cluster to join (None: start a Ray here), ``workers`` the tasks at once
    (None: every CPU of the cluster)."""
    if kind not in KINDS:
        raise ValueError(f"unknown executor {kind!r}: one of {', '.join(KINDS)}")
    if kind == "ray":
        from corroborate.executors.ray import RayExecutor

        return RayExecutor(workers, initializer, address)
    workers = workers or 1
    if kind == "local" or workers <= 1:
        return LocalExecutor()
    from corroborate.executors.pool import PoolExecutor

    return PoolExecutor(workers, initializer)
