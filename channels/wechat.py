"""WeChat Official Account (微信公众号): a Rasa input channel built on ``wechatpy``.

``credentials.yml``::

    channels.wechat.TTPSWeChatInput:
      app_id: ${WECHAT_APP_ID}                   # 开发者ID(AppID), "wx..."
      app_secret: ${WECHAT_APP_SECRET}           # 开发者密码(AppSecret)
      token: ${WECHAT_TOKEN}                     # 令牌(Token), the one in the server settings
      # encoding_aes_key: ${WECHAT_ENCODING_AES_KEY}  # 消息加解密密钥, 43 characters: safe mode

Webhook: ``/webhooks/wechat/webhook`` (the "server URL" in the account's basic settings).

* ``GET`` is WeChat's check of the URL: ``signature``, ``timestamp``, ``nonce`` and ``echostr``;
  the echostr is returned when the signature (SHA-1 of the sorted token, timestamp and nonce) is
  right, else 403.
* ``POST`` carries one XML message, with the same signature in the query string; in safe mode
  (``encrypt_type=aes``) the XML holds ``<Encrypt>`` and ``msg_signature`` signs it; the
  message is decrypted with the EncodingAESKey and the reply encrypted the same way.
  A missing or wrong signature, or a timestamp older than ``max_age_seconds`` (300), gets 403;
  a body that is not a WeChat XML message gets 400; nothing reaches Rasa then.
* Text messages go to Rasa; a bare number answers the last numbered options (buttons become
  "Reply 1 for …" as for SMS, in the reply's language: "请回复编号：1 …"). Voice messages go as
  their ``Recognition`` text when WeChat supplies one. Images and the other kinds get a short
  note that only text can be read, in the person's language. ``subscribe`` (a new follower)
  sends ``subscribe_payload`` (``/greet`` with the channel's default language as a hint) so the
  bot greets them in that language; ``unsubscribe`` and other
  events get nothing; a menu ``CLICK`` sends its EventKey.
* The 5-second rule: WeChat waits 5 s for the HTTP answer, then retries the same message twice.
  When Rasa's replies are ready within ``passive_timeout`` (4 s) they are the passive reply in
  the HTTP answer (all joined into one message when they fit in 2048 bytes). Otherwise — or
  when they do not fit — the answer is ``success`` (WeChat then shows nothing and does not
  retry) and the replies go through the customer-service message API
  (``/cgi-bin/message/custom/send``, the access token from ``/cgi-bin/token`` cached until it
  expires and fetched again on errors 40001/40014/42001), in order.
  An account without that API (``customer_service: false``) instead holds WeChat's tries open
  (WeChat retries a try it gave up on) and answers whichever is still waiting when Rasa is done,
  within about 15 s; what does not fit in one message is dropped.
* A retried delivery (same MsgId, or same sender, time and event) is never processed twice: it
  gets the answer the first delivery got (or waits for it).
* Replies: Markdown becomes plain text with links written out, the result-card payload is
  dropped (the verdict text says the same), and a message longer than 2048 bytes is split at a
  paragraph, line or sentence boundary.
* Every message gets an answer (``channels/guard.py``), the apology in the person's language.

Optional settings in the block: ``encoding_aes_key``; ``passive_timeout`` (seconds, 4.0);
``default_language`` (``zh-Hans``: for the channel's own notes, and the greeting of a new
follower, before the person has written anything clear); ``subscribe_payload``; ``customer_service`` (true); ``max_age_seconds`` (0 turns the timestamp check off);
``api_base_url`` (default the env var ``WECHAT_API_BASE_URL``, else https://api.weixin.qq.com:
tests point it at a local fake); ``button_memory_size``, ``button_memory_ttl``.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import os
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, List, Mapping, Optional, Set, Text, Tuple

import requests
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from wechatpy import parse_message
from wechatpy.client import WeChatClient
from wechatpy.crypto import WeChatCrypto
from wechatpy.events import BaseEvent
from wechatpy.exceptions import (InvalidAppIdException, InvalidSignatureException,
                                 WeChatClientException)
from wechatpy.messages import TextMessage, VoiceMessage
from wechatpy.replies import TextReply

from .buttons import ButtonMemory, credential_flag, memory_from_credentials
from .formatting import is_card_payload, numbered_options, split_rendered
from .guard import answer_every_message
from .i18n import LANGUAGES, LanguageMemory, supported, text as say

logger = logging.getLogger(__name__)

DEFAULT_API_BASE = "https://api.weixin.qq.com"
API_BASE_ENV = "WECHAT_API_BASE_URL"
TEXT_LIMIT = 2048                 # bytes of UTF-8 in one text message
PASSIVE_TIMEOUT = 4.0             # seconds; WeChat gives up on the HTTP answer after 5
MAX_AGE = 300                     # seconds a signed timestamp stays acceptable
MAX_BODY = 64 * 1024              # a WeChat message is a few hundred bytes
RETRY_WINDOW = 14.0               # seconds WeChat's three tries of one message stay open
TOKEN_ERRORS = {40001, 40014, 42001}   # invalid credential, invalid token, token expired
SUCCESS = "success"
_OPENID_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class BadRequest(Exception):
    """A request to refuse: ``status`` and a short reason for the response body and the log."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


