"""Helpers for the browser tests (imported by conftest.py and the test modules)."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

try:
    from playwright import sync_api
except ImportError:  # each test module skips itself with pytest.importorskip
    sync_api = None

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
# Upper bound for one reply (they usually take well under a second).
REPLY_TIMEOUT_MS = 60_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_line(proc: subprocess.Popen, marker: str, timeout: float, what: str) -> None:
    """Read the process's output until `marker` appears (the servers print it once they answer)."""
    deadline = time.monotonic() + timeout
    for line in proc.stdout:
        if marker in line:
            return
        if time.monotonic() > deadline:
            break
    pytest.fail(f"{what} did not start (no {marker!r} line)")


def stop(proc: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    if proc.stdout:
        proc.stdout.close()


class PageRecorder:
    """What a page did that a test may want to assert: dialogs, script errors, hosts contacted."""

    def __init__(self, page):
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.hosts: set[str] = set()
        page.on("dialog", self._dialog)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.on("request", lambda req: self.hosts.add(urlsplit(req.url).hostname or ""))

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def assert_clean(self):
        assert self.dialogs == [], self.dialogs
        assert self.errors == [], self.errors
        # Nothing is fetched from other sites (no CDN): only the local servers.
        assert self.hosts <= {"127.0.0.1", "localhost"}, self.hosts


def screenshot(target, name: str, **options) -> Path:
    """Save a screenshot of a page or a locator as artifacts/screenshots/<name>.png."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    target.screenshot(path=str(path), **options)
    return path


def ui_strings(lang: str = "en") -> dict[str, str]:
    """The widget's own words in one locale (web/src/strings.<lang>.json)."""
    return json.loads((ROOT / "web" / "src" / f"strings.{lang}.json").read_text(encoding="utf-8"))


class ChatPage:
    """The widget as a person uses it: type, press Enter, click suggested replies, read replies.
    `lang` is the language the widget's frame is in (its accessible names are looked up in it)."""

    def __init__(self, page, lang: str = "en"):
        self.page = page
        self.lang = lang
        self.strings = ui_strings(lang)
        self.panel = page.locator(".ttps-chat")
        self.log = page.get_by_role("log", name=self.strings["chat.log"])
        self.input = page.get_by_label(self.strings["chat.input_label"])
        self.send_button = self.panel.get_by_role("button", name=self.strings["chat.send"], exact=True)
        self.languages = self.panel.get_by_role("group", name=self.strings["lang.group"])
        self.notice = page.locator(".ttps-notice")
        self.typing = page.locator(".ttps-typing")
        self.user_texts = page.locator(".ttps-user .ttps-text")
        self.bot_texts = page.locator(".ttps-bot .ttps-text")
        # the assistant's messages since the person's last one
        self.latest_bot = page.locator(
            "xpath=(//div[contains(@class,'ttps-user')])[last()]"
            "/following-sibling::div[contains(@class,'ttps-bot')]")
        self.cards = page.locator(".ttps-card")

    def language_button(self, code: str):
        """The switcher's button for a locale (named in its own language)."""
        return self.panel.locator(f".ttps-lang-button[data-lang='{code}']")

    def reply_button(self, title: str):
        return self.page.locator(".ttps-quick-replies").get_by_role("button", name=title, exact=True)

    def say(self, text: str) -> None:
        sync_api.expect(self.input).to_be_enabled()
        self.input.fill(text)
        self.input.press("Enter")
        sync_api.expect(self.user_texts.last).to_have_text(text)

    def click(self, title: str) -> None:
        self.reply_button(title).click()
        sync_api.expect(self.user_texts.last).to_have_text(title)

    def expect_reply(self, pattern) -> None:
        sync_api.expect(self.latest_bot.filter(has_text=pattern).first).to_be_visible()
