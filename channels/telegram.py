"""Telegram: Rasa's connector, with replies formatted for Telegram.

``credentials.yml``::

    channels.telegram.TTPSTelegramInput:
      access_token: ${TELEGRAM_TOKEN}          # from @BotFather
      verify: ${TELEGRAM_BOT_USERNAME}         # the bot's username, without @
      webhook_url: ${TELEGRAM_WEBHOOK_URL}     # https://<public host>/webhooks/telegram/webhook
      secret_token: ${TELEGRAM_SECRET_TOKEN}   # optional, recommended: see docs/channels.md

What changes compared with ``rasa.core.channels.telegram``:

* Markdown is sent as Telegram HTML (bold, italic, links), link previews off; a reply is split
  only when it exceeds Telegram's 4096-character limit, at paragraph/line/sentence boundaries
  (Rasa's own connector sends every paragraph as a separate message).
* Buttons stay real buttons: an inline keyboard by default (``button_type: reply`` for a reply
  keyboard, whose titles are mapped back to payloads), short titles sharing a row. Payloads longer
  than Telegram's 64-byte ``callback_data`` are replaced by a token mapped back in memory.
* Button presses are acknowledged (``answerCallbackQuery``) so the client stops its spinner.
* Updates Rasa's handler cannot read (e.g. ``my_chat_member`` when someone blocks the bot) get
  200 instead of a 500 that Telegram would re-deliver; the webhook asks only for the update
  types it handles.
* The ``{"data": {"ttps_assessment": ...}}`` result-card payload is dropped.
* The webhook is registered once the server has started, in the server's event loop (Rasa's
  connector calls ``asyncio.run`` while building the app). With ``secret_token`` set it is
  registered with that secret and every update without the matching
  ``X-Telegram-Bot-Api-Secret-Token`` header is refused (403).
* ``api_base_url`` (tests only) points the bot at another Bot API server, e.g. a local fake.
"""
from __future__ import annotations

import asyncio
import hmac
import html
import json
import logging
import re
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from aiogram import Bot
from aiogram.bot import api
from aiogram.bot.api import TelegramAPIServer
from aiogram.types import (InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton,
                           ReplyKeyboardMarkup)
from aiogram.utils.exceptions import CantParseEntities, TelegramAPIError
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.telegram import TelegramInput, TelegramOutput
from sanic import Blueprint, response
from sanic.request import Request

from .buttons import TOKEN_PREFIX, ButtonMemory, memory_from_credentials
from .formatting import is_card_payload, keyboard_rows, render, split_rendered, strip_html_len
from .guard import answer_every_message

logger = logging.getLogger(__name__)

TELEGRAM_LIMIT = 4096
CALLBACK_DATA_LIMIT = 64
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
HANDLED_UPDATES = ["message", "edited_message", "callback_query"]  # what Rasa's handler reads


class TTPSTelegramOutput(TelegramOutput):
    """Telegram output that renders Markdown as HTML and keeps buttons as keyboards."""

    def __init__(self, access_token: Optional[Text], *, api_base_url: Optional[Text] = None,
                 secret_token: Optional[Text] = None, button_type: Text = "inline",
                 memory: Optional[ButtonMemory] = None,
                 max_chars: int = TELEGRAM_LIMIT) -> None:
        server = TelegramAPIServer.from_base(api_base_url) if api_base_url else api.TELEGRAM_PRODUCTION
        Bot.__init__(self, access_token, server=server)
        self.secret_token = secret_token or None
        self.button_type = button_type or "inline"
        self.memory = memory if memory is not None else ButtonMemory()
        self.max_chars = max_chars
        self._me: Any = None

    async def get_me(self) -> Any:
        """Rasa's webhook calls this for every update; the answer does not change, keep it."""
        if self._me is None:
            self._me = await super().get_me()
        return self._me

    async def set_webhook(self, url: Text, **kwargs: Any) -> bool:  # type: ignore[override]
        """setWebhook, with ``secret_token`` when configured (aiogram 2.15 predates it)."""
        payload: Dict[str, Any] = {"url": url}
        if self.secret_token:
            payload["secret_token"] = self.secret_token
        for key in ("max_connections", "drop_pending_updates", "ip_address"):
            if kwargs.get(key) is not None:
                payload[key] = kwargs[key]
        if kwargs.get("allowed_updates") is not None:
            payload["allowed_updates"] = json.dumps(kwargs["allowed_updates"])
        return bool(await self.request(api.Methods.SET_WEBHOOK, payload))

    def _pieces(self, text: Text) -> List[Text]:
        return split_rendered(text or "", self.max_chars, "telegram", measure=strip_html_len)

    async def _send_html(self, chat_id: Text, html_text: Text, **kwargs: Any) -> None:
        try:
            await self.send_message(chat_id, html_text, parse_mode="HTML",
                                    disable_web_page_preview=True, **kwargs)
        except CantParseEntities:
            logger.warning("Telegram refused the HTML of a reply; sending it as plain text")
            await self.send_message(chat_id, render(_unhtml(html_text), "plain"),
                                    disable_web_page_preview=True, **kwargs)

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        for piece in self._pieces(text):
            await self._send_html(recipient_id, piece)

    async def send_text_with_buttons(self, recipient_id: Text, text: Text,
                                     buttons: List[Dict[Text, Any]],
                                     button_type: Optional[Text] = None, **kwargs: Any) -> None:
        button_type = button_type or self.button_type
        buttons = [b for b in buttons if isinstance(b, dict) and (b.get("title") or b.get("payload"))]
        if not buttons:
            await self.send_text_message(recipient_id, text)
            return
        rows = keyboard_rows(buttons)
        if button_type == "vertical":
            rows = [[b] for b in buttons]
        if button_type == "reply":
            markup: Any = ReplyKeyboardMarkup(
                keyboard=[[KeyboardButton(str(b.get("title") or b.get("payload"))) for b in row]
                          for row in rows],
                resize_keyboard=True, one_time_keyboard=True)
        else:
            index = {id(b): i for i, b in enumerate(buttons, 1)}
            markup = InlineKeyboardMarkup(inline_keyboard=[
                [InlineKeyboardButton(str(b.get("title") or b.get("payload")),
                                      callback_data=_callback_data(b, index[id(b)]))
                 for b in row] for row in rows])
        pieces = self._pieces(text) or ["…"]
        for piece in pieces[:-1]:
            await self._send_html(recipient_id, piece)
        self.memory.remember(recipient_id, buttons)
        await self._send_html(recipient_id, pieces[-1], reply_markup=markup)

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any],
                               **kwargs: Any) -> None:
        if is_card_payload(json_message):
            logger.debug("Dropping the result-card payload for Telegram (the text says it all)")
            return
        await super().send_custom_json(recipient_id, json_message, **kwargs)


