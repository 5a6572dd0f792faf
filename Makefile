# The two commands a fresh machine needs: `make preview` and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON_BOOTSTRAP ?= python3
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
STACK ?= prod
PACK_CONFIG ?=
QUIET ?=
NO_CACHE ?=

.PHONY: help setup compile alignment-tools preview preflight access access-docs test lint types unit bench docs clean timed-lint timed-types timed-unit

help: ## List the targets.
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

$(UV):
	$(PYTHON_BOOTSTRAP) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv==$(UV_VERSION)

# Bytecode is compiled once here: with PYTHONDONTWRITEBYTECODE set (as on many CI images) no
# .pyc would ever be cached, and every preview would recompile pulumi_aws and the project.
$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --quiet --compile-bytecode
	touch $@

# The Amazon States Language validator the tests run (npm, pinned by its lock file).
ASL := tools/asl
$(ASL)/node_modules/.installed: $(ASL)/package.json $(ASL)/package-lock.json
	npm ci --prefix $(ASL) --no-audit --no-fund --silent
	touch $@

# The project's own sources: incremental (only changed files), so cheap before every preview.
compile: $(VENV)/.synced
	@$(PY) -m compileall -q -j 0 __main__.py components composition contracts functions pipelines policies settings tools || true

# The IAM evaluation engine of `make access` (Node.js), pinned by its package-lock.json.
ACCESS_NODE := tools/access/node
$(ACCESS_NODE)/node_modules/.package-lock.json: $(ACCESS_NODE)/package.json $(ACCESS_NODE)/package-lock.json
	cd $(ACCESS_NODE) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

setup: $(VENV)/.synced compile $(ASL)/node_modules/.installed $(ACCESS_NODE)/node_modules/.package-lock.json alignment-tools ## .venv and the Node.js tools from their lock files; the aligners when missing.

# The offline alignment test runs the pipeline's task commands with Debian's aligners; the
# package names are the command names. As root (CI) they are installed when missing; otherwise
# setup says so and goes on, since the preview does not need them.
ALIGNMENT_TOOLS := bwa bowtie2 samtools shellcheck

alignment-tools: ## Debian's bwa, bowtie2, samtools and shellcheck, when missing.
	@missing=""; for tool in $(ALIGNMENT_TOOLS); do command -v $$tool >/dev/null || missing="$$missing $$tool"; done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
	  echo "installing$$missing (apt)"; \
	  apt-get update && apt-get install -y --no-install-recommends $$missing; \
	else \
	  echo "warning:$$missing missing; the alignment test needs them: sudo make alignment-tools" >&2; \
	fi

# GNU make reports any failing recipe as exit 2, so a policy violation (the tool's 1) and a
# config error (its 2) would look alike; the recipe names the tool's own code before make
# turns it into 2. Scripts that branch on it run the tool directly (README).
define tool_exit
rc=0; $(1) || rc=$$?; \
case $$rc in 0) ;; 1) echo "exit 1 from $(2): $(3)" >&2 ;; *) echo "exit $$rc from $(2): a config, program or usage error" >&2 ;; esac; \
exit $$rc
endef

preview: setup ## Offline preview of STACK (default prod) through the real policy pack.
	@$(call tool_exit,$(PY) -m tools.preview --stack $(STACK) $(if $(PACK_CONFIG),--policy-pack-config $(PACK_CONFIG)) $(if $(QUIET),--quiet) $(if $(NO_CACHE),--no-cache),tools.preview,a mandatory policy violation)

access: setup ## Evaluate who can do what in STACK (default prod) with a real IAM engine.
	@$(call tool_exit,$(PY) -m tools.access --stack $(STACK),tools.access,a cell decided against intent)

preflight: setup ## Read-only checks of the target account (current AWS credentials) before a first up of STACK.
	@$(call tool_exit,$(PY) -m tools.preflight --stack $(STACK),tools.preflight,something a first up needs is missing)

access-docs: setup ## Regenerate the intended-access tables of docs/access.md (prod and dev).
	$(PY) -m tools.access --stack prod --write-docs
	$(PY) -m tools.access --stack dev --write-docs

lint: setup ## ruff check and ruff format --check (never modifies files).
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

types: setup ## mypy strict over the program, pack, functions, tools and tests.
	$(VENV)/bin/mypy .

unit: setup ## pytest: mocks, the real policy pack over gRPC, moto, temp file systems.
	$(VENV)/bin/pytest -q --durations=10

# mypy and pytest are each one process; run side by side they use both cores. Each phase's
# output is printed whole when it ends (--output-sync), with its wall time.
test: setup ## Everything CI runs: lint, types, tests (in parallel), with each phase's time.
	@$(MAKE) --no-print-directory -j3 --output-sync=target timed-lint timed-types timed-unit

timed-lint timed-types timed-unit:
	@started=$$(date +%s); $(MAKE) --no-print-directory $(@:timed-%=%); \
	echo "phase $(@:timed-%=%): $$(( $$(date +%s) - started )) s"

bench: setup ## Benchmarks; figures go to build/bench.json.
	$(PY) -m tools.bench

docs: setup ## Regenerate Pulumi.yaml's config block and the generated docs (configuration, policies, invariants, census, outputs, runbook, cost).
	$(PY) -m tools.gendocs
	$(PY) -m tools.census
	$(PY) -m tools.invariants_doc

clean: ## Remove build output and caches (keeps .venv).
	rm -rf build .mypy_cache .ruff_cache .pytest_cache .hypothesis
