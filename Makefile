# Pakta: `make run` serves the demo registry on http://127.0.0.1:8000; `make test` runs it all.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
INSTANCE ?= instance
PORT ?= 8000
FUZZ_EXAMPLES ?= 10000
DRILL_CYCLES ?= 100
# One changed byte per trial in a random row of each stored table, named by `pakta fsck`.
FSCK_TRIALS ?= 50

.PHONY: install run test pytest lint bench vectors clean translations messages

# What running needs (`make run`), and on top of it the tools the tests need (`make test`).
$(BIN)/pakta $(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $(VENV)/.installed

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed-dev

install: $(VENV)/.installed-dev

# The site's catalogs (web/translations/*/LC_MESSAGES/messages.po) compiled to .mo.
translations: $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -d web/translations

# Re-extract the Indonesian message ids and merge them into the catalogs (then translate).
messages: $(VENV)/.installed-dev
	mkdir -p build
	$(BIN)/pybabel extract -F babel.cfg --no-location --omit-header --no-wrap -o build/messages.pot .
	$(BIN)/pybabel update --ignore-obsolete --no-wrap -N -i build/messages.pot -d web/translations

$(INSTANCE)/config.json: | $(VENV)/.installed
	$(BIN)/pakta --instance $(INSTANCE) init

run: $(VENV)/.installed translations $(INSTANCE)/config.json
	$(BIN)/pakta --instance $(INSTANCE) migrate
	$(BIN)/pakta --instance $(INSTANCE) demo
	$(BIN)/pakta --instance $(INSTANCE) serve --port $(PORT)

test: lint pytest

pytest: $(VENV)/.installed-dev translations
	$(BIN)/pytest -q

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/mypy

.PHONY: fuzz-parsers drill vendor

# The vendored JavaScript (web/static/vendor, tests/browser/vendor) from js/package-lock.json.
vendor:
	cd js && npm ci --ignore-scripts --no-audit --no-fund && node vendor.mjs


# The parser fuzz targets (tests/fuzz) with FUZZ_EXAMPLES examples each (200 in `make test`).
fuzz-parsers: $(VENV)/.installed-dev
	PAKTA_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest -q tests/fuzz

# The long crash drill, then FSCK_TRIALS tampering trials per table: DRILL_CYCLES kill -9 cycles of a real server on SQLite, and on a
# PostgreSQL cluster it creates, whose server it kills too; prints the figures.
drill: $(VENV)/.installed-dev translations
	PAKTA_DRILL_CYCLES=$(DRILL_CYCLES) $(BIN)/pytest -q -s -m drill tests/drill
	PAKTA_FSCK_TRIALS=$(FSCK_TRIALS) $(BIN)/pytest -q tests/registry/audit/test_fsck.py

# The long API fuzz run (tests/api/test_fuzz_api.py): schemathesis against a real server over
# the demo registry, on SQLite and, with PAKTA_TEST_POSTGRES set, on PostgreSQL, repeated with
# new seeds until the server has answered FUZZ_REQUESTS requests on each; it stops by itself
# after FUZZ_SECONDS per backend. Figures go to artifacts/fuzz-summary.txt.
FUZZ_REQUESTS ?= 100000
API_FUZZ_EXAMPLES ?= 500
FUZZ_SECONDS ?= 14400
FUZZ_WORKERS ?= 1
.PHONY: fuzz
fuzz: $(VENV)/.installed-dev translations
	PAKTA_FUZZ_REQUESTS=$(FUZZ_REQUESTS) PAKTA_API_FUZZ_EXAMPLES=$(API_FUZZ_EXAMPLES) \
	PAKTA_FUZZ_SECONDS=$(FUZZ_SECONDS) PAKTA_FUZZ_WORKERS=$(FUZZ_WORKERS) \
	$(BIN)/pytest -q -s tests/api/test_fuzz_api.py

# issue 9's benchmarks in one run (bench/__main__.py); BENCH_ARGS=--quick for a 2-minute smoke
# run; needs PAKTA_TEST_POSTGRES for the PostgreSQL, HTTP and page figures.
BENCH_ARGS ?=
bench: $(VENV)/.installed-dev translations
	$(BIN)/python -m bench $(BENCH_ARGS)

vectors: $(VENV)/.installed-dev
	$(BIN)/python tests/vectors/merkle/generate.py
	git diff --exit-code tests/vectors

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
