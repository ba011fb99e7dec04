"""corroborate: turn many news reports about real-world incidents into reconciled,
source-traced incident records.

>>> import corroborate
>>> result = corroborate.run(["examples/demo"])      # doctest: +SKIP
>>> result.reports, result.incidents, result.errors   # doctest: +SKIP
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("corroborate")
except PackageNotFoundError:  # running from a source tree
    __version__ = "0.0.0+local"


def run(inputs, **kwargs):
    """Run the pipeline; see :func:`corroborate.pipeline.run`."""
    from corroborate.pipeline import run as _run

    return _run(inputs, **kwargs)


__all__ = ["__version__", "run"]
