"""The ``assess`` step: reliability signals (:func:`corroborate.assess.signals.assess_report`)."""

from __future__ import annotations

from dataclasses import replace

from corroborate.steps import Item, each, register


@register("assess")
class Assess:
    name = "assess"

    def initialize(self) -> None:
        from corroborate.assess.detector import load_model

        load_model()

    def __call__(self, items: list[Item]) -> list[Item]:
        from corroborate.assess import assess_report

        return each(items, lambda item: replace(item, report=assess_report(item.cleaned, item.doc)))
