"""Web archives (``.warc``, ``.warc.gz``), read with warcio.

Each HTML page the archive holds is one report: a ``response`` record with HTTP status 200 and a
content type of ``text/html`` or ``application/xhtml+xml`` (or a ``resource`` record of those types).
Its text and metadata come from the page, through :func:`~corroborate.sources.readers.html_to_doc`;
its url is the record's ``WARC-Target-URI``, and its ``published`` the page's own date, else the
record's capture date (``WARC-Date``). Other records (requests, metadata, revisits, images,
redirects, errors) are passed over silently.

Ids: ``<file id>/<n>``, where n is the record's position in the archive (1 for its first record,
whatever its type). The origin is ``<path>@<byte offset of the record>`` (``warcio extract
<path> <offset>`` shows it).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from corroborate.records import InputError
from corroborate.sources.dates import normalize_date
from corroborate.sources.decode import BadInput

_HTML_TYPES = ("text/html", "application/xhtml+xml")


def _content_type(value: str | None) -> tuple[str, str | None]:
    """(media type, charset) of a Content-Type header."""
    if not value:
        return "", None
    media, *params = value.split(";")
    charset = None
    for param in params:
        name, _, val = param.partition("=")
        if name.strip().lower() == "charset":
            charset = val.strip().strip("\"'") or None
    return media.strip().lower(), charset


def _page(record) -> tuple[str, str | None] | None:
    """(url, charset) when the record is an HTML page that was served, else None."""
    if record.rec_type == "response":
        http = record.http_headers
        if http is None or http.get_statuscode() != "200":
            return None
        media, charset = _content_type(http.get_header("Content-Type"))
    elif record.rec_type == "resource":
        media, charset = _content_type(record.rec_headers.get_header("Content-Type"))
    else:
        return None
    if media not in _HTML_TYPES:
        return None
    return record.rec_headers.get_header("WARC-Target-URI") or "", charset


def _starts_like_warc(path: Path) -> bool:
    import gzip

    with path.open("rb") as handle:
        head = handle.read(2)
    opener = gzip.open if head == b"\x1f\x8b" else open
    with opener(path, "rb") as handle:
        return handle.read(5) == b"WARC/"


def _malformed(path: Path, number: int, offset: int, reason: str) -> InputError:
    reason = " ".join(reason.split())[:200]
    return InputError(input=str(path), message=f"malformed WARC record {number} at byte offset {offset}: {reason}; the rest of the file is not read")


def read_warc(path: Path, *, base_id: str, options: Any = None) -> Iterator[Any]:
    """The reports of the HTML pages in a WARC file; one error per page without article text, and
    one error naming the record and its byte offset where a malformed archive stops being readable
    (a record with no or a wrong Content-Length, a truncated record, a corrupt gzip member)."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    from corroborate.sources import readers

    options = options or readers.ReadOptions()
    if not _starts_like_warc(path):
        raise BadInput("not a WARC file (it does not start with 'WARC/')")
    with path.open("rb") as handle:
        records = ArchiveIterator(handle)
        number, offset = 0, 0
        try:
            for record in records:
                number, offset = number + 1, records.offset
                if record.format != "warc" or record.length is None:
                    yield _malformed(path, number, offset, "no WARC header with a Content-Length")
                    return
                page = _page(record)
                body = b""
                if page is not None:
                    body = record.content_stream().read(options.max_doc_bytes + 1)
                while record.raw_stream.read(1 << 16):  # the rest of the record, to check its length
                    pass
                if getattr(record.raw_stream, "limit", 0) > 0 or records.err_count:
                    yield _malformed(path, number, offset, "shorter than its Content-Length (truncated, or a wrong length)")
                    return
                if page is None:
                    continue
                url, charset = page
                where = f"{path}@{offset}"
                try:
                    if len(body) > options.max_doc_bytes:
                        raise BadInput(f"page too large (more than {options.max_doc_bytes:,} bytes)")
                    doc = readers.html_to_doc(body, doc_id=f"{base_id}/{number}", origin=where, url=url or None,
                                              charset=charset, max_chars=options.max_text_chars)
                except BadInput as exc:
                    yield InputError(input=where, message=f"{url or 'record ' + str(number)}: {exc}")
                    continue
                if doc.published is None:  # the page states no date: when it was captured
                    doc.published = normalize_date(record.rec_headers.get_header("WARC-Date"))
                yield doc
        except ArchiveLoadFailed as exc:
            yield _malformed(path, number + 1, records.offset, str(exc))
        except Exception as exc:  # noqa: BLE001 (warcio fails in many ways on a hostile archive: one error for the file)
            yield _malformed(path, number + 1, records.offset, f"unreadable record ({type(exc).__name__}: {exc})")