# --- signatures, XML, sizes ----------------------------------------------------------------------

def signature(token: str, timestamp: str, nonce: str, *extra: str) -> str:
    """WeChat's SHA-1 signature: the sorted strings (token, timestamp, nonce[, Encrypt]) joined."""
    return hashlib.sha1("".join(sorted([token, timestamp, nonce, *extra])).encode()).hexdigest()


def check_signature(token: str, args: Mapping[str, str], max_age: float = MAX_AGE,
                    now: Optional[float] = None) -> None:
    """Raise ``BadRequest(403)`` unless ``args`` carry a valid, fresh signature."""
    sig, timestamp, nonce = (args.get(k) or "" for k in ("signature", "timestamp", "nonce"))
    if not (sig and timestamp and nonce):
        raise BadRequest(403, "missing signature, timestamp or nonce")
    if not hmac.compare_digest(signature(token, timestamp, nonce), sig.lower()):
        raise BadRequest(403, "invalid signature")
    if max_age:
        try:
            age = (time.time() if now is None else now) - int(timestamp)
        except ValueError:
            raise BadRequest(403, "invalid timestamp") from None
        if abs(age) > max_age:
            raise BadRequest(403, f"timestamp {int(age)} s away from this server's clock")


def utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))


def split_message(text: str, limit: int = TEXT_LIMIT) -> List[str]:
    """Plain text (links written out) in pieces of at most ``limit`` UTF-8 bytes."""
    return split_rendered(text or "", limit, "plain", utf8_len)


def text_reply_xml(message: Any, content: str) -> str:
    """The passive reply to ``message``: one text message, sender and receiver swapped."""
    # CDATA cannot hold "]]>": close and reopen the section around it.
    safe = content.replace("]]>", "]]]]><![CDATA[>")
    return TextReply(message=message, content=safe, time=int(time.time())).render()


def parse(xml: Any) -> Any:
    """A wechatpy message or event, or ``BadRequest(400)`` for anything else."""
    try:
        message = parse_message(xml)
        data = message._data if message is not None else None
    except Exception as e:   # noqa: BLE001 - expat, xmltodict and field errors alike
        raise BadRequest(400, f"malformed XML ({type(e).__name__})") from None
    if not isinstance(data, dict) or not data.get("MsgType"):
        raise BadRequest(400, "not a WeChat message (no MsgType)")
    if not _OPENID_RE.match(str(data.get("FromUserName") or "")):
        raise BadRequest(400, "not a WeChat message (no valid FromUserName)")
    return message


def is_event(message: Any) -> bool:
    """An event (follow, unfollow, menu, location ...), including kinds wechatpy does not know."""
    return isinstance(message, BaseEvent) or str(message._data.get("MsgType")).lower() == "event"


