# Konnect Admin: `make run` serves the dashboard on the embedded default; `make test` checks it.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: install run test lint typecheck pytest e2e bench soak audit clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# The dashboard with SQLite, the filesystem Celery broker and the Konnect sandbox, seeded.
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo ""
	@echo "  Konnect Admin: http://127.0.0.1:$(PORT)/   (Ctrl-C stops web, worker and beat)"
	@echo ""
	PATH="$(abspath $(BIN)):$$PATH" KONNECT_SANDBOX_PORT=$(PORT) $(BIN)/honcho start -f Procfile -p $(PORT) web worker beat

lint: install
	$(BIN)/ruff check .

typecheck: install
	$(BIN)/mypy .

pytest: install
	$(BIN)/pytest $(PYTEST_ARGS)

test: install
	$(BIN)/ruff check .
	$(BIN)/mypy .
	$(BIN)/pytest $(PYTEST_ARGS)

# Security checks: bandit on our code (each accepted finding carries a "nosec" with its reason)
# and pip-audit on the locked dependencies when a vulnerability database can be reached.
audit: install
	$(BIN)/bandit -q -r konnect_admin catalog orders -x '*/migrations/*'
	@# A found vulnerability fails; a database this machine cannot reach is reported, not hidden.
	@out=$$($(BIN)/pip-audit -r constraints.txt --progress-spinner off --strict 2>&1); rc=$$?; \
	  echo "$$out" | tail -n 20; \
	  if echo "$$out" | grep -q "known vulnerabilit" && ! echo "$$out" | grep -q "No known"; then exit 1; fi; \
	  if [ $$rc -ne 0 ]; then echo "pip-audit: no vulnerability database reachable from this machine (see README)"; fi

e2e: install
	$(BIN)/pytest -m e2e $(PYTEST_ARGS)

# Every benchmark of tests/benchmarks/, each on its own throwaway database under var/bench/.
bench: install
	$(BIN)/python -m tests.benchmarks $(BENCH_ARGS)

# The fault-injection soak (tests/soak/): full scale on the filesystem broker with SQLite, then
# on Redis (skipped when none answers) with PostgreSQL when DATABASE_URL names it, else SQLite.
SOAK_ARGS ?= --broker filesystem --broker redis --scale full
soak: install
	$(BIN)/python -m tests.soak $(SOAK_ARGS)

clean:
	rm -rf var/test.sqlite3* var/broker var/cache
