"""The ``clean`` step: a raw input to a report (boilerplate removed, :mod:`corroborate.sources.clean`)."""

from __future__ import annotations

from dataclasses import replace

from corroborate.records import Report
from corroborate.sources.readers import RawDoc
from corroborate.steps import Item, each, register


def to_report(raw: RawDoc) -> Report:
    """Clean a raw document into a report."""
    from corroborate.sources.clean import clean_text

    cleaned = clean_text(raw.text)
    return Report(
        id=raw.id,
        title=raw.title,
        source=raw.source,
        url=raw.url,
        published=raw.published,
        byline=raw.byline or cleaned.byline,
        text=cleaned.text,
        removed=cleaned.removed,
        origin=raw.origin,
        encoding=raw.encoding,
    )


@register("clean")
class Clean:
    name = "clean"

    def initialize(self) -> None:
        pass

    def __call__(self, items: list[Item]) -> list[Item]:
        return each(items, lambda item: replace(item, report=to_report(item.raw)))
