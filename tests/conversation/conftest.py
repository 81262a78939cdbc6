"""Fixtures of the conversation suite: one pair of real servers (scripts/serve.sh) for the whole
session, on free ports, with the tracker in a temporary SQLite file, the logs in a directory of
this run and the clock fixed at 2026-12-01 (TTPS_TODAY), so that expected verdicts do not drift
with the calendar. Needs MODEL=<trained model> (make test sets it)."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from convsuite import Chat, Servers, copy_logs, start_servers  # noqa: E402,F401

MODEL = os.environ.get("MODEL")


@pytest.fixture(scope="session")
def servers(tmp_path_factory) -> Servers:
    if not MODEL:
        pytest.skip("needs MODEL=<trained model> (make test sets it)")
    try:
        with start_servers(MODEL, tmp_path_factory.mktemp("conversation-servers")) as s:
            yield s
            copy_logs(s)  # results/conversation/{rasa,actions}.log, for the report
    except RuntimeError as exc:
        pytest.fail(str(exc))


@pytest.fixture
def chat(servers) -> Chat:
    return Chat(servers.base)
