# Everything the project needs, from its own files: a virtualenv from pyproject.toml, Anvil and solc from npm.
VENV  ?= .venv
PY    := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup demo test lint bench test-tools

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

# Debian's chromium (the report page's screenshot) and litecoind (the UTXO builder on a regtest node): installed
# when missing and apt-get can; without them those tests skip and say why
TEST_TOOLS := /usr/bin/chromium:chromium /usr/bin/litecoind:litecoind

test-tools:
	@missing=""; for t in $(TEST_TOOLS); do [ -x "$${t%%:*}" ] || missing="$$missing $${t#*:}"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get > /dev/null; then \
	    echo "installing Debian packages:$$missing"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing > /dev/null) \
	      || echo "could not install$$missing: the tests that need them skip"; \
	  else echo "not installed:$$missing (apt-get install$$missing): the tests that need them skip"; fi; \
	fi

test: setup test-tools
	$(PY) -m pytest -q

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy recovery chains cli.py

bench: setup
	$(PY) bench/batch_throughput.py
