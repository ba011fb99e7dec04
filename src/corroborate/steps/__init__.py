"""Per-report steps, in a registry (in the manner of spaCy's factories).

A run's per-report work is a list of named steps, each a small class made by a factory
registered under its name (:func:`register`, :func:`create`). :data:`DEFAULT` is the list a run
uses: ``clean`` (the raw input to a report: :mod:`.clean`), ``parse`` (spaCy), ``analyze``
(entities, counts, attributions, relevance, events), ``assess`` (reliability signals) and
``features`` (what clustering needs). A step takes a batch of :class:`Item` and returns new items:
it adds its own part (``dataclasses.replace``) and changes nothing it was handed. A step that
fails on one item marks that item with its error; later steps pass it on untouched, and the
rest of the batch goes on.

:func:`analyze_batch` runs the steps over one batch and makes each report ready for the
incidents stage (:class:`Analyzed`) or a bad input (:class:`Failed`); an executor
(:mod:`corroborate.executors`) maps it over the batches of a run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Protocol

from corroborate.records import InputError, Report
from corroborate.settings import Settings
from corroborate.sources.readers import RawDoc

if TYPE_CHECKING:
    from corroborate.executors import Executor

#: the per-report steps of a run, in order
DEFAULT = ("clean", "parse", "analyze", "assess", "features")


@dataclass(frozen=True, slots=True)
class Item:
    """One report on its way through the steps; each step adds its part to a copy."""

    raw: RawDoc
    report: Report | None = None
    doc: Any = None  # the spaCy Doc (never leaves the process)
    features: Any = None  # corroborate.incidents.cluster.Features; None: the report joins no incident
    error: InputError | None = None

    @property
    def cleaned(self) -> Report:
        """The report, which every step after ``clean`` has (an item ``clean`` failed on is not
        handed to them)."""
        if self.report is None:
            raise ValueError(f"{self.raw.origin}: no report yet: the clean step comes first")
        return self.report

    def failed(self, exc: BaseException) -> Item:
        origin = self.report.origin if self.report is not None else self.raw.origin
        return replace(self, error=InputError(input=origin, message=f"analysis failed: {type(exc).__name__}: {exc}"))


class Step(Protocol):
    """A per-report step: ``initialize`` loads and verifies what it needs (once per process);
    calling it on a batch returns the batch with its part added."""

    name: str

    def initialize(self) -> None: ...

    def __call__(self, items: list[Item]) -> list[Item]: ...


REGISTRY: dict[str, Callable[..., Step]] = {}


def register(name: str) -> Callable[[Callable[..., Step]], Callable[..., Step]]:
    """Register a step factory under ``name`` (a decorator); a later registration replaces it."""

    def add(factory: Callable[..., Step]) -> Callable[..., Step]:
        REGISTRY[name] = factory
        return factory

    return add


def create(name: str, **config: Any) -> Step:
    """The step registered as ``name``, made with ``config``."""
    _load_builtins()
    if name not in REGISTRY:
        raise KeyError(f"no step named {name!r}; registered: {', '.join(sorted(REGISTRY))}")
    return REGISTRY[name](**config)


#: the settings each step's factory takes (the others get none)
_CONFIG = {"features": ("keep_lead",), "assess": ("deep",)}


def make_steps(names: Iterable[str] = DEFAULT, **config: Any) -> list[Step]:
    """The steps ``names``, in order; ``config`` goes to the steps whose factories take it
    (``keep_lead`` to ``features``, ``deep`` to ``assess``)."""
    return [create(name, **{k: config[k] for k in _CONFIG.get(name, ()) if k in config}) for name in names]


def apply(steps: Iterable[Step], items: list[Item]) -> list[Item]:
    """The items after every step, in order."""
    for step in steps:
        items = step(items)
    return items


def each(items: list[Item], work: Callable[[Item], Item]) -> list[Item]:
    """``work`` on every item that has not failed; an exception fails that item alone."""
    out = []
    for item in items:
        if item.error is None:
            try:
                item = work(item)
            except Exception as exc:  # noqa: BLE001 - reported as this input's error
                item = item.failed(exc)
        out.append(item)
    return out


def _load_builtins() -> None:
    from corroborate.steps import analyze, assess, clean, features, parse  # noqa: F401 - they register themselves


@dataclass
class Analyzed:
    """One report after the per-report steps, ready for the incidents stage and the writers."""

    id: str
    line: str  # the report as a JSON line (``Report.model_dump_json()``)
    features: object  # corroborate.incidents.cluster.Features; None for a report that joins no incident
    words: int
    outlet: str
    source: str | None = None  # the report's own ``source`` field
    signals: tuple | None = None  # corroborate.assess.sources.signal_values, None without signals
    warning: InputError | None = None


@dataclass
class Failed:
    """A report whose analysis raised: reported as a bad input, the rest of the batch goes on."""

    error: InputError


def _warning(report: Report) -> InputError | None:
    """A report kept but not analyzed: no text left, or not in a language the extractors read."""
    from corroborate.analyze import is_analyzed_language

    if not report.text:
        return InputError(
            input=report.origin,
            message=f"no article text left after removing {len(report.removed)} boilerplate line(s); kept with its title and the removed lines",
        )
    if not is_analyzed_language(report.language):
        return InputError(
            input=report.origin,
            message=f"the text is in language '{report.language}', not English: kept whole, but not analyzed (no counts, events or incident)",
        )
    return None


def _result(item: Item) -> Analyzed | Failed:
    from corroborate.assess.sources import outlet_of, signal_values

    if item.error is not None:
        return Failed(item.error)
    report = item.report
    assert report is not None
    return Analyzed(id=report.id, line=report.model_dump_json(), features=item.features, words=len(report.text.split()),
                    outlet=outlet_of(report), source=report.source, signals=signal_values(report), warning=_warning(report))


def analyze_batch(raws: list[RawDoc], keep_lead: bool = False, sign: bool = True, deep: bool = False) -> list[Analyzed | Failed]:
    """The :data:`DEFAULT` steps over one batch, in order. A document a step fails on becomes a
    :class:`Failed` (one clear error naming the input); the others are kept.

    ``sign``: replace the features' shingles by their MinHash signature here (in a worker);
    otherwise the caller does it (see :func:`corroborate.pipeline.stream`). ``deep``: the
    machine-written likelihood with the language model too (``--deep-detect``)."""
    from corroborate.analyze.nlp import renew_if_grown
    from corroborate.incidents.cluster import pack, signatures

    items = apply(make_steps(keep_lead=keep_lead, deep=deep), [Item(raw) for raw in raws])
    out = [_result(item) for item in items]
    feats = [item.features for item in items if item.error is None and item.features is not None]
    del items  # the old vocabulary must not be needed by a Doc when it is renewed
    renew_if_grown()  # a long run's memory stays flat however many distinct words its reports hold
    if sign:
        signatures(feats)
        pack(feats)
    return out


#: Allocations between two young-generation garbage collections (Python's default is 700).
#: Parsing allocates millions of short-lived objects that reference counting frees; with the
#: default, the collector ran often enough to take 2% of a run, and 0.6% with this.
GC_THRESHOLD = 10_000


def tune_gc() -> None:
    """Move what is loaded so far (the model, above all) out of the collector's view, and
    collect less often. For the ``corroborate`` command and its workers, not for library use."""
    import gc

    gc.freeze()
    gc.set_threshold(GC_THRESHOLD, 10, 10)


def prepare(*, signatures: bool = True, deep: bool = False) -> None:
    """Initialize every default step (load and verify its models) once, then :func:`tune_gc`.
    ``signatures``: also import datasketch (half a second), which a one-process run defers until
    it is needed. ``deep``: the language model of ``--deep-detect`` too. A pool worker's initializer."""
    for step in make_steps(deep=deep):
        step.initialize()
    if signatures:
        import datasketch  # noqa: F401
    tune_gc()


