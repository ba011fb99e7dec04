"""Peak memory of a whole ``corroborate run``: the main process and its worker processes.

``measure(args)`` runs a command and samples, every 0.1 s, the resident set size (VmRSS)
of the process and of all its descendants, from /proc. It reports the peak of their sum
(what the run holds at once; an upper bound, since pages shared between processes, such
as the libraries every worker maps, count once per process), the peak of the sum of their
proportional set sizes (Pss: each shared page split between the processes that map it),
and the peak of the largest single process (the kernel's own ``ru_maxrss`` for the main
process is also kept, as a check on the sampling).

``synthetic(path, k, out)`` writes the GVA dev reports ``k`` times over, with new ids and
every year moved forward by the copy number (in the text and in the publication date), so
that the copies are other incidents, not duplicates of one another: the run has ``k`` times
the reports, words and incidents to hold.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import threading
import time
from pathlib import Path

_YEAR = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")


def _proc_kb(path: str, field: str) -> int:
    """A "Field:   N kB" line of a /proc file; 0 if the process is gone."""
    try:
        with open(path, encoding="ascii") as handle:
            for line in handle:
                if line.startswith(field):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _rss_kb(pid: int) -> int:
    return _proc_kb(f"/proc/{pid}/status", "VmRSS:")


def _pss_kb(pid: int) -> int:
    """Proportional set size: shared pages (libraries mapped by every process) split between
    the processes that map them, so that the sum over processes counts each page once."""
    return _proc_kb(f"/proc/{pid}/smaps_rollup", "Pss:")


def _descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{current}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as handle:
                    children = [int(c) for c in handle.read().split()]
            except OSError:
                continue
            out += children
            todo += children
    return out


def measure(args: list[str], interval: float = 0.1) -> dict:
    """Run ``args``; return exit code, stderr, seconds, and peak RSS in MB (sum of the process
    tree, largest single process, and the main process's own ru_maxrss)."""
    started = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = {"tree": 0, "tree_pss": 0, "largest": 0, "main": 0, "worker": 0, "processes": 1}
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            pids = [proc.pid, *_descendants(proc.pid)]
            sizes = [_rss_kb(p) for p in pids]
            peak["tree"] = max(peak["tree"], sum(sizes))
            peak["tree_pss"] = max(peak["tree_pss"], sum(_pss_kb(p) for p in pids))
            peak["largest"] = max(peak["largest"], max(sizes))
            peak["main"] = max(peak["main"], sizes[0])
            peak["worker"] = max(peak["worker"], max(sizes[1:], default=0))
            peak["processes"] = max(peak["processes"], len([s for s in sizes if s]))
            done.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stderr = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    done.set()
    sampler.join()
    return {
        "code": os.waitstatus_to_exitcode(status),
        "stderr": stderr,
        "seconds": time.perf_counter() - started,
        "tree_mb": peak["tree"] / 1024,
        "tree_pss_mb": peak["tree_pss"] / 1024,
        "largest_mb": max(peak["largest"] / 1024, usage.ru_maxrss / 1024),
        "main_maxrss_mb": usage.ru_maxrss / 1024,
        "main_mb": peak["main"] / 1024,
        "worker_mb": peak["worker"] / 1024,
        "processes": peak["processes"],
    }


def synthetic(path: Path, k: int, out: Path) -> Path:
    """``path`` (JSONL reports) written ``k`` times: copy c has ids suffixed ``-c`` and years moved by ``c``."""
    if out.exists():
        return out
    tmp = out.with_name(out.name + ".tmp")
    with path.open(encoding="utf-8") as source, tmp.open("w", encoding="utf-8") as sink:
        lines = source.readlines()
        for copy in range(k):
            for line in lines:
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except ValueError:
                    sink.write(line)  # the bad lines stay bad in every copy
                    continue
                if copy:
                    def shift(m, copy=copy):
                        return str(int(m.group(0)) + copy)
                    obj["id"] = f"{obj.get('id')}-{copy}"
                    for key in ("text", "title", "published"):
                        if isinstance(obj.get(key), str):
                            obj[key] = _YEAR.sub(shift, obj[key])
                sink.write(json.dumps(obj, ensure_ascii=False) + "\n")
    os.replace(tmp, out)
    return out
