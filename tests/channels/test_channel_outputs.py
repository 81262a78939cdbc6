"""The output channels, called the way Rasa calls them (``send_response``), with the platform
call replaced by a recorder. The end-to-end tests drive the same code through the real SDKs."""
import asyncio
import json

import pytest

from channels.buttons import TOKEN_PREFIX, ButtonMemory
from channels.facebook import TTPSFacebookInput, TTPSMessengerBot
from channels.slack import TTPSSlackBot, TTPSSlackInput
from channels.telegram import TTPSTelegramInput, TTPSTelegramOutput
from channels.twilio import TTPSTwilioInput, TTPSTwilioOutput

CARD = {"data": {"ttps_assessment": {"eligible_categories": ["A"]}}}
URL = "https://www.immd.gov.hk/eng/services/visas/TTPS.html"
GREETING = {"text": "Hello! I help with the **TTPS**.",
            "buttons": [{"title": "Check my eligibility", "payload": "/check_eligibility"},
                        {"title": "What are the categories?",
                         "payload": "What are categories A, B and C?"},
                        {"title": "Other visa schemes",
                         "payload": "What other schemes are there besides TTPS?"}]}
CURRENCIES = [{"title": c, "payload": c} for c in ("HKD", "RMB", "USD", "GBP", "EUR", "SGD")]


def run(coro):
    return asyncio.run(coro)


# --- Twilio ------------------------------------------------------------------------------------

@pytest.fixture
def twilio():
    out = TTPSTwilioOutput("AC" + "0" * 32, "secret", "+85230000000",
                           whatsapp_number="whatsapp:+14155238886", memory=ButtonMemory())
    out.sent = []

    async def record(data):
        out.sent.append(data)
        return object()

    out._send_message = record
    return out


def test_twilio_buttons_become_numbered_options(twilio):
    run(twilio.send_response("+85291234567", dict(GREETING)))
    assert [m["body"] for m in twilio.sent] == [
        "Hello! I help with the TTPS.\n\nReply 1 for Check my eligibility, 2 for What are the "
        "categories, 3 for Other visa schemes."]
    assert twilio.sent[0]["from_"] == "+85230000000" and twilio.sent[0]["to"] == "+85291234567"
    assert twilio.memory.resolve("+85291234567", "2") == "What are categories A, B and C?"


def test_twilio_card_payload_is_dropped_not_sent(twilio):
    run(twilio.send_response("+85291234567", {"text": "**Your TTPS result**", "custom": CARD}))
    assert [m["body"] for m in twilio.sent] == ["Your TTPS result"]
    run(twilio.send_custom_json("+85291234567", {"unknown": 1}))  # not a Twilio message either
    run(twilio.send_custom_json("+85291234567", {"body": "raw"}))  # a valid one goes through
    assert [m["body"] for m in twilio.sent] == ["Your TTPS result", "raw"]


def test_twilio_whatsapp_formatting_and_sender(twilio):
    run(twilio.send_response("whatsapp:+85291234567",
                             {"text": f"No. You **don't need a job offer**. [ImmD]({URL})"}))
    msg = twilio.sent[0]
    assert msg["from_"] == "whatsapp:+14155238886" and msg["to"] == "whatsapp:+85291234567"
    assert msg["body"] == f"No. You *don't need a job offer*. ImmD ({URL})"
    twilio.whatsapp_number = None
    assert twilio.sender_for("whatsapp:+852") == "whatsapp:+85230000000"


def test_twilio_long_answer_is_split_at_boundaries(twilio):
    paragraph = "This sentence explains one more thing about the scheme. " * 6
    run(twilio.send_response("+85291234567", {"text": "\n\n".join([paragraph] * 8)}))
    bodies = [m["body"] for m in twilio.sent]
    assert 1 < len(bodies) < 8  # packed, not one SMS per paragraph
    assert all(len(b) <= 1500 and b.endswith(".") for b in bodies)


def test_twilio_input_credentials():
    channel = TTPSTwilioInput.from_credentials({
        "account_sid": "AC1", "auth_token": "t", "twilio_number": "+1", "validate_signature":
        "false", "api_base_url": "http://127.0.0.1:1/twilio", "button_memory_size": 7})
    assert channel.validate_signature is False and channel.memory.max_senders == 7
    out = channel.get_output_channel()
    assert isinstance(out, TTPSTwilioOutput) and out.memory is channel.memory
    assert TTPSTwilioInput.from_credentials({"account_sid": "AC1", "auth_token": "t"}
                                            ).validate_signature is True


# --- Telegram ----------------------------------------------------------------------------------

@pytest.fixture
def telegram():
    out = TTPSTelegramOutput("123456:TEST-token", memory=ButtonMemory())
    out.sent = []

    async def record(chat_id, text, **kwargs):
        out.sent.append({"chat_id": chat_id, "text": text, **kwargs})

    out.send_message = record
    return out


def _titles(markup):
    data = json.loads(markup.as_json())
    rows = data.get("inline_keyboard") or data.get("keyboard")
    return [[b["text"] for b in row] for row in rows], data


