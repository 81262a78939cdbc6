"""A local stand-in for the messaging platforms' APIs, on 127.0.0.1 only.

One aiohttp app, in a thread with its own event loop, answering what the real SDKs call:

* ``/telegram/bot<token>/<method>``                        Telegram Bot API (aiogram)
* ``/twilio/2010-04-01/Accounts/<sid>/Messages.json``       Twilio REST (twilio-python)
* ``/slack/api/<method>``                                   Slack Web API (slack_sdk)
* ``/facebook/me/messages``                                 Messenger Send API (fbmessenger)
* ``/wechat/cgi-bin/token``, ``/wechat/cgi-bin/message/custom/send``
                                                            WeChat access token and
                                                            customer-service messages (wechatpy)

The WeChat part checks what the real API checks: the AppID and AppSecret for a token, a current
token for each message (40001 for an unknown one, 42001 once ``expire_wechat_tokens`` ran), and a
text of at most 2048 bytes (45002).

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
WECHAT_APP_ID = "wx0123456789abcdef"
WECHAT_APP_SECRET = "wechat-test-app-secret"
WECHAT_TEXT_LIMIT = 2048


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
        self.wechat_tokens: Dict[str, bool] = {}   # token -> still valid

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
                 timeout: float = 120.0, since: int = 0) -> List[Call]:
        """Block until at least ``count`` matching calls were recorded (after the first
        ``since``); fail after ``timeout``."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [c for c in self.calls[since:] if c.platform == platform
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

    def expire_wechat_tokens(self) -> None:
        """Every access token issued so far expires (the API answers 42001 to it)."""
        with self._cond:
            for token in self.wechat_tokens:
                self.wechat_tokens[token] = False

    async def wechat_token(self, request: web.Request) -> web.Response:
        query = dict(request.query)
        self._record(Call("wechat", "token", {}, dict(request.headers), query))
        if query.get("grant_type") != "client_credential" or query.get("appid") != WECHAT_APP_ID:
            return web.json_response({"errcode": 40013, "errmsg": "invalid appid"})
        if query.get("secret") != WECHAT_APP_SECRET:
            return web.json_response({"errcode": 40125, "errmsg": "invalid appsecret"})
        token = f"ACCESS_TOKEN_{next(self._ids)}"
        with self._cond:
            self.wechat_tokens[token] = True
        return web.json_response({"access_token": token, "expires_in": 7200})

    async def wechat_send(self, request: web.Request) -> web.Response:
        token = request.query.get("access_token", "")
        raw = await request.read()
        try:
            data = json.loads(raw.decode("utf-8"))
        except ValueError:
            return web.json_response({"errcode": 47001, "errmsg": "data format error"})
        with self._cond:
            valid = self.wechat_tokens.get(token)
        if valid is None:
            result = {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid"}
        elif valid is False:
            result = {"errcode": 42001, "errmsg": "access_token expired"}
        elif data.get("msgtype") != "text" or not data.get("touser"):
            result = {"errcode": 40008, "errmsg": "invalid message type"}
        elif len(str(data.get("text", {}).get("content", "")).encode("utf-8")) > WECHAT_TEXT_LIMIT:
            result = {"errcode": 45002, "errmsg": "content size out of limit"}
        else:
            result = {"errcode": 0, "errmsg": "ok"}
        method = "message/custom/send" if result["errcode"] == 0 else "refused"
        self._record(Call("wechat", method, {**data, "errcode": result["errcode"]},
                          dict(request.headers), dict(request.query)))
        return web.json_response(result)

    # --- lifecycle -------------------------------------------------------------------------
    def start(self, timeout: float = 30.0) -> str:
        app = web.Application()
        app.router.add_post("/telegram/bot{token}/{method}", self.telegram)
        app.router.add_post("/twilio/2010-04-01/Accounts/{sid}/Messages.json", self.twilio)
        app.router.add_post("/slack/api/{method}", self.slack)
        app.router.add_post("/facebook/me/messages", self.facebook)
        app.router.add_get("/wechat/cgi-bin/token", self.wechat_token)
        app.router.add_post("/wechat/cgi-bin/message/custom/send", self.wechat_send)
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
