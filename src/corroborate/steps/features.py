"""The ``features`` step: what clustering needs of a report that takes part in incidents
(:func:`corroborate.incidents.cluster.features`); none for the others."""

from __future__ import annotations

from dataclasses import replace

from corroborate.steps import Item, each, register


@register("features")
class Features:
    name = "features"

    def __init__(self, keep_lead: bool = False) -> None:
        self.keep_lead = keep_lead  # keep the lead's text, for the embeddings of --embeddings

    def initialize(self) -> None:
        pass

    def __call__(self, items: list[Item]) -> list[Item]:
        from corroborate.analyze import takes_part
        from corroborate.incidents.cluster import features

        def add(item: Item) -> Item:
            report = item.cleaned
            return replace(item, features=features(report, keep_lead=self.keep_lead) if takes_part(report) else None)

        return each(items, add)
