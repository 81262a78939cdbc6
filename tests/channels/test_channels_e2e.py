"""End to end over the messaging channels: a real Rasa server (``rasa run`` with the channels/
connectors), the real action server, and a local fake of each platform's API that records what
the bot sends. Webhooks are posted in each platform's own format, signed as the platform would.

Needs MODEL=<trained model>; skipped otherwise. Everything listens on 127.0.0.1 only.
"""
from __future__ import annotations

import base64
import concurrent.futures
import hashlib
import hmac
import itertools
import json
import os
import random
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest

import xmltodict
from wechatpy.crypto import WeChatCrypto

from fake_platforms import (BOT_USERNAME, WECHAT_APP_ID, WECHAT_APP_SECRET, FakePlatforms,
                            telegram_markup)

ROOT = Path(__file__).resolve().parents[2]
MODEL = os.environ.get("MODEL")
pytestmark = pytest.mark.skipif(not MODEL, reason="needs MODEL=<trained model> (make test-channels)")

START_TIMEOUT = 600  # seconds: loading the model can be slow on a cold machine
TELEGRAM_TOKEN = "123456:TEST-token"
TELEGRAM_SECRET = "test-secret_token-1"
TWILIO_SID = "AC" + "0" * 32
TWILIO_TOKEN = "twilio-test-auth-token"
TWILIO_NUMBER = "+85230000000"
WHATSAPP_NUMBER = "whatsapp:+14155238886"
SLACK_SECRET = "slack-test-signing-secret"
FB_SECRET = "fb-test-app-secret"
WECHAT_TOKEN = "wechat-test-token"
WECHAT_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
WECHAT_ACCOUNT = "gh_0123456789ab"
_ids = itertools.count(1)


def _greeting_buttons(lang: str = "en") -> list[dict]:
    """The greeting's buttons, as the action server says them (its locale file)."""
    import yaml
    with open(ROOT / "actions" / "locales" / f"{lang}.yaml", encoding="utf-8") as f:
        return yaml.safe_load(f)["greet"]["buttons"]


GREETING = _greeting_buttons()
GREETING_PAYLOADS = [b["payload"] for b in GREETING]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, timeout: float = 5) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status
    except (urllib.error.URLError, ConnectionError, OSError):
        return 0


def _post(url: str, body: bytes, headers: dict, timeout: float = 300) -> tuple[int, str]:
    req = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def _tail(path: Path, n: int = 60) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-n:])
    except OSError:
        return "(no log)"


