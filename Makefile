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

# A small project built with the commands themselves, then opened.
demo: $(STAMP)
	rm -rf $(DEMO_DIR) && mkdir -p $(DEMO_DIR)
	cd $(DEMO_DIR) && export MLPL_USER=demo && M=../$(BIN)/mlpl-tui && \
	  $$M init --name "Seasonal demand forecast" && \
	  for m in objectives problem-definition stakeholders data-sources constraints; do \
	    $$M set business.$$m done; done && \
	  $$M log 3h --note "Workshops with the planning team" && \
	  $$M decide "Forecast weekly demand per store" --decision "Weekly, per store, 8 weeks ahead" \
	    --why "Matches the replenishment cycle" && \
	  $$M answer 1 yes --note "Planners act on weekly forecasts" && \
	  $$M advance && $$M set data.acquisition done && \
	  $$M switch data --module acquisition --category data \
	    --reason "Only one season of history; temperature drives demand" && \
	  $$M

bench: $(STAMP)
	$(BIN)/python bench/persist.py
	$(BIN)/python bench/status.py

clean:
	rm -rf $(VENV) build dist *.egg-info $(DEMO_DIR)
