# corroborate — see README.md. `make demo` and `make test` do all set-up on a fresh machine.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: install demo test bench schema clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,embed]'
	touch $(STAMP)

demo: install
	$(VENV)/bin/corroborate run examples/demo --out demo-out

test: install
	$(PY) -m pytest

bench: install
	$(PY) bench/run.py

schema: install
	$(PY) -m corroborate.schema

clean:
	rm -rf $(VENV) demo-out .pytest_cache .hypothesis build src/*.egg-info