class Servers:
    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.fake = FakePlatforms()
        self.procs: list[subprocess.Popen] = []
        self.rasa_port, self.action_port = _free_port(), _free_port()
        self.base = f"http://127.0.0.1:{self.rasa_port}"
        self.rasa_log, self.action_log = tmp / "rasa.log", tmp / "actions.log"

    def credentials(self, fake: str) -> dict:
        return {
            "rest": None,
            "channels.telegram.TTPSTelegramInput": {
                "access_token": TELEGRAM_TOKEN, "verify": BOT_USERNAME,
                "webhook_url": f"{self.base}/webhooks/telegram/webhook",
                "secret_token": TELEGRAM_SECRET, "api_base_url": f"{fake}/telegram"},
            "channels.twilio.TTPSTwilioInput": {
                "account_sid": TWILIO_SID, "auth_token": TWILIO_TOKEN,
                "twilio_number": TWILIO_NUMBER, "whatsapp_number": WHATSAPP_NUMBER,
                "webhook_url": f"{self.base}/webhooks/twilio/webhook",
                "api_base_url": f"{fake}/twilio"},
            "channels.slack.TTPSSlackInput": {
                "slack_token": "xoxb-test-token", "slack_signing_secret": SLACK_SECRET,
                "api_base_url": f"{fake}/slack/api"},
            "channels.facebook.TTPSFacebookInput": {
                "verify": "fb-verify-token", "secret": FB_SECRET,
                "page-access-token": "fb-page-token", "api_base_url": f"{fake}/facebook"},
            # the API base comes from WECHAT_API_BASE_URL (see start); a generous passive
            # timeout here, so these answers are the passive reply on a loaded machine too ...
            "channels.wechat.TTPSWeChatInput": {
                "app_id": WECHAT_APP_ID, "app_secret": WECHAT_APP_SECRET, "token": WECHAT_TOKEN,
                "encoding_aes_key": WECHAT_AES_KEY, "passive_timeout": 60},
            # ... and the same connector with a tiny one: every answer goes through the
            # customer-service API (tests/channels/wechat_slow.py)
            "wechat_slow.SlowWeChatInput": {
                "app_id": WECHAT_APP_ID, "app_secret": WECHAT_APP_SECRET, "token": WECHAT_TOKEN,
                "passive_timeout": 0.01},
        }

    def start(self) -> None:
        fake = self.fake.start()
        creds = self.tmp / "credentials.yml"
        creds.write_text(json.dumps(self.credentials(fake), indent=2))  # JSON is valid YAML
        model = Path(MODEL) if Path(MODEL).is_absolute() else ROOT / MODEL
        env = dict(os.environ, RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="3",
                   SQLALCHEMY_SILENCE_UBER_WARNING="1",
                   ACTION_ENDPOINT_URL=f"http://127.0.0.1:{self.action_port}/webhook",
                   TRACKER_DB=str(self.tmp / "t.db"), WECHAT_API_BASE_URL=f"{fake}/wechat",
                   PYTHONPATH=os.pathsep.join(
                       p for p in (str(Path(__file__).parent), os.environ.get("PYTHONPATH"))
                       if p))
        self._spawn([str(ROOT / ".venv-actions/bin/python"), "-m", "rasa_sdk", "--actions",
                     "actions", "--port", str(self.action_port)], env, self.action_log)
        self._spawn([str(ROOT / ".venv-rasa/bin/rasa"), "run", "--model", str(model),
                     "--credentials", str(creds), "--endpoints", "endpoints.yml",
                     "--port", str(self.rasa_port), "--interface", "127.0.0.1"],
                    env, self.rasa_log)
        self._wait_ready(f"http://127.0.0.1:{self.action_port}/health", self.procs[0],
                         self.action_log)
        self._wait_ready(f"{self.base}/webhooks/telegram/", self.procs[1], self.rasa_log)

    def _spawn(self, cmd: list, env: dict, log: Path) -> None:
        with open(log, "wb") as out:
            self.procs.append(subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out,
                                               stderr=subprocess.STDOUT,
                                               start_new_session=True))

    def _wait_ready(self, url: str, proc: subprocess.Popen, log: Path) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if _get(url) == 200:
                return
            try:  # doubles as the pause between polls, and notices a crash at once
                proc.wait(timeout=0.5)
            except subprocess.TimeoutExpired:
                continue
            pytest.fail(f"{proc.args[0]} exited with {proc.returncode}:\n{_tail(log)}")
        pytest.fail(f"{url} not ready after {START_TIMEOUT}s:\n{_tail(log)}")

    def stop(self) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)
        self.fake.stop()


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    s = Servers(tmp_path_factory.mktemp("channels"))
    try:
        s.start()
        yield s
    finally:
        s.stop()


def _rasa_errors(servers: Servers) -> list[str]:
    text = servers.rasa_log.read_text(errors="replace")
    return [line for line in text.splitlines()
            if "Traceback" in line or " ERROR " in line or "Exception when trying" in line]


# --- Telegram ------------------------------------------------------------------------------------

class TelegramChat:
    def __init__(self, servers: Servers) -> None:
        self.s, self.chat_id = servers, random.randint(10**8, 10**9)
        self.user = {"id": self.chat_id, "is_bot": False, "first_name": "Test"}
        self.chat = {"id": self.chat_id, "type": "private", "first_name": "Test"}

    def post(self, update: dict, secret: str | None = TELEGRAM_SECRET) -> tuple[int, str]:
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        return _post(f"{self.s.base}/webhooks/telegram/webhook",
                     json.dumps({"update_id": next(_ids), **update}).encode(), headers)

    def _replies(self, mark: int) -> list:
        return [c for c in self.s.fake.since(mark, "telegram", "sendMessage")
                if str(c.data.get("chat_id")) == str(self.chat_id)]

    def say(self, text: str, **kw) -> list:
        mark = self.s.fake.mark()
        status, body = self.post({"message": {
            "message_id": next(_ids), "date": int(time.time()), "chat": self.chat,
            "from": self.user, "text": text}}, **kw)
        assert (status, body) == (200, "success")
        return self._replies(mark)

    def press(self, data: str) -> tuple[list, str]:
        mark, query_id = self.s.fake.mark(), f"cq{next(_ids)}"
        status, body = self.post({"callback_query": {
            "id": query_id, "from": self.user, "chat_instance": "ci", "data": data,
            "message": {"message_id": next(_ids), "date": int(time.time()), "chat": self.chat,
                        "from": {"id": 123456, "is_bot": True, "first_name": "TTPS"},
                        "text": "(question)"}}})
        assert (status, body) == (200, "success")
        return self._replies(mark), query_id


