# Two commands for a fresh clone: `make run` (set up, build, train, start) and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3.10
ACT := .venv-actions
RASA_ENV := .venv-rasa
PIP_FLAGS := -q --disable-pip-version-check
# This machine's pip config names local mirrors that may be absent; hide that noise only.
QUIET_PIP := 2>&1 | { grep -v "is ignored: it is neither a file nor a directory" || true; }

export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 3
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

.PHONY: help setup setup-actions test test-logic bench run clean

help:
	@echo "make run    - set up everything and start the assistant"
	@echo "make test   - set up everything and run every test"
	@echo "make bench  - print performance numbers"

# --- environments -----------------------------------------------------------------------------
$(ACT)/.stamp: requirements/actions.txt pyproject.toml
	$(PYTHON) -m venv $(ACT)
	$(ACT)/bin/pip install $(PIP_FLAGS) --upgrade pip $(QUIET_PIP)
	$(ACT)/bin/pip install $(PIP_FLAGS) -r requirements/actions.txt $(QUIET_PIP)
	$(ACT)/bin/pip install $(PIP_FLAGS) --no-deps -e . $(QUIET_PIP)
	$(ACT)/bin/python -c "import ttps_logic, rasa_sdk, pydantic; assert pydantic.VERSION.startswith('2')"
	touch $@

setup-actions: $(ACT)/.stamp

setup: setup-actions

# --- tests ------------------------------------------------------------------------------------
test-logic: setup-actions
	$(ACT)/bin/python -m pytest tests/logic -q

test: test-logic

bench: setup-actions
	$(ACT)/bin/python tools/bench_logic.py

run: setup-actions
	@echo "Only the eligibility engine exists so far. Try:"
	@echo "  echo '{\"income\": [{\"amount\": 3000000, \"currency\": \"HKD\", \"type\": \"salary\"}]}' | $(ACT)/bin/python -m ttps_logic explain"

clean:
	rm -rf $(ACT) $(RASA_ENV) models .cache