def batched(items: Iterable, size: int, chars: int | None = None) -> Iterator[list]:
    """Batches of at most ``size`` items, after a ramp of 1, 2, 4, ... (the first report is done
    soon after start-up, and every worker soon has work), and with ``chars``, of at most that
    many characters of ``item.text`` (but never empty)."""
    batch: list = []
    used, step = 0, 1
    for item in items:
        length = len(item.text) if chars is not None else 0
        if batch and (len(batch) >= step or (chars is not None and used + length > chars)):
            yield batch
            batch, used, step = [], 0, min(2 * step, size)
        batch.append(item)
        used += length
    if batch:
        yield batch


def analyze_reports(reports: Iterable[Report], *, batch_size: int = 64) -> Iterator[Report]:
    """Parse already-cleaned reports with spaCy in batches (a long text in chunks, see
    :func:`corroborate.analyze.nlp.parse`), then analyze and assess each, in order."""
    from itertools import islice

    from corroborate.analyze import analyze_doc
    from corroborate.analyze.nlp import load_nlp, parse_all
    from corroborate.assess import assess_report

    nlp = load_nlp()
    reports = iter(reports)
    while batch := list(islice(reports, batch_size)):
        for doc, report in zip(parse_all([r.text for r in batch], nlp, batch_size=batch_size), batch):
            yield assess_report(analyze_doc(report, doc), doc)


def run_steps(raws: Iterable[RawDoc], executor: Executor, *, keep_lead: bool = False,
              settings: Settings | None = None) -> Iterator[Analyzed | Failed]:
    """The per-report steps over ``raws`` (:func:`analyze_batch`), batch by batch on ``executor``
    (:mod:`corroborate.executors`), in input order. In one process the features come unsigned (the
    caller signs them in chunks, so that a small run never imports datasketch before its first
    report is out); pool workers sign their own."""
    from functools import partial

    settings = settings or Settings()
    work = partial(analyze_batch, keep_lead=keep_lead, sign=executor.workers > 1, deep=settings.deep_detect)
    for out in executor.map(work, batched(raws, settings.batch_size, settings.batch_chars)):
        yield from out
