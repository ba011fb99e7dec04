"""The Ray executor: batches as Ray tasks on a cluster, results in input order (``--engine ray``).

Without an address it starts a Ray on this machine (``ray.init``, all its cores, or ``workers``);
with ``auto`` or an address (``ray://host:10001``, ``host:6379``) it joins that cluster, whose
nodes must have the same corroborate installed. Each batch is one task (one CPU); a worker
process loads and verifies the models once (``initializer``, on the first task it runs) and keeps
them for the later ones. Ray schedules the tasks, and a task whose worker dies (killed, out of
memory, a lost node) is run again by Ray on another worker, up to :data:`RETRIES` times, with the
same result: batches are pure functions of their input. A batch that still cannot be done fails
the run with one :class:`~corroborate.executors.WorkerError`.

The stream of inputs is read by this process, as the other executors do: at most
:data:`AHEAD_PER_WORKER` batches per worker are in flight, so memory stays bounded however long the
input, and results come back in input order, so the output never depends on the cluster.

:meth:`RayExecutor.share` puts one large read-only value (the linker's pair data) in Ray's object
store once: tasks on one node map it without copying it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from corroborate.executors import WorkerError

T = TypeVar("T")
R = TypeVar("R")

#: Batches in flight per worker: enough to keep every worker busy while results are collected in order.
AHEAD_PER_WORKER = 3
#: How many times Ray runs a task again when its worker dies (the run fails after that).
RETRIES = 3


class RayUnavailable(RuntimeError):
    """The ``ray`` extra is not installed, or the cluster cannot be reached."""


class RayExecutor:
    """Batches as Ray tasks. ``address``: None starts a Ray here; ``auto`` or an address joins one.
    ``workers``: tasks run at once (None: every CPU of the cluster)."""

    name = "ray"

    def __init__(self, workers: int | None = None, initializer: Callable[[], None] | None = None,
                 address: str | None = None) -> None:
        self.initializer = initializer
        self.address = address
        self.started = False
        self._start(workers)
        self.workers = workers or max(1, int(self._ray.cluster_resources().get("CPU", 1)))

    def _start(self, workers: int | None) -> None:
        try:
            import ray
        except ImportError as exc:
            raise RayUnavailable("--engine ray needs the ray extra: pip install 'corroborate[ray]'") from exc
        self._ray = ray
        if ray.is_initialized():
            return
        options: dict[str, Any] = {"include_dashboard": False, "logging_level": "ERROR", "log_to_driver": False,
                                   "configure_logging": True}
        if self.address not in (None, "auto"):
            _probe(self.address)  # Ray itself would retry an unreachable address for minutes
        if self.address is None:
            # this machine: its cores (or ``workers``); the workers inherit this process's environment
            options["num_cpus"] = workers or _cores()
        try:
            ray.init(address=self.address, **options)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            raise RayUnavailable(f"cannot reach the Ray cluster at {self.address or 'a new local Ray'}: {str(exc).rstrip('.')}") from exc
        self.started = True

    def map(self, fn: Callable[[list[T]], list[R]], batches: Iterable[list[T]]) -> Iterator[list[R]]:
        ray = self._ray
        task = ray.remote(num_cpus=1, max_retries=RETRIES)(_run_batch)
        pending: deque = deque()
        try:
            for batch in batches:
                pending.append(task.remote(self.initializer, fn, batch))
                while len(pending) > AHEAD_PER_WORKER * self.workers:
                    yield self._get(pending.popleft())
            while pending:
                yield self._get(pending.popleft())
        finally:
            for ref in pending:  # a run that stops early leaves no task behind
                ray.cancel(ref, force=True)

    def _get(self, ref) -> Any:
        from ray import exceptions

        try:
            return self._ray.get(ref)
        except (exceptions.WorkerCrashedError, exceptions.NodeDiedError, exceptions.ObjectLostError,
                exceptions.OutOfMemoryError, exceptions.RaySystemError) as exc:
            raise WorkerError(f"a Ray task failed {RETRIES + 1} times (its worker died each time): "
                              f"{type(exc).__name__}") from exc
        except exceptions.RayTaskError as exc:
            raise exc.as_instanceof_cause() from None  # the batch function's own error, as raised

    def share(self, value: Any) -> Any:
        """``value`` in the object store, for tasks to read with :func:`shared`."""
        return self._ray.put(value)

    def close(self) -> None:
        """Stop the Ray this executor started (a joined cluster is left as it was)."""
        if self.started and self._ray.is_initialized():
            self._ray.shutdown()
        self.started = False


#: in each Ray worker process, the initializers already run
_READY: set = set()


def _run_batch(initializer: Callable[[], None] | None, fn: Callable[[list], list], batch: list) -> list:
    """One batch in a Ray worker, after ``initializer`` (once per process)."""
    from corroborate.faults import checkpoint

    checkpoint("ray-task")
    if initializer is not None and initializer not in _READY:
        initializer()
        _READY.add(initializer)
    return fn(batch)


def shared(value: Any) -> Any:
    """What :meth:`RayExecutor.share` put in the object store (any other value as it is)."""
    try:
        from ray import ObjectRef
    except ImportError:
        return value
    if isinstance(value, ObjectRef):
        import ray

        return ray.get(value)
    return value


#: seconds to wait for a cluster's address to answer
PROBE_SECONDS = 5.0


def _probe(address: str) -> None:
    """Raise :class:`RayUnavailable` unless ``address`` (``host:port``, ``ray://host:port``)
    accepts a connection."""
    import socket

    client = address.startswith("ray://")
    where = address.removeprefix("ray://").split("/", 1)[0]
    host, _, port = where.rpartition(":") if ":" in where else (where, "", "10001" if client else "6379")
    try:
        number = int(port)
    except ValueError:
        raise RayUnavailable(f"{address}: not an address (host:port, ray://host:port or auto)") from None
    try:
        with socket.create_connection((host.strip("[]"), number), timeout=PROBE_SECONDS):
            pass
    except OSError as exc:
        raise RayUnavailable(f"cannot reach the Ray cluster at {address}: {exc.strerror or exc}") from None


def _cores() -> int:
    from corroborate.settings import default_workers

    return default_workers()