def _callback_data(button: Dict[Text, Any], index: int) -> Text:
    payload = str(button.get("payload") or button.get("title"))
    if len(payload.encode("utf-8")) <= CALLBACK_DATA_LIMIT:
        return payload
    return f"{TOKEN_PREFIX}{index}"


def _unhtml(text: Text) -> Text:
    return html.unescape(re.sub(r"<[^>]+>", "", text))


class TTPSTelegramInput(TelegramInput):
    """Rasa's Telegram input channel with TTPS formatting (see the module docstring)."""

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "TTPSTelegramInput":
        if not credentials:
            cls.raise_missing_credentials_exception()
        return cls(
            credentials.get("access_token"),
            credentials.get("verify"),
            credentials.get("webhook_url"),
            api_base_url=credentials.get("api_base_url"),
            secret_token=credentials.get("secret_token"),
            button_type=credentials.get("button_type") or "inline",
            memory=memory_from_credentials(credentials),
        )

    def __init__(self, access_token: Optional[Text], verify: Optional[Text],
                 webhook_url: Optional[Text], debug_mode: bool = True, *,
                 api_base_url: Optional[Text] = None, secret_token: Optional[Text] = None,
                 button_type: Text = "inline", memory: Optional[ButtonMemory] = None) -> None:
        super().__init__(access_token, verify, webhook_url, debug_mode)
        self.api_base_url = api_base_url or None
        self.secret_token = str(secret_token) if secret_token else None
        self.button_type = button_type
        self.memory = memory if memory is not None else ButtonMemory()
        self._output: Optional[TTPSTelegramOutput] = None

    def get_output_channel(self) -> TTPSTelegramOutput:
        """One output channel, created without network calls (safe inside a running loop)."""
        if self._output is None:
            self._output = TTPSTelegramOutput(
                self.access_token, api_base_url=self.api_base_url, secret_token=self.secret_token,
                button_type=self.button_type, memory=self.memory)
        return self._output

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        on_new_message = answer_every_message(on_new_message)
        memory = self.memory

        async def handle(message: UserMessage) -> Any:
            message.text = memory.resolve(message.sender_id, message.text, numbers=False)
            return await on_new_message(message)

        bp = super().blueprint(handle)
        out_channel = self.get_output_channel()

        @bp.middleware("request")
        async def check_secret_and_ack(request: Request) -> Any:
            if request.method != "POST" or not request.path.rstrip("/").endswith("/webhook"):
                return None
            if self.secret_token:
                given = request.headers.get(SECRET_HEADER, "")
                if not hmac.compare_digest(given.encode(), self.secret_token.encode()):
                    logger.warning("Telegram update without the right secret token refused")
                    return response.text("forbidden", status=403)
            try:
                update = request.json
            except Exception:  # not JSON: let Rasa's handler deal with it
                return None
            if not isinstance(update, dict):
                return None
            query = update.get("callback_query")
            if isinstance(query, dict) and query.get("id"):
                asyncio.ensure_future(_answer_callback(out_channel, str(query["id"])))
            if not any(isinstance(update.get(k), dict) for k in HANDLED_UPDATES) or (
                    isinstance(query, dict) and not query.get("message")):
                # e.g. my_chat_member when someone blocks the bot: Rasa's handler would fail
                # with a 500 and Telegram would keep re-sending the update.
                return response.text("success")
            return None

        @bp.listener("after_server_start")
        async def register_webhook(app: Any, loop: Any) -> None:
            if not self.webhook_url:
                logger.warning("Telegram: no webhook_url configured, webhook not registered")
                return
            try:
                await out_channel.set_webhook(self.webhook_url, allowed_updates=HANDLED_UPDATES)
                logger.info("Telegram webhook registered")
            except (TelegramAPIError, Exception) as error:  # keep the other channels serving
                logger.error("Telegram: failed to register the webhook (%s); retry with "
                             "GET /webhooks/telegram/set_webhook", error)

        @bp.listener("before_server_stop")
        async def close_session(app: Any, loop: Any) -> None:
            session = out_channel._session
            if session is not None and not session.closed:
                await session.close()

        return bp


async def _answer_callback(out_channel: TTPSTelegramOutput, query_id: Text) -> None:
    try:
        await out_channel.answer_callback_query(query_id)
    except Exception as error:  # cosmetic only: the spinner stops by itself after a while
        logger.debug("answerCallbackQuery failed: %s", error)
