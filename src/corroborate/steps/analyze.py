"""The ``analyze`` step: entities, counts, attributions, relevance and events (:func:`corroborate.analyze.analyze_doc`)."""

from __future__ import annotations

from dataclasses import replace

from corroborate.steps import Item, each, register


@register("analyze")
class Analyze:
    name = "analyze"

    def initialize(self) -> None:
        from corroborate.analyze import language, relevance, tolls

        relevance.load_model()
        tolls.load_model()
        language.detect("Models are loaded and checked once, before the first report.")

    def __call__(self, items: list[Item]) -> list[Item]:
        from corroborate.analyze import analyze_doc

        return each(items, lambda item: replace(item, report=analyze_doc(item.cleaned, item.doc)))