def delivery_key(message: Any) -> str:
    """What identifies one message across WeChat's retries: its MsgId, or for events (which have
    none) the sender, time and event, as WeChat's documentation advises."""
    data = message._data
    if data.get("MsgId"):
        return f"msg:{data['MsgId']}"
    return f"evt:{data.get('FromUserName')}:{data.get('CreateTime')}:{data.get('Event')}"


class Deliveries:
    """The answer given to each recent delivery (bounded, expiring), so a retry gets the same
    answer instead of a second run. The value is a Future until the answer is known."""

    def __init__(self, ttl_seconds: float = 2 * MAX_AGE, max_entries: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = float(ttl_seconds)
        self.max_entries = int(max_entries)
        self._clock = clock
        self._entries: "OrderedDict[str, Tuple[float, asyncio.Future]]" = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: str) -> Optional["asyncio.Future"]:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if self._clock() - entry[0] > self.ttl:
            del self._entries[key]
            return None
        return entry[1]

    def add(self, key: str) -> "asyncio.Future":
        future: asyncio.Future = asyncio.get_running_loop().create_future()
        self._entries[key] = (self._clock(), future)
        self._entries.move_to_end(key)
        now = self._clock()
        while self._entries and (len(self._entries) > self.max_entries
                                 or now - next(iter(self._entries.values()))[0] > self.ttl):
            self._entries.popitem(last=False)
        return future


# --- the customer-service message API --------------------------------------------------------------

class _Client(WeChatClient):
    """wechatpy's client with a configurable API host, a timeout on the token request, one
    token fetch at a time, and no automatic unbounded retry (``WeChatAPI`` retries once)."""

    def __init__(self, app_id: str, app_secret: str, base_url: str, timeout: float) -> None:
        super().__init__(app_id, app_secret, timeout=timeout, auto_retry=False)
        self.API_BASE_URL = base_url.rstrip("/") + "/cgi-bin/"
        self._lock = threading.Lock()

    def fetch_access_token(self) -> Dict[str, Any]:
        res = self._http.get(self.API_BASE_URL + "token", timeout=self.timeout, params={
            "grant_type": "client_credential", "appid": self.appid, "secret": self.secret})
        try:
            res.raise_for_status()
            result = res.json()
        except (requests.RequestException, ValueError):
            raise WeChatClientException(None, f"token endpoint answered HTTP {res.status_code}",
                                        client=self, request=res.request, response=res) from None
        if result.get("errcode") or not result.get("access_token"):
            raise WeChatClientException(result.get("errcode"), result.get("errmsg"),
                                        client=self, request=res.request, response=res)
        expires_in = int(result.get("expires_in") or 7200)
        self.session.set(self.access_token_key, result["access_token"], expires_in)
        self.expires_at = int(time.time()) + expires_in
        return result

    @property
    def access_token(self) -> str:
        # cached until a minute before it expires (wechatpy's rule), fetched by one thread
        with self._lock:
            return WeChatClient.access_token.fget(self)  # type: ignore[attr-defined]

    def refresh(self, stale: Optional[str]) -> None:
        """Fetch a new token unless another thread already replaced ``stale``."""
        with self._lock:
            if self.session.get(self.access_token_key) in (None, stale):
                self.fetch_access_token()


