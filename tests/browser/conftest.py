"""Browser tests of the chat widget: Playwright (sync API) driving Debian's Chromium.

Playwright never downloads a browser here: it launches /usr/bin/chromium (override with
$CHROMIUM). The demo page is served by scripts/serve_web.py from web/demo and web/dist, which
`make web` builds. Screenshots go to artifacts/screenshots/.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from browser_support import (CHROMIUM, CHROMIUM_ARGS, REPLY_TIMEOUT_MS, ROOT, PageRecorder,
                             free_port, stop, sync_api, wait_for_line)


@pytest.fixture(scope="session", autouse=True)
def _expect_timeout():
    if sync_api is not None:
        sync_api.expect.set_options(timeout=REPLY_TIMEOUT_MS)


@pytest.fixture(scope="session")
def web_server():
    """scripts/serve_web.py on a free port; yields its origin, e.g. http://127.0.0.1:41234."""
    if not (ROOT / "web" / "dist" / "ttps-widget.js").is_file():
        pytest.fail("web/dist/ttps-widget.js is missing: build it first (make web, or "
                    "npm --prefix web ci && npm --prefix web run build)")
    port = free_port()
    proc = subprocess.Popen([sys.executable, "scripts/serve_web.py", "--port", str(port), "--quiet"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    try:
        wait_for_line(proc, "Web demo ready", 30, "scripts/serve_web.py")
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(proc)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not found: apt-get install -y chromium (make test-browser does)")
    pw = sync_api.sync_playwright().start()
    try:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()
    finally:
        pw.stop()


@pytest.fixture
def make_page(browser):
    """make_page(width=1280, height=900, locale="en-US") → (page, recorder); each page has fresh storage."""
    contexts = []

    def _make(width: int = 1280, height: int = 900, **options):
        # The browser's language decides the widget's first language: English unless a test
        # asks for another (locale="zh-CN" …).
        options.setdefault("locale", "en-US")
        context = browser.new_context(viewport={"width": width, "height": height}, **options)
        contexts.append(context)
        page = context.new_page()
        return page, PageRecorder(page)

    yield _make
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def rasa(web_server, tmp_path_factory):
    """Both servers on free ports, CORS open to the web server's origin; yields Rasa's URL.
    Shared by every module that talks to the real assistant (they skip without $MODEL)."""
    model = os.environ.get("MODEL")
    if not model:
        pytest.skip("needs MODEL=<trained model> (make test-browser sets it)")
    rasa_port, action_port = free_port(), free_port()
    env = dict(os.environ, RASA_PORT=str(rasa_port), ACTION_PORT=str(action_port),
               TRACKER_DB=str(tmp_path_factory.mktemp("tracker") / "tracker.db"),
               CORS_ORIGINS=web_server)
    # serve.sh sends Rasa's output to logs/rasa.log, shared with any other run; keep our own copy.
    log_file = tmp_path_factory.mktemp("logs") / "rasa.log"
    proc = subprocess.Popen(["scripts/serve.sh", model, "--log-file", str(log_file)],
                            cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    try:
        # serve.sh prints "Assistant ready" once both servers answer their health URLs.
        wait_for_line(proc, "Assistant ready", 600, f"scripts/serve.sh (see {log_file})")
        print(f"Rasa on port {rasa_port}, log {log_file}")
        yield f"http://127.0.0.1:{rasa_port}"
    finally:
        stop(proc, signal.SIGINT)
