"""credentials.yml and credentials.channels.yml, read by Rasa's own loader (with its ${VAR}
substitution) and turned into input channels the way `rasa run` does. No network: building the
connectors makes no platform call (the Telegram webhook is registered only once a server runs)."""
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENV = {
    "TELEGRAM_TOKEN": "123456:TEST-token", "TELEGRAM_BOT_USERNAME": "ttps_bot",
    "TELEGRAM_WEBHOOK_URL": "https://bot.example.org/webhooks/telegram/webhook",
    "TELEGRAM_SECRET_TOKEN": "s3cret", "TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
    "TWILIO_AUTH_TOKEN": "tw-token", "TWILIO_NUMBER": "whatsapp:+14155238886",
    "TWILIO_WEBHOOK_URL": "https://bot.example.org/webhooks/twilio/webhook",
    "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "slack-secret",
    "FB_VERIFY_TOKEN": "fb-verify", "FB_APP_SECRET": "fb-secret", "FB_PAGE_ACCESS_TOKEN": "fb-page",
    "WECHAT_APP_ID": "wx0123456789abcdef", "WECHAT_APP_SECRET": "wechat-secret",
    "WECHAT_TOKEN": "wechat-token",
}
CHANNEL_KEYS = ["channels.telegram.TTPSTelegramInput", "channels.twilio.TTPSTwilioInput",
                "channels.slack.TTPSSlackInput", "channels.facebook.TTPSFacebookInput",
                "channels.wechat.TTPSWeChatInput"]


@pytest.fixture
def env(monkeypatch):
    for k, v in ENV.items():
        monkeypatch.setenv(k, v)


def _read(path):
    from rasa.shared.utils.io import read_config_file
    return read_config_file(path)


def _uncommented(tmp_path):
    """credentials.yml with its commented channel blocks switched on."""
    lines = []
    for line in (ROOT / "credentials.yml").read_text().splitlines():
        m = re.match(r"^# (\S.*|\s+\S.*)$", line)
        if m and re.match(r"^(channels\.|  [a-z_-]+:)", m.group(1)):
            lines.append(m.group(1))
        elif not line.startswith("#"):
            lines.append(line)
    out = tmp_path / "credentials.uncommented.yml"
    out.write_text("\n".join(lines) + "\n")
    return out


REST, SOCKETIO = "channels.guard.TTPSRestInput", "channels.guard.TTPSSocketIOInput"


def test_default_credentials_have_only_rest_and_socketio():
    creds = _read(ROOT / "credentials.yml")
    assert list(creds) == [REST, SOCKETIO]
    assert creds[REST] is None
    assert creds[SOCKETIO] == {"user_message_evt": "user_uttered",
                               "bot_message_evt": "bot_uttered", "session_persistence": True}


def test_rest_and_socketio_are_rasas_own_with_the_guard():
    # same names, hence the same URLs (/webhooks/rest/webhook, /socket.io) as Rasa's channels
    from rasa.core.run import create_http_input_channels
    from channels.guard import TTPSRestInput, TTPSSocketIOInput
    channels = create_http_input_channels(None, str(ROOT / "credentials.yml"))
    assert [type(c) for c in channels] == [TTPSRestInput, TTPSSocketIOInput]
    assert [c.name() for c in channels] == ["rest", "socketio"]
    assert channels[1].session_persistence is True


def test_channels_file_is_the_default_plus_the_channels(env):
    creds = _read(ROOT / "credentials.channels.yml")
    default = _read(ROOT / "credentials.yml")
    assert list(creds) == [REST, SOCKETIO] + CHANNEL_KEYS
    assert {k: creds[k] for k in default} == default
    assert creds["channels.telegram.TTPSTelegramInput"]["access_token"] == ENV["TELEGRAM_TOKEN"]
    assert creds["channels.facebook.TTPSFacebookInput"]["page-access-token"] == "fb-page"


def test_commented_blocks_match_the_channels_file(env, tmp_path):
    assert _read(_uncommented(tmp_path)) == _read(ROOT / "credentials.channels.yml")


@pytest.mark.parametrize("name", ["credentials.yml", "credentials.channels.yml"])
def test_every_channel_value_is_an_environment_variable(name):
    text = (ROOT / name).read_text()
    for line in text.splitlines():
        m = re.match(r"^#?\s+([a-z_-]+):\s*(\S+)", line)
        if m and m.group(1) not in ("user_message_evt", "bot_message_evt", "session_persistence"):
            assert re.fullmatch(r"\$\{[A-Z][A-Z0-9_]*\}", m.group(2)), line


def test_rasa_builds_our_connectors_from_the_channels_file(env):
    from rasa.core.run import create_http_input_channels
    from channels.facebook import TTPSFacebookInput
    from channels.slack import TTPSSlackInput
    from channels.telegram import TTPSTelegramInput
    from channels.twilio import TTPSTwilioInput
    from channels.wechat import TTPSWeChatInput

    channels = create_http_input_channels(None, str(ROOT / "credentials.channels.yml"))
    by_type = {type(c): c for c in channels}
    telegram, twilio = by_type[TTPSTelegramInput], by_type[TTPSTwilioInput]
    assert {c.name() for c in channels} == {"rest", "socketio", "telegram", "twilio", "slack",
                                            "facebook", "wechat"}
    assert telegram.secret_token == "s3cret" and telegram.api_base_url is None
    assert telegram.webhook_url == ENV["TELEGRAM_WEBHOOK_URL"]
    assert twilio.validate_signature and twilio.webhook_url == ENV["TWILIO_WEBHOOK_URL"]
    assert twilio.get_output_channel().sender_for("whatsapp:+852") == "whatsapp:+14155238886"
    assert by_type[TTPSSlackInput].slack_signing_secret == "slack-secret"
    assert by_type[TTPSFacebookInput].fb_secret == "fb-secret"
    assert telegram.get_output_channel().server.base.startswith("https://api.telegram.org/")
    wechat = by_type[TTPSWeChatInput]
    assert wechat.settings.token == "wechat-token" and wechat.settings.app_id == ENV["WECHAT_APP_ID"]
    assert wechat.api.base_url == "https://api.weixin.qq.com" and wechat.crypto is None


def test_a_missing_variable_stops_rasa_with_its_name(env, monkeypatch):
    from rasa.shared.exceptions import RasaException
    monkeypatch.delenv("SLACK_SIGNING_SECRET")
    with pytest.raises(RasaException, match="SLACK_SIGNING_SECRET"):
        _read(ROOT / "credentials.channels.yml")
