# Receivables Trainer — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app trainer
HOST   ?= 127.0.0.1
PORT   ?= 5000
# pytest-xdist workers for `make test`'s non-browser tests (a file's tests stay on one worker; each worker
# gets its own PostgreSQL database); the browser tests then run in one process, sharing one demo site.
TEST_WORKERS ?= 2

.PHONY: run test test-fast loadtest loadtest-users lock setup setup-dev translations chromium oidc-provider scorm-runtime axe lint bench frontier clean

run: export TRAINER_SECRET_KEY_FILE ?= $(CURDIR)/instance/secret_key
run: setup translations  ## Set up on SQLite in instance/, load demo data when empty, serve on :5000
	@$(BIN)/python -m trainer.config ensure-secret-key "$$TRAINER_SECRET_KEY_FILE"
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty
	@echo "Serving on http://$(HOST):$(PORT)  (demo logins above; password demo-pass-2026)"
	$(FLASK) run --host $(HOST) --port $(PORT)

test: setup-dev translations chromium oidc-provider scorm-runtime axe  ## Lint and run the whole test suite (PostgreSQL/Redis too when TEST_*_URL are set)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile -m "not browser"
	$(BIN)/pytest -m browser

test-fast: setup-dev translations  ## Lint and the layout contracts, then the quick tests on SQLite in parallel: no browser, no slow ones (~2 min)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	env -u TEST_DATABASE_URL -u TEST_REDIS_URL $(BIN)/pytest -q -p no:cacheprovider -m "not browser and not slow" -n auto

setup: $(VENV)/.runtime-installed
setup-dev: $(VENV)/.dev-installed

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Installs come from the hash-pinned locks; the project itself goes in editable, without resolving again.
$(VENV)/.runtime-installed: pyproject.toml requirements/runtime.lock | $(VENV)/bin/python
	$(BIN)/pip install --quiet -r requirements/runtime.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml requirements/dev.lock | $(VENV)/bin/python
	$(BIN)/pip install --quiet -r requirements/dev.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@ $(VENV)/.runtime-installed

LOCK := $(BIN)/uv pip compile pyproject.toml --quiet --upgrade --universal --python-version 3.11 --generate-hashes

lock: setup-dev  ## Refresh requirements/*.lock to the newest versions pyproject.toml allows (uv, with hashes)
	$(LOCK) -o requirements/runtime.lock
	$(LOCK) --extra dev --no-emit-package receivables-trainer -o requirements/dev.lock

translations: setup  ## Compile the message catalogues (always: a fresh clone gives .po and .mo equal times)
	@$(BIN)/pybabel compile -d trainer/translations --statistics 2>&1 | grep -v "^compiling" || true

chromium:  ## Install Debian's Chromium for the browser tests when missing and possible
	@bash scripts/ensure-chromium.sh

oidc-provider:  ## Install the test OpenID provider (oidc-provider, npm registry) into tests/oidc/node_modules when Node.js is there
	@if ! command -v npm >/dev/null; then echo "Node.js/npm missing: the single sign-on provider tests will be SKIPPED"; \
	elif [ ! -f tests/oidc/node_modules/oidc-provider/package.json ]; then cd tests/oidc && npm ci --no-audit --no-fund --silent; fi

scorm-runtime:  ## Install the SCORM runtime the export's browser tests play packages in (scorm-again, npm registry) into tests/scorm/node_modules when Node.js is there
	@if ! command -v npm >/dev/null; then echo "Node.js/npm missing: the SCORM runtime browser tests will be SKIPPED"; \
	elif [ ! -f tests/scorm/node_modules/scorm-again/package.json ]; then cd tests/scorm && npm ci --no-audit --no-fund --silent; fi

axe:  ## Install axe-core (npm registry) into tests/axe/node_modules for the browser crawler's accessibility check when Node.js is there
	@if ! command -v npm >/dev/null; then echo "Node.js/npm missing: the crawler's axe-core accessibility check will be SKIPPED"; \
	elif [ ! -f tests/axe/node_modules/axe-core/axe.min.js ]; then cd tests/axe && npm ci --no-audit --no-fund --silent; fi

extract:  ## Refresh the message catalogues after adding UI strings (the one way: scripts/i18n.py)
	$(BIN)/python scripts/i18n.py extract

loadtest: setup-dev translations  ## gunicorn + PostgreSQL + RQ under 50 quiz takers for 60 s while workers are killed (LOADTEST_ARGS=--short in CI)
	$(BIN)/python tests/load/loadtest.py $(LOADTEST_ARGS)

loadtest-users: setup-dev translations  ## 200 people on the everyday pages, gunicorn 4 workers + PostgreSQL + Redis: p50/p95/p99 per page (LOADTEST_USERS_ARGS=--short: under a minute)
	$(BIN)/python tests/load/users.py $(LOADTEST_USERS_ARGS)

bench: setup-dev translations  ## Print the performance figures, each against a baseline measured in the same run
	$(BIN)/python tests/bench/bench_startup.py
	$(BIN)/python tests/bench/bench_signin.py
	$(BIN)/python -m trainer.sim bench
	$(BIN)/python tests/bench/bench_sim_page.py
	$(BIN)/python tests/bench/bench_pages.py
	$(BIN)/python tests/bench/bench_dashboard.py
	$(BIN)/python tests/bench/bench_csv_import.py
	$(BIN)/python tests/load/users.py

frontier: setup  ## Search every preset's efficient frontier again (after an engine or preset change; a few minutes)
	@start=$$(date +%s); for preset in $$($(BIN)/python -m trainer.sim presets | cut -d' ' -f1); do \
		nice -n 10 $(BIN)/python -m trainer.sim frontier --preset $$preset || exit 1; \
	done; echo "all frontiers written in $$(( $$(date +%s) - start )) s"

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache test-output
