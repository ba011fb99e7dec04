"""The typed records that flow through the pipeline, and the output contract.

One :class:`Report` flows through sources -> clean -> analyze -> assess; the
incidents stage groups reports into :class:`Incident` records with reconciled
:class:`Fact` values. The JSON Schema in ``schema/`` is generated from these
models (``python -m corroborate.schema``) and every output is validated against
it in the tests.

Provenance rule: every item with ``start``/``end`` satisfies
``report.text[start:end] == item.text`` exactly.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

#: Version of the output contract (``reports.jsonl``, ``incidents.jsonl``,
#: ``report.md``, ``report.html``). Adding fields keeps the major version;
#: renaming or removing one bumps it.
CONTRACT_VERSION = "2.1"  # 2.1: Signals.machine_detector and Signals.likelihood (--deep-detect); 2.0: Signals.single_source_claims removed (the incident holds the claims; 1.x records still read); 1.6: derived reports, independent sources, confidence; 1.5: people (victim, suspect), places, date spans; 1.4: Report.encoding

CountCategory = Literal["killed", "injured", "arrested", "missing", "kidnapped", "displaced", "other"]
Hedge = Literal["exact", "at_least", "at_most", "about", "range", "vague"]
SpeakerType = Literal["person", "organization", "outlet", "unnamed"]
PerpStatus = Literal["claimed", "suspected", "accused", "denied", "confirmed", "arrested", "charged", "killed", "at_large"]
#: What happened to a victim (contract 1.5).
HarmStatus = Literal["killed", "injured", "kidnapped", "harmed"]
Gender = Literal["male", "female"]
#: How specific a resolved place is (contract 1.5).
PlaceKind = Literal["venue", "street", "neighbourhood", "city", "county", "region", "country"]
FactStatus = Literal["corroborated", "discrepant", "conflicting", "single_source"]
EventType = Literal[
    "armed_assault",
    "bombing",
    "arson",
    "hostage_kidnapping",
    "shooting",
    "stabbing",
    "vehicle_attack",
    "assassination",
    # accidents and disasters (contract 1.2)
    "fire",
    "explosion",
    "crash",
    "collapse",
    "natural_disaster",
    "other_incident",
    "other",
]
#: Whether a count is stated as a fact: "could die" is hypothetical, "no one was hurt" negated,
#: "is expected to rise to" an estimate of the future.
Modality = Literal["asserted", "hypothetical", "negated", "estimate_of_future"]
#: What a count counts: this report's incident, another incident it mentions, or an aggregate
#: (yearly totals, statistics, case counts).
Scope = Literal["this_incident", "other_incident", "aggregate"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Span(_Model):
    """A piece of a report's cleaned ``text``: ``text == report.text[start:end]``."""

    text: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)


class Entity(Span):
    label: str = Field(description="spaCy OntoNotes label: PERSON, ORG, GPE, LOC, FAC, NORP, DATE, ...")


class Count(Span):
    """A count of people affected, e.g. "at least 93 people dead"."""

    category: CountCategory
    value: int | None = Field(description="best point value; for vague amounts a conventional point or null")
    low: int | None
    high: int | None = Field(description="null means unbounded above (e.g. 'at least')")
    hedge: Hedge
    derived: bool = Field(default=False, description="inferred from other counts: injured = shot minus killed")
    singular: bool = Field(
        default=False,
        description="counted from people named one by one, without a figure ('a man was killed', 'Smith and Jones died'): "
                    "at least these people, not a total",
    )
    with_perpetrator: bool | None = Field(
        default=None,
        description="killed counts: true when the count says it includes a perpetrator who died ('three dead, including "
                    "the gunman'), false when its sentence says the perpetrator died and it leaves them out ('killed two "
                    "people before killing himself'), null when the text does not say",
    )
    modality: Modality = Field(default="asserted", description="asserted, hypothetical ('could die'), negated, or estimate_of_future ('expected to rise to')")
    scope: Scope = Field(default="this_incident", description="this_incident, other_incident (another incident the report mentions) or aggregate (totals, statistics, case counts)")
    toll: float | None = Field(
        default=None, ge=0, le=1,
        description="learned likelihood that this is an asserted toll of the report's own incident (null: not scored, a 1.1 record)",
    )