def _keyboard(call) -> list[list[tuple[str, str]]]:
    markup = telegram_markup(call)
    return [[(b["text"], b.get("callback_data")) for b in row]
            for row in markup.get("inline_keyboard", [])]


def test_telegram_webhook_registered_with_secret(servers):
    (call,) = servers.fake.wait_for("telegram", "setWebhook", timeout=60)[-1:]
    assert call.data["url"] == f"{servers.base}/webhooks/telegram/webhook"
    assert call.data["secret_token"] == TELEGRAM_SECRET
    assert json.loads(call.data["allowed_updates"]) == ["message", "edited_message",
                                                        "callback_query"]


def test_telegram_greeting_keyboard_and_button_press(servers):
    chat = TelegramChat(servers)
    replies = chat.say("hello")
    greeting = [c for c in replies if "Top Talent Pass" in c.data["text"]]
    assert greeting, [c.data for c in replies]
    assert greeting[-1].data["parse_mode"] == "HTML"
    from channels.formatting import keyboard_rows
    assert _keyboard(greeting[-1]) == [[(b["title"], b["payload"]) for b in row]
                                       for row in keyboard_rows(GREETING)]
    assert GREETING_PAYLOADS[0] == "/check_eligibility"

    replies, query_id = chat.press("/check_eligibility")
    question = [c for c in replies if "(1/" in c.data["text"]]
    assert question, [c.data for c in replies]
    assert [t for row in _keyboard(question[-1]) for t, _ in row] == ["No income", "I don't know"]
    servers.fake.wait_for("telegram", "answerCallbackQuery",
                          where=lambda c: c.data.get("callback_query_id") == query_id,
                          timeout=30)


def test_telegram_full_conversation_formats_verdict_and_drops_card(servers):
    chat = TelegramChat(servers)
    chat.say("can I apply for TTPS?")
    chat.say("I earned about 3.2 million HKD in salary")
    chat.press("/deny")                       # no bachelor's degree
    summary, _ = chat.press("Chinese")
    assert any("Is that right?" in c.data["text"] for c in summary)
    verdict, _ = chat.press("/affirm")
    texts = [c.data["text"] for c in verdict]
    joined = "\n".join(texts)
    assert "<b>Your TTPS result</b>" in joined and "Category A" in joined
    assert '<a href="https://' in joined and "**" not in joined and "](" not in joined
    assert "ttps_assessment" not in joined and all(len(t) <= 4096 for t in texts)
    assert all(c.data.get("disable_web_page_preview") in ("True", "true") for c in verdict)
    assert not _rasa_errors(servers)


def test_telegram_update_without_secret_is_refused(servers):
    chat = TelegramChat(servers)
    mark = servers.fake.mark()
    update = {"message": {"message_id": 1, "date": int(time.time()), "chat": chat.chat,
                          "from": chat.user, "text": "hello"}}
    assert chat.post(update, secret="wrong")[0] == 403
    assert chat.post(update, secret=None)[0] == 403
    assert chat._replies(mark) == []


def test_telegram_update_rasa_cannot_read_is_acknowledged(servers):
    chat = TelegramChat(servers)
    mark = servers.fake.mark()
    blocked = {"my_chat_member": {"chat": chat.chat, "from": chat.user, "date": int(time.time()),
                                  "old_chat_member": {"status": "member", "user": chat.user},
                                  "new_chat_member": {"status": "kicked", "user": chat.user}}}
    assert chat.post(blocked) == (200, "success")  # not a 500 Telegram would keep re-sending
    assert chat._replies(mark) == []


