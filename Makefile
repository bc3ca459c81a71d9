# Two commands on a fresh machine: `make run` and `make test`. Everything else is what they need.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
PLUGIN_DIRS := $(wildcard plugins/*/pyproject.toml)
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
TRANSLATIONS := mso_academy/translations
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test test-postgres check install translations extract-messages chromium system-packages clean bench bench-l bench-packages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml $(PLUGIN_DIRS) | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@for p in $(dir $(PLUGIN_DIRS)); do echo "installing plugin $$p"; $(BIN)/python -m pip install --quiet -e $$p || exit 1; done
	touch $(STAMP)

# axe-core (npm, pinned by package-lock.json) checks every page in the browser tests; reinstalled when the lock
# changes or the package is missing.
AXE := node_modules/axe-core/axe.min.js

$(AXE): package-lock.json
	@command -v npm >/dev/null || { echo "installing Debian's npm"; $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq npm >/dev/null; }
	npm ci --no-audit --no-fund
	touch $@

install: $(STAMP) translations $(AXE)

# Compiled catalogues (.mo) are build output, never committed.
PLUGIN_TRANSLATIONS := $(wildcard plugins/*/src/*/translations)

translations: $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -d $(TRANSLATIONS) --statistics 2>&1 | tail -n 3
	@for d in $(PLUGIN_TRANSLATIONS); do $(BIN)/pybabel compile -d $$d 2>&1 | tail -n 1 || exit 1; done

extract-messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o $(TRANSLATIONS)/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) --no-fuzzy-matching --ignore-obsolete
	@# Each plugin keeps its own catalogue: strings from its package and templates, extracted with its babel.cfg.
	@for d in $(PLUGIN_TRANSLATIONS); do p=$$(echo $$d | cut -d/ -f1-2); \
	  $(BIN)/pybabel extract -F $$p/babel.cfg -k _l -k lazy_gettext -o $$d/messages.pot --no-location --sort-output $$p && \
	  $(BIN)/pybabel update -i $$d/messages.pot -d $$d --no-fuzzy-matching --ignore-obsolete || exit 1; done

# Debian packages the tests use: Chromium drives the browser tests (no browser is downloaded), qpdf and
# poppler-utils check PDFs, zbar-tools reads QR codes. Installed only where missing.
SYSTEM_TOOLS := /usr/bin/chromium:chromium /usr/bin/qpdf:qpdf /usr/bin/pdftotext:poppler-utils /usr/bin/zbarimg:zbar-tools
SUDO := $(shell [ "$$(id -u)" != 0 ] && command -v sudo >/dev/null && echo sudo)
system-packages:
	@missing=""; for pair in $(SYSTEM_TOOLS); do [ -x "$${pair%%:*}" ] || missing="$$missing $${pair##*:}"; done; \
	if [ -n "$$missing" ]; then echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq $$missing >/dev/null; fi

chromium: system-packages

run: install
	$(BIN)/mso-academy db upgrade
	$(BIN)/mso-academy demo
	$(BIN)/mso-academy run --host 127.0.0.1 --port 5000

# Lint and security lint: bandit scans the app and the plugins (not the tests); justified skips in pyproject.toml.
check: install
	$(BIN)/ruff check .
	$(BIN)/bandit -q -c pyproject.toml -r mso_academy $(wildcard plugins)

test: install system-packages check
	$(BIN)/pytest -p no:cacheprovider -n 2

# The same suite against the PostgreSQL server (a throwaway database per test process is created and dropped).
test-postgres: install system-packages
	MSO_ACADEMY_TEST_DATABASE_URL=$(PG_URL) $(BIN)/pytest -p no:cacheprovider -n 2

# Benchmarks of issue 12 (docs/performance.md): the scenarios under gunicorn and wrk, then 200 simulated learners.
# `make bench SIZE=M DB=sqlite`; `make bench-l` runs size L on PostgreSQL and compares each page's p95 with M.
SIZE ?= M
DB ?= postgresql
BENCH_TOOLS := /usr/bin/wrk:wrk
bench-packages:
	@missing=""; for pair in $(BENCH_TOOLS); do [ -x "$${pair%%:*}" ] || missing="$$missing $${pair##*:}"; done; \
	if [ -n "$$missing" ]; then echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq $$missing >/dev/null; fi

bench: install bench-packages
	$(BIN)/python -m bench.run --size $(SIZE) --database $(DB) --duration 15
	$(BIN)/python -m bench.journey --size $(SIZE) --database $(DB) --learners 200 --think 10 --duration 120 --reuse

bench-l: install bench-packages
	$(MAKE) bench SIZE=L DB=postgresql
	$(BIN)/python -m bench.compare --database postgresql M L
	$(BIN)/python -m bench.interleave

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache node_modules