class Attribution(Span):
    """Who said what: ``text`` is the whole attributed passage (quote and cue)."""

    speaker: str | None
    speaker_type: SpeakerType
    cue: str = Field(description="the cue verb or phrase: said, told, according to, ...")
    content: str = Field(description="what was said (the quote, or the reported clause)")
    direct: bool = Field(description="true for a direct quote in quotation marks")
    via: str | None = Field(default=None, description="outlet through which the statement is reported")


class Place(_Model):
    """A place resolved to its hierarchy with the offline GeoNames gazetteer (contract 1.5).
    ``name`` is the place as the report names it; ``city``/``county``/``region``/``country`` are
    the places that hold it (the place itself included, at its own level); ``lat``/``lon`` are
    those of the most specific place the gazetteer knows (null: not known)."""

    name: str
    kind: PlaceKind
    city: str | None = None
    county: str | None = None
    region: str | None = None
    country: str | None = None
    lat: float | None = None
    lon: float | None = None
    geonameid: int | None = Field(default=None, description="GeoNames id of the most specific place known")


class RoleItem(Span):
    """One filler of an event role."""

    status: PerpStatus | None = Field(default=None, description="perpetrators only")
    harm: HarmStatus | None = Field(default=None, description="victims only: killed, injured or kidnapped, where stated (1.5)")
    name: str | None = Field(default=None, description="people only: the person's name when the report names them (1.5)")
    age: int | None = Field(default=None, ge=0, le=130, description="people only: age where stated (1.5)")
    gender: Gender | None = Field(default=None, description="people only: where stated (1.5)")
    place: Place | None = Field(default=None, description="locations only: the place resolved to its hierarchy (1.5)")
    source: Literal["model", "rule", "dateline"] | None = Field(default=None, description="what found it: the trained role model, a rule, or the dateline (1.5)")


class DateMention(Span):
    """The words that state an event's day, and the day they resolve to (contract 1.5)."""

    value: str = Field(description="ISO date")


class Event(_Model):
    type: EventType
    perpetrator_organizations: list[RoleItem] = []
    perpetrator_individuals: list[RoleItem] = []
    victims: list[RoleItem] = []
    targets: list[RoleItem] = []
    weapons: list[RoleItem] = []
    locations: list[RoleItem] = []
    date: str | None = Field(default=None, description="ISO date of the event, when knowable")
    date_support: DateMention | None = Field(default=None, description="the words that state the date (1.5)")
    type_support: list[Span] = Field(default=[], description="the cue words that give the type (1.5)")


class Evidence(Span):
    signal: str


class LikelihoodMeasures(_Model):
    """What a small causal language model (SmolLM2-135M) makes of a text's first 256 tokens
    (``--deep-detect``; :mod:`corroborate.assess.likelihood`)."""

    log_likelihood: float = Field(description="mean log-probability of each token given those before it")
    entropy: float = Field(description="mean entropy of the model's next-token distribution (nats)")
    curvature: float = Field(description="Fast-DetectGPT's analytic probability curvature: how far the text's "
                                         "log-likelihood is above what the model expects of its own samples, in "
                                         "standard deviations (machine text scores high)")
    log_rank: float = Field(description="mean log(1 + rank) of each token among the model's predictions")


