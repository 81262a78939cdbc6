"""Conversations survive a restart of the Rasa server: with the default SQLite tracker store
(make run), and with the production stores (PostgreSQL tracker store, Redis lock store) that
these machines run on 127.0.0.1."""
import os
import signal
import socket
import subprocess
import time
import uuid

import pytest

from test_rest_conversations import ROOT, Chat, _free_port

MODEL = os.environ.get("MODEL")
pytestmark = pytest.mark.skipif(not MODEL, reason="needs MODEL=<trained model> (make test sets it)")


def _start(env):
    proc = subprocess.Popen(["scripts/serve.sh", MODEL], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    deadline = time.monotonic() + 600
    for line in proc.stdout:
        if "Assistant ready" in line:
            return proc
        if time.monotonic() > deadline:
            break
    os.killpg(proc.pid, signal.SIGINT)
    pytest.fail("servers did not start; see logs/rasa.log")


def _stop(proc):
    os.killpg(proc.pid, signal.SIGINT)
    proc.wait(timeout=60)


def _service_up(port):
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _conversation_survives(env):
    rasa_port = int(env["RASA_PORT"])
    proc = _start(env)
    chat = Chat(f"http://127.0.0.1:{rasa_port}")
    try:
        chat.say("check my eligibility")
        chat.say("HK$2.8M salary")
    finally:
        _stop(proc)
    proc = _start(env)
    try:
        # the form goes on where it stopped: the next question is about the degree
        reply = Chat.text(chat.say("no"))
        assert "nationality" in reply.lower(), reply
        summary = Chat.text(chat.say("Chinese"))
        assert "HKD 2,800,000" in summary
    finally:
        _stop(proc)


def test_sqlite_tracker_store_survives_restart(tmp_path):
    env = dict(os.environ, RASA_PORT=str(_free_port()), ACTION_PORT=str(_free_port()),
               TRACKER_DB=str(tmp_path / "tracker.db"))
    _conversation_survives(env)


@pytest.mark.skipif(not (_service_up(5432) and _service_up(6379)),
                    reason="PostgreSQL and Redis are not running on 127.0.0.1")
def test_postgres_tracker_and_redis_lock_store_survive_restart():
    db = f"ttps_test_{uuid.uuid4().hex[:8]}"
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-c", f"CREATE DATABASE {db}"],
                   check=True, capture_output=True)
    env = dict(os.environ, RASA_PORT=str(_free_port()), ACTION_PORT=str(_free_port()),
               ENDPOINTS="endpoints.production.yml", DB_HOST="127.0.0.1", DB_PORT="5432",
               DB_NAME=db, DB_USER="postgres", DB_PASSWORD="", REDIS_HOST="127.0.0.1",
               REDIS_PORT="6379")
    try:
        _conversation_survives(env)
        rows = subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-tAc",
                               "SELECT count(*) FROM events"], check=True, capture_output=True,
                              text=True).stdout.strip()
        assert int(rows) > 10
    finally:
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-c",
                        f"DROP DATABASE IF EXISTS {db} WITH (FORCE)"], capture_output=True)
