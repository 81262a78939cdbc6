"""Slack: Rasa's connector, with replies in Slack's mrkdwn.

``credentials.yml``::

    channels.slack.TTPSSlackInput:
      slack_token: ${SLACK_BOT_TOKEN}                # xoxb-...
      slack_signing_secret: ${SLACK_SIGNING_SECRET}
      # slack_channel: ${SLACK_CHANNEL}              # optional: only answer in this channel

What changes compared with ``rasa.core.channels.slack``:

* Markdown becomes mrkdwn (*bold*, _italic_, <url|text>), with &, <, > escaped; a reply is
  split only when longer than a Slack text block (3000 characters), not at every paragraph.
* Buttons go in Block Kit ``actions`` blocks (up to 25 per block); Rasa's connector drops all
  buttons when there are more than 5, which loses the currency question's six choices.
* The result-card payload ``{"data": {"ttps_assessment": ...}}`` is dropped.
* No ``as_user`` argument: Slack refuses it from apps created today (classic apps only).
* ``api_base_url`` (tests only) sends Web API calls to another host.
"""
from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.slack import SlackBot, SlackInput
from sanic import Blueprint

from .formatting import is_card_payload, render, split_rendered, truncate
from .guard import answer_every_message

logger = logging.getLogger(__name__)

SECTION_LIMIT = 3000
ACTIONS_PER_BLOCK = 25
BUTTON_TEXT_LIMIT = 75
BUTTON_VALUE_LIMIT = 2000


class TTPSSlackBot(SlackBot):
    def __init__(self, token: Text, slack_channel: Optional[Text] = None,
                 thread_id: Optional[Text] = None, proxy: Optional[Text] = None, *,
                 api_base_url: Optional[Text] = None) -> None:
        super().__init__(token, slack_channel, thread_id, proxy)
        if api_base_url:
            self.client.base_url = api_base_url.rstrip("/") + "/"

    async def _post_message(self, channel: Text, **kwargs: Any) -> None:
        # ``as_user`` only works for classic Slack apps; apps created today get
        # "invalid_arguments" for it, and a bot token posts as the bot anyway.
        kwargs.pop("as_user", None)
        await super()._post_message(channel, **kwargs)

    def _pieces(self, text: Text) -> List[Text]:
        return split_rendered(text or "", SECTION_LIMIT, "slack")

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        recipient = self.slack_channel or recipient_id
        for piece in self._pieces(text):
            await self._post_message(channel=recipient, text=piece)

    async def send_text_with_buttons(self, recipient_id: Text, text: Text,
                                     buttons: List[Dict[Text, Any]], **kwargs: Any) -> None:
        recipient = self.slack_channel or recipient_id
        buttons = [b for b in buttons or [] if isinstance(b, dict) and b.get("payload")]
        pieces = self._pieces(text) or [" "]
        for piece in pieces[:-1]:
            await self._post_message(channel=recipient, text=piece)
        blocks: List[Dict[str, Any]] = [
            {"type": "section", "text": {"type": "mrkdwn", "text": pieces[-1]}}]
        for start in range(0, len(buttons), ACTIONS_PER_BLOCK):
            blocks.append({"type": "actions", "elements": [
                {"type": "button",
                 "text": {"type": "plain_text", "emoji": True,
                          "text": truncate(str(b.get("title") or b["payload"]), BUTTON_TEXT_LIMIT)},
                 "value": str(b["payload"])[:BUTTON_VALUE_LIMIT],
                 "action_id": f"ttps_button_{start + i}"}
                for i, b in enumerate(buttons[start:start + ACTIONS_PER_BLOCK])]})
        # ``text`` is the notification/fallback text: plain, without markup.
        await self._post_message(channel=recipient,
                                 text=truncate(render(text or "", "plain"), SECTION_LIMIT),
                                 blocks=blocks)

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any],
                               **kwargs: Any) -> None:
        if is_card_payload(json_message):
            logger.debug("Dropping the result-card payload for Slack (the text says it all)")
            return
        await super().send_custom_json(recipient_id, json_message, **kwargs)


class TTPSSlackInput(SlackInput):
    """Rasa's Slack input channel with TTPS formatting (see the module docstring)."""

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "TTPSSlackInput":
        if not credentials:
            cls.raise_missing_credentials_exception()
        channel = cls(
            credentials.get("slack_token"),
            credentials.get("slack_channel"),
            credentials.get("proxy"),
            credentials.get("slack_retry_reason_header", "x-slack-retry-reason"),
            credentials.get("slack_retry_number_header", "x-slack-retry-num"),
            credentials.get("errors_ignore_retry", None),
            credentials.get("use_threads", False),
            credentials.get("slack_signing_secret", ""),
            credentials.get("conversation_granularity", "sender"),
        )
        channel.api_base_url = credentials.get("api_base_url") or None
        return channel

    api_base_url: Optional[Text] = None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        return super().blueprint(answer_every_message(on_new_message))

    def get_output_channel(self, channel: Optional[Text] = None,
                           thread_id: Optional[Text] = None) -> TTPSSlackBot:
        channel = channel or self.slack_channel
        return TTPSSlackBot(self.slack_token, channel, thread_id, self.proxy,
                            api_base_url=self.api_base_url)
