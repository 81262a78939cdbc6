# Scale-out on one machine (docs/cluster.md): nginx in front of several Rasa servers and action
# servers, the PostgreSQL tracker store and the Redis lock store (endpoints.production.yml).
# Included by the main Makefile after it defines PYTHON, RASA_ENV and MODEL (`include cluster.mk`).
#
#   make run-cluster         set up (environments, model, widget, Debian's nginx when missing),
#                            then scripts/cluster.sh: nginx on CLUSTER_LISTEN (127.0.0.1:8088) in
#                            front of CLUSTER_RASA (2) Rasa servers and CLUSTER_ACTIONS (2) action
#                            servers; the database DB_NAME (ttps) is created when missing. Ctrl-C
#                            stops everything.
#   make test-cluster        the cluster under load: 200 conversations through nginx with locust
#                            (.venv-load), one Rasa server SIGKILLed halfway, every tracker
#                            checked; then the lock-store race check. Loopback only, bounded
#                            (a fixed number of conversations, 10 minutes at most). Exit 1 on any
#                            lost, duplicated or failed message.
#   make test-cluster-smoke  part of `make test`: the generated nginx config passes nginx -t, the
#                            lock store against Redis, and nginx + 2 Rasa servers: 413, 429, the
#                            WebSocket upgrade, the polling fallback, the private API refused, a
#                            message sent twice handled once.

LOAD := .venv-load
LOADTEST_CONVERSATIONS ?= 200

.PHONY: run-cluster test-cluster test-cluster-smoke nginx-deb setup-load

# Debian's nginx, installed only when missing (its service is not used: scripts/cluster.sh runs
# its own nginx with a generated config and a prefix under .rasa/cluster).
nginx-deb:
	@command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || { \
	  echo "installing nginx"; \
	  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y nginx; }

# The load test's own environment: locust brings python-socketio 5.18, Rasa needs 5.9.
$(LOAD)/.stamp: requirements/loadtest.txt
	$(PYTHON) -m venv $(LOAD)
	$(LOAD)/bin/pip install $(PIP_FLAGS) --upgrade pip $(QUIET_PIP)
	$(LOAD)/bin/pip install $(PIP_FLAGS) -r requirements/loadtest.txt $(QUIET_PIP)
	$(LOAD)/bin/pip check
	$(LOAD)/bin/python -c "import yaml, importlib.metadata as m; assert m.version('locust') == '2.46.0'"
	touch $@

setup-load: $(LOAD)/.stamp

run-cluster: setup train web nginx-deb
	scripts/cluster.sh $(MODEL)

test-cluster-smoke: setup train web nginx-deb
	MODEL=$(MODEL) $(RASA_ENV)/bin/python -m pytest -c tests/cluster/pytest.ini tests/cluster -q

test: test-cluster-smoke

test-cluster: setup train web nginx-deb setup-load
	$(LOAD)/bin/python tests/cluster/loadtest.py --model $(MODEL) \
	  --conversations $(LOADTEST_CONVERSATIONS) --time-limit 600