def test_telegram_inline_keyboard_with_payloads(telegram):
    run(telegram.send_response("42", dict(GREETING)))
    (msg,) = telegram.sent
    assert msg["text"] == "Hello! I help with the <b>TTPS</b>." and msg["parse_mode"] == "HTML"
    titles, data = _titles(msg["reply_markup"])
    assert titles == [["Check my eligibility"], ["What are the categories?"],
                      ["Other visa schemes"]]
    assert data["inline_keyboard"][0][0]["callback_data"] == "/check_eligibility"


def test_telegram_reply_keyboard_and_long_payloads(telegram):
    telegram.button_type = "reply"
    run(telegram.send_response("42", {"text": "Which currency?", "buttons": CURRENCIES}))
    titles, data = _titles(telegram.sent[0]["reply_markup"])
    assert titles == [["HKD", "RMB", "USD"], ["GBP", "EUR", "SGD"]]
    assert data["one_time_keyboard"] is True
    assert telegram.memory.resolve("42", "gbp") == "GBP"

    telegram.button_type = "inline"
    long_payload = "/inform" + '{"university": "' + "x" * 80 + '"}'
    run(telegram.send_response("42", {"text": "Pick", "buttons": [
        {"title": "Long", "payload": long_payload}]}))
    _, data = _titles(telegram.sent[1]["reply_markup"])
    token = data["inline_keyboard"][0][0]["callback_data"]
    assert token == f"{TOKEN_PREFIX}1"
    assert telegram.memory.resolve("42", token, numbers=False) == long_payload


def test_telegram_drops_card_and_splits_at_4096(telegram):
    text = "\n\n".join(["**Heading** " + "word " * 300] * 5)
    run(telegram.send_response("42", {"text": text, "custom": CARD}))
    assert 1 < len(telegram.sent) < 5
    assert all(len(m["text"]) <= 4096 for m in telegram.sent)
    assert all("ttps_assessment" not in m["text"] for m in telegram.sent)


def test_telegram_input_credentials_and_single_output():
    channel = TTPSTelegramInput.from_credentials({
        "access_token": "123456:TEST-token", "verify": "ttps_bot", "webhook_url": "https://x/y",
        "api_base_url": "http://127.0.0.1:9/telegram", "secret_token": "s3cret"})
    out = channel.get_output_channel()
    assert out is channel.get_output_channel()
    assert out.server.api_url("T", "getMe") == "http://127.0.0.1:9/telegram/botT/getMe"
    assert out.secret_token == "s3cret" and channel.name() == "telegram"


# --- Slack -------------------------------------------------------------------------------------

@pytest.fixture
def slack():
    out = TTPSSlackBot("xoxb-test", api_base_url="http://127.0.0.1:9/slack/api")
    out.sent = []

    async def record(channel, **kwargs):
        out.sent.append({"channel": channel, **kwargs})

    out._post_message = record
    return out


def test_slack_keeps_all_buttons_and_uses_mrkdwn(slack):
    run(slack.send_response("D1", {"text": "(1/5) **Which** currency?", "buttons": CURRENCIES,
                                   "custom": CARD}))
    (msg,) = slack.sent
    section, actions = msg["blocks"]
    assert section["text"] == {"type": "mrkdwn", "text": "(1/5) *Which* currency?"}
    assert [e["value"] for e in actions["elements"]] == [b["payload"] for b in CURRENCIES]
    assert msg["text"] == "(1/5) Which currency?"
    assert slack.client.base_url == "http://127.0.0.1:9/slack/api/"


def test_slack_input_credentials():
    channel = TTPSSlackInput.from_credentials({"slack_token": "xoxb-1",
                                               "slack_signing_secret": "s",
                                               "api_base_url": "http://h/api"})
    assert isinstance(channel.get_output_channel("C1"), TTPSSlackBot)
    assert channel.get_output_channel("C1").client.base_url == "http://h/api/"


# --- Facebook ----------------------------------------------------------------------------------

@pytest.fixture
def messenger():
    channel = TTPSFacebookInput.from_credentials({"verify": "v", "secret": "s",
                                                  "page-access-token": "p",
                                                  "api_base_url": "http://h/facebook/"})
    out = channel.get_output_channel()
    assert isinstance(out, TTPSMessengerBot) and out.messenger_client.graph_url == "http://h/facebook"
    out.sent = []
    out.messenger_client.send = lambda payload, rid, kind: out.sent.append((rid, payload)) or {}
    return out


def test_messenger_quick_replies_plain_text_and_no_card(messenger):
    run(messenger.send_response("PSID", {**GREETING, "custom": CARD}))
    ((rid, payload),) = messenger.sent
    assert rid == "PSID" and payload["text"] == "Hello! I help with the TTPS."
    assert [q["title"] for q in payload["quick_replies"]] == [
        "Check my eligibility", "What are the catego…", "Other visa schemes"]
    assert payload["quick_replies"][1]["payload"] == "What are categories A, B and C?"
