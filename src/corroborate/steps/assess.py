"""The ``assess`` step: reliability signals (:func:`corroborate.assess.signals.assess_report`)."""

from __future__ import annotations

from dataclasses import replace

from corroborate.steps import Item, each, register


@register("assess")
class Assess:
    """``deep``: the machine-written likelihood with the small language model too
    (``--deep-detect``; its model is loaded and verified by :meth:`initialize`)."""

    name = "assess"

    def __init__(self, deep: bool = False) -> None:
        self.deep = deep

    def initialize(self) -> None:
        from corroborate.assess.detector import load_deep, load_model

        load_model()
        if self.deep:
            from corroborate.assess.likelihood import load_model as load_language_model

            load_deep()
            load_language_model()

    def __call__(self, items: list[Item]) -> list[Item]:
        from corroborate.assess import assess_report

        return each(items, lambda item: replace(item, report=assess_report(item.cleaned, item.doc, self.deep)))
