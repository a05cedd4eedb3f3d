# Entra SSO harness: `make run` to try it, `make test` to check it. `make help` lists everything.
# System packages: scripts/system-deps.sh installs Debian's python3-venv, xmlsec1, curl and jq (and
# chromium for tests) with apt-get when they are missing and we run as root; otherwise it says
# what to install.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV    ?= .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed
# SP_URL / IDP_URL: unset, `make run` uses http://localhost:8000 and http://127.0.0.1:8001 and
# the tests pick free loopback ports; set, both use them (`make run SP_URL=http://localhost:9000`).
ifdef SP_URL
export SP_URL
endif
ifdef IDP_URL
export IDP_URL
endif

.PHONY: help setup bytecode run test lint typecheck unit e2e bench load certs clean browser docs demo

help: ## List the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'
	@echo "  Variables: SP_URL (default http://localhost:8000), IDP_URL (default http://127.0.0.1:8001),"
	@echo "             TEST_MODE=1 (make run: the mock's Scenario menu and control API)"
	@echo "             STEP=1 (make run: the tracer's step mode, stops before each Response is posted)"
	@echo "             HEADED=1 (make demo: watch Chromium walk the tutorial)"

$(STAMP): pyproject.toml
	@scripts/system-deps.sh python3-venv xmlsec1 curl jq
	@scripts/system-deps.sh postgresql || echo "Without PostgreSQL its half of the SP's database tests is skipped." >&2
	@test -x $(PY) || python3 -m venv $(VENV)
	@$(PY) -m pip install -q --upgrade pip >/dev/null
	@$(PY) -m pip install -q -e '.[test]'
	@touch $@

setup: $(STAMP) certs bytecode ## Create .venv, install packages (and xmlsec1, curl, jq, PostgreSQL), generate test keys

# Python writes no .pyc where PYTHONDONTWRITEBYTECODE is set (CI images often set it): then every
# start compiles the apps' ~180 modules again (~40 ms). compileall writes them anyway, and only
# for files changed since; a stale .pyc is never used, so an edit always takes effect.
bytecode: $(STAMP)
	@$(PY) -m compileall -q sp mock_idp serving devserver certs

certs: $(STAMP) ## Generate the test-only keys into certs/ (kept when present)
	@$(PY) -m certs

run: setup ## Start the mock Entra ID and the Trakstar clone with the default tenant (Ctrl-C stops both)
	@TEST_MODE=$(TEST_MODE) STEP=$(STEP) $(PY) -m devserver

lint: $(STAMP) ## ruff, and the layering contracts (import-linter, pyproject.toml)
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .
	@out=$$($(VENV)/bin/lint-imports 2>&1) && echo "$$out" | grep -E '^Contracts:' \
	  || { echo "$$out" | sed -n '/^Contracts$$/,$$p'; exit 1; }

typecheck: $(STAMP) ## mypy: --strict on the packages, a lighter profile on tests/ and e2e/
	@$(VENV)/bin/mypy

unit: setup ## Fast tests only (no browser), on all cores
	@$(PY) -m pytest tests -q -n auto --dist worksteal

browser: $(STAMP)
	@scripts/system-deps.sh chromium || { \
	  echo "Trying Playwright's own Chromium instead…" >&2; $(PY) -m playwright install chromium; }
	@scripts/system-deps.sh chromium-headless-shell || \
	  echo "Without chromium-headless-shell the e2e tests run in Chromium itself (about twice the CPU)." >&2

e2e: setup browser ## Browser tests only (Chromium), one browser and one pair of apps per core
	@$(PY) -m pytest e2e -q -n auto --dist worksteal

test: setup browser ## Everything, timed by phase: lint, typecheck, then all tests on all cores
	@VENV=$(VENV) scripts/test-phases.sh

bench: setup browser ## The speed table: each figure next to a peer measured in the same run
	@scripts/system-deps.sh wrk
	@$(PY) -m bench

load: setup ## Load test: 1,000 sign-ins, SP and mock under gunicorn -w 2, SP on PostgreSQL
	@$(PY) -m bench load

demo: setup browser ## Walk the tutorial in Chromium; storyboard to instance/storyboard/ (HEADED=1 watches)
	@HEADED=$(HEADED) $(PY) -m demo

SITE_DIR ?= site
docs: $(STAMP) ## Build the docs site into site/ (strict: a broken link or missing page fails)
	@NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict --quiet --site-dir $(SITE_DIR)
	@echo "Docs built: $(SITE_DIR)/index.html (preview: $(VENV)/bin/mkdocs serve)"

clean: ## Remove the venv, generated keys and the SP database
	rm -rf $(VENV) instance site certs/*.key certs/*.crt .pytest_cache .mypy_cache .ruff_cache \
	  .import_linter_cache test-results
