"""Records kept on disk while a run streams: a JSON Lines file plus the byte offset of each line.

A long run never holds all its reports in memory: each analyzed report is appended to a
file as one JSON line, and read back (validated again) only when a later stage needs it:
reconciliation loads the reports of one incident at a time, and the writers stream them.
A :class:`JsonlSpill` is a read-only ``Sequence`` of records, so code written for a list
of reports (``len``, iteration, ``store[i]``, ``store[a:b]``) works on it unchanged.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO, Generic, TypeVar

from pydantic import BaseModel

T = TypeVar("T", bound=BaseModel)


class JsonlSpill(Sequence, Generic[T]):
    """An append-only JSONL file of ``model`` records, one per line, with random access.

    In memory: each record's byte offset and id (a few dozen bytes per record), and a
    small cache of recently read records. Lines are UTF-8 and end with ``\\n``.
    """

    def __init__(self, path: str | os.PathLike, model: type[T], *, keep: Callable[[T], object] | None = None,
                 cache: int = 512) -> None:
        self.path = Path(path)
        self.model = model
        self.offsets: list[int] = []
        self.ids: list[str] = []
        self.keep = keep  # what to keep aside in memory of each record appended with append()
        self.extra: list | None = [] if keep is not None else None
        self._end = 0
        self._writer: BinaryIO | None = None
        self._reader: BinaryIO | None = None
        self._cache: OrderedDict[int, T] = OrderedDict()
        self._cache_size = cache

    # writing -------------------------------------------------------------------------
    def append_line(self, line: str, ident: str, extra: object = None) -> int:
        """Append one serialized record (without its newline); return its index. ``extra``: what
        ``keep`` would give for it (kept when the store has ``keep``)."""
        if self._writer is None:
            if self.offsets:
                raise ValueError(f"{self.path}: a store is written once, then read")
            self._writer = self.path.open("wb")  # a leftover of an interrupted run is overwritten
            self._end = 0
        data = line.encode("utf-8") + b"\n"
        if self.extra is not None:
            self.extra.append(extra)
        self.offsets.append(self._end)
        self.ids.append(ident)
        self._writer.write(data)
        self._end += len(data)
        return len(self.offsets) - 1

    def append(self, record: T) -> int:
        ident = str(getattr(record, "id"))  # noqa: B009 (every record a spill holds has an id)
        return self.append_line(record.model_dump_json(), ident, self.keep(record) if self.keep is not None else None)

    def discard(self) -> None:
        """Close the file and remove it (a run that failed leaves no partial file)."""
        import contextlib

        with contextlib.suppress(OSError):  # a full disk fails the last flush: the file goes anyway
            self.close()
        self.path.unlink(missing_ok=True)

    def kept(self) -> dict[str, object] | None:
        """What ``keep`` gave for each record appended with :meth:`append`, by id (None without ``keep``)."""
        return None if self.extra is None else dict(zip(self.ids, self.extra))

    def flush(self) -> None:
        if self._writer is not None:
            self._writer.flush()

    def close(self) -> None:
        """Close the file; both handles are closed even if writing the last buffered lines fails (a
        full disk), and then that error is raised."""
        handles, self._writer, self._reader = (self._writer, self._reader), None, None
        failed = None
        for handle in handles:
            if handle is not None:
                try:
                    handle.close()
                except OSError as exc:
                    failed = failed or exc
        if failed is not None:
            raise failed

    def move(self, target: str | os.PathLike) -> None:
        """Rename the file (atomically, on one file system); the offsets stay valid. A store that
        was never written becomes an empty file (a run whose reports make no incident)."""
        self.close()
        if not self.offsets and not self.path.exists():
            self.path.touch()
        os.replace(self.path, target)
        self.path = Path(target)

    # reading -------------------------------------------------------------------------
    def line(self, index: int) -> str:
        """The serialized record at ``index``, without its newline."""
        self.flush()
        if self._reader is None:
            self._reader = self.path.open("rb")
        start = self.offsets[index]
        end = self.offsets[index + 1] if index + 1 < len(self.offsets) else self._end
        self._reader.seek(start)
        return self._reader.read(end - start).decode("utf-8").rstrip("\n")

    def lines(self) -> Iterator[str]:
        """Every serialized record in order, read sequentially (none from a store never written)."""
        self.flush()
        if not self.offsets:
            return
        with self.path.open("rb") as handle:
            for _ in range(len(self.offsets)):
                yield handle.readline().decode("utf-8").rstrip("\n")

    def __len__(self) -> int:
        return len(self.offsets)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        cached = self._cache.get(index)
        if cached is not None:
            self._cache.move_to_end(index)
            return cached
        record = self.model.model_validate_json(self.line(index))
        self._cache[index] = record
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return record

    def __iter__(self) -> Iterator[T]:
        for line in self.lines():
            yield self.model.model_validate_json(line)

    def __enter__(self) -> JsonlSpill[T]:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class ById(Generic[T]):
    """``store`` looked up by record id, read from disk on demand (a ``Mapping``-like view)."""

    def __init__(self, records: Sequence[T]) -> None:
        self.records = records
        self.position = {ident: i for i, ident in enumerate(record_ids(records))}

    def __getitem__(self, ident: str) -> T:
        return self.records[self.position[ident]]

    def __contains__(self, ident: object) -> bool:
        return ident in self.position

    def get(self, ident: str, default: Any = None) -> Any:
        return self[ident] if ident in self.position else default


def record_ids(records: Sequence) -> list[str]:
    """The ids of ``records`` in order, without reading a store's records back."""
    return records.ids if isinstance(records, JsonlSpill) else [r.id for r in records]