class WeChatAPI:
    """Sends text through the customer-service message API from a worker thread."""

    def __init__(self, app_id: str, app_secret: str, base_url: str = DEFAULT_API_BASE,
                 timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.client = _Client(app_id, app_secret, self.base_url, timeout)

    def send_text_sync(self, openid: str, content: str) -> Dict[str, Any]:
        token = self.client.access_token
        try:
            return self.client.message.send_text(openid, content)
        except WeChatClientException as e:
            if e.errcode not in TOKEN_ERRORS:
                raise
            logger.info("WeChat access token refused (%s); fetching a new one", e.errcode)
            self.client.refresh(token)
            return self.client.message.send_text(openid, content)

    async def send_text(self, openid: str, content: str) -> bool:
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(None, self.send_text_sync, openid, content)
            return True
        except WeChatClientException as e:
            # 45015: the person wrote more than 48 hours ago; 48001: no permission for the API
            logger.error("WeChat refused a customer-service message to %s: %s %s",
                         openid, e.errcode, e.errmsg)
        except Exception as e:   # noqa: BLE001 - network trouble: log, the rest still goes
            logger.error("Could not reach the WeChat API to send to %s: %r", openid, e)
        return False


# --- output ----------------------------------------------------------------------------------------

class WeChatOutput(OutputChannel):
    """Plain-text replies for WeChat. While ``passive``, replies are kept for the HTTP answer;
    ``release()`` sends what was kept, and everything after it, through the API, in order."""

    @classmethod
    def name(cls) -> Text:
        return "wechat"

    def __init__(self, api: WeChatAPI, *, memory: Optional[ButtonMemory] = None,
                 languages: LanguageMemory = LANGUAGES, default_lang: str = "zh-Hans",
                 max_bytes: int = TEXT_LIMIT, passive: bool = False) -> None:
        self.api = api
        self.memory = memory if memory is not None else ButtonMemory()
        self.languages = languages
        self.default_lang = default_lang
        self.max_bytes = int(max_bytes)
        self.passive = passive
        self.kept: List[Tuple[str, str]] = []
        self._queue: Optional[asyncio.Queue] = None
        self._worker: Optional[asyncio.Task] = None

    # --- where messages go ---------------------------------------------------------------------
    async def _emit(self, recipient_id: Text, content: str) -> None:
        if self.passive:
            self.kept.append((str(recipient_id), content))
        elif self._queue is not None:
            self._queue.put_nowait((str(recipient_id), content))
        else:
            await self.api.send_text(str(recipient_id), content)

    def passive_reply(self, all_of_it: bool = True) -> Optional[str]:
        """The kept messages as one text: all of them if they fit in one message, else None;
        or (``all_of_it=False``) as many as fit, the rest dropped."""
        if not self.kept or len({r for r, _ in self.kept}) != 1:
            return None
        joined, used = self.kept[0][1], 1
        for _, content in self.kept[1:]:
            longer = f"{joined}\n\n{content}"
            if utf8_len(longer) > self.max_bytes:
                break
            joined, used = longer, used + 1
        if used < len(self.kept):
            if all_of_it:
                return None
            logger.warning("WeChat passive reply: %d of %d messages did not fit and were "
                           "dropped (no customer-service API)", len(self.kept) - used,
                           len(self.kept))
        return joined

    def release(self) -> asyncio.Task:
        """From now on send through the API: what was kept first, then the rest as it comes.
        Returns the task that sends them (it ends after ``close``)."""
        self.passive = False
        self._queue = asyncio.Queue()
        for item in self.kept:
            self._queue.put_nowait(item)
        self.kept = []
        self._worker = asyncio.get_running_loop().create_task(self._drain())
        return self._worker

    def close(self) -> None:
        """No more messages will come (the message's processing has ended)."""
        if self._queue is not None:
            self._queue.put_nowait(None)

    async def _drain(self) -> None:
        assert self._queue is not None
        while True:
            item = await self._queue.get()
            if item is None:
                return
            await self.api.send_text(*item)

    # --- what Rasa calls -------------------------------------------------------------------------
    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        for piece in split_message(text or "", self.max_bytes):
            await self._emit(recipient_id, piece)

    async def send_text_with_buttons(self, recipient_id: Text, text: Text,
                                     buttons: List[Dict[Text, Any]], **kwargs: Any) -> None:
        buttons = [b for b in buttons or [] if isinstance(b, dict)
                   and (b.get("title") or b.get("payload"))]
        lang = self.languages.choose(recipient_id, text, self.default_lang)
        self.memory.remember(recipient_id, buttons)
        options = numbered_options(buttons, lang)
        await self.send_text_message(recipient_id, f"{text or ''}\n\n{options}".strip())

    async def send_quick_replies(self, recipient_id: Text, text: Text,
                                 quick_replies: List[Dict[Text, Any]], **kwargs: Any) -> None:
        await self.send_text_with_buttons(recipient_id, text, quick_replies)

    async def send_image_url(self, recipient_id: Text, image: Text, **kwargs: Any) -> None:
        # An image message needs a media upload first; the link is what a person can open.
        await self._emit(recipient_id, str(image))

    async def send_attachment(self, recipient_id: Text, attachment: Text, **kwargs: Any) -> None:
        await self.send_text_message(recipient_id, str(attachment))

    async def send_elements(self, recipient_id: Text, elements: Any, **kwargs: Any) -> None:
        logger.warning("WeChat text channel: dropping %d carousel element(s)", len(elements or []))

    async def send_custom_json(self, recipient_id: Text, json_message: Any,
                               **kwargs: Any) -> None:
        if is_card_payload(json_message):
            logger.debug("Dropping the result-card payload for WeChat (the text says it all)")
            return
        logger.warning("Dropping a custom payload WeChat cannot show (keys: %s)",
                       sorted(json_message) if isinstance(json_message, dict) else "?")


# --- input -----------------------------------------------------------------------------------------

@dataclass
class Settings:
    token: str
    app_id: str
    passive_timeout: float = PASSIVE_TIMEOUT
    max_age: float = MAX_AGE
    default_lang: str = "zh-Hans"
    subscribe_payload: str = "/greet"
    customer_service: bool = True


def _float(value: Any, default: float) -> float:
    return default if value is None or value == "" else float(value)


def greeting_payload(lang: str) -> str:
    """What a new follower sends: a greeting in the channel's default language (the action
    server takes a payload's language as a hint until the person's own messages show one)."""
    return '/greet{"language":"%s"}' % lang


class TTPSWeChatInput(InputChannel):
    """WeChat Official Account input channel (see the module docstring)."""

    @classmethod
    def name(cls) -> Text:
        return "wechat"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "TTPSWeChatInput":
        if not credentials:
            cls.raise_missing_credentials_exception()
        missing = [k for k in ("app_id", "app_secret", "token") if not credentials.get(k)]
        if missing:
            from rasa.shared.exceptions import RasaException
            raise RasaException(f"WeChat channel: {', '.join(missing)} missing in the "
                                f"credentials (see docs/channels.md)")
        default_lang = credentials.get("default_language") or "zh-Hans"
        if not supported(default_lang):
            from rasa.shared.exceptions import RasaException
            raise RasaException(f"WeChat channel: default_language {default_lang!r} is not "
                                f"one of en, zh-Hans, zh-Hant")
        return cls(
            str(credentials["app_id"]), str(credentials["app_secret"]),
            str(credentials["token"]),
            encoding_aes_key=credentials.get("encoding_aes_key") or None,
            api_base_url=(credentials.get("api_base_url") or os.environ.get(API_BASE_ENV)
                          or DEFAULT_API_BASE),
            passive_timeout=_float(credentials.get("passive_timeout"), PASSIVE_TIMEOUT),
            max_age=_float(credentials.get("max_age_seconds"), MAX_AGE),
            default_lang=default_lang,
            subscribe_payload=(credentials.get("subscribe_payload")
                               or greeting_payload(default_lang)),
            customer_service=credential_flag(credentials.get("customer_service"), True),
            memory=memory_from_credentials(credentials),
        )

    def __init__(self, app_id: str, app_secret: str, token: str, *,
                 encoding_aes_key: Optional[str] = None, api_base_url: str = DEFAULT_API_BASE,
                 passive_timeout: float = PASSIVE_TIMEOUT, max_age: float = MAX_AGE,
                 default_lang: str = "zh-Hans", subscribe_payload: Optional[str] = None,
                 customer_service: bool = True, memory: Optional[ButtonMemory] = None,
                 languages: LanguageMemory = LANGUAGES) -> None:
        self.settings = Settings(token=token, app_id=app_id, passive_timeout=passive_timeout,
                                 max_age=max_age, default_lang=default_lang,
                                 subscribe_payload=(subscribe_payload
                                                    or greeting_payload(default_lang)),
                                 customer_service=customer_service)
        self.crypto: Optional[WeChatCrypto] = None
        if encoding_aes_key:
            if len(encoding_aes_key) != 43:
                from rasa.shared.exceptions import RasaException
                raise RasaException("WeChat channel: encoding_aes_key must be the 43 characters "
                                    "of the EncodingAESKey")
            self.crypto = WeChatCrypto(token, encoding_aes_key, app_id)
        self.api = WeChatAPI(app_id, app_secret, api_base_url)
        self.memory = memory if memory is not None else ButtonMemory()
        self.languages = languages
        self.deliveries = Deliveries(ttl_seconds=max(2 * max_age, 60))
        self._tasks: Set[asyncio.Task] = set()

    def get_output_channel(self, passive: bool = False) -> WeChatOutput:
        return WeChatOutput(self.api, memory=self.memory, languages=self.languages,
                            default_lang=self.settings.default_lang, passive=passive)

    # --- the two requests --------------------------------------------------------------------
    def verify_url(self, args: Mapping[str, str]) -> Tuple[int, str]:
        """WeChat's GET check of the server URL: echostr back when signed."""
        try:
            check_signature(self.settings.token, args, self.settings.max_age)
        except BadRequest as e:
            logger.warning("WeChat URL check refused: %s", e.reason)
            return e.status, e.reason
        echostr = args.get("echostr")
        if not echostr:
            return 400, "missing echostr"
        return 200, echostr

    def read(self, args: Mapping[str, str], body: bytes) -> Tuple[Any, bool]:
        """The message in a POST, checked (and decrypted in safe mode); whether it was
        encrypted. ``BadRequest`` when it must be refused."""
        check_signature(self.settings.token, args, self.settings.max_age)
        if len(body) > MAX_BODY:
            raise BadRequest(413, "body too large for a WeChat message")
        encrypted = (args.get("encrypt_type") or "").lower() == "aes"
        xml: Any = body
        if encrypted:
            if self.crypto is None:
                raise BadRequest(400, "safe-mode message but no encoding_aes_key configured")
            try:
                xml = self.crypto.decrypt_message(body, args.get("msg_signature") or "",
                                                  args["timestamp"], args["nonce"])
            except (InvalidSignatureException, InvalidAppIdException) as e:
                raise BadRequest(403, f"invalid msg_signature or AppID "
                                      f"({type(e).__name__})") from None
            except Exception as e:   # noqa: BLE001 - bad XML, base64, padding, key
                raise BadRequest(400, f"cannot decrypt the message ({type(e).__name__})") from None
        return parse(xml), encrypted

    async def receive(self, args: Mapping[str, str], body: bytes,
                      on_new_message: Callable[[UserMessage], Awaitable[Any]]
                      ) -> Tuple[int, str, str]:
        """Answer one POST: (status, body, content type). Never raises."""
        try:
            message, encrypted = self.read(args, body)
        except BadRequest as e:
            logger.warning("WeChat request refused (%d): %s", e.status, e.reason)
            return e.status, e.reason, "text/plain"
        key = delivery_key(message)
        answer = self.deliveries.get(key)
        if answer is not None:
            logger.info("WeChat re-delivered %s; answering as the first time", key)
        else:
            answer = self.deliveries.add(key)
            try:
                self._start(message, on_new_message, answer)
            except Exception:   # noqa: BLE001 - never a 500 WeChat would retry
                logger.exception("WeChat message could not be handled")
                if not answer.done():
                    answer.set_result(SUCCESS)
        # Every try waits for the one answer (the timers in _start settle it in time).
        try:
            reply = await asyncio.wait_for(asyncio.shield(answer), self._longest_wait() + 1)
        except asyncio.TimeoutError:
            reply = SUCCESS
        if reply == SUCCESS:
            return 200, SUCCESS, "text/plain"
        if encrypted and self.crypto is not None:
            reply = self.crypto.encrypt_message(reply, args.get("nonce"), args.get("timestamp"))
        return 200, reply, "application/xml"

    # --- one message -----------------------------------------------------------------------
    def user_text(self, message: Any) -> Optional[str]:
        """What to pass to Rasa, or None when the message is not for Rasa."""
        if isinstance(message, TextMessage):
            return message.content or None
        if isinstance(message, VoiceMessage):
            return (message.recognition or "").strip() or None
        if is_event(message):
            event = (message._data.get("Event") or "").lower()
            if event in ("subscribe", "subscribe_scan"):
                return self.settings.subscribe_payload
            if event == "click":
                return (message._data.get("EventKey") or "").strip() or None
        return None

    def _longest_wait(self) -> float:
        return (self.settings.passive_timeout if self.settings.customer_service
                else max(self.settings.passive_timeout, RETRY_WINDOW))

    def _start(self, message: Any, on_new_message: Callable[[UserMessage], Awaitable[Any]],
               answer: "asyncio.Future") -> None:
        """Start handling a message; ``answer`` gets the HTTP answer for it (every try of it):

        * Rasa done within ``passive_timeout`` and the replies fit in one message: the passive
          reply.
        * Otherwise, with the customer-service API: ``success`` at ``passive_timeout`` (or when
          Rasa is done, if the replies do not fit), and the replies go through the API.
        * Without it (``customer_service: false``): the passive reply whenever Rasa is done, as
          long as one of WeChat's tries is still waiting (about 15 s); the tries are held open,
          so WeChat retries instead of giving up. What does not fit in one message is dropped.
        """
        sender = str(message.source)
        text = self.user_text(message)
        if text is None:
            if is_event(message):
                answer.set_result(SUCCESS)    # unsubscribe, location reports, menu views ...
                return
            lang = self.languages.choose(sender, None, self.settings.default_lang)
            answer.set_result(text_reply_xml(message, say("text_only", lang)))
            return
        text = self.memory.resolve(sender, text)
        out = self.get_output_channel(passive=True)
        user_message = UserMessage(
            text, out, sender, input_channel=self.name(),
            message_id=str(message._data.get("MsgId") or "") or None,
            metadata={"wechat": {"type": message._data.get("MsgType"),
                                 "account": message._data.get("ToUserName")}})
        guarded = answer_every_message(on_new_message, self.settings.default_lang,
                                       self.languages)
        loop = asyncio.get_running_loop()
        task = self._keep(loop.create_task(guarded(user_message)))
        by_api = self.settings.customer_service

        def release() -> None:
            logger.debug("WeChat reply to %s goes through the customer-service API", sender)
            self._keep(out.release())

        def finished(_: Any) -> None:
            if answer.done():             # the API path was taken, or the tries are over
                out.close()
                return
            content = out.passive_reply(all_of_it=by_api)
            if content is not None:
                answer.set_result(text_reply_xml(message, content))
                return
            if out.kept and by_api:
                release()
                out.close()
            answer.set_result(SUCCESS)

        def too_slow() -> None:
            if answer.done():
                return
            if by_api:
                release()
            else:
                logger.warning("WeChat: no reply to %s within WeChat's tries; it is lost "
                               "(no customer-service API)", sender)
            answer.set_result(SUCCESS)

        timer = loop.call_later(self._longest_wait(), too_slow)
        task.add_done_callback(finished)
        task.add_done_callback(lambda _: timer.cancel())

    def _keep(self, task: asyncio.Task) -> asyncio.Task:
        """Hold a reference to a background task until it ends (asyncio keeps weak ones)."""
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint(f"{self.name()}_webhook", __name__)

        @bp.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @bp.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            status, body = self.verify_url(_args(request))
            return response.text(body, status=status)

        @bp.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            status, body, content_type = await self.receive(_args(request), request.body or b"",
                                                            on_new_message)
            return response.text(body, status=status, content_type=content_type)

        return bp


def _args(request: Request) -> Dict[str, str]:
    return {k: v[0] for k, v in request.args.items() if v}