# --- Twilio (SMS and WhatsApp) -------------------------------------------------------------------

class TwilioPhone:
    def __init__(self, servers: Servers, number: str | None = None) -> None:
        self.s = servers
        self.number = number or f"+8529{random.randint(1000000, 9999999)}"

    def say(self, text: str, sign: bool = True) -> tuple[int, list[str], list]:
        url = f"{self.s.base}/webhooks/twilio/webhook"
        params = {"MessageSid": "SM" + uuid.uuid4().hex, "AccountSid": TWILIO_SID,
                  "From": self.number, "To": TWILIO_NUMBER, "Body": text, "NumMedia": "0",
                  "NumSegments": "1", "SmsStatus": "received", "ApiVersion": "2010-04-01"}
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if sign:
            from twilio.request_validator import RequestValidator
            headers["X-Twilio-Signature"] = RequestValidator(TWILIO_TOKEN).compute_signature(
                url, params)
        mark = self.s.fake.mark()
        status, _ = _post(url, urllib.parse.urlencode(params).encode(), headers)
        calls = [c for c in self.s.fake.since(mark, "twilio") if c.data.get("To") == self.number]
        return status, [c.data["Body"] for c in calls], calls


def test_twilio_sms_numbered_options_and_reply_by_number(servers):
    phone = TwilioPhone(servers)
    status, bodies, calls = phone.say("hello")
    assert status == 204
    greeting = [b for b in bodies if "Top Talent Pass" in b]
    from channels.formatting import numbered_options
    assert greeting and greeting[-1].endswith("\n\n" + numbered_options(GREETING, "en"))
    assert greeting[-1].endswith(".") and "Reply 1 for Check my eligibility, 2 for " in greeting[-1]
    assert all(c.data["From"] == TWILIO_NUMBER for c in calls)
    auth = calls[0].headers["Authorization"]
    assert base64.b64decode(auth.split()[1]).decode() == f"{TWILIO_SID}:{TWILIO_TOKEN}"

    _, bodies, _ = phone.say("1")  # -> /check_eligibility
    question = [b for b in bodies if "(1/" in b]
    assert question, bodies
    assert question[-1].endswith("Reply 1 for No income, 2 for I don't know.")


def test_twilio_sms_in_chinese_numbered_options_in_chinese(servers):
    from channels.formatting import numbered_options
    phone = TwilioPhone(servers)
    status, bodies, _ = phone.say("你好")
    assert status == 204
    assert any(b.endswith("\n\n" + numbered_options(_greeting_buttons("zh-Hans"), "zh-Hans"))
               for b in bodies), bodies
    assert any(b.startswith("请回复编号：1 ") or "\n请回复编号：1 " in b for b in bodies)
    _, bodies, _ = phone.say("1")                     # the first option: check my eligibility
    assert any("（1/" in b and re.search(r"\n\n请回复编号：1 [^；]+；2 [^；]+。$", b)
               for b in bodies), bodies


def test_twilio_sms_conversation_to_verdict_by_numbers(servers):
    phone = TwilioPhone(servers)
    phone.say("hello")
    phone.say("1")                                    # Check my eligibility
    _, bodies, _ = phone.say("I earned about 3.2 million HKD in salary")
    assert any("Reply 1 for Yes, 2 for No, 3 for Not sure." in b for b in bodies), bodies
    _, bodies, _ = phone.say("2")                     # No (bachelor's degree)
    assert any("nationality" in b and "Reply 1 for Chinese, 2 for Skip." in b for b in bodies)
    _, bodies, _ = phone.say("1")                     # Chinese
    summary = "\n".join(bodies)
    assert "HKD 3,200,000" in summary
    assert "Reply 1 for Yes, check my eligibility; 2 for Change something." in summary
    status, bodies, _ = phone.say("1")                # Yes, check my eligibility
    assert status == 204
    text = "\n".join(bodies)
    assert "Your TTPS result" in text and "Category A" in text
    assert "**" not in text and "](" not in text and "ttps_assessment" not in text
    assert "(https://www.immd.gov.hk/" in text        # links spelled out for SMS
    assert all(len(b) <= 1500 for b in bodies)
    assert bodies[-1].startswith("You can correct any fact") and "Reply 1 for" in bodies[-1]
    assert not _rasa_errors(servers)


