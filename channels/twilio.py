"""Twilio SMS and WhatsApp: Rasa's connector, with replies made for plain text messages.

``credentials.yml``::

    channels.twilio.TTPSTwilioInput:
      account_sid: ${TWILIO_ACCOUNT_SID}
      auth_token: ${TWILIO_AUTH_TOKEN}
      twilio_number: ${TWILIO_NUMBER}            # "+852..." for SMS, "whatsapp:+1..." for WhatsApp
      webhook_url: ${TWILIO_WEBHOOK_URL}         # https://<public host>/webhooks/twilio/webhook
      # whatsapp_number: ${TWILIO_WHATSAPP_NUMBER}  # optional: a separate WhatsApp sender

One webhook (``/webhooks/twilio/webhook``) serves both: a person writing from
``whatsapp:+852...`` is answered from the WhatsApp sender, anyone else from ``twilio_number``.

What changes compared with ``rasa.core.channels.twilio``:

* Buttons become numbered options ("Reply 1 for Yes, 2 for No.", in the language of the
  message they come with: "请回复编号：1 是；2 否。"); a reply that is just a number
  (or a button's exact title) is turned back into that button's payload. The last buttons per
  person are kept in a bounded in-memory map (``channels.buttons.ButtonMemory``).
* Markdown becomes plain text, links as "text (url)"; on WhatsApp bold stays *bold*.
* A reply is split only when longer than ``max_chars`` (default 1500; Twilio's limit is 1600), at
  paragraph/line/sentence boundaries (Rasa's connector sends every paragraph as its own SMS).
* The result-card payload ``{"data": {"ttps_assessment": ...}}`` is dropped (Rasa's connector
  would pass it to ``messages.create`` and fail); other custom payloads pass through only when
  they are valid ``messages.create`` arguments.
* Requests must carry a valid ``X-Twilio-Signature`` (HMAC with the auth token over
  ``webhook_url``, or the URL rebuilt from the request and ``X-Forwarded-*`` headers); others get
  403. ``validate_signature: false`` turns this off, e.g. to try the bot with curl. Without it,
  anyone who finds the URL could make the bot text any number at your expense.
* Messages are sent from a worker thread, so the Twilio HTTP call does not block the server.
* ``api_base_url`` (tests only) sends the Twilio REST calls to another host, e.g. a local fake.
"""
from __future__ import annotations

import asyncio
import functools
import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text
from urllib.parse import urlsplit, urlunsplit

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.twilio import TwilioInput, TwilioOutput
from sanic import Blueprint, response
from sanic.request import Request
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator

from .buttons import ButtonMemory, credential_flag, memory_from_credentials
from .formatting import is_card_payload, numbered_options, only_keys, split_rendered
from .guard import answer_every_message
from .i18n import LANGUAGES

logger = logging.getLogger(__name__)

SMS_LIMIT = 1500
WHATSAPP_PREFIX = "whatsapp:"
# Arguments of twilio's messages.create a custom payload may carry through.
CREATE_ARGS = {"to", "from_", "body", "media_url", "messaging_service_sid", "status_callback",
               "content_sid", "content_variables", "persistent_action", "validity_period",
               "send_at", "schedule_type", "shorten_urls"}


class RebasedHttpClient(TwilioHttpClient):
    """Sends every Twilio REST call to ``base_url`` instead of https://api.twilio.com (tests)."""

    def __init__(self, base_url: Text, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base = urlsplit(base_url.rstrip("/"))

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        parts = urlsplit(url)
        url = urlunsplit((self.base.scheme, self.base.netloc, self.base.path + parts.path,
                          parts.query, parts.fragment))
        return super().request(method, url, *args, **kwargs)


class TTPSTwilioOutput(TwilioOutput):
    """Twilio output: numbered options instead of buttons, plain text, sensible splitting."""

    def __init__(self, account_sid: Optional[Text], auth_token: Optional[Text],
                 twilio_number: Optional[Text], *, whatsapp_number: Optional[Text] = None,
                 api_base_url: Optional[Text] = None, memory: Optional[ButtonMemory] = None,
                 max_chars: int = SMS_LIMIT) -> None:
        super().__init__(account_sid, auth_token, twilio_number)
        if api_base_url:
            self.http_client = RebasedHttpClient(api_base_url)
        self.whatsapp_number = whatsapp_number or None
        self.memory = memory if memory is not None else ButtonMemory()
        self.max_chars = int(max_chars)

    # --- where and how ---------------------------------------------------------------------
    @staticmethod
    def is_whatsapp(recipient_id: Text) -> bool:
        return str(recipient_id).startswith(WHATSAPP_PREFIX)

    def sender_for(self, recipient_id: Text) -> Optional[Text]:
        if not self.is_whatsapp(recipient_id):
            return self.twilio_number
        number = self.whatsapp_number or self.twilio_number
        if number and not number.startswith(WHATSAPP_PREFIX):
            number = WHATSAPP_PREFIX + number
        return number

    def pieces(self, recipient_id: Text, text: Text) -> List[Text]:
        style = "whatsapp" if self.is_whatsapp(recipient_id) else "plain"
        return split_rendered(text or "", self.max_chars, style)

    # --- sending ---------------------------------------------------------------------------
    async def _send_message(self, message_data: Dict[Text, Any]) -> Any:
        """One ``messages.create`` call in a worker thread; errors are logged, not raised, so the
        rest of the reply still goes out."""
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(
                None, functools.partial(self.messages.create, **message_data))
        except TwilioRestException as e:
            # not the recipient: it is the person's telephone number (channels/log_privacy.py
            # masks any that Twilio's own message names)
            logger.error("Twilio refused a message: %s", e.msg)
        except Exception as e:  # network trouble: log and carry on with the conversation
            logger.error("Could not reach Twilio to send a message: %r", e)
        return None

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        for piece in self.pieces(recipient_id, text):
            await self._send_message({"to": recipient_id, "from_": self.sender_for(recipient_id),
                                      "body": piece})

    async def send_text_with_buttons(self, recipient_id: Text, text: Text,
                                     buttons: List[Dict[Text, Any]], **kwargs: Any) -> None:
        buttons = [b for b in buttons or [] if isinstance(b, dict)
                   and (b.get("title") or b.get("payload"))]
        options = numbered_options(buttons, LANGUAGES.choose(recipient_id, text))
        self.memory.remember(recipient_id, buttons)
        await self.send_text_message(recipient_id, f"{text or ''}\n\n{options}".strip())

    async def send_quick_replies(self, recipient_id: Text, text: Text,
                                 quick_replies: List[Dict[Text, Any]], **kwargs: Any) -> None:
        await self.send_text_with_buttons(recipient_id, text, quick_replies)

    async def send_image_url(self, recipient_id: Text, image: Text, **kwargs: Any) -> None:
        await self._send_message({"to": recipient_id, "from_": self.sender_for(recipient_id),
                                  "media_url": [image]})

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any],
                               **kwargs: Any) -> None:
        if is_card_payload(json_message):
            logger.debug("Dropping the result-card payload for Twilio (the text says it all)")
            return
        if not only_keys(json_message, CREATE_ARGS):
            logger.warning("Dropping a custom payload Twilio cannot send (keys: %s)",
                           sorted(json_message) if isinstance(json_message, dict) else "?")
            return
        data = dict(json_message)
        data.setdefault("to", recipient_id)
        if not data.get("media_url") and not data.get("content_sid"):
            data.setdefault("body", "")
        if not data.get("messaging_service_sid"):
            data.setdefault("from_", self.sender_for(data["to"]))
        await self._send_message(data)