class Signals(_Model):
    """Measurable evidence about one report (see README, Reliability signals). Rates are over its
    factual sentences; densities are per 100 words. ``evidence`` holds the spans that drive them."""

    attribution_rate: float = Field(ge=0, le=1, description="share of factual sentences attributed to a named source")
    unnamed_source_rate: float = Field(ge=0, le=1, description="share of factual sentences attributed to unnamed sources only")
    vagueness: float | None = Field(default=None, ge=0, description="hedges and vague quantifiers not tied to a number, per 100 words (null: not measured, a 1.0 record)")
    specificity: float | None = Field(default=None, ge=0, description="named entities, numbers, dates and places, per 100 words (null: not measured)")
    emotive: float | None = Field(default=None, ge=0, description="loaded or moralizing words (documented lexicon), per 100 words (null: not measured)")
    machine_generated: float = Field(ge=0, le=1, description="likelihood that the text is machine-written (trained detector)")
    machine_detector: Literal["style", "style+language-model"] | None = Field(
        default=None,
        description="the model that gave machine_generated: 'style' (function words and stylometry, the default) or "
                    "'style+language-model' (--deep-detect: with a small language model's measures; a text too short "
                    "for them keeps 'style'); null: a record from before contract 2.1")
    likelihood: LikelihoodMeasures | None = Field(
        default=None, description="the language model's measures of the text's first 256 tokens (--deep-detect only)")
    factual_sentences: int | None = Field(default=None, ge=0, description="the denominator of the two rates (null: not measured)")
    evidence: list[Evidence] = []

    @model_validator(mode="before")
    @classmethod
    def _from_1x(cls, data: Any) -> Any:
        """A 1.x record's ``single_source_claims`` (set by the incidents stage on the report) is left
        out: since 2.0 the claims are where they are computed, ``Incident.single_source_claims``."""
        if isinstance(data, dict) and "single_source_claims" in data:
            return {k: v for k, v in data.items() if k != "single_source_claims"}
        return data


class Cue(Span):
    """A span that drives a learned decision, with its contribution (log-odds)."""

    weight: float


class IncidentAssessment(_Model):
    """Whether a report describes a specific real-world incident of harm (attack, shooting,
    stabbing, bombing, arson, kidnapping, accident or disaster), from a trained classifier."""

    probability: float = Field(ge=0, le=1, description="calibrated likelihood that the report describes a specific incident of harm")
    relevant: bool = Field(description="probability >= the documented threshold: the report takes part in incidents")
    type: EventType | None = Field(default=None, description="the incident's type, when relevant")
    evidence: list[Cue] = Field(default=[], description="the spans that raise or lower the probability most")


#: How a report reuses another (contract 1.6): ``copy`` verbatim (perhaps with its own lead or
#: boilerplate), ``partial`` some passages verbatim, ``paraphrase`` the same sentences in other
#: words, ``rewrite`` the whole story retold from the other.
DerivationRelation = Literal["copy", "partial", "paraphrase", "rewrite"]


class ReusedPassage(Span):
    """A passage of this report (``text``, ``start``, ``end``) and the passage of the source report
    it was taken from (``source_start``, ``source_end``, offsets into the source's ``text``)."""

    source_start: int = Field(ge=0)
    source_end: int = Field(ge=0)
    verbatim: bool = Field(description="true when the passage repeats the source's words; false when it restates them")


class Derivation(_Model):
    """This report reuses another's text (contract 1.6): a copy repeats a source, it does not
    confirm it. See the README, Derived reports."""

    report: str = Field(description="id of the report this one is derived from")
    relation: DerivationRelation
    share: float = Field(ge=0, le=1, description="the fraction of this report's text found in the other")
    probability: float = Field(ge=0, le=1, description="the reuse detector's probability that one of the two reports is derived from the other")
    direction: Literal["credit", "published", "containment"] = Field(
        description="what says which report is the source: a credit line naming the other's outlet, the earlier publication, or which text holds more of the other")
    spans: list[ReusedPassage] = []


class Report(_Model):
    schema_version: str = CONTRACT_VERSION
    id: str
    title: str | None = None
    source: str | None = Field(default=None, description="outlet name or domain")
    url: str | None = None
    published: str | None = Field(default=None, description="ISO 8601 date or date-time")
    byline: str | None = None
    text: str = Field(description="the cleaned body; all spans index into it")
    removed: list[str] = Field(default=[], description="boilerplate removed from the input, verbatim")
    origin: str = Field(description="where the report came from: path, or path:line for JSONL")
    encoding: str | None = Field(
        default=None,
        description="how the input's bytes were decoded (Python codec name: utf-8, cp1252, utf-16-le, ...); null: not known (a record before 1.4)",
    )
    entities: list[Entity] = []
    counts: list[Count] = []
    attributions: list[Attribution] = []
    cited_sources: list[str] = []
    events: list[Event] = []
    signals: Signals | None = None
    language: str | None = Field(default=None, description="ISO 639-1 code of the text's language (py3langid); null: not detected (a 1.1 record, or no text)")
    incident: IncidentAssessment | None = Field(
        default=None,
        description="whether the report is about an incident; null for a 1.1 record or a report not assessed (no text, not English)",
    )
    derived_from: list[Derivation] = Field(
        default=[], description="the reports this one reuses (copy, partial, paraphrase, rewrite), found in the incidents stage (1.6)")