def test_twilio_whatsapp_sender_and_formatting(servers):
    phone = TwilioPhone(servers, number=f"whatsapp:+8526{random.randint(1000000, 9999999)}")
    _, bodies, calls = phone.say("Do I need a job offer in Hong Kong to apply?")
    text = "\n".join(bodies)
    assert "job offer" in text.lower()
    assert all(c.data["From"] == WHATSAPP_NUMBER for c in calls)
    assert "*don't need a job offer*" in text and "**" not in text
    assert "(https://www.immd.gov.hk/eng/services/visas/TTPS.html)" in text


def test_twilio_unsigned_request_is_refused(servers):
    phone = TwilioPhone(servers)
    status, bodies, _ = phone.say("hello", sign=False)
    assert status == 403 and bodies == []


# --- Slack ---------------------------------------------------------------------------------------

def _slack_post(servers: Servers, body: bytes, content_type: str) -> int:
    ts = str(int(time.time()))
    sig = "v0=" + hmac.new(SLACK_SECRET.encode(), f"v0:{ts}:".encode() + body,
                           hashlib.sha256).hexdigest()
    status, _ = _post(f"{servers.base}/webhooks/slack/webhook", body,
                      {"Content-Type": content_type, "X-Slack-Request-Timestamp": ts,
                       "X-Slack-Signature": sig})
    return status


def test_slack_message_buttons_and_click(servers):
    user, channel = f"U{random.randint(10**6, 10**7)}", f"D{random.randint(10**6, 10**7)}"
    event = {"type": "event_callback", "team_id": "T1", "authorizations": [{"user_id": "UBOT"}],
             "event": {"type": "message", "channel_type": "im", "channel": channel,
                       "user": user, "text": "hello", "ts": f"{time.time():.6f}"}}
    assert _slack_post(servers, json.dumps(event).encode(), "application/json") == 200
    (post,) = servers.fake.wait_for(
        "slack", "chat.postMessage",
        where=lambda c: c.data.get("channel") == channel and c.data.get("blocks"))[:1]
    section, actions = post.data["blocks"]
    assert section["text"]["type"] == "mrkdwn" and "Top Talent Pass" in section["text"]["text"]
    assert [e["value"] for e in actions["elements"]] == GREETING_PAYLOADS
    assert post.headers["Authorization"] == "Bearer xoxb-test-token"
    assert "as_user" not in post.data

    click = {"type": "block_actions", "user": {"id": user}, "channel": {"id": channel},
             "message": {"ts": event["event"]["ts"]},
             "actions": [{"type": "button", "value": "/check_eligibility",
                          "action_id": "ttps_button_0"}]}
    body = urllib.parse.urlencode({"payload": json.dumps(click)}).encode()
    assert _slack_post(servers, body, "application/x-www-form-urlencoded") == 200
    servers.fake.wait_for("slack", "chat.postMessage",
                          where=lambda c: c.data.get("channel") == channel
                          and "(1/" in (c.data.get("text") or ""))


# --- Facebook Messenger -------------------------------------------------------------------------

def _fb_post(servers: Servers, messaging: dict) -> tuple[int, str]:
    body = json.dumps({"object": "page", "entry": [{"id": "PAGE", "time": int(time.time()),
                                                   "messaging": [messaging]}]}).encode()
    sig = "sha256=" + hmac.new(FB_SECRET.encode(), body, hashlib.sha256).hexdigest()
    return _post(f"{servers.base}/webhooks/facebook/webhook", body,
                 {"Content-Type": "application/json", "X-Hub-Signature-256": sig})


