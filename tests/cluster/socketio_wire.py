"""A minimal Socket.IO v5 / Engine.IO v4 client for tests: the widget's conversation on the wire.

The widget (web/src/transport.js, socket.io-client) opens a WebSocket, or falls back to HTTP
long-polling, then: session_request -> session_confirm, user_uttered -> bot_uttered. These
functions do the same with nothing but the standard library and `websockets` (in .venv-rasa;
its python-socketio client needs a newer aiohttp than Rasa allows).

Engine.IO packets: 0 open, 2 ping, 3 pong, 4 message; Socket.IO inside a message: 0 connect,
2 event. Long-polling payloads join packets with \\x1e.
"""
from __future__ import annotations

import asyncio
import http.client
import json
import time
import urllib.parse
import uuid
from typing import Any, Callable, Optional, Tuple

SEP = "\x1e"


def _event(packet: str) -> Optional[Tuple[str, Any]]:
    if packet.startswith("42"):
        name, *args = json.loads(packet[2:])
        return name, (args[0] if args else None)
    return None


async def websocket_conversation(base: str, message: str = "hello",
                                 timeout: float = 120) -> dict:
    """Over a WebSocket: the first bot_uttered answering `message`."""
    import websockets

    url = base.replace("http://", "ws://", 1) + "/socket.io/?EIO=4&transport=websocket"
    async with websockets.connect(url, open_timeout=10, close_timeout=2) as ws:

        async def until(wanted: Callable[[str], Any]) -> Any:
            while True:
                packet = await asyncio.wait_for(ws.recv(), timeout)
                if packet == "2":
                    await ws.send("3")
                    continue
                found = wanted(packet)
                if found:
                    return found

        opened = await asyncio.wait_for(ws.recv(), 10)
        assert opened.startswith("0{"), opened
        await ws.send("40")
        await until(lambda p: p.startswith("40"))
        session = uuid.uuid4().hex
        await ws.send("42" + json.dumps(["session_request", {"session_id": session}]))
        await until(lambda p: (_event(p) or ("",))[0] == "session_confirm")
        await ws.send("42" + json.dumps(["user_uttered", {"message": message, "session_id": session}]))
        ev = await until(lambda p: _event(p) if (_event(p) or ("",))[0] == "bot_uttered" else None)
        return ev[1]


class Polling:
    """One Engine.IO session over HTTP long-polling (every request a new connection, as
    browsers may do: each must reach the server holding the session)."""

    def __init__(self, base: str, timeout: float = 60) -> None:
        parts = urllib.parse.urlsplit(base)
        self.host, self.port, self.timeout = parts.hostname, parts.port or 80, timeout
        self.sid: Optional[str] = None
        self.statuses: list[int] = []

    def _http(self, method: str, body: Optional[str] = None) -> str:
        query = {"EIO": "4", "transport": "polling", "t": str(time.time_ns())}
        if self.sid:
            query["sid"] = self.sid
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            headers = {"Content-Type": "text/plain;charset=UTF-8"} if body is not None else {}
            conn.request(method, "/socket.io/?" + urllib.parse.urlencode(query),
                         body=body.encode() if body is not None else None, headers=headers)
            resp = conn.getresponse()
            text = resp.read().decode()
            self.statuses.append(resp.status)
            if resp.status != 200:
                raise RuntimeError(f"{method} {resp.status}: {text[:200]}")
            return text
        finally:
            conn.close()

    def open(self) -> None:
        opened = self._http("GET")
        assert opened.startswith("0{"), opened
        self.sid = json.loads(opened[1:])["sid"]

    def send(self, *packets: str) -> None:
        assert self._http("POST", SEP.join(packets)).lower() == "ok"

    def until(self, wanted: Callable[[str], Any], deadline: float) -> Any:
        while time.monotonic() < deadline:
            for packet in self._http("GET").split(SEP):
                if packet == "2":
                    self.send("3")
                    continue
                found = wanted(packet)
                if found:
                    return found
        raise TimeoutError("no such packet")


def polling_conversation(base: str, message: str = "hello", timeout: float = 120
                         ) -> Tuple[dict, list[int], str]:
    """Over long-polling: the first bot_uttered answering `message`, the HTTP statuses and the
    Engine.IO session id."""
    deadline = time.monotonic() + timeout
    p = Polling(base)
    p.open()
    p.send("40")
    p.until(lambda x: x.startswith("40"), deadline)
    session = uuid.uuid4().hex
    p.send("42" + json.dumps(["session_request", {"session_id": session}]))
    p.until(lambda x: (_event(x) or ("",))[0] == "session_confirm", deadline)
    p.send("42" + json.dumps(["user_uttered", {"message": message, "session_id": session}]))
    ev = p.until(lambda x: _event(x) if (_event(x) or ("",))[0] == "bot_uttered" else None,
                 deadline)
    p.send("41")          # leave the namespace
    return ev[1], p.statuses, p.sid
