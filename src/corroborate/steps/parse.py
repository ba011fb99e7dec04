"""The ``parse`` step: spaCy over the batch's texts (a long text in chunks: :func:`corroborate.analyze.nlp.parse`)."""

from __future__ import annotations

from dataclasses import replace

from corroborate.steps import Item, register


@register("parse")
class Parse:
    name = "parse"

    def initialize(self) -> None:
        from corroborate.analyze.nlp import load_nlp

        load_nlp()

    def __call__(self, items: list[Item]) -> list[Item]:
        from corroborate.analyze.nlp import load_nlp, parse, parse_all

        nlp = load_nlp()
        live = [k for k, item in enumerate(items) if item.error is None]
        texts = [items[k].cleaned.text for k in live]
        try:
            docs: list = list(parse_all(texts, nlp))
        except Exception:  # noqa: BLE001 - one bad document: parse the others one by one
            docs = []
            for text in texts:
                try:
                    docs.append(parse(text, nlp))
                except Exception as exc:  # noqa: BLE001 - reported as this input's error
                    docs.append(exc)
        out = list(items)
        for k, doc in zip(live, docs):
            out[k] = items[k].failed(doc) if isinstance(doc, Exception) else replace(items[k], doc=doc)
        return out