def test_facebook_quick_replies_and_choice(servers):
    psid = str(random.randint(10**15, 10**16))
    base = {"sender": {"id": psid}, "recipient": {"id": "PAGE"}, "timestamp": int(time.time())}
    mark = servers.fake.mark()
    assert _fb_post(servers, {**base, "message": {"mid": "m1", "text": "hello"}}) == (200, "success")
    sent = [c for c in servers.fake.since(mark, "facebook", "message")
            if c.data["recipient"]["id"] == psid]
    greeting = [c.data["message"] for c in sent if "Top Talent Pass" in c.data["message"]["text"]]
    assert greeting and [q["payload"] for q in greeting[-1]["quick_replies"]] == GREETING_PAYLOADS
    assert all(len(q["title"]) <= 20 for q in greeting[-1]["quick_replies"])
    assert sent[0].query["access_token"] == "fb-page-token"

    mark = servers.fake.mark()
    choice = {"mid": "m2", "text": "Check my eligibility",
              "quick_reply": {"payload": "/check_eligibility"}}
    assert _fb_post(servers, {**base, "message": choice}) == (200, "success")
    texts = [c.data["message"]["text"] for c in servers.fake.since(mark, "facebook", "message")]
    assert any("(1/" in t for t in texts), texts

    status, body = _post(f"{servers.base}/webhooks/facebook/webhook", b"{}",
                         {"Content-Type": "application/json", "X-Hub-Signature-256": "sha256=0"})
    assert body == "not validated"


# --- WeChat Official Account ---------------------------------------------------------------------

def _wechat_args(extra: dict | None = None) -> dict:
    timestamp, nonce = str(int(time.time())), uuid.uuid4().hex[:12]
    raw = "".join(sorted([WECHAT_TOKEN, timestamp, nonce]))
    return {"signature": hashlib.sha1(raw.encode()).hexdigest(), "timestamp": timestamp,
            "nonce": nonce, **(extra or {})}


class WeChatUser:
    """A follower of the Official Account, writing through WeChat's server."""

    def __init__(self, servers: Servers, channel: str = "wechat") -> None:
        self.s, self.channel = servers, channel
        self.openid = "o" + uuid.uuid4().hex[:27]
        self.url = f"{servers.base}/webhooks/{channel}/webhook"

    def xml(self, kind: str = "text", body: str = "", msg_id: str | None = None) -> bytes:
        msg_id = msg_id or str(random.randint(10**17, 10**18))
        return (f"<xml><ToUserName><![CDATA[{WECHAT_ACCOUNT}]]></ToUserName>"
                f"<FromUserName><![CDATA[{self.openid}]]></FromUserName>"
                f"<CreateTime>{int(time.time())}</CreateTime>"
                f"<MsgType><![CDATA[{kind}]]></MsgType>{body}<MsgId>{msg_id}</MsgId>"
                f"</xml>").encode()

    def text_xml(self, text: str, msg_id: str | None = None) -> bytes:
        return self.xml("text", f"<Content><![CDATA[{text}]]></Content>", msg_id)

    def post(self, body: bytes, args: dict | None = None) -> tuple[int, str]:
        query = urllib.parse.urlencode(_wechat_args() if args is None else args)
        return _post(f"{self.url}?{query}", body, {"Content-Type": "text/xml"})

    def sent(self, mark: int) -> list[str]:
        """What the customer-service API delivered to this person since ``mark``."""
        return [c.data["text"]["content"] for c in self.s.fake.since(
            mark, "wechat", "message/custom/send") if c.data["touser"] == self.openid]

    def wait_sent(self, mark: int, until, timeout: float = 180) -> list[str]:
        self.s.fake.wait_for("wechat", "message/custom/send", timeout=timeout, since=mark,
                             where=lambda c: c.data["touser"] == self.openid
                             and until(c.data["text"]["content"]))
        return self.sent(mark)

    def say(self, text: str, until=lambda t: True, **kw) -> list[str]:
        """The bot's answer: the passive reply, or what the API delivered (until ``until``)."""
        mark = self.s.fake.mark()
        status, body = self.post(self.text_xml(text), **kw)
        assert status == 200, (status, body)
        if body == "success":
            return self.wait_sent(mark, until)
        reply = xmltodict.parse(body)["xml"]
        assert reply["ToUserName"] == self.openid and reply["FromUserName"] == WECHAT_ACCOUNT
        assert reply["MsgType"] == "text"
        return [reply["Content"]]


def test_wechat_url_verification(servers):
    url = f"{servers.base}/webhooks/wechat/webhook"
    args = _wechat_args({"echostr": "6209385912237813572"})
    with urllib.request.urlopen(f"{url}?{urllib.parse.urlencode(args)}", timeout=30) as resp:
        assert (resp.status, resp.read().decode()) == (200, "6209385912237813572")
    bad = {**args, "signature": "0" * 40}
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(f"{url}?{urllib.parse.urlencode(bad)}", timeout=30)
    assert e.value.code == 403


