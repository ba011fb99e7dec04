"""One settings object for a run (pydantic-settings), instead of module constants.

Every field can be given as an argument (``Settings(workers=2)``), or in the environment as
``CORROBORATE_<NAME>`` (``CORROBORATE_BATCH_SIZE=8``); arguments win. The command line sets the
fields it has options for (``--workers``, ``--embeddings``). Defaults are the values the
benchmarks in the README were measured with.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """How a run is carried out (none of these changes its output, except ``embeddings``)."""

    model_config = SettingsConfigDict(env_prefix="CORROBORATE_", extra="forbid", frozen=True)

    executor: Literal["local", "pool"] = Field(
        default="pool", description="where per-report work runs: this process, or a pool of worker processes")
    workers: int | None = Field(default=None, ge=1, description="worker processes; None: all cores")
    embeddings: bool = Field(default=False, description="also compare reports and sentences by meaning (MiniLM)")
    batch_size: int = Field(
        default=16, ge=1,
        description="reports per batch of per-report work. spaCy's memory grows with the batch (the parser's "
                    "activations for every token in it): over the GVA dev texts, batches of 64 took raw spaCy to "
                    "760 MB, 16 to 440 MB and 8 to 380 MB, at the same speed")
    batch_chars: int = Field(
        default=40_000, ge=1,
        description="characters per batch: a batch of long documents stays as small as one of short ones; one "
                    "document longer than this makes a batch of its own")
    pool_min_reports: int = Field(
        default=32, ge=0,
        description="inputs of this many reports or fewer run in one process: starting a worker (which imports "
                    "spaCy and loads the model) costs more than such a run gains from it")
    reconcile: Literal["touched", "all"] = Field(
        default="touched",
        description="with an earlier run (--previous, or a store): reconcile only the incidents this run touches "
                    "(the others are kept as they were, when the same engine made them), or all of them")
    sign_chunk: int = Field(
        default=1000, ge=1,
        description="with one process, features are MinHash-signed this many at a time (their shingles held till then)")


def default_workers() -> int:
    """All the cores this process may run on."""
    import os

    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def plan_workers(requested: int | None, total: int, settings: Settings | None = None) -> int:
    """How many processes a run of about ``total`` reports gets when ``requested`` (None: all cores)."""
    settings = settings or Settings()
    if total <= settings.pool_min_reports:
        return 1
    return max(1, min(requested or default_workers(), total // settings.batch_size))
