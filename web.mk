# The website chat widget (web/) and its browser tests. Included by the main Makefile after it
# defines ACT and MODEL (`include web.mk`); on its own: `make -f Makefile -f web.mk web`.
#
#   make web             build web/dist/ttps-widget.js and .css (npm ci + esbuild)
#   make test-web-unit   the widget's unit checks (node --test)
#   make test-browser    Debian chromium + Playwright against the real servers (needs a model);
#                        installs chromium and fonts-noto-cjk (Chinese) when missing
#   make serve-web       the demo page on http://127.0.0.1:$(WEB_PORT)/ (Rasa on :5005)

PLAYWRIGHT_VERSION := 1.65.2
WEB_PORT ?= 8080
PIP_FLAGS ?= -q --disable-pip-version-check
NPM_CI := npm --prefix web ci --no-audit --no-fund
WEB_SOURCES := $(shell find web/src -type f 2>/dev/null | sort) web/build.mjs web/package.json \
               ttps_logic/data/parameters.yaml \
               web/package-lock.json

.PHONY: web test-web-unit test-browser browser-debs serve-web web-clean

web/dist/ttps-widget.js: $(WEB_SOURCES)
	@command -v npm >/dev/null || { echo "npm (Node.js 20+) is needed to build web/"; exit 1; }
	$(NPM_CI)
	npm --prefix web run build
	touch $@

web/dist/ttps-widget.css: web/dist/ttps-widget.js

web: web/dist/ttps-widget.js web/dist/ttps-widget.css

test-web-unit: web
	npm --prefix web test

# Playwright's Python package only; it drives Debian's /usr/bin/chromium (never `playwright
# install`, which would download a browser).
$(ACT)/.playwright-$(PLAYWRIGHT_VERSION): $(ACT)/.stamp
	rm -f $(ACT)/.playwright-*
	$(ACT)/bin/pip install $(PIP_FLAGS) playwright==$(PLAYWRIGHT_VERSION)
	touch $@

# Debian packages the browser tests need: Chromium, CJK fonts so Chinese is drawn (and
# screenshotted) in real glyphs, not boxes, and the emoji font for the verdict's ✅ ❌ ❓ 👉.
# Installed only when missing.
browser-debs:
	@missing=""; \
	command -v chromium >/dev/null || missing="chromium"; \
	fc-list :lang=zh 2>/dev/null | grep -q . || missing="$$missing fonts-noto-cjk"; \
	fc-list 2>/dev/null | grep -qi "color emoji" || missing="$$missing fonts-noto-color-emoji"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing; \
	fi

test-browser: web $(ACT)/.playwright-$(PLAYWRIGHT_VERSION) browser-debs setup train
	MODEL=$(MODEL) $(ACT)/bin/python -m pytest tests/browser -q

serve-web: web
	python3 scripts/serve_web.py --port $(WEB_PORT)

web-clean:
	rm -rf web/node_modules web/dist
