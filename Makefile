# regwatch: two commands do everything on a fresh machine: `make demo` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export PYTHONPATH := $(CURDIR)/lambdas:$(CURDIR)

.PHONY: help install demo test lint typecheck pytest synth bench bench-smoke cost faults soak clean

help:
	@echo "make demo   install, then run the whole monitor locally on the built-in emulator"
	@echo "make test   install, then run every check (ruff, mypy, pytest incl. CDK synth, cdk-nag, cfn-lint)"
	@echo "make bench  scale benchmark (regwatch vs a naive scanner); writes its tables into docs/performance.md"
	@echo "make faults fault-injection suite; writes its table into docs/reliability.md"
	@echo "make soak   a simulated day of chaos (SEED=n); writes its table into docs/reliability.md"
	@echo "make synth  npx cdk synth with the pinned CDK CLI (offline, no credentials)"
	@echo "make cost   docs/cost.md from the recorded benchmark result and benchmarks/prices.json"

$(VENV)/.installed: requirements.txt requirements-cli.txt requirements-dev.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed

lint: install
	$(VENV)/bin/ruff check .

typecheck: install
	$(VENV)/bin/mypy --strict lambdas regwatch_cli
	$(VENV)/bin/mypy app.py infra local benchmarks

pytest: install
	$(VENV)/bin/pytest -n auto

test: lint typecheck pytest

synth: install
	npx cdk synth --quiet

demo: install
	$(PY) -m local.run $(ARGS)

bench: install
	$(PY) -m benchmarks.run --write-docs $(ARGS)

cost: install
	$(PY) -m benchmarks.cost $(ARGS)

bench-smoke: install
	$(PY) -m benchmarks.run --sizes 200 $(ARGS)

faults: install
	$(PY) -m tests.faults.run $(ARGS)

soak: install
	$(PY) -m tests.soak.run --write-docs $(if $(SEED),--seed $(SEED)) $(ARGS)

clean:
	rm -rf cdk.out .build .mypy_cache .ruff_cache
