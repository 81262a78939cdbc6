"""A local stand-in for the messaging platforms' APIs, on 127.0.0.1 only.

One aiohttp app, in a thread with its own event loop, answering what the real SDKs call:

* ``/telegram/bot<token>/<method>``                        Telegram Bot API (aiogram)
* ``/twilio/2010-04-01/Accounts/<sid>/Messages.json``       Twilio REST (twilio-python)
* ``/slack/api/<method>``                                   Slack Web API (slack_sdk)
* ``/facebook/me/messages``                                 Messenger Send API (fbmessenger)

Every call is recorded (platform, method, fields, headers); tests wait for the calls they expect
with ``wait_for`` (a condition variable with a deadline, no sleeping).
"""
from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional

from aiohttp import web

BOT_USERNAME = "ttps_test_bot"


@dataclass
class Call:
    platform: str
    method: str
    data: Dict[str, Any]
    headers: Dict[str, str] = field(default_factory=dict)
    query: Dict[str, str] = field(default_factory=dict)


class FakePlatforms:
    def __init__(self) -> None:
        self.calls: List[Call] = []
        self._cond = threading.Condition()
        self._ids = itertools.count(1000)
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._runner: Optional[web.AppRunner] = None
        self._thread: Optional[threading.Thread] = None
        self.port: Optional[int] = None

    # --- recording -------------------------------------------------------------------------
    def _record(self, call: Call) -> None:
        with self._cond:
            self.calls.append(call)
            self._cond.notify_all()

    def select(self, platform: str, method: Optional[str] = None,
               where: Optional[Callable[[Call], bool]] = None) -> List[Call]:
        with self._cond:
            return [c for c in self.calls if c.platform == platform
                    and (method is None or c.method == method) and (where is None or where(c))]

    def wait_for(self, platform: str, method: Optional[str] = None,
                 where: Optional[Callable[[Call], bool]] = None, count: int = 1,
                 timeout: float = 120.0) -> List[Call]:
        """Block until at least ``count`` matching calls were recorded; fail after ``timeout``."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [c for c in self.calls if c.platform == platform
                         and (method is None or c.method == method)
                         and (where is None or where(c))]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"expected {count} {platform} {method or ''} call(s), got {len(found)}; "
                        f"all calls: {[(c.platform, c.method) for c in self.calls]}")
                self._cond.wait(remaining)

    def mark(self) -> int:
        with self._cond:
            return len(self.calls)

    def since(self, mark: int, platform: str, method: Optional[str] = None) -> List[Call]:
        with self._cond:
            return [c for c in self.calls[mark:] if c.platform == platform
                    and (method is None or c.method == method)]

    # --- handlers --------------------------------------------------------------------------
    async def _fields(self, request: web.Request) -> Dict[str, Any]:
        if request.content_type == "application/json":
            return await request.json()
        form = await request.post()
        return {k: form.get(k) for k in form.keys()}

    async def telegram(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        data = await self._fields(request)
        self._record(Call("telegram", method, data, dict(request.headers)))
        bot_id = int(request.match_info["token"].split(":")[0])
        if method == "getMe":
            result: Any = {"id": bot_id, "is_bot": True, "first_name": "TTPS",
                           "username": BOT_USERNAME}
        elif method in ("sendMessage", "sendPhoto"):
            result = {"message_id": next(self._ids), "date": int(time.time()),
                      "chat": {"id": int(data["chat_id"]), "type": "private"},
                      "text": data.get("text", "")}
        else:  # setWebhook, answerCallbackQuery, ...
            result = True
        return web.json_response({"ok": True, "result": result})

    async def twilio(self, request: web.Request) -> web.Response:
        data = await self._fields(request)
        self._record(Call("twilio", "Messages.create", data, dict(request.headers)))
        sid = request.match_info["sid"]
        return web.json_response(
            {"sid": f"SM{next(self._ids):032d}", "account_sid": sid, "to": data.get("To"),
             "from": data.get("From"), "body": data.get("Body"), "status": "queued",
             "num_segments": "1", "direction": "outbound-api", "api_version": "2010-04-01",
             "uri": f"/2010-04-01/Accounts/{sid}/Messages/SM.json"}, status=201)

    async def slack(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        data = await self._fields(request)
        self._record(Call("slack", method, data, dict(request.headers)))
        return web.json_response({"ok": True, "channel": data.get("channel"),
                                  "ts": f"{time.time():.6f}", "message": {"text": data.get("text")}})

    async def facebook(self, request: web.Request) -> web.Response:
        data = await request.json()
        kind = "sender_action" if "sender_action" in data else "message"
        self._record(Call("facebook", kind, data, dict(request.headers), dict(request.query)))
        return web.json_response({"recipient_id": data["recipient"]["id"],
                                  "message_id": f"m_{next(self._ids)}"})

    # --- lifecycle -------------------------------------------------------------------------
    def start(self, timeout: float = 30.0) -> str:
        app = web.Application()
        app.router.add_post("/telegram/bot{token}/{method}", self.telegram)
        app.router.add_post("/twilio/2010-04-01/Accounts/{sid}/Messages.json", self.twilio)
        app.router.add_post("/slack/api/{method}", self.slack)
        app.router.add_post("/facebook/me/messages", self.facebook)
        ready = threading.Event()
        errors: List[BaseException] = []

        def serve() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            try:
                self._runner = web.AppRunner(app)
                loop.run_until_complete(self._runner.setup())
                site = web.TCPSite(self._runner, "127.0.0.1", 0)
                loop.run_until_complete(site.start())
                self.port = site._server.sockets[0].getsockname()[1]
            except BaseException as e:  # surface start-up errors to the caller
                errors.append(e)
                ready.set()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self._runner.cleanup())
            loop.close()

        self._thread = threading.Thread(target=serve, name="fake-platforms", daemon=True)
        self._thread.start()
        if not ready.wait(timeout) or errors:
            raise RuntimeError(f"fake platform server did not start: {errors}")
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(timeout=30)


def telegram_markup(call: Call) -> Dict[str, Any]:
    raw = call.data.get("reply_markup")
    return json.loads(raw) if raw else {}