def test_wechat_greeting_numbered_options_and_reply_by_number(servers):
    user = WeChatUser(servers)
    (greeting,) = user.say("hello")
    from channels.formatting import numbered_options
    assert "Top Talent Pass" in greeting
    assert greeting.endswith("\n\n" + numbered_options(GREETING, "en"))
    assert "**" not in greeting and len(greeting.encode()) <= 2048
    (question,) = user.say("1")                       # the first option: check my eligibility
    assert "(1/" in question and "Reply 1 for" in question


def test_wechat_follow_greets_and_unfollow_is_silent(servers):
    user = WeChatUser(servers)

    def event(name: str) -> bytes:
        return (f"<xml><ToUserName><![CDATA[{WECHAT_ACCOUNT}]]></ToUserName>"
                f"<FromUserName><![CDATA[{user.openid}]]></FromUserName>"
                f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
                f"<Event><![CDATA[{name}]]></Event></xml>").encode()

    status, body = user.post(event("subscribe"))
    greeting = xmltodict.parse(body)["xml"]["Content"].strip()
    # A new follower has written nothing yet: the greeting is in the channel's default language
    # (zh-Hans), passed to the action server as a hint in the payload.
    from actions.language import detect
    assert status == 200 and greeting and detect(greeting) == "zh-Hans", greeting
    mark = servers.fake.mark()
    assert user.post(event("unsubscribe")) == (200, "success")
    assert user.sent(mark) == []


def test_wechat_image_gets_the_text_only_note(servers):
    user = WeChatUser(servers)
    status, body = user.post(user.xml("image", "<PicUrl><![CDATA[http://127.0.0.1/x.jpg]]></PicUrl>"
                                               "<MediaId><![CDATA[m1]]></MediaId>"))
    assert status == 200 and "只能" in xmltodict.parse(body)["xml"]["Content"]   # default 简体


def test_wechat_chinese_conversation(servers):
    from actions.language import detect
    user = WeChatUser(servers)
    replies = user.say("你好，我想申请高才通")
    assert replies and all(r.strip() for r in replies)
    assert detect("\n".join(replies)) == "zh-Hans", replies
    status, body = user.post(user.xml("voice", "<MediaId><![CDATA[v1]]></MediaId>"
                                               "<Format><![CDATA[amr]]></Format>"
                                               "<Recognition><![CDATA[我有资格吗？]]></Recognition>"))
    assert status == 200 and detect(xmltodict.parse(body)["xml"]["Content"]) == "zh-Hans"

    from channels.formatting import numbered_options
    (greeting,) = WeChatUser(servers).say("你好")
    assert greeting.endswith("\n\n" + numbered_options(_greeting_buttons("zh-Hans"), "zh-Hans"))

    hk = WeChatUser(servers)
    replies = hk.say("我想問下我有冇資格申請高才通")
    assert detect("\n".join(replies)) == "zh-Hant", replies
    assert not _rasa_errors(servers)


def test_wechat_conversation_to_verdict_card_as_text(servers):
    user = WeChatUser(servers)
    user.say("can I apply for TTPS?")
    user.say("I earned about 3.2 million HKD in salary")
    (reply,) = user.say("2")                          # No (bachelor's degree)
    assert "Reply 1 for Chinese" in reply, reply
    (summary,) = user.say("1")                        # Chinese
    assert "HKD 3,200,000" in summary
    mark = servers.fake.mark()
    verdict = user.say("1", until=lambda t: "Category A" in t)   # Yes, check my eligibility
    text = "\n".join(verdict + user.sent(mark))
    assert "Your TTPS result" in text and "Category A" in text
    assert "**" not in text and "](" not in text and "ttps_assessment" not in text
    assert "(https://www.immd.gov.hk/" in text        # links written out
    assert all(len(t.encode()) <= 2048 for t in verdict)
    assert not _rasa_errors(servers)


