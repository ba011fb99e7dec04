"""Decode input bytes to text: UTF-8 first, byte-order marks, UTF-16 with or without a BOM,
then charset-normalizer's guess (Windows-1252 preferred when the guess is a tie).

Every decoder returns the text and the name of the encoding used (Python's codec name,
e.g. ``"utf-8"``, ``"cp1252"``, ``"utf-16-le"``), which is kept on the report.
Binary data is refused with :class:`BadInput`.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterator
from typing import BinaryIO


class BadInput(Exception):
    """Raised by a reader for one bad input; turned into an :class:`~corroborate.records.InputError`."""


#: bytes looked at to choose the encoding of a streamed file (JSONL, CSV)
SAMPLE_BYTES = 1024 * 1024

_BOMS = (  # longest first: the UTF-32 LE mark starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32", "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32", "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig", "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16", "utf-16-be"),
)


def codec_name(encoding: str) -> str:
    """Python's canonical name of an encoding (``latin_1`` -> ``iso8859-1``); raises LookupError."""
    return codecs.lookup(encoding).name


def _bom(data: bytes) -> tuple[str, str] | None:
    """(codec to decode with, name to record) when ``data`` starts with a byte-order mark."""
    for mark, codec, name in _BOMS:
        if data.startswith(mark):
            return codec, name
    return None


def _utf16_without_bom(sample: bytes) -> str | None:
    """``utf-16-le`` / ``utf-16-be`` when the bytes look like mostly-ASCII UTF-16 without a BOM:
    one byte of every pair is NUL, the other almost never is."""
    sample = sample[:8192]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    even_nul, odd_nul = even.count(0) / len(even), odd.count(0) / len(odd)
    if odd_nul > 0.4 and even_nul < 0.05:
        return "utf-16-le"
    if even_nul > 0.4 and odd_nul < 0.05:
        return "utf-16-be"
    return None


def _guess(data: bytes) -> str | None:
    """charset-normalizer's encoding for non-UTF-8 bytes, or None (binary, or no encoding fits).

    Windows-1252 is taken whenever it gives the same text as the best guess, and when the text is
    too short for any language evidence and it fits as well as the best guess: newsroom files that
    are not UTF-8 are most often Windows-1252 (or Latin-1, which it extends)."""
    from charset_normalizer import from_bytes

    results = from_bytes(data[:SAMPLE_BYTES])
    best = results.best()
    if best is None:
        return None
    if "cp1252" in best.could_be_from_charset:
        return "cp1252"
    if best.coherence == 0:
        for match in results:
            if match.chaos <= best.chaos and "cp1252" in match.could_be_from_charset:
                return "cp1252"
    return codec_name(best.encoding)


def _binary(text: str) -> bool:
    """Decoded text that is mostly control characters is binary data, whatever decoded it."""
    head = text[:8192]
    controls = sum(1 for ch in head if (ord(ch) < 32 and ch not in "\t\n\r\f\v") or ord(ch) == 127)
    return controls > max(2, len(head) // 100)


def choose_encoding(sample: bytes, *, declared: str | None = None, complete: bool = True) -> tuple[str, str]:
    """(codec to decode with, name to record) for bytes starting with ``sample``.

    Order: a byte-order mark; UTF-16 without a BOM; UTF-8; the ``declared`` encoding (an HTML meta
    charset or an HTTP header); charset-normalizer's guess. ``complete`` is False when ``sample``
    is the start of a longer stream (a character may be cut at its end). Raises :class:`BadInput`
    for binary data."""
    bom = _bom(sample)
    if bom:
        return bom
    utf16 = _utf16_without_bom(sample)
    if utf16:
        return utf16, utf16
    if b"\x00" in sample[:8192]:
        raise BadInput("binary file (contains NUL bytes), not text")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=complete)
        return "utf-8", "utf-8"
    except UnicodeDecodeError:
        pass
    if declared:
        try:
            name = codec_name(declared)
            if name in ("iso8859-1", "ascii"):
                name = "cp1252"  # as browsers do (WHATWG encoding standard)
            if not name.startswith(("utf-16", "utf-32")):
                sample.decode(name)  # a cut character at the end of a sample is rare for single-byte codecs
                return name, name
        except (LookupError, UnicodeDecodeError):
            pass
    guessed = _guess(sample)
    if guessed is None:
        raise BadInput("binary file, or text in an encoding that cannot be recognised; convert it to UTF-8")
    return guessed, guessed


