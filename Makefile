# Everything the project needs, from its own files: a virtualenv from pyproject.toml, Anvil and solc from npm.
VENV  ?= .venv
PY    := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup demo test lint bench

$(STAMP): pyproject.toml package.json package-lock.json
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	npm ci --no-audit --no-fund --loglevel=error  # the lock lists every platform's optional Anvil build, so npm 11 accepts it as committed
	touch $(STAMP)

setup: $(STAMP)
	@# the message catalogues: .po sources compiled to the .mo files gettext reads (the package build does it too)
	@$(PY) -m recovery.i18n --compile
	@# byte-compile: with PYTHONDONTWRITEBYTECODE set, every start would compile the sources again
	@$(PY) -m compileall -q recovery chains migrations cli.py > /dev/null

demo: setup
	$(VENV)/bin/recovery demo

test: setup
	$(PY) -m pytest -q

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy recovery chains cli.py

bench: setup
	$(PY) bench/batch_throughput.py
