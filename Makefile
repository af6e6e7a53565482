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

## make ci: lint, then the suite on SQLite and the same suite on PostgreSQL, side by side (one
## core each); each pass keeps its own files (var/ci/<pass>) and Redis database, and its log is
## printed whole when both have ended, with its 15 slowest steps. The tests that bring their own
## database run in one pass only: the benchmarks' in the PostgreSQL pass, the others in the
## SQLite pass (see .ci/postgres-pass and README "Development").
ci: $(STAMP) chromium lint
	@rm -rf var/ci && mkdir -p var/ci/sqlite var/ci/postgres
	@echo "=== Test suites on SQLite and on PostgreSQL, side by side ==="
	@env -u DATABASE_URL AFTERSALE_VAR=var/ci/sqlite REDIS_TEST_URL=redis://127.0.0.1:6379/7 \
	  $(BIN)/pytest --create-db -m "not benchmark" --durations=15 $(PYTEST_ARGS) > var/ci/sqlite.log 2>&1 & lite=$$!; \
	AFTERSALE_VAR=var/ci/postgres REDIS_TEST_URL=redis://127.0.0.1:6379/8 \
	  bash .ci/postgres-pass --durations=15 $(PYTEST_ARGS) > var/ci/postgres.log 2>&1; pg=$$?; \
	wait $$lite; sqlite=$$?; \
	echo "=== Test suite on SQLite (exit $$sqlite) ==="; cat var/ci/sqlite.log; \
	echo "=== Test suite on PostgreSQL (exit $$pg) ==="; cat var/ci/postgres.log; \
	test $$sqlite = 0 && test $$pg = 0

bench: $(STAMP)
	@# Benchmarks serve only on loopback and keep no sessions: a throw-away key unless one is set.
	@for script in bench/*/run.py; do echo "=== $$script ==="; \
	  SECRET_KEY="$${SECRET_KEY:-bench-only-$$RANDOM$$RANDOM$$RANDOM}" $(BIN)/python $$script; done

messages: $(STAMP)
	@cd src/aftersale && $(OFFLINE) ../../$(BIN)/python -m django makemessages -l fi -l sv -l en --no-obsolete --no-location --settings=aftersale.settings
	@cd src/aftersale && $(OFFLINE) ../../$(BIN)/python -m django compilemessages --settings=aftersale.settings

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
