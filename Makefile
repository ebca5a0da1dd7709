# Pakta: `make run` serves the demo registry on http://127.0.0.1:8000; `make test` runs it all.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
INSTANCE ?= instance
PORT ?= 8000

.PHONY: install run test pytest lint bench vectors clean

$(BIN)/pakta $(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed

install: $(VENV)/.installed

$(INSTANCE)/config.json: | $(VENV)/.installed
	$(BIN)/pakta --instance $(INSTANCE) init

run: $(VENV)/.installed $(INSTANCE)/config.json
	$(BIN)/pakta --instance $(INSTANCE) demo
	$(BIN)/pakta --instance $(INSTANCE) serve --port $(PORT)

test: lint pytest

pytest: $(VENV)/.installed
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
