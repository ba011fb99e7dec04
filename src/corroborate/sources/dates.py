"""Publication dates in any common form, as ISO 8601 (``YYYY-MM-DD``, or a date-time with its offset)."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

_EPOCH = re.compile(r"[+-]?\d{9,13}(?:\.\d+)?")
#: epoch times outside these years are not publication dates
_YEARS = (1900, 2200)


def _iso(parsed: datetime, *, date_only: bool) -> str:
    if date_only or (parsed.hour == parsed.minute == parsed.second == parsed.microsecond == 0 and parsed.tzinfo is None):
        return parsed.date().isoformat()
    return parsed.isoformat()


def _epoch(seconds: float) -> str | None:
    if not math.isfinite(seconds):
        return None
    if abs(seconds) >= 1e11:  # milliseconds
        seconds /= 1000
    try:
        parsed = datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return parsed.replace(microsecond=0).isoformat() if _YEARS[0] <= parsed.year < _YEARS[1] else None


def normalize_date(value: str | float | None) -> str | None:
    """An ISO 8601 date (``YYYY-MM-DD``) or date-time (with its offset when it has one), or None.

    Reads ISO 8601 (fast path), RFC 822 (``Mon, 06 May 2024 10:00:00 GMT``), epoch seconds or
    milliseconds (a number, or a string of 9 to 13 digits), and with dateparser any absolute date
    with a day, a month and a year (``May 6, 2024``, ``6. Mai 2024``); not relative ones
    ("yesterday")."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        text = str(value)
        if len(text) == 8 and text.isdigit():  # 20240506
            return normalize_date(text)
        try:
            return _epoch(float(value))
        except OverflowError:  # an integer too large for a float
            return None
    value = value.strip()
    if not value or len(value) > 100:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
        return _iso(parsed, date_only=len(value) in (8, 10) and value[:4].isdigit())
    except ValueError:
        pass
    try:
        return _iso(datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z"), date_only=False)
    except ValueError:
        pass
    if _EPOCH.fullmatch(value):
        return _epoch(float(value))
    if value[:3].isalpha() and "," in value[:5]:  # RFC 822, as feeds and e-mail write it
        try:
            return _iso(parsedate_to_datetime(value), date_only=False)
        except (TypeError, ValueError, IndexError):
            pass
    return _dateparser(value)


def _dateparser(value: str) -> str | None:
    import dateparser  # imported lazily: slow to import, and only unusual dates need it

    settings = {
        "PARSERS": ["custom-formats", "absolute-time"],
        "STRICT_PARSING": True,
        "REQUIRE_PARTS": ["day", "month", "year"],
    }
    try:
        parsed = dateparser.parse(value, settings=settings)
    except (ValueError, OverflowError, TypeError, AttributeError, KeyError):  # dateparser's own failures on odd strings
        return None
    if parsed is None:
        return None
    return _iso(parsed, date_only=False)
