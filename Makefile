# OpenWatch: two commands on a fresh machine, `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
export OPENWATCH_DATA_DIR ?= $(CURDIR)/data

.PHONY: run test install dev browser demo dashboard bench clean

# The venv is rebuilt when pyproject.toml changes (stamp files).
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
dev: $(VENV)/.installed-dev

## make run: install, create ./data/openwatch.db, crawl the bundled demo site, start the dashboard.
run: install
	$(BIN)/openwatch init
	$(BIN)/openwatch demo
	$(BIN)/openwatch dashboard

## make test: install with dev extras and run the whole suite (PostgreSQL/Redis/browser tests
## are mandatory when CI=true and skip with a reason elsewhere).
test: dev browser
	$(BIN)/python -m pytest -q -ra $(PYTEST_ARGS)

## Debian's chromium for the browser tests (Playwright cannot download its own browser here).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then (apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk >/dev/null) || echo "chromium not installed: browser tests will skip"; \
	  else echo "chromium missing (apt-get install chromium): browser tests will skip"; fi; \
	fi

bench: dev
	$(BIN)/python bench/extraction.py
	$(BIN)/python bench/nlp.py
	$(BIN)/python bench/crawl.py
	$(BIN)/python bench/dashboard.py
	$(BIN)/python bench/scale.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
