# Two commands do everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check -q

.PHONY: demo test lint eval bench clean install install-dev

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Stamps re-run the install when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) install -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(PIP) install -e '.[dev]'
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## demo: create .venv, install, audit the five seeds offline into reports/
demo: install
	$(BIN)/auditor audit seeds --offline --output reports

## test: install with dev extras and run the whole suite (includes the quality gate)
test: install-dev
	$(BIN)/python -m pytest -q

## lint: ruff (lint + format check) and mypy
lint: install-dev
	$(BIN)/ruff check auditor tests bench
	$(BIN)/ruff format --check auditor tests bench
	$(BIN)/mypy

## eval: per-label precision / recall / F1 and confusion matrices on the labelled sets
eval: install-dev
	$(BIN)/python bench/eval.py

## bench: speed benchmarks (not run by CI)
bench: install-dev
	$(BIN)/python bench/audit_speed.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
