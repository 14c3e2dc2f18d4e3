# Everything runs inside .venv, created on first use from pyproject.toml.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DIR ?= demo-project

.PHONY: setup test lint demo bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest -q

# The bundled demo project (data/demo/mlpl.json), copied afresh, then opened.
demo: $(STAMP)
	rm -rf $(DEMO_DIR)
	$(BIN)/mlpl-tui demo $(DEMO_DIR)

bench: $(STAMP)
	$(BIN)/python bench/persist.py
	$(BIN)/python bench/status.py
	$(BIN)/python bench/report.py
	$(BIN)/python bench/merge.py
	$(BIN)/python bench/tui.py
	$(BIN)/python bench/validate.py

clean:
	rm -rf $(VENV) build dist *.egg-info $(DEMO_DIR)
