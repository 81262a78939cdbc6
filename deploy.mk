# Kubernetes manifests (deploy/k8s) and their validation, without a cluster. Included by the main
# Makefile (`include deploy.mk`); on its own: `make -f Makefile -f deploy.mk test-deploy`.
# Guide: docs/deploy.md.
#
#   make test-deploy   render every kustomization with tools/render_k8s.py, validate each
#                      resource against the Kubernetes 1.30 schemas (strict) and check the
#                      cross-references (tests/deploy). Its own small venv, .venv-deploy, from
#                      requirements/deploy.txt; the schemas ship inside kubernetes-validate, and
#                      the tests run in an empty network namespace where `unshare -n` works.
#   make k8s-render    print the rendered manifests (K8S_DIR=deploy/k8s/overlays/model-pvc for
#                      the other model option); the same as `kubectl kustomize $(K8S_DIR)`

PYTHON ?= python3.10
PIP_FLAGS ?= -q --disable-pip-version-check
DEPLOY_ENV := .venv-deploy
K8S_DIR ?= deploy/k8s/base
# No network for the tests when an empty network namespace can be made (root here and in CI).
NO_NET = $(shell unshare -n true 2>/dev/null && echo "unshare -n")

.PHONY: test-deploy k8s-render

$(DEPLOY_ENV)/.stamp: requirements/deploy.txt
	$(PYTHON) -m venv --clear $(DEPLOY_ENV)
	$(DEPLOY_ENV)/bin/pip install $(PIP_FLAGS) -r requirements/deploy.txt $(QUIET_PIP)
	$(DEPLOY_ENV)/bin/python -c "import kubernetes_validate, yaml, pytest"
	touch $@

test-deploy: $(DEPLOY_ENV)/.stamp
	$(NO_NET) $(DEPLOY_ENV)/bin/python -m pytest -c tests/deploy/pytest.ini tests/deploy -q

k8s-render: $(DEPLOY_ENV)/.stamp
	@$(DEPLOY_ENV)/bin/python tools/render_k8s.py $(K8S_DIR)
