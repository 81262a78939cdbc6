"""Facebook Messenger: Rasa's connector, with replies made for Messenger.

``credentials.yml``::

    channels.facebook.TTPSFacebookInput:
      verify: ${FB_VERIFY_TOKEN}                 # any string; the same in the Meta app's webhook
      secret: ${FB_APP_SECRET}                   # the Meta app's App Secret
      page-access-token: ${FB_PAGE_ACCESS_TOKEN}

What changes compared with ``rasa.core.channels.facebook``:

* Markdown becomes plain text, links as "text (url)"; a reply is split only when longer than
  Messenger's 2000 characters, not at every paragraph.
* Buttons become quick replies (up to 13, titles cut to 20 characters); Rasa's connector uses a
  button template, which takes at most 3 buttons (it drops them all when there are more) and
  640 characters of text.
* The result-card payload ``{"data": {"ttps_assessment": ...}}`` is dropped (Rasa's connector
  would send it to the Send API as a malformed message).
* The Send API is called from a worker thread, so it does not block the server; the request
  signature is checked with ``X-Hub-Signature-256`` when Meta sends it (else ``X-Hub-Signature``).
* ``graph_api_version`` (optional, e.g. ``"21.0"``) picks the Graph API version; fbmessenger's
  default is v2.12. ``api_base_url`` (tests only) replaces ``https://graph.facebook.com/v<n>``.
"""
from __future__ import annotations

import asyncio
import functools
import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from fbmessenger import MessengerClient
from fbmessenger.sender_actions import SenderAction
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.facebook import FacebookInput, Messenger, MessengerBot
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from .formatting import is_card_payload, split_rendered, truncate
from .guard import answer_every_message

logger = logging.getLogger(__name__)

TEXT_LIMIT = 2000
QUICK_REPLIES_LIMIT = 13
QUICK_REPLY_TITLE_LIMIT = 20
PAYLOAD_LIMIT = 1000


def _client(page_access_token: Text, api_base_url: Optional[Text],
            graph_api_version: Optional[Text] = None) -> MessengerClient:
    client = MessengerClient(page_access_token)
    if api_base_url:
        client.graph_url = api_base_url.rstrip("/")
    elif graph_api_version:
        client.graph_url = f"https://graph.facebook.com/v{str(graph_api_version).lstrip('v')}"
    return client


class TTPSMessengerBot(MessengerBot):
    async def _call(self, fn: Callable[..., Any], *args: Any) -> Any:
        loop = asyncio.get_running_loop()
        try:
            result = await loop.run_in_executor(None, functools.partial(fn, *args))
        except Exception as e:  # network trouble: log and carry on
            logger.error("Could not reach the Messenger Send API: %r", e)
            return None
        if isinstance(result, dict) and result.get("error"):
            logger.error("Messenger Send API error: %s", result["error"])
        return result

    async def _send_payload(self, recipient_id: Text, payload: Dict[Text, Any]) -> Any:
        return await self._call(self.messenger_client.send, payload, recipient_id, "RESPONSE")

    async def send_action(self, recipient_id: Text, sender_action: Text) -> None:
        await self._call(self.messenger_client.send_action,
                         SenderAction(sender_action).to_dict(), recipient_id)

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        for piece in split_rendered(text or "", TEXT_LIMIT, "plain"):
            await self._send_payload(recipient_id, {"text": piece})

    async def send_text_with_buttons(self, recipient_id: Text, text: Text,
                                     buttons: List[Dict[Text, Any]], **kwargs: Any) -> None:
        buttons = [b for b in buttons or [] if isinstance(b, dict) and b.get("payload")]
        if len(buttons) > QUICK_REPLIES_LIMIT:
            logger.warning("Messenger shows at most %d quick replies; %d dropped",
                           QUICK_REPLIES_LIMIT, len(buttons) - QUICK_REPLIES_LIMIT)
        quick_replies = [
            {"content_type": "text",
             "title": truncate(str(b.get("title") or b["payload"]), QUICK_REPLY_TITLE_LIMIT),
             "payload": str(b["payload"])[:PAYLOAD_LIMIT]}
            for b in buttons[:QUICK_REPLIES_LIMIT]]
        pieces = split_rendered(text or "", TEXT_LIMIT, "plain") or ["…"]
        for piece in pieces[:-1]:
            await self._send_payload(recipient_id, {"text": piece})
        message: Dict[str, Any] = {"text": pieces[-1]}
        if quick_replies:
            message["quick_replies"] = quick_replies
        await self._send_payload(recipient_id, message)

    async def send_quick_replies(self, recipient_id: Text, text: Text,
                                 quick_replies: List[Dict[Text, Any]], **kwargs: Any) -> None:
        await self.send_text_with_buttons(recipient_id, text, quick_replies)

    async def send_image_url(self, recipient_id: Text, image: Text, **kwargs: Any) -> None:
        await self._send_payload(recipient_id, {"attachment": {
            "type": "image", "payload": {"url": image, "is_reusable": True}}})

    async def send_custom_json(self, recipient_id: Text, json_message: Any,
                               **kwargs: Any) -> None:
        if is_card_payload(json_message):
            logger.debug("Dropping the result-card payload for Messenger (the text says it all)")
            return
        # As Rasa's connector: a "sender" in the payload redirects it; sent as the message.
        if isinstance(json_message, dict) and "sender" in json_message:
            recipient_id = json_message.pop("sender", {}).pop("id", recipient_id)
        elif isinstance(json_message, list):
            for message in json_message:
                if "sender" in message:
                    recipient_id = message.pop("sender", {}).pop("id", recipient_id)
                    break
        await self._send_payload(recipient_id, json_message)

    async def send_elements(self, recipient_id: Text, elements: Any, **kwargs: Any) -> None:
        for element in elements:
            if "buttons" in element:
                self._add_postback_info(element["buttons"])
        await self._send_payload(recipient_id, {"attachment": {
            "type": "template", "payload": {"template_type": "generic", "elements": elements}}})


