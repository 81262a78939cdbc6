"""Every message gets an answer, even when the action server cannot give one.

When the action server is down (crashed, restarting, unreachable), Rasa 3.6 logs "Encountered an
exception while running action ..." and carries on with the action's events lost: the person
gets no reply at all, and cannot tell a slow bot from a dead one. ``answer_every_message`` wraps
a channel's ``on_new_message`` callback: it counts what Rasa sends back for the message, and
when that is nothing (or handling the message failed), it sends one short apology through the
same output channel. What the person said is in the tracker already, and the conversation
carries on from there once the action server is back.

``TTPSRestInput`` and ``TTPSSocketIOInput`` are Rasa's REST and Socket.IO channels with the
guard; the messaging connectors in this package apply it in their own blueprints. The channels
know nothing of the rules: the apology says only that the assistant cannot answer right now.

The apology is in the person's language (``channels/locales``): the one their message clearly
shows (``actions.language.detect``), else the last one seen in the conversation, from their
messages or the bot's replies (``channels.i18n.LANGUAGES``), else the channel's default.
"""
from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint

from .i18n import LANGUAGES, LanguageMemory, text

logger = logging.getLogger(__name__)


def apology(lang: Optional[str]) -> str:
    return text("apology", lang)


class CountingOutput(OutputChannel):
    """An output channel that passes everything to another one and counts the messages."""

    def __init__(self, inner: OutputChannel, languages: Optional[LanguageMemory] = None) -> None:
        self.inner = inner
        self.sent = 0
        self.languages = languages

    def name(self) -> Text:  # type: ignore[override]  # per-channel responses use the inner name
        return self.inner.name()

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        self.sent += 1
        if self.languages is not None and isinstance(message, dict):
            self.languages.note(recipient_id, message.get("text"))
        await self.inner.send_response(recipient_id, message)

    def __getattr__(self, item: str) -> Any:   # e.g. CollectingOutputChannel.messages
        return getattr(self.inner, item)


def answer_every_message(on_new_message: Callable[[UserMessage], Awaitable[Any]],
                         default_lang: str = "en",
                         languages: LanguageMemory = LANGUAGES,
                         ) -> Callable[[UserMessage], Awaitable[Any]]:
    """``on_new_message`` that answers every message; the apology in the person's language
    (``default_lang`` when nothing shows it)."""
    async def handle(message: UserMessage) -> Any:
        languages.note(message.sender_id, message.text)
        inner = message.output_channel
        counting = CountingOutput(inner, languages)
        message.output_channel = counting
        result: Optional[Any] = None
        try:
            result = await on_new_message(message)
        except Exception:   # noqa: BLE001 - the person still gets an answer; the log has the cause
            logger.exception("handling a message failed; sending the apology")
        if counting.sent == 0:
            logger.warning("no reply to a message (is the action server down?); sent the apology")
            try:
                lang = languages.choose(message.sender_id, message.text, default_lang)
                await inner.send_response(message.sender_id, {"text": apology(lang)})
            except Exception:   # noqa: BLE001 - the channel itself is failing; nothing more to do
                logger.exception("could not send the apology")
        return result

    return handle


class TTPSRestInput(RestInput):
    """Rasa's REST channel (/webhooks/rest/webhook), answering every message."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        return super().blueprint(answer_every_message(on_new_message))


class TTPSSocketIOInput(SocketIOInput):
    """Rasa's Socket.IO channel (the website widget), answering every message."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        return super().blueprint(answer_every_message(on_new_message))
