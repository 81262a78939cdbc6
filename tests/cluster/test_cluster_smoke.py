"""The cluster's nginx, for `make test` (the 200-conversation run is `make test-cluster`).

Without a model: the generated configuration passes `nginx -t`, in the shapes the cluster makes.
With MODEL: nginx in front of two real Rasa servers and two action servers (scripts/cluster.sh),
checking what nginx promises: 413 for an oversized body, 429 for one client over the rate (from
127.0.0.2, as 127.0.0.1 is exempt), the WebSocket upgrade of /socket.io/ and a conversation over
it, the long-polling fallback staying on one server, Rasa's HTTP API refused even with the
token, GET / health and the demo page, a message sent twice through nginx handled once; then
faults: an action server SIGKILLed (the other answers, it is started again), a Rasa server
SIGKILLed (the other answers), and Ctrl-C stopping every process.
"""
import asyncio
import base64
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from clusterlib import ROOT, service_up, start_cluster
from socketio_wire import polling_conversation, websocket_conversation

MODEL = os.environ.get("MODEL")
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
needs_nginx = pytest.mark.skipif(not NGINX, reason="nginx is not installed (make nginx-deb)")


def _render(tmp_path, *extra):
    out = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "cluster_nginx.py"), "--check",
         "--run-dir", str(tmp_path / "run"), "--log-dir", str(tmp_path / "logs"), *extra],
        capture_output=True, text=True)
    return out, tmp_path / "run" / "nginx.conf"


@needs_nginx
@pytest.mark.parametrize("extra", [
    ["--rasa", "127.0.0.1:5011", "127.0.0.1:5012", "--actions", "127.0.0.1:5061", "127.0.0.1:5062"],
    ["--rasa", "127.0.0.1:5011", "127.0.0.1:5012", "127.0.0.1:5013", "--actions", "127.0.0.1:5061",
     "--rate-exempt", "--listen", "0.0.0.0:8088", "--public-url", "https://chat.example.org",
     "--max-body", "1m", "--rest-rate", "30r/m", "--workers", "auto"],
], ids=["default", "three-rasa-no-exempt"])
def test_the_generated_configuration_passes_nginx_t(tmp_path, extra):
    result, conf = _render(tmp_path, *extra)
    assert result.returncode == 0, result.stderr
    text = conf.read_text()
    assert "{{" not in text
    assert "non_idempotent" in text and "hash $remote_addr consistent" in text
    directives = "\n".join(l for l in text.splitlines() if not l.strip().startswith("#"))
    assert "/etc/nginx" not in directives and "include" not in directives


def test_a_bad_setting_is_refused_before_nginx_sees_it(tmp_path):
    result, _ = _render(tmp_path, "--rasa", "nohost", "--actions", "127.0.0.1:1")
    assert result.returncode != 0 and "HOST:PORT" in result.stderr


# --- nginx + 2 Rasa servers + 2 action servers ------------------------------------------------

needs_cluster = pytest.mark.skipif(
    not (MODEL and NGINX and service_up(5432) and service_up(6379)),
    reason="needs MODEL, nginx, PostgreSQL and Redis on 127.0.0.1")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    with start_cluster(MODEL, tmp_path_factory.mktemp("cluster")) as c:
        yield c


def _request(cluster, method, path, body=None, headers=None, source="127.0.0.1", timeout=120):
    host, port = cluster.public.rsplit("//", 1)[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=timeout,
                                      source_address=(source, 0))
    try:
        data = json.dumps(body).encode() if isinstance(body, (dict, list)) else body
        hdrs = {"Content-Type": "application/json", **(headers or {})} if data else dict(headers or {})
        conn.request(method, path, body=data, headers=hdrs)
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read()
    finally:
        conn.close()


def _say(cluster, sender, text, message_id=None):
    body = {"sender": sender, "message": text}
    if message_id:
        body["message_id"] = message_id
    status, headers, raw = _request(cluster, "POST", "/webhooks/rest/webhook", body)
    return status, headers, json.loads(raw)


@needs_cluster
def test_health_and_the_demo_page(cluster):
    status, _, body = _request(cluster, "GET", "/")
    assert status == 200 and body.startswith(b"Hello from Rasa")
    status, _, page = _request(cluster, "GET", "/demo/")
    assert status == 200 and f'data-server="{cluster.public}"'.encode() in page
    status, headers, _ = _request(cluster, "GET", "/dist/ttps-widget.js")
    assert status == 200 and headers["Content-Type"].startswith("text/javascript")


@needs_cluster
def test_an_oversized_body_gets_413_and_never_reaches_rasa(cluster):
    big = {"sender": "x", "message": "a" * 100_000}
    status, _, body = _request(cluster, "POST", "/webhooks/rest/webhook", big)
    assert status == 413 and json.loads(body) == {"error": "request too large"}
    status, _, _ = _request(cluster, "POST", "/webhooks/telegram/webhook", b"{" + b" " * 70_000 + b"}")
    assert status == 413


@needs_cluster
def test_one_client_over_the_rate_gets_429_and_the_exempt_one_does_not(cluster):
    def burst(path, source, n=40):
        return [_request(cluster, "GET", path, source=source)[:2] for _ in range(n)]

    limited = burst("/webhooks/rest/", "127.0.0.2")
    codes = [s for s, _ in limited]
    assert codes.count(429) >= 10 and codes.count(200) >= 20, codes   # burst 20 passes
    assert all(h.get("Retry-After") == "1" for s, h in limited if s == 429)
    assert all(s == 200 for s, _ in burst("/webhooks/rest/", "127.0.0.1")), "127.0.0.1 is exempt"
    handshakes = burst("/socket.io/?EIO=4&transport=polling", "127.0.0.3")
    assert [s for s, _ in handshakes].count(429) >= 10