def decode_text(data: bytes, *, declared: str | None = None) -> tuple[str, str]:
    """Decode a whole document; returns (text, encoding name). Raises :class:`BadInput`."""
    codec, name = choose_encoding(data, declared=declared)
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        raise BadInput(f"not valid {name} (byte 0x{data[exc.start]:02x} at offset {exc.start}); convert it to UTF-8") from None
    if _binary(text):
        raise BadInput("binary file (mostly control characters), not text")
    return text, name


def _ascii_compatible(codec: str) -> bool:
    return not codec.startswith(("utf-16", "utf-32"))


def _sample(stream: BinaryIO) -> bytes:
    """The first :data:`SAMPLE_BYTES` of a stream, which is then rewound; a truncated gzip stream
    gives what it has (the error comes again where the reading gets to the cut)."""
    chunks: list[bytes] = []
    size = 0
    try:
        while size < SAMPLE_BYTES:
            chunk = stream.read(min(1 << 16, SAMPLE_BYTES - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except EOFError:
        pass
    stream.seek(0)
    return b"".join(chunks)


def text_lines(stream: BinaryIO) -> Iterator[tuple[int, str | BadInput, str]]:
    """The lines of a binary stream as (line number, text or the error for that line, encoding name).

    A byte-order mark, UTF-16 or binary data is found in the first :data:`SAMPLE_BYTES`. Otherwise
    each line is decoded on its own: as UTF-8, else in the encoding charset-normalizer finds for
    the sample's lines that are not UTF-8, else in the one it finds for the line alone. So a few
    lines pasted from a Windows file do not change how the others are read. In UTF-16/32 a byte
    that cannot be decoded ends the stream with one error."""
    sample = _sample(stream)
    codec, name = choose_encoding(sample, complete=len(sample) < SAMPLE_BYTES)
    if _ascii_compatible(codec):
        legacy: list[tuple[str, str] | None] = []  # the sample's other encoding, found when first needed

        def other_encoding() -> tuple[str, str] | None:
            if not legacy:
                lines = []
                for raw in sample.splitlines()[:-1] if len(sample) == SAMPLE_BYTES else sample.splitlines():
                    try:
                        raw.decode("utf-8")
                    except UnicodeDecodeError:
                        lines.append(raw)
                guessed = _guess(b"\n".join(lines)) if lines else None
                legacy.append((guessed, guessed) if guessed else None)
            return legacy[0]

        for lineno, raw in enumerate(stream, start=1):
            if lineno == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8):]
            try:
                yield lineno, raw.decode("utf-8"), "utf-8"
                continue
            except UnicodeDecodeError:
                pass
            other = other_encoding()
            try:
                if other is None:
                    raise UnicodeDecodeError("utf-8", raw, 0, 1, "no other encoding")
                yield lineno, raw.decode(other[0]), other[1]
            except UnicodeDecodeError:
                try:
                    text, line_name = decode_text(raw)
                    yield lineno, text, line_name
                except BadInput as exc:
                    yield lineno, exc, name
        return
    wrapper = io.TextIOWrapper(stream, encoding=codec, newline="")
    lineno = 0
    try:
        for lineno, line in enumerate(wrapper, start=1):
            yield lineno, line, name
    except UnicodeDecodeError:
        yield lineno + 1, BadInput(f"not valid {name} from here on; convert the file to UTF-8"), name
    finally:
        wrapper.detach()


def text_stream(stream: BinaryIO) -> tuple[io.TextIOWrapper, str]:
    """A text stream over ``stream`` in the encoding of its first :data:`SAMPLE_BYTES`, and that
    encoding's name. Reading past a byte the encoding cannot decode raises UnicodeDecodeError."""
    sample = _sample(stream)
    codec, name = choose_encoding(sample, complete=len(sample) < SAMPLE_BYTES)
    return io.TextIOWrapper(stream, encoding=codec, newline=""), name