class TTPSTwilioInput(TwilioInput):
    """Rasa's Twilio input channel with TTPS formatting (see the module docstring)."""

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "TTPSTwilioInput":
        if not credentials:
            cls.raise_missing_credentials_exception()
        return cls(
            credentials.get("account_sid"),
            credentials.get("auth_token"),
            credentials.get("twilio_number"),
            whatsapp_number=credentials.get("whatsapp_number"),
            webhook_url=credentials.get("webhook_url"),
            validate_signature=credential_flag(credentials.get("validate_signature"), True),
            api_base_url=credentials.get("api_base_url"),
            max_chars=int(credentials.get("max_chars") or SMS_LIMIT),
            memory=memory_from_credentials(credentials),
        )

    def __init__(self, account_sid: Optional[Text], auth_token: Optional[Text],
                 twilio_number: Optional[Text], debug_mode: bool = True, *,
                 whatsapp_number: Optional[Text] = None, webhook_url: Optional[Text] = None,
                 validate_signature: bool = True, api_base_url: Optional[Text] = None,
                 max_chars: int = SMS_LIMIT, memory: Optional[ButtonMemory] = None) -> None:
        super().__init__(account_sid, auth_token, twilio_number, debug_mode)
        self.whatsapp_number = whatsapp_number or None
        self.webhook_url = webhook_url or None
        self.validate_signature = validate_signature
        self.api_base_url = api_base_url or None
        self.max_chars = max_chars
        self.memory = memory if memory is not None else ButtonMemory()

    def get_output_channel(self) -> TTPSTwilioOutput:
        return TTPSTwilioOutput(self.account_sid, self.auth_token, self.twilio_number,
                                whatsapp_number=self.whatsapp_number,
                                api_base_url=self.api_base_url, memory=self.memory,
                                max_chars=self.max_chars)

    def request_url(self, request: Request) -> Text:
        """The URL Twilio signed: ``webhook_url`` if configured, else rebuilt from the request
        (honouring X-Forwarded-Proto/-Host set by a tunnel or reverse proxy)."""
        if self.webhook_url:
            return self.webhook_url
        proto = (request.headers.get("x-forwarded-proto") or request.scheme or "http")
        host = request.headers.get("x-forwarded-host") or request.headers.get("host") or request.host
        url = f"{proto.split(',')[0].strip()}://{host.split(',')[0].strip()}{request.path}"
        return f"{url}?{request.query_string}" if request.query_string else url

    def is_signed(self, request: Request) -> bool:
        signature = request.headers.get("x-twilio-signature", "")
        if not signature or not self.auth_token:
            return False
        return RequestValidator(self.auth_token).validate(self.request_url(request),
                                                          request.form, signature)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        on_new_message = answer_every_message(on_new_message)
        memory = self.memory

        async def handle(message: UserMessage) -> Any:
            message.text = memory.resolve(message.sender_id, message.text)
            return await on_new_message(message)

        bp = super().blueprint(handle)

        @bp.middleware("request")
        async def check_signature(request: Request) -> Any:
            if (not self.validate_signature or request.method != "POST"
                    or not request.path.rstrip("/").endswith("/webhook")):
                return None
            if not self.is_signed(request):
                logger.warning("Twilio request with a missing or wrong X-Twilio-Signature "
                               "refused (URL checked: %s)", self.request_url(request))
                return response.text("invalid signature", status=403)
            return None

        return bp
