"""Compare two output folders of `corroborate run`: are they equal, apart from the documented
contract change from 1.x to 2.0?

    python scripts/compare_outputs.py OLD_OUT NEW_OUT

A 1.x report line is read as 2.0 reads it (``signals.single_source_claims`` dropped) and each
record's ``schema_version`` is set aside; then reports.jsonl and incidents.jsonl must be equal
line for line, sources.jsonl equal record for record, and report.md, report.html and the pages
of a large run equal apart from the contract they name. Exit 0 when all are, 1 otherwise.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path


def _records(path: Path, kind: str) -> list[dict]:
    out = []
    for line in path.open(encoding="utf-8"):
        record = json.loads(line)
        record.pop("schema_version", None)
        if kind == "reports" and record.get("signals"):
            record["signals"].pop("single_source_claims", None)
        out.append(record)
    return out


def _document(path: Path) -> str:
    return re.sub(r"contract \d+\.\d+", "contract X", path.read_text(encoding="utf-8"))


def compare(old: Path, new: Path) -> list[str]:
    """What differs (empty when nothing does)."""
    differs = []
    for kind in ("reports", "incidents", "sources"):
        if _records(old / f"{kind}.jsonl", kind) != _records(new / f"{kind}.jsonl", kind):
            differs.append(f"{kind}.jsonl")
    documents = sorted({p.relative_to(old) for p in old.rglob("*.html")} | {p.relative_to(new) for p in new.rglob("*.html")})
    for name in [Path("report.md"), *documents]:
        if not (old / name).is_file() or not (new / name).is_file() or _document(old / name) != _document(new / name):
            differs.append(str(name))
    return differs


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    differs = compare(Path(argv[0]), Path(argv[1]))
    print("equal apart from the contract change" if not differs else "different: " + ", ".join(differs))
    return 1 if differs else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
