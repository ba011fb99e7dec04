"""Executors: map a batch function over batches, in input order (in the manner of datatrove's
executors, which only map a pipeline over shards).

- ``local`` (:class:`LocalExecutor`): in this process.
- ``pool`` (:class:`corroborate.executors.pool.PoolExecutor`): a pool of spawned worker processes,
  each of which loads and verifies the models once; batches go out while later inputs are read,
  and results come back in input order, so the output never depends on the number of workers.

A batch function takes a list and returns a list; for the pool it must be picklable (a
module-level function, or a :func:`functools.partial` of one).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R")

KINDS = ("local", "pool")


class WorkerError(RuntimeError):
    """A worker process died (killed, out of memory) or the pool could not start one."""


class Executor(Protocol):
    """Maps a batch function over batches; yields each batch's results, in input order."""

    name: str
    workers: int

    def map(self, fn: Callable[[list[T]], list[R]], batches: Iterable[list[T]]) -> Iterator[list[R]]: ...


class LocalExecutor:
    """Every batch in this process, one after the other."""

    name = "local"
    workers = 1

    def map(self, fn: Callable[[list[T]], list[R]], batches: Iterable[list[T]]) -> Iterator[list[R]]:
        for batch in batches:
            yield fn(batch)


def make_executor(kind: str = "pool", workers: int = 1, initializer: Callable[[], None] | None = None) -> Executor:
    """The executor ``kind`` with ``workers`` processes; one worker always runs locally.
    ``initializer`` runs once in each pool worker (load and verify the models)."""
    if kind not in KINDS:
        raise ValueError(f"unknown executor {kind!r}: one of {', '.join(KINDS)}")
    if kind == "local" or workers <= 1:
        return LocalExecutor()
    from corroborate.executors.pool import PoolExecutor

    return PoolExecutor(workers, initializer)