def test_wechat_slow_answer_goes_through_the_customer_service_api(servers):
    user = WeChatUser(servers, channel="wechat_slow")
    mark = servers.fake.mark()
    started = time.monotonic()
    status, body = user.post(user.text_xml("hello"))
    assert (status, body) == (200, "success") and time.monotonic() - started < 5
    sent = user.wait_sent(mark, lambda t: "Top Talent Pass" in t)
    assert all(t.strip() and len(t.encode()) <= 2048 for t in sent)
    tokens = [c for c in servers.fake.select("wechat", "token")]
    assert tokens and tokens[-1].query["appid"] == WECHAT_APP_ID
    calls = [c for c in servers.fake.since(mark, "wechat", "message/custom/send")
             if c.data["touser"] == user.openid]
    assert all(c.query["access_token"].startswith("ACCESS_TOKEN_") for c in calls)

    # an expired token is fetched again and the message still arrives
    servers.fake.expire_wechat_tokens()
    mark = servers.fake.mark()
    assert user.post(user.text_xml("1")) == (200, "success")
    assert any("(1/" in t for t in user.wait_sent(mark, lambda t: "(1/" in t))
    assert servers.fake.since(mark, "wechat", "token")


def test_wechat_retried_delivery_is_handled_once(servers):
    user = WeChatUser(servers, channel="wechat_slow")
    mark = servers.fake.mark()
    xml = user.text_xml("hello", msg_id="7000000000000000001")
    with concurrent.futures.ThreadPoolExecutor(3) as pool:   # WeChat's three tries
        answers = list(pool.map(lambda _: user.post(xml), range(3)))
    assert answers == [(200, "success")] * 3
    user.wait_sent(mark, lambda t: "Top Talent Pass" in t)
    # the next message is answered after anything a second run of "hello" would have sent
    assert user.post(user.text_xml("1")) == (200, "success")
    sent = user.wait_sent(mark, lambda t: "(1/" in t)
    assert sum("Top Talent Pass" in t for t in sent) == 1, sent
    assert user.post(xml) == (200, "success")            # a late retry: still not handled
    later = servers.fake.mark()
    assert user.post(user.text_xml("1")) == (200, "success")   # answers the question
    user.wait_sent(later, lambda t: True)
    assert sum("Top Talent Pass" in t for t in user.sent(mark)) == 1


def test_wechat_safe_mode_message_and_encrypted_reply(servers):
    user = WeChatUser(servers)
    wechat = WeChatCrypto(WECHAT_TOKEN, WECHAT_AES_KEY, WECHAT_APP_ID)
    args = _wechat_args({"encrypt_type": "aes"})
    envelope = xmltodict.parse(wechat.encrypt_message(
        user.text_xml("hello").decode(), args["nonce"], args["timestamp"]))["xml"]
    body = (f"<xml><ToUserName><![CDATA[{WECHAT_ACCOUNT}]]></ToUserName>"
            f"<Encrypt><![CDATA[{envelope['Encrypt']}]]></Encrypt></xml>").encode()
    status, reply = user.post(body, {**args, "msg_signature": envelope["MsgSignature"]})
    assert status == 200 and "Top Talent Pass" not in reply
    outer = xmltodict.parse(reply)["xml"]
    plain = wechat.decrypt_message(reply, outer["MsgSignature"], outer["TimeStamp"],
                                   outer["Nonce"])
    assert "Top Talent Pass" in xmltodict.parse(plain)["xml"]["Content"]
    assert user.post(body, {**args, "msg_signature": "0" * 40})[0] == 403


def test_wechat_bad_requests_are_refused_without_a_crash(servers):
    user = WeChatUser(servers)
    mark = servers.fake.mark()
    assert user.post(user.text_xml("hello"), args={})[0] == 403                 # unsigned
    bad = {**_wechat_args(), "signature": "f" * 40}
    assert user.post(user.text_xml("hello"), args=bad)[0] == 403                # wrong signature
    assert user.post(b"<xml><Content>hello</Cont", )[0] == 400                 # malformed XML
    assert user.post(b"")[0] == 400
    assert user.post(b"x" * 100_000)[0] in (400, 413)
    assert user.sent(mark) == []
    assert _get(f"{servers.base}/webhooks/wechat/") == 200                     # still serving
    assert not _rasa_errors(servers)
