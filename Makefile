# Pakta: `make run` serves the demo registry on http://127.0.0.1:8000; `make test` runs it all.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
INSTANCE ?= instance
PORT ?= 8000

.PHONY: install run test pytest lint bench vectors clean translations messages

$(BIN)/pakta $(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed

install: $(VENV)/.installed

# The site's catalogs (web/translations/*/LC_MESSAGES/messages.po) compiled to .mo.
translations: $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -d web/translations

# Re-extract the Indonesian message ids and merge them into the catalogs (then translate).
messages: $(VENV)/.installed
	mkdir -p build
	$(BIN)/pybabel extract -F babel.cfg --no-location --omit-header --no-wrap -o build/messages.pot .
	$(BIN)/pybabel update --ignore-obsolete --no-wrap -N -i build/messages.pot -d web/translations

$(INSTANCE)/config.json: | $(VENV)/.installed
	$(BIN)/pakta --instance $(INSTANCE) init

run: $(VENV)/.installed translations $(INSTANCE)/config.json
	$(BIN)/pakta --instance $(INSTANCE) demo
	$(BIN)/pakta --instance $(INSTANCE) serve --port $(PORT)

test: lint pytest

pytest: $(VENV)/.installed translations
	$(BIN)/pytest -q

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: $(VENV)/.installed
	$(BIN)/python -m bench

vectors: $(VENV)/.installed
	$(BIN)/python tests/vectors/merkle/generate.py
	git diff --exit-code tests/vectors

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
