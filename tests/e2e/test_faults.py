"""Faults a deployment meets: the action server crashes in the middle of a conversation. The
person gets a polite "can't check that right now" (channels/guard.py) instead of silence,
scripts/serve.sh restarts the action server, and the conversation carries on where it was."""
import os
import signal
import subprocess
import time
import urllib.request

import pytest

from test_persistence import _start, _stop
from test_rest_conversations import Chat, _free_port

MODEL = os.environ.get("MODEL")
pytestmark = pytest.mark.skipif(not MODEL, reason="needs MODEL=<trained model> (make test sets it)")


def _action_server_pid(port):
    out = subprocess.run(["pgrep", "-f", f"rasa_sdk --actions actions --port {port}$"],
                         capture_output=True, text=True).stdout.split()
    return int(out[0]) if out else None


def _healthy(port):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


def _wait_for_new_action_server(port, old_pid, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:      # polls readiness; no fixed wait
        pid = _action_server_pid(port)
        if pid and pid != old_pid and _healthy(port):
            return pid
        time.sleep(0.2)
    pytest.fail("the action server was not restarted")


def test_action_server_crash_gets_an_apology_then_the_conversation_goes_on(tmp_path):
    action_port = _free_port()
    log_dir = tmp_path / "logs"
    env = dict(os.environ, RASA_PORT=str(_free_port()), ACTION_PORT=str(action_port),
               TRACKER_DB=str(tmp_path / "tracker.db"), LOG_DIR=str(log_dir))
    proc = _start(env)
    try:
        chat = Chat(f"http://127.0.0.1:{env['RASA_PORT']}")
        assert "income" in Chat.text(chat.say("check my eligibility")).lower()
        pid = _action_server_pid(action_port)
        assert pid, "no action server process found"
        os.kill(pid, signal.SIGKILL)

        # Straight after the crash, before the restart (serve.sh waits a second before it):
        # a polite answer, not an empty reply
        reply = Chat.text(chat.say("HK$3M in salary"))
        assert "can't check that right now" in reply, reply

        _wait_for_new_action_server(action_port, pid)
        # the same answer again: the form was still waiting for the income, and goes on
        assert "bachelor" in Chat.text(chat.say("HK$3M in salary")).lower()
        assert "nationality" in Chat.text(chat.say("no")).lower()
        summary = Chat.text(chat.say("Chinese"))
        assert "HKD 3,000,000" in summary and "Is that right?" in summary
        assert proc.poll() is None, "serve.sh stopped when the action server crashed"
        assert "restarting it" in (log_dir / "actions.log").read_text()
    finally:
        _stop(proc)
