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

A message sent twice is handled once (REST): a request may carry a ``message_id`` (in the JSON
body, or the ``X-TTPS-Message-ID`` header that nginx sets to its request id, the same on every
try of one request: ``docs/cluster.md``). Under the conversation's lock, when the tracker already
holds a user message with that id, the bot's replies recorded after it are sent again (response
header ``X-TTPS-Replayed: 1``) instead of handling the message a second time; the same id with
another text gets 409. So a load balancer may retry a request whose Rasa server died while
handling it: Rasa saves the tracker (the message and all its replies, in one transaction) only
at the end, so the retry either finds nothing and handles the message, or finds the whole turn.
"""
from __future__ import annotations

import inspect
import logging
from asyncio import CancelledError
from typing import Any, Awaitable, Callable, Dict, List, Optional, Sequence, Text, Tuple, Union

import rasa.utils.endpoints
from rasa.core.channels.channel import CollectingOutputChannel, OutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.channels.socketio import SocketIOInput
from rasa.shared.core.events import BotUttered, Event, UserUttered
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse, ResponseStream

from . import memory
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
        except MessageIdConflict:
            raise           # a client error, answered 409 by the channel
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


# --- a message sent twice is handled once ------------------------------------------------------

MESSAGE_ID_HEADER = "X-TTPS-Message-ID"
REPLAYED_HEADER = "X-TTPS-Replayed"
MAX_MESSAGE_ID_LENGTH = 200


class MessageIdConflict(Exception):
    """A message_id the conversation already holds, sent with another text."""


class InvalidMessageId(ValueError):
    pass


def message_id_of(body: Any, headers: Any) -> Optional[str]:
    """The client's ``message_id`` (JSON body), else nginx's ``X-TTPS-Message-ID``, else None
    (Rasa then makes a random one, as before). A string or an integer, 1-200 characters."""
    value = body.get("message_id") if isinstance(body, dict) else None
    if value is None and headers is not None:
        value = headers.get(MESSAGE_ID_HEADER)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise InvalidMessageId("message_id must be a string or an integer")
    value = str(value).strip()
    if not value or len(value) > MAX_MESSAGE_ID_LENGTH:
        raise InvalidMessageId(f"message_id must have 1 to {MAX_MESSAGE_ID_LENGTH} characters")
    return value


def recorded_turn(events: Sequence[Event], message_id: str
                  ) -> Optional[Tuple[UserUttered, List[BotUttered]]]:
    """The user message with ``message_id`` and the bot messages recorded after it (up to the
    next user message), or None when the tracker holds no such message."""
    replies: List[BotUttered] = []
    found: Optional[UserUttered] = None
    for event in events:
        if isinstance(event, UserUttered):
            if found is not None:
                break
            if event.message_id == message_id:
                found = event
        elif found is not None and isinstance(event, BotUttered):
            replies.append(event)
    return (found, replies) if found is not None else None


class Outcome:
    """What ``handle_once`` did with one request."""

    def __init__(self) -> None:
        self.replayed = False


def handle_once(app: Any, on_new_message: Callable[[UserMessage], Awaitable[Any]],
                outcome: Outcome) -> Callable[[UserMessage], Awaitable[Any]]:
    """``on_new_message`` for a message with a client-given id: under the conversation's lock,
    the replies recorded for that id when the tracker has it, else Rasa handles the message
    (what ``Agent.handle_message`` does, with the lock taken here instead)."""
    async def handle(message: UserMessage) -> Any:
        agent = getattr(getattr(app, "ctx", None), "agent", None)
        if agent is None or not agent.is_ready():
            return await on_new_message(message)      # Rasa logs that there is no model
        async with agent.lock_store.lock(message.sender_id):
            tracker = await agent.tracker_store.retrieve(message.sender_id)
            turn = recorded_turn(tracker.events if tracker else [], message.message_id)
            if turn is None:
                return await agent.processor.handle_message(message)
            user, replies = turn
            if (user.text or "") != (message.text or ""):
                raise MessageIdConflict(message.message_id)
            outcome.replayed = True
            logger.info("message %s was handled before; sending its %d recorded replies",
                        message.message_id, len(replies))
            for bot in replies:
                await message.output_channel.send_response(message.sender_id, bot.message())
            return None

    return handle


class TTPSRestInput(RestInput):
    """Rasa's REST channel (/webhooks/rest/webhook), answering every message, and a message sent
    twice (same ``message_id``) only once."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        guarded = answer_every_message(on_new_message)
        module = inspect.getmodule(self)
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}",
                            module.__name__ if module else None)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        # once Rasa has loaded the model: hand back what loading it freed (channels/memory.py)
        webhook.after_server_start(memory.trim_after_start)

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> Union[ResponseStream, HTTPResponse]:
            sender_id = await self._extract_sender(request)
            text = self._extract_message(request)
            input_channel = self._extract_input_channel(request)
            metadata = self.get_metadata(request)
            if rasa.utils.endpoints.bool_arg(request, "stream", default=False):
                return response.stream(
                    self.stream_response(guarded, text, sender_id, input_channel, metadata),
                    content_type="text/event-stream")
            try:
                message_id = message_id_of(request.json, request.headers)
            except InvalidMessageId as exc:
                return response.json({"error": str(exc)}, status=400)
            outcome = Outcome()
            handler = (answer_every_message(handle_once(request.app, on_new_message, outcome))
                       if message_id else guarded)
            collector = CollectingOutputChannel()
            try:
                await handler(UserMessage(text, collector, sender_id, input_channel=input_channel,
                                          metadata=metadata, message_id=message_id))
            except MessageIdConflict:
                return response.json({"error": "this message_id was already used for another "
                                               "message in this conversation"}, status=409)
            except CancelledError:
                logger.error("rest: handling a message timed out")
            except Exception:  # noqa: BLE001 - as Rasa's RestInput: answer with what was sent
                logger.exception("rest: handling a message failed")
            headers = {REPLAYED_HEADER: "1"} if outcome.replayed else None
            return response.json(collector.messages, headers=headers)

        return webhook


class TTPSSocketIOInput(SocketIOInput):
    """Rasa's Socket.IO channel (the website widget), answering every message."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        return super().blueprint(answer_every_message(on_new_message))