@needs_cluster
def test_rasas_http_api_is_not_public_even_with_the_token(cluster):
    for path in ("/conversations/x/tracker", "/status", "/model", "/version", "/domain"):
        status, _, _ = _request(cluster, "GET", f"{path}?token={cluster.token}")
        assert status == 403, path
    status, _, _ = _request(cluster, "PUT", f"/model?token={cluster.token}", b"{}")
    assert status == 403
    assert _request(cluster, "GET", "/anything")[0] == 404
    assert _request(cluster, "POST", "/", b"{}")[0] == 403
    # while each Rasa server still answers on its own loopback port, with the token
    assert cluster.tracker("nobody-" + uuid.uuid4().hex[:6], instance=1)["sender_id"]


@needs_cluster
def test_the_websocket_upgrade_goes_through(cluster):
    host, port = cluster.public.rsplit("//", 1)[1].split(":")
    key = base64.b64encode(os.urandom(16)).decode()
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall((f"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: {host}:{port}\r\n"
                   f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                   f"Sec-WebSocket-Version: 13\r\n\r\n").encode())
        data = b""
        while b"\r\n\r\n" not in data:
            data += s.recv(4096)
        head, rest = data.split(b"\r\n\r\n", 1)
        assert head.startswith(b"HTTP/1.1 101"), head
        assert b"upgrade: websocket" in head.lower()
        while len(rest) < 4:
            rest += s.recv(4096)
        assert rest[0] == 0x81 and rest[2:4] == b'0{', rest[:40]    # engine.io's open packet


@needs_cluster
def test_a_widget_conversation_over_websocket(cluster):
    reply = asyncio.run(websocket_conversation(cluster.public, "hello"))
    assert "Top Talent Pass" in reply.get("text", ""), reply


@needs_cluster
def test_the_long_polling_fallback_stays_on_one_server(cluster):
    # each session makes several requests: all must reach the Rasa server holding it
    log = cluster.log_dir / "nginx-access.log"
    for _ in range(3):
        reply, statuses, sid = polling_conversation(cluster.public, "hello")
        assert "Top Talent Pass" in reply.get("text", "") and set(statuses) == {200}
        servers = {line.split('upstream="')[1].split('"')[0]
                   for line in log.read_text().splitlines() if f"sid={sid}" in line}
        assert len(servers) == 1 and len(statuses) >= 6, (servers, statuses)


@needs_cluster
def test_a_message_sent_twice_through_nginx_is_handled_once(cluster):
    sender = f"smoke-{uuid.uuid4().hex[:8]}"
    first = _say(cluster, sender, "can I apply for TTPS?", message_id="m-1")
    again = _say(cluster, sender, "can I apply for TTPS?", message_id="m-1")
    assert first[0] == again[0] == 200 and first[2] and first[2] == again[2]
    assert again[1].get("X-TTPS-Replayed") == "1" and "X-TTPS-Replayed" not in first[1]
    assert _say(cluster, sender, "something else", message_id="m-1")[0] == 409
    events = cluster.tracker(sender)["events"]
    assert [e["message_id"] for e in events if e["event"] == "user"] == ["m-1"]
    # without a message_id nginx's request id stands in: two sends are two messages
    _say(cluster, sender, "HK$3M salary")
    _say(cluster, sender, "HK$3M salary")
    users = [e for e in cluster.tracker(sender)["events"] if e["event"] == "user"]
    assert [u["text"] for u in users] == ["can I apply for TTPS?", "HK$3M salary", "HK$3M salary"]
    assert len({u["message_id"] for u in users}) == 3


# --- faults, last: they change the cluster ---------------------------------------------------

APOLOGY = "can't check that right now"


@needs_cluster
def test_a_killed_action_server_is_covered_by_the_other_and_started_again(cluster):
    sender = f"smoke-{uuid.uuid4().hex[:8]}"
    pid = cluster.action_pid(0)
    os.kill(pid, signal.SIGKILL)
    for text in ("can I apply for TTPS?", "HK$3M salary"):     # at once, before any restart
        status, _, replies = _say(cluster, sender, text)
        assert status == 200 and replies
        assert not any(APOLOGY in r.get("text", "") for r in replies), replies
    cluster.wait_until(lambda: cluster.action_pid(0) not in (None, pid), 60, "the restart")
    assert "starting it again" in (cluster.log_dir / "actions-1.log").read_text()


@needs_cluster
def test_a_killed_rasa_server_leaves_the_other_serving(cluster):
    os.kill(cluster.rasa_pid(0), signal.SIGKILL)
    sender = f"smoke-{uuid.uuid4().hex[:8]}"
    for text in ("hello", "can I apply for TTPS?", "HK$3M salary"):
        status, _, replies = _say(cluster, sender, text)
        assert status == 200 and replies and not any(APOLOGY in r.get("text", "") for r in replies)
    assert _request(cluster, "GET", "/")[0] == 200
    events = cluster.tracker(sender, instance=1)["events"]
    assert [e["text"] for e in events if e["event"] == "user"] == [
        "hello", "can I apply for TTPS?", "HK$3M salary"]
    assert cluster.alive()


@needs_cluster
def test_ctrl_c_stops_every_process(cluster):
    ports = cluster.rasa_ports + cluster.action_ports
    assert cluster.stop(timeout=60) == 130           # a clean stop, not a SIGKILL after 60 s
    left = subprocess.run(["pgrep", "-af", "|".join(f"--port {p}( |$)" for p in ports)],
                          capture_output=True, text=True).stdout
    assert not left, left
    assert not service_up(int(cluster.public.rsplit(":", 1)[1]))

