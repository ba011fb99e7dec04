"""A run's output files (``corroborate run --out``), and the output folder they go to.

``reports.jsonl``, ``incidents.jsonl`` and ``sources.jsonl`` (one JSON object per
line, validated by ``schemas/*.schema.json``), ``report.md`` and ``report.html``
(plus ``report-pages/`` for a large run). Every writer streams: a run's reports and
incidents may be :class:`corroborate.spill.JsonlSpill` views read back from disk, and
none of the documents is held whole in memory.

``corroborate run`` never writes into ``--out`` directly: see :class:`StagedOutput`.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import secrets
import shutil
import signal
from datetime import UTC, datetime
from pathlib import Path
from typing import Self

from corroborate.render.html import PAGES_DIR, iter_pages, write_html
from corroborate.render.jsonl import write_jsonl
from corroborate.render.markdown import iter_markdown
from corroborate.sources.readers import OUTPUT_MARKER

OUTPUT_FILES = ("reports.jsonl", "incidents.jsonl", "sources.jsonl", "report.md", "report.html")
#: what an output folder holds that a corroborate too old to write the marker file wrote
LEGACY_OUTPUT_FILES = ("reports.jsonl", "incidents.jsonl", "report.html")


def _write_lines(path: Path, chunks) -> None:
    """Write text chunks through a temporary file, renamed when complete."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        with tmp.open("w", encoding="utf-8") as handle:
            for chunk in chunks:
                handle.write(chunk)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, path)


def write_outputs(result, out_dir: str | Path) -> list[Path]:
    """Write every output of ``result`` into ``out_dir`` (created if needed), in place, and the
    marker file naming the engine that made them (:func:`write_marker`).
    (``corroborate run`` writes them into a new folder swapped in whole: :class:`StagedOutput`.)"""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    write_jsonl(out / "reports.jsonl", result.reports)
    write_jsonl(out / "incidents.jsonl", result.incidents)
    written = write_documents(result, out)
    write_marker(out, getattr(result, "engine", None) or None)  # a later run may take it as --previous
    return written


def write_documents(result, out_dir: str | Path) -> list[Path]:
    """Everything but ``reports.jsonl`` and ``incidents.jsonl`` (which :func:`corroborate.pipeline.stream`
    writes as it goes): ``sources.jsonl``, ``report.md``, ``report.html`` and, for a large run,
    ``report-pages/``."""
    from corroborate.assess.sources import aggregate

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    sources = result.sources if result.sources is not None else aggregate(result.reports, result.incidents)
    write_jsonl(out / "sources.jsonl", sources)
    _write_lines(out / "report.md", (line + "\n" for line in iter_markdown(result, sources)))
    write_html(result, out / "report.html", sources)
    if (out / PAGES_DIR).is_dir():
        shutil.rmtree(out / PAGES_DIR)  # pages of an earlier run into the same directory
    for name, chunks in iter_pages(result):  # a large run: incidents and reports on pages of their own
        (out / PAGES_DIR).mkdir(exist_ok=True)
        _write_lines(out / PAGES_DIR / name, chunks)
    return [out / name for name in OUTPUT_FILES]


def write_marker(out_dir: str | Path, engine: str | None = None) -> Path:
    """The marker file that makes ``out_dir`` a corroborate output folder: a later run may replace
    it without ``--force``, and never reads it as input. JSON: this version, the contract, the time,
    and ``engine``, what made the incidents (:func:`corroborate.corpus.engine`), when given: a
    later ``--previous`` run keeps the incidents it does not touch only if its engine is the same."""
    from corroborate import __version__
    from corroborate.records import CONTRACT_VERSION

    path = Path(out_dir) / OUTPUT_MARKER
    stamp = {"corroborate": __version__, "contract": CONTRACT_VERSION,
             "written": datetime.now(UTC).isoformat(timespec="seconds")}
    if engine:
        stamp["engine"] = engine
    path.write_text(json.dumps(stamp) + "\n", encoding="utf-8")
    return path


# The output folder -----------------------------------------------------------------------


class OutputError(Exception):
    """``--out`` cannot be used or written; the message says why, naming the folder."""


