# Aftersale — everything a developer runs. The virtualenv is created on first use.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=
# Commands that load the settings but serve nothing (checks, translations) sign nothing either.
OFFLINE := SECRET_KEY=offline-tooling-only-$$RANDOM$$RANDOM$$RANDOM

.PHONY: run test ci lint format bench messages chromium clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade pip
	@$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

## make run: migrate, load the demo shop if the database is empty, serve web + worker
run: $(STAMP)
	@$(BIN)/aftersale run

## make test: the whole suite (on SQLite unless DATABASE_URL says otherwise)
test: $(STAMP) chromium
	@$(BIN)/pytest $(PYTEST_ARGS)

## Debian's Chromium drives the browser tests (Playwright never downloads a browser here).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's chromium for the browser tests…"; \
	    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "NOTE: chromium is not installed; browser tests will be skipped (apt-get install chromium)."; fi; }

lint: $(STAMP)
	@$(BIN)/ruff check src tests bench
	@$(BIN)/ruff format --check src tests bench
	@$(BIN)/lint-imports
	@$(BIN)/mypy --strict --no-error-summary -p aftersale.analytics || { echo "mypy --strict failed on aftersale.analytics"; exit 1; }
	@$(OFFLINE) $(BIN)/python -m django makemigrations --check --dry-run --settings=aftersale.settings >/dev/null \
	  || { echo "Models and migrations differ: run 'aftersale makemigrations'"; exit 1; }

format: $(STAMP)
	@$(BIN)/ruff check --fix src tests bench
	@$(BIN)/ruff format src tests bench

## make ci: lint, the suite on SQLite, then the same suite on PostgreSQL
ci: $(STAMP) chromium lint
	@echo "=== Test suite on SQLite ==="
	@env -u DATABASE_URL $(MAKE) --no-print-directory test PYTEST_ARGS="--create-db $(PYTEST_ARGS)"
	@echo "=== Test suite on PostgreSQL ==="
	@bash .ci/postgres-pass $(PYTEST_ARGS)

bench: $(STAMP)
	@# Benchmarks serve only on loopback and keep no sessions: a throw-away key unless one is set.
	@for script in bench/*/run.py; do echo "=== $$script ==="; \
	  SECRET_KEY="$${SECRET_KEY:-bench-only-$$RANDOM$$RANDOM$$RANDOM}" $(BIN)/python $$script; done

messages: $(STAMP)
	@cd src/aftersale && $(OFFLINE) ../../$(BIN)/python -m django makemessages -l fi -l sv -l en --no-obsolete --no-location --settings=aftersale.settings
	@cd src/aftersale && $(OFFLINE) ../../$(BIN)/python -m django compilemessages --settings=aftersale.settings

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
