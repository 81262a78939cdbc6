# Two commands for a fresh clone: `make run` (set up, build, train, start) and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3.10
ACT := .venv-actions
RASA_ENV := .venv-rasa
RASA := $(RASA_ENV)/bin/rasa
PIP_FLAGS := -q --disable-pip-version-check
# This machine's pip configuration names local mirrors that may be absent; hide only that noise.
QUIET_PIP := 2>&1 | { grep -v "is ignored: it is neither a file nor a directory" || true; }

export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 3
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export PYTHONWARNINGS := ignore::DeprecationWarning

# A trained model is keyed by everything it is trained from; a copy is kept outside the
# checkout so a fresh clone on the same machine (and CI) reuses it instead of training again.
MODEL_INPUTS := config.yml domain.yml requirements/rasa.txt tools/build_spacy_pipeline.py \
                nlu_components/mixed_tokenizer.py nlu_components/faq_topics.py \
                ttps_logic/data/institutions.csv \
                $(shell find data -type f -name '*.yml' | sort)
MODEL_HASH := $(shell cat $(MODEL_INPUTS) | sha256sum | cut -c1-16)
MODEL := models/ttps-$(MODEL_HASH).tar.gz
MODEL_CACHE ?= $(HOME)/.cache/ttps-assistant/models
SPACY_HASH := $(shell cat tools/build_spacy_pipeline.py nlu_components/mixed_tokenizer.py \
                ttps_logic/data/institutions.csv requirements/rasa.txt | sha256sum | cut -c1-16)

include web.mk
include channels.mk
include ops.mk
include deploy.mk
include cluster.mk

.PHONY: help setup setup-actions setup-rasa spacy train run shell test test-logic test-actions \
        test-rasa test-conversation validate bench clean

help:
	@echo "make run    - set up everything (environments, spaCy pipeline, training) and start the assistant"
	@echo "make test   - set up everything and run every test"
	@echo "make shell  - chat with the assistant in the terminal"
	@echo "make bench  - print performance numbers"

# --- environments -----------------------------------------------------------------------------
$(ACT)/.stamp: requirements/actions.txt pyproject.toml
	$(PYTHON) -m venv $(ACT)
	$(ACT)/bin/pip install $(PIP_FLAGS) --upgrade pip $(QUIET_PIP)
	$(ACT)/bin/pip install $(PIP_FLAGS) -r requirements/actions.txt $(QUIET_PIP)
	$(ACT)/bin/pip install $(PIP_FLAGS) --no-deps -e . $(QUIET_PIP)
	$(ACT)/bin/python -c "import ttps_logic, rasa_sdk, pydantic; assert pydantic.VERSION.startswith('2')"
	touch $@

$(RASA_ENV)/.stamp: requirements/rasa.txt
	$(PYTHON) -m venv $(RASA_ENV)
	$(RASA_ENV)/bin/pip install $(PIP_FLAGS) --upgrade pip 'setuptools<70' wheel $(QUIET_PIP)
	$(RASA_ENV)/bin/pip install $(PIP_FLAGS) -r requirements/rasa.txt $(QUIET_PIP)
	$(RASA_ENV)/bin/python -c "import rasa; from importlib.metadata import version as v; assert rasa.__version__ == '3.6.21' and v('python-socketio') == '5.9.0'"
	touch $@

# The project's own spaCy pipeline, built from its data and installed by name.
$(RASA_ENV)/.spacy-$(SPACY_HASH): $(RASA_ENV)/.stamp
	rm -f $(RASA_ENV)/.spacy-*
	$(RASA_ENV)/bin/python tools/build_spacy_pipeline.py
	$(RASA_ENV)/bin/pip install $(PIP_FLAGS) --no-index --no-deps --no-build-isolation \
	  --force-reinstall .cache/spacy/package/en_ttps_pipeline-0.1.0 $(QUIET_PIP)
	touch $@

setup-actions: $(ACT)/.stamp
setup-rasa: $(RASA_ENV)/.stamp $(RASA_ENV)/.spacy-$(SPACY_HASH)
setup: setup-actions setup-rasa

# --- training ---------------------------------------------------------------------------------
$(MODEL): | setup-rasa
	mkdir -p models
	if [ -f "$(MODEL_CACHE)/$(notdir $@)" ]; then \
	  echo "Using the cached model $(notdir $@)"; cp "$(MODEL_CACHE)/$(notdir $@)" $@; \
	else \
	  start=$$(date +%s); \
	  $(RASA) train --fixed-model-name ttps-$(MODEL_HASH) --out models; \
	  mkdir -p logs && echo $$(( $$(date +%s) - start )) > logs/train_seconds; \
	  mkdir -p "$(MODEL_CACHE)" && cp $@ "$(MODEL_CACHE)/"; \
	fi

train: $(MODEL)

validate: setup-rasa
	$(RASA) data validate --fail-on-warnings

# --- running ----------------------------------------------------------------------------------
run: setup train web
	WEB_PORT=$(WEB_PORT) scripts/serve.sh $(MODEL)

shell: setup train
	SHELL_MODE=1 scripts/shell.sh $(MODEL)

# --- tests ------------------------------------------------------------------------------------
test-logic: setup-actions
	$(ACT)/bin/python -m pytest tests/logic -q

test-actions: setup-actions
	$(ACT)/bin/python -m pytest tests/actions -q

test-rasa: setup validate train
	$(RASA) test core --model $(MODEL) --stories tests/test_stories.yml \
	  --fail-on-prediction-errors --out results/core
	$(RASA_ENV)/bin/python tests/rasa/evaluate_heldout.py --model $(MODEL) --out results/nlu
	$(RASA_ENV)/bin/python -m pytest -c tests/rasa/pytest.ini tests/rasa -q -p no:cacheprovider
	MODEL=$(MODEL) $(ACT)/bin/python -m pytest tests/e2e -q

# Personas and the random-conversation fuzz against the real servers (report in results/conversation).
test-conversation: setup train
	MODEL=$(MODEL) $(ACT)/bin/python -m pytest tests/conversation -q -s

test: test-logic test-actions test-rasa test-conversation test-web-unit test-browser test-channels test-deploy

bench: setup train
	$(ACT)/bin/python tools/bench_logic.py
	MODEL=$(MODEL) $(ACT)/bin/python tools/bench_chat.py

clean:
	rm -rf $(ACT) $(RASA_ENV) models .cache results logs .rasa
