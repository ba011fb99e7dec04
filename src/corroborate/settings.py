"""One settings object for a run (pydantic-settings), instead of module constants.

Every field can be given as an argument (``Settings(workers=2)``), or in the environment as
``CORROBORATE_<NAME>`` (``CORROBORATE_BATCH_SIZE=8``); arguments win. The command line sets the
fields it has options for (``--workers``, ``--embeddings``). Defaults are the values the
benchmarks in the README were measured with.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:
    from corroborate.sources.readers import ReadOptions


class Settings(BaseSettings):
    """How a run is carried out (none of these changes its output, except ``embeddings``,
    ``deep_detect`` and the reading limits, which decide which inputs are refused)."""

    model_config = SettingsConfigDict(env_prefix="CORROBORATE_", extra="forbid", frozen=True)

    executor: Literal["local", "pool", "ray"] = Field(
        default="pool",
        description="where per-report work runs: this process, a pool of worker processes, or Ray tasks on a cluster "
                    "(--engine ray; then linking and reconciliation run there too)")
    workers: int | None = Field(default=None, ge=1, description="worker processes (Ray: tasks at once); None: all cores")
    ray_address: str | None = Field(
        default=None,
        description="--engine ray: the cluster to join ('auto', 'host:6379', 'ray://host:10001'); None: start a Ray "
                    "on this machine with all its cores")
    embeddings: bool = Field(default=False, description="also compare reports and sentences by meaning (MiniLM)")
    deep_detect: bool = Field(
        default=False,
        description="the machine-written likelihood with a small language model's measures too (SmolLM2-135M, the "
                    "'deep' extra): it sees text from base language models, which the default style model does not, "
                    "and costs several times the rest of a run")
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
    max_doc_bytes: int = Field(
        default=10 * 1024 * 1024, ge=1,
        description="a single .txt or .html file, JSONL line, CSV field or web-archive page larger than this is "
                    "refused (one error naming it)")
    max_file_bytes: int = Field(
        default=100 * 1024 * 1024, ge=1,
        description="a .json or feed file (read whole) larger than this is refused; JSONL and CSV are streamed")
    max_text_chars: int = Field(
        default=2_000_000, ge=1,
        description="one text longer than this is refused, not truncated (one of 2,000,000 characters is analyzed "
                    "in about 520 MB: bench/long_docs.py)")
    sign_chunk: int = Field(
        default=1000, ge=1,
        description="with one process, features are MinHash-signed this many at a time (their shingles held till then)")
    # -- corroborate serve --------------------------------------------------------------------
    token: SecretStr | None = Field(
        default=None,
        description="serve: the admin token writes need (Authorization: Bearer TOKEN, or the UI's sign-in). Without "
                    "one (and without token_file) the server is read-only, except when it listens on 127.0.0.1 only")
    token_file: str | None = Field(
        default=None, description="serve: a file whose first line is the admin token (instead of token)")
    max_upload_bytes: int = Field(
        default=10 * 1024 * 1024, ge=1,
        description="serve: a request adding reports (JSON, or every uploaded file together) larger than this is refused")
    max_upload_files: int = Field(default=20, ge=1, description="serve: files one request may upload")
    write_rate: str = Field(
        default="30/minute",
        description="serve: writes (adds and annotations) one client may make, as 'N/second|minute|hour'")


    def read_options(self, **options: Any) -> ReadOptions:
        """How inputs are read: ``options`` (``field_map``, ``fetch_links``) and these settings' limits."""
        from corroborate.sources.readers import ReadOptions

        return ReadOptions(max_doc_bytes=self.max_doc_bytes, max_file_bytes=self.max_file_bytes,
                           max_text_chars=self.max_text_chars, **options)


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
