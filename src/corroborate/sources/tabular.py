"""Files of records: JSONL (streamed line by line), JSON (an array of objects, or one object) and
CSV/TSV with a header row (streamed row by row). Each record is one report (:mod:`.fields`).

A record without an id is named ``<file id>/<n>``: n is the JSONL line number, the CSV data row
number (1 = the first row after the header) or the position in the JSON array (from 1).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import Any, BinaryIO

from corroborate.records import InputError
from corroborate.sources.decode import BadInput, decode_text, text_lines, text_stream
from corroborate.sources.fields import names_for, record_to_doc

#: a JSON list under one of these keys of a top-level object holds the records
LIST_KEYS = ("articles", "items", "data", "records", "results", "documents", "reports", "stories")


def read_jsonl(stream: BinaryIO, *, origin: str, base_id: str, options) -> Iterator[Any]:
    """One report per non-empty line; one error per bad line, and the file goes on."""

    for lineno, line, encoding in text_lines(stream):
        where = f"{origin}:{lineno}"
        try:
            if isinstance(line, BadInput):
                raise line
            if not line.strip():
                continue
            if len(line) > options.max_doc_bytes:
                raise BadInput(f"line too large ({len(line):,} characters; the limit is {options.max_doc_bytes:,})")
            yield record_to_doc(_json_object(line.strip()), where=where, fallback_id=f"{base_id}/{lineno}",
                                field_map=options.field_map, encoding=encoding, max_chars=options.max_text_chars)
        except BadInput as exc:
            yield InputError(input=where, message=str(exc))


def _parse_json(text: str, *, one_line: bool) -> Any:
    """``json.loads``, or :class:`BadInput` saying where it is malformed (the column of a JSONL
    line; the line and column of a file)."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"column {exc.colno}" if one_line else f"line {exc.lineno}, column {exc.colno}"
        raise BadInput(f"malformed JSON ({exc.msg} at {where})") from None
    except RecursionError:
        raise BadInput("malformed JSON (nested too deeply)") from None


def _json_object(line: str) -> dict:
    obj = _parse_json(line, one_line=True)
    if not isinstance(obj, dict):
        raise BadInput(f"expected a JSON object, got {_json_type(obj)}")
    return obj


def _json_type(value: Any) -> str:
    return {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}.get(type(value), "number")


def read_json(data: bytes, *, origin: str, base_id: str, options) -> Iterator[Any]:
    """A JSON file: an array of objects (one report each, origin ``path:<n>``, n from 1), one object (one
    report), or an object with the array under one key of :data:`LIST_KEYS`."""
    text, encoding = decode_text(data)
    value = _parse_json(text, one_line=False)
    if isinstance(value, dict):
        text_names = set(names_for(options.field_map)["text"] + names_for(options.field_map)["html"])
        lists = [key for key in LIST_KEYS if isinstance(value.get(key), list)]
        if not text_names.intersection(value) and len(lists) == 1:
            value = value[lists[0]]
        else:
            yield _one(value, where=origin, fallback_id=base_id, options=options, encoding=encoding)
            return
    if not isinstance(value, list):
        raise BadInput(f"expected a JSON array of objects or an object, got {_json_type(value)}")
    for position, item in enumerate(value, start=1):
        where = f"{origin}:{position}"
        if not isinstance(item, dict):
            yield InputError(input=where, message=f"expected a JSON object, got {_json_type(item)}")
            continue
        yield _one(item, where=where, fallback_id=f"{base_id}/{position}", options=options, encoding=encoding)


def _one(obj: dict, *, where: str, fallback_id: str, options, encoding: str):
    try:
        return record_to_doc(obj, where=where, fallback_id=fallback_id, field_map=options.field_map, encoding=encoding,
                             max_chars=options.max_text_chars)
    except BadInput as exc:
        return InputError(input=where, message=str(exc))


def read_csv(stream: BinaryIO, *, origin: str, base_id: str, options, delimiter: str | None = None) -> Iterator[Any]:
    """A CSV (or TSV) file with a header row: one report per row (origin ``path:line``). The
    delimiter of a ``.csv`` is the one of ``,`` ``;`` ``|`` and tab its header holds most."""

    csv.field_size_limit(max(csv.field_size_limit(), options.max_doc_bytes))
    handle, encoding = text_stream(stream)
    try:
        header_line = handle.readline()
        handle.seek(0)
        if delimiter is None:
            delimiter = max(",;\t|", key=header_line.count)
        rows = csv.reader(handle, delimiter=delimiter)
        header = next(rows, None)
        if not header or not any(cell.strip() for cell in header):
            raise BadInput("no header row")
        header = [cell.strip() for cell in header]
        names = names_for(options.field_map)
        folded = {cell.lower() for cell in header}
        if not folded.intersection(n.lower() for n in names["text"] + names["html"]):
            raise BadInput(f"no text column: the header has {', '.join(repr(c) for c in header[:12])}; "
                           "name the text column with --map text=COLUMN")
        last_line, number = rows.line_num, 0
        while True:
            where = f"{origin}:{last_line + 1}"
            try:
                row = next(rows)
            except StopIteration:
                break
            except csv.Error as exc:
                yield InputError(input=where, message=f"malformed CSV ({exc})")
                last_line = rows.line_num
                continue
            except UnicodeDecodeError:
                yield InputError(input=where, message=f"not valid {encoding} from here on; convert the file to UTF-8")
                return
            last_line = rows.line_num
            if not any(cell.strip() for cell in row):
                continue
            number += 1
            record = {key: value for key, value in zip(header, row) if key}
            yield _one(record, where=where, fallback_id=f"{base_id}/{number}", options=options, encoding=encoding)
    finally:
        handle.detach()
