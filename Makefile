# Everything runs inside .venv, created on first use from pyproject.toml.
#
# Two stamps on the one .venv: `make demo` needs only the package and what it needs to run
# ($(RUN_STAMP)); `make test` adds the development tools, the `dev` extra, on top ($(DEV_STAMP)).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev
DEMO_DIR ?= demo-project

# ensurepip's own copy of pip is a third of a first run: when $(PYTHON)'s pip can install into
# another environment (`pip --python`, pip >= 22.3) the venv is made without one. Bytecode is
# compiled on first import instead of for every installed module (pygments alone is seconds).
# pip runs without -q: one line per package collected and installed is the progress shown.
OUTER_PIP_OK = $(PYTHON) -c "import pip, sys; \
  sys.exit(tuple(map(int, pip.__version__.split('.')[:2])) < (22, 3))" 2>/dev/null
PIP = if [ -x $(BIN)/pip ]; then pip="$(BIN)/python -m pip"; \
  else pip="$(PYTHON) -m pip --python $(BIN)/python"; fi; \
  set -x; $$pip install --disable-pip-version-check --no-compile

.PHONY: setup setup-dev test lint demo bench clean browser mermaid

setup: $(RUN_STAMP)

setup-dev: $(DEV_STAMP)

$(RUN_STAMP): pyproject.toml
	@echo "==> Setting up $(VENV) from pyproject.toml"
	@if [ -x $(BIN)/python ]; then echo "$(VENV) exists: updating it"; \
	elif $(OUTER_PIP_OK); then set -x; $(PYTHON) -m venv --without-pip $(VENV); \
	else set -x; $(PYTHON) -m venv $(VENV); fi
	@echo "==> Installing mlpl-tui and what it needs to run (textual, tinydb, pyyaml, pendulum, orjson)"
	@$(PIP) -e .
	@touch $@
	@echo "==> $(VENV) is ready to run mlpl-tui"

# pip as well: tests/test_packaging.py builds a wheel with the test interpreter's own pip.
$(DEV_STAMP): $(RUN_STAMP)
	@echo "==> Adding the development tools to $(VENV): pytest (+xdist), hypothesis, ruff, mypy, pip"
	@$(PIP) pip -e '.[dev]'
	@touch $@

lint: $(DEV_STAMP)
	@echo "==> Lint, format and type checks"
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint
	@echo "==> The test suite"
	$(BIN)/python -m pytest -q -n auto

# The browser tests (tests/test_serve_browser.py) use Debian's chromium, installed here when it is
# absent and we are root (CI); otherwise they are skipped.
browser:
	@if command -v chromium >/dev/null 2>&1; then echo "==> chromium: $$(command -v chromium)"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "==> Installing Debian's chromium for the browser tests"; set -x; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	else echo "==> No chromium and not root: the browser tests will be skipped"; fi

# Mermaid's self-contained browser build for tests/test_mermaid_browser.py, which renders the
# Markdown report's gantt in chromium: `npm pack` of the pinned version, of which only
# dist/mermaid.min.js is kept (no node_modules), checked against its SHA-256. Fetched when
# absent or not that file; without npm it is left out and those tests are skipped.
MERMAID_VERSION := 12.3.0
MERMAID_SHA256 := 336df803d87a38b70a01e736e666c8f7601d2ce42f5e47c8fafe5d721074b9a3
MERMAID_JS := .cache/mermaid/mermaid.min.js
MERMAID_OK = echo "$(MERMAID_SHA256)  $(MERMAID_JS)" | sha256sum --check --status 2>/dev/null

mermaid:
	@if $(MERMAID_OK); then echo "==> mermaid $(MERMAID_VERSION): $(MERMAID_JS)"; \
	elif command -v npm >/dev/null 2>&1; then \
	  echo "==> Fetching mermaid $(MERMAID_VERSION) (npm pack) for the gantt browser tests"; \
	  tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && set -x && \
	  npm pack --silent --pack-destination "$$tmp" mermaid@$(MERMAID_VERSION) >/dev/null && \
	  tar -xzmf "$$tmp/mermaid-$(MERMAID_VERSION).tgz" -C "$$tmp" package/dist/mermaid.min.js && \
	  echo "$(MERMAID_SHA256)  $$tmp/package/dist/mermaid.min.js" | sha256sum --check --quiet && \
	  mkdir -p $(dir $(MERMAID_JS)) && mv "$$tmp/package/dist/mermaid.min.js" $(MERMAID_JS); \
	else echo "==> No npm: mermaid is not fetched and the gantt browser tests will be skipped"; fi

# The bundled demo project (data/demo/mlpl.json), copied afresh, then opened.
demo: $(RUN_STAMP)
	rm -rf $(DEMO_DIR)
	@echo "==> Opening the demo project in $(DEMO_DIR) (q quits)"
	$(BIN)/mlpl-tui demo $(DEMO_DIR)

bench: $(RUN_STAMP)
	$(BIN)/python bench/persist.py
	$(BIN)/python bench/status.py
	$(BIN)/python bench/report.py
	$(BIN)/python bench/merge.py
	$(BIN)/python bench/merge_timeline.py
	$(BIN)/python bench/tui.py
	$(BIN)/python bench/validate.py
	$(BIN)/python bench/curve.py
	$(BIN)/python bench/artifacts.py
	$(BIN)/python bench/runs.py
	$(BIN)/python bench/serve.py

clean:
	rm -rf $(VENV) build dist *.egg-info $(DEMO_DIR)
