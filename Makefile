# corroborate — see README.md. `make demo` and `make test` do all set-up on a fresh machine.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: install demo test bench schema train-detector clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,embed,train]'
	touch $(STAMP)

demo: install
	$(VENV)/bin/corroborate run examples/demo --out demo-out

test: install
	$(PY) -m pytest

bench: install
	$(PY) bench/run.py

# retrain the machine-written detector from ../shared/data/llmfake (fixed seed; writes the shipped model file)
train-detector: install
	$(PY) -m corroborate.assess.train_detector ../shared/data/llmfake --out src/corroborate/assess/data/detector.json

schema: install
	$(PY) -m corroborate.schema

clean:
	rm -rf $(VENV) demo-out .pytest_cache .hypothesis build src/*.egg-info