def output_kind(out: str | Path) -> str:
    """What ``out`` is now: ``"missing"``, ``"empty"``, ``"output"`` (a corroborate output folder:
    its marker file, or the files an older corroborate wrote before the marker existed),
    ``"other"`` (a folder holding anything else) or ``"file"`` (not a folder)."""
    path = Path(out)
    if not path.exists():
        return "missing"
    if not path.is_dir():
        return "file"
    if (path / OUTPUT_MARKER).is_file() or all((path / name).is_file() for name in LEGACY_OUTPUT_FILES):
        return "output"
    with os.scandir(path) as entries:
        return "other" if any(True for _ in entries) else "empty"


def check_out(out: str | Path, *, force: bool = False, inputs=()) -> str:
    """Refuse an ``out`` that a run must not replace, before any work; return :func:`output_kind`.

    - a file, or a mount point (a folder cannot be swapped in for it): refused;
    - a folder that holds anything but corroborate outputs: refused unless ``force``, and then
      never when it holds one of ``inputs`` or the working directory (its content is replaced
      whole);
    - a folder that cannot be written: refused.
    """
    path = Path(out)
    kind = output_kind(path)
    if kind == "file":
        raise OutputError(f"--out {out} exists and is not a directory")
    if kind == "missing":
        return kind
    if os.path.ismount(path):
        raise OutputError(f"--out {out} is a mount point, which a new output folder cannot replace; give a folder inside it")
    if kind == "other":
        if not force:
            raise OutputError(f"--out {out} is not empty and is not a corroborate output folder; "
                              "choose another folder, or add --force to replace everything in it")
        real = Path(os.path.realpath(path))
        for item in [*(str(i) for i in inputs), os.curdir]:
            if "://" in item or item == "-":
                continue
            inside = Path(os.path.realpath(item))
            if inside == real or real in inside.parents:
                what = "the working directory" if item == os.curdir else f"the input {item}"
                raise OutputError(f"--out {out} holds {what}; even with --force it would be replaced whole: choose another folder")
    if not os.access(path, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write outputs to {out}: {os.strerror(errno.EACCES)}")
    return kind


#: renameat2(2) flag: exchange the two paths atomically (Linux 3.15+, glibc 2.28+).
RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def exchange(a: str | Path, b: str | Path) -> bool:
    """Swap two directories in one atomic step with Linux ``renameat2(RENAME_EXCHANGE)``; False when
    this system or file system cannot (not Linux, an old glibc or kernel, or a file system without
    the flag), in which case nothing happened."""
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _lock(path: Path):
    """An exclusive ``flock`` on the folder ``path`` (an open descriptor; the lock ends with it, or
    with the process, however it dies). None when the system has no ``flock``."""
    try:
        import fcntl
    except ImportError:
        return None
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise
    return fd


def _unlock(fd) -> None:
    if fd is not None:
        os.close(fd)


def _remove(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
    if path.exists():  # ignore_errors: a file in it could not be removed
        shutil.rmtree(path)


class StagedOutput:
    """A run's outputs are written into a new folder beside ``out``, and swapped in for it at the end.

    ``with StagedOutput("out") as staged:`` creates ``.out.corroborate-new-<random>`` in the folder
    that holds ``out`` (so on the same file system), locked for the time of the run; the run writes
    everything into ``staged.path``; :meth:`commit` writes the marker file and swaps the folder in
    for ``out``. Leaving the block without :meth:`commit` (an error, Ctrl-C) removes the new folder,
    and ``out`` is as it was. So whenever the process stops, even killed, ``out`` holds either the
    complete previous outputs or the complete new ones, never a mix:

    - if ``out`` does not exist, the new folder is renamed to it (``rename(2)`` is atomic);
    - if it does, the two folders are exchanged in one atomic step with Linux
      ``renameat2(RENAME_EXCHANGE)`` (:func:`exchange`), and the old outputs, now under the new
      folder's name, are deleted;
    - where that is not available (not Linux, or a file system without it), ``out`` is renamed
      aside to ``.out.corroborate-old-<random>``, the new folder renamed to ``out``, and the old
      one deleted. Between the two renames ``out`` does not exist: a run killed right there
      leaves the old outputs complete under the ``-old-`` name, and the next run puts them back.

    A run killed before it could clean up (SIGKILL, power loss) leaves its ``-new-`` (or ``-old-``)
    folder; the next run into the same ``out`` removes it (:meth:`sweep`), unless the run that
    made it is still going (its lock is held). ``previous`` outputs read from ``out`` itself are
    read before the swap.
    """

    def __init__(self, out: str | Path, *, use_exchange: bool = True) -> None:
        self.out = Path(out)
        self.use_exchange = use_exchange
        self.path: Path | None = None
        self.committed = False
        self._fd = None
        self._created: list[Path] = []
        absolute = Path(os.path.abspath(self.out))
        self._target = Path(os.path.realpath(absolute)) if absolute.is_symlink() else absolute  # a link: its folder
        self._parent = self._target.parent
        self._prefix = f".{self._target.name}.corroborate-"

    def leftovers(self) -> list[Path]:
        """The ``-new-`` and ``-old-`` folders of runs into ``out`` beside it."""
        try:
            return sorted(p for p in self._parent.iterdir() if p.name.startswith(self._prefix)
                          and p.name[len(self._prefix):].startswith(("new-", "old-")))
        except OSError:
            return []

    def sweep(self) -> list[Path]:
        """Remove what killed runs into ``out`` left beside it; put back the previous outputs
        of a run killed in the middle of a fallback swap. Returns what was removed or restored."""
        done = []
        for path in self.leftovers():
            try:
                fd = _lock(path)
            except OSError:
                continue  # a run is writing it now (or it cannot be opened): leave it
            try:
                if path.name.startswith(self._prefix + "old-") and not self._target.exists():
                    os.rename(path, self._target)  # the previous outputs, back in place
                else:
                    _remove(path)
                done.append(path)
            finally:
                _unlock(fd)
        return done

    def __enter__(self) -> Self:
        self.sweep()
        missing = [p for p in [self._parent, *self._parent.parents] if not p.exists()]
        try:
            self._parent.mkdir(parents=True, exist_ok=True)
            self._created = missing  # folders made for ``out``: removed again if the run writes nothing
            self.path = self._parent / f"{self._prefix}new-{secrets.token_hex(4)}"
            self.path.mkdir()
            self._fd = _lock(self.path)
        except OSError as exc:
            self._discard()
            reason = exc.strerror or str(exc)
            for ancestor in self.out.parents:
                if ancestor.exists() and not ancestor.is_dir():
                    reason = f"{ancestor} is not a directory"
                    break
            raise OutputError(f"cannot write outputs to {self.out}: {reason}") from None
        return self

    def commit(self, engine: str | None = None) -> None:
        """Write the marker (with ``engine``: :func:`write_marker`), then swap the new folder in for
        ``out``. Ctrl-C and SIGTERM wait until the swap is done (a few renames and the removal of
        the old outputs)."""
        assert self.path is not None
        write_marker(self.path, engine)
        with _signals_held():
            target = self._target
            if not target.exists():
                os.rename(self.path, target)
                self.committed = True
                return
            if self.use_exchange and exchange(self.path, target):
                self.committed = True  # self.path now holds the old outputs
                shutil.rmtree(self.path, ignore_errors=True)  # what is left, a later run sweeps
                return
            old = self._parent / f"{self._prefix}old-{secrets.token_hex(4)}"
            fd = _lock(target)
            try:
                os.rename(target, old)
                os.rename(self.path, target)
                self.committed = True
                shutil.rmtree(old, ignore_errors=True)
            finally:
                _unlock(fd)

    def _discard(self) -> None:
        """Remove the new folder (and the folders made for ``out``): nothing of this run is left."""
        _unlock(self._fd)
        self._fd = None
        if self.committed:
            return
        with _signals_held():
            if self.path is not None:
                _remove(self.path)
            for folder in self._created:
                with contextlib.suppress(OSError):
                    folder.rmdir()

    def __exit__(self, *exc) -> None:
        self._discard()


@contextlib.contextmanager
def _signals_held():
    """Hold Ctrl-C (SIGINT) and SIGTERM back for the block: a signal that comes meanwhile is
    acted on (KeyboardInterrupt, ...) when the block ends. Python runs signal handlers in the main
    thread; elsewhere this holds nothing back."""
    caught: list[int] = []
    try:
        before = {sig: signal.signal(sig, lambda number, _frame: caught.append(number))
                  for sig in (signal.SIGINT, signal.SIGTERM)}
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)
        if caught:
            handler = before[caught[0]]
            if callable(handler):
                handler(caught[0], None)
            elif handler == signal.SIG_DFL:
                os.kill(os.getpid(), caught[0])
