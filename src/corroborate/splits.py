"""The fixed held-out part of every dev set: what nothing is trained, tuned or thresholded on.

One rule for every corpus: a unit is held out when the CRC-32 of its key, as UTF-8, is 0
modulo 5 (about a fifth). The unit is what must not straddle the split:

| corpus | unit | key |
|---|---|---|
| GVA (``data/gva``) | incident | ``incident_id`` (every report of a held-out incident is held out) |
| ECB+ (``data/ecbplus``) | topic | ``topic`` (both of a topic's events, all its documents) |
| llmfake (``data/llmfake``) | news item | ``"{dataset}:{news_id}"`` (the human text and every machine version of it); prompt-only rows, which have no ``news_id``: ``"{file name}:{row number}"`` |
| MUC-4 (``data/muc4``) | document | ``docid`` (``train.jsonl`` and ``dev.jsonl`` alike) |

CRC-32 is stable across runs, machines and Python versions (unlike ``hash()``), so the
split is the same for training, tuning and ``make bench``. The llmfake rule is the one the
machine-written detector has always used for its dev split.
"""

from __future__ import annotations

import zlib

#: one unit in ``MODULUS`` is held out
MODULUS = 5


def held_out(key: str | int) -> bool:
    """Whether the unit with this key belongs to the held-out part."""
    return zlib.crc32(str(key).encode("utf-8")) % MODULUS == 0


def gva_key(incident_id: str | int) -> str:
    return str(incident_id)


def ecb_key(topic: str | int) -> str:
    return str(topic)


def llmfake_key(dataset: str, news_id: str | None, file_name: str = "", row: int = 0) -> str:
    return f"{dataset}:{news_id}" if news_id else f"{file_name}:{row}"


def muc4_key(docid: str) -> str:
    return docid