class TTPSMessenger(Messenger):
    """Rasa's webhook-event parser, answering through ``TTPSMessengerBot``."""

    def __init__(self, page_access_token: Text,
                 on_new_message: Callable[[UserMessage], Awaitable[Any]],
                 api_base_url: Optional[Text] = None,
                 graph_api_version: Optional[Text] = None) -> None:
        super().__init__(page_access_token, on_new_message)
        self.client = _client(page_access_token, api_base_url, graph_api_version)

    async def _handle_user_message(self, text: Text, sender_id: Text,
                                   metadata: Optional[Dict[Text, Any]]) -> None:
        out_channel = TTPSMessengerBot(self.client)
        await out_channel.send_action(sender_id, sender_action="mark_seen")
        user_msg = UserMessage(text, out_channel, sender_id, input_channel=self.name(),
                               metadata=metadata)
        await out_channel.send_action(sender_id, sender_action="typing_on")
        try:
            await self.on_new_message(user_msg)
        except Exception:
            logger.exception("Exception when trying to handle webhook for facebook message.")
        finally:
            await out_channel.send_action(sender_id, sender_action="typing_off")


class TTPSFacebookInput(FacebookInput):
    """Rasa's Facebook input channel with TTPS formatting (see the module docstring)."""

    api_base_url: Optional[Text] = None
    graph_api_version: Optional[Text] = None

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "TTPSFacebookInput":
        if not credentials:
            cls.raise_missing_credentials_exception()
        channel = cls(credentials.get("verify"), credentials.get("secret"),
                      credentials.get("page-access-token"))
        channel.api_base_url = credentials.get("api_base_url") or None
        channel.graph_api_version = credentials.get("graph_api_version") or None
        return channel

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        # Rasa's blueprint, with TTPSMessenger and the SHA-256 signature when present.
        on_new_message = answer_every_message(on_new_message)
        fb_webhook = Blueprint("fb_webhook", __name__)

        @fb_webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @fb_webhook.route("/webhook", methods=["GET"])
        async def token_verification(request: Request) -> HTTPResponse:
            if request.args.get("hub.verify_token") == self.fb_verify:
                return response.text(request.args.get("hub.challenge"))
            logger.warning("Invalid fb verify token! Make sure this matches your webhook "
                           "settings on the facebook app.")
            return response.text("failure, invalid token")

        @fb_webhook.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            signature = (request.headers.get("X-Hub-Signature-256")
                         or request.headers.get("X-Hub-Signature") or "")
            if not self.validate_hub_signature(self.fb_secret, request.body, signature):
                logger.warning("Wrong fb secret! Make sure this matches the secret in your "
                               "facebook app settings")
                return response.text("not validated")
            messenger = TTPSMessenger(self.fb_access_token, on_new_message, self.api_base_url,
                                      self.graph_api_version)
            await messenger.handle(request.json, self.get_metadata(request))
            return response.text("success")

        return fb_webhook

    def get_output_channel(self) -> TTPSMessengerBot:
        return TTPSMessengerBot(_client(self.fb_access_token, self.api_base_url,
                                        self.graph_api_version))