class Provenance(Span):
    report: str = Field(description="report id")
    source_group: int | None = Field(
        default=None, description="index into the incident's `source_groups`: reports in one group are one source (1.6)")
    origin: str | None = Field(
        default=None, description="who the report attributes this to, when it says (\"police\", \"Sheriff John Doe\") (1.6)")
    weight: float | None = Field(
        default=None, ge=0, le=1, description="the report's evidence weight (README, Evidence weight); null: not weighed (1.6)")


class Fact(_Model):
    slot: str = Field(description="killed, injured, arrested, missing, kidnapped, displaced, perpetrator, victim, suspect, location, date, weapon, type")
    value: int | str | None
    low: int | None = None
    high: int | None = None
    qualifier: str | None = Field(default=None, description="perpetrator and suspect facts: the status most reports give (claimed, suspected, accused, denied, confirmed, arrested, charged, killed, at_large); victim facts: killed, injured, kidnapped")
    age: int | None = Field(default=None, description="victim and suspect facts: age where stated (1.5)")
    gender: Gender | None = Field(default=None, description="victim and suspect facts (1.5)")
    place: Place | None = Field(default=None, description="location facts: the place resolved to its hierarchy (1.5)")
    status: FactStatus
    rule: str = Field(description="how the value was chosen")
    revised: bool = Field(default=False, description="a later report revised an earlier figure")
    support: list[Provenance] = []
    dissent: list[Provenance] = []
    independent_sources: int | None = Field(
        default=None, ge=0, description="how many independent sources (source groups) support the value; null: a record before 1.6")
    origins: list[str] = Field(default=[], description="the distinct origins the supporting reports attribute the value to (1.6)")
    independent_origins: int | None = Field(
        default=None, ge=0,
        description="independent sources, counting as one those that attribute the value to a common origin (two reports that both say \"police said\"); null: before 1.6")
    confidence: float | None = Field(
        default=None, ge=0, le=1, description="how far the independent evidence bears the value out (README, Evidence weight); null: before 1.6")
    copies: list[str] = Field(
        default=[], description="supporting reports that repeat a source already counted (same source group): not counted again (1.6)")


class Incident(_Model):
    schema_version: str = CONTRACT_VERSION
    id: str
    reports: list[str]
    title: str | None
    date: str | None
    location: str | None
    place: Place | None = Field(default=None, description="the incident's most specific supported place, with its city, region and country (1.5)")
    facts: list[Fact] = []
    single_source_claims: list[Provenance] = Field(
        default=[], description="sentences that only one report of the incident makes (see `alignment`)"
    )
    alignment: Literal["lexical", "lexical+semantic"] = Field(
        default="lexical",
        description="how single_source_claims were found: shared words only, or also sentence embeddings (--embeddings)",
    )
    source_groups: list[list[str]] = Field(
        default=[], description="the incident's reports joined by derivation: each group is one independent source (1.6)")
    outlets: int | None = Field(default=None, ge=0, description="how many outlets the reports come from (1.6)")


class SourceFacts(_Model):
    """How an outlet's reports fared in reconciliation: one tally per fact a report supports or
    dissents from, by the fact's status."""

    corroborated: int = 0
    discrepant: int = 0
    conflicting: int = 0
    single_source: int = 0


class Source(_Model):
    """One line of sources.jsonl: an outlet, its reports' mean signals, and its facts' fate."""

    schema_version: str = CONTRACT_VERSION
    source: str = Field(description="the report's `source`, else the domain of its `url`, else \"unknown\"")
    reports: int = Field(ge=1)
    report_ids: list[str]
    signals: dict[str, float] = Field(description="mean of each numeric signal over the outlet's reports")
    facts: SourceFacts
    corroborated_share: float | None = Field(description="corroborated / all tallied facts; null when none")
    single_source_share: float | None
    conflicting_share: float | None


class InputError(_Model):
    """One bad input: it is reported, and the rest of the batch still runs."""

    input: str
    message: str

    def __str__(self) -> str:
        return f"{self.input}: {self.message}"
