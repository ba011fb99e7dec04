"""JSON Lines writers: one record per line, UTF-8, written through a temporary file."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel


def write_jsonl(path: Path, records: Iterable[BaseModel]) -> None:
    """Write records atomically: a crash never leaves a half-written file under the final name."""
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(record.model_dump_json())
            handle.write("\n")
    os.replace(tmp, path)
