"""channels/log_privacy.py in a process set up the way `rasa run` sets itself up: Rasa's own
configure_structlog first (INFO, JSON to stdout as under scripts/serve.sh), then the channels
package imported (as Rasa does when it loads credentials.yml), then Rasa's and Sanic's log
calls and warnings that carry message text, tokens or telephone numbers."""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SECRET_TEXT = "I'm Wong Siu Ming, HK$2.8M salary"

PROGRAM = r"""
import logging, sys
from rasa.utils.log_utils import configure_structlog
configure_structlog(logging.INFO)
import channels  # noqa: F401  - installs log_privacy, as when Rasa loads the connectors
import structlog
text = sys.argv[1]
rest = structlog.get_logger("rasa.core.channels.rest")
rest.error("rest.message.received.timeout", text=text)            # Rasa's REST channel
structlog.get_logger("rasa.shared.core.training_data.story_reader.yaml_story_reader").warning(
    "message.parsing.failed", user_text=text)                     # a /intent{...} that breaks
structlog.get_logger("rasa.core.processor").info("processor.slots.log", slot_values="income: 2800000")
structlog.get_logger("x").debug("debug.stays", text="debug text stays")   # DEBUG: not filtered
from sanic.log import error_logger
error_logger.setLevel(logging.ERROR)
error_logger.error("Exception occurred while handling uri: %r",
                   "http://127.0.0.1:5005/conversations/a/tracker?token=s3cr3t-T0KEN&include_events=ALL")
logging.getLogger("rasa.core.processor").warning(
    "Circuit breaker tripped. Stopped predicting more actions for sender 'whatsapp:+85291234567'.")
logging.getLogger("aiohttp").warning("Authorization: Bearer eyJhbGciOi.eyJ1c2VyIjp7.sig-nature")
try:
    raise ValueError("bad request to http://h/status?token=s3cr3t-T0KEN")
except ValueError:
    logging.getLogger("rasa.server").exception("request failed")
logging.getLogger("rasa.core.agent").info("Ignoring a message as there is no agent")
# Rasa's warnings.warn for "/" messages that are not well-formed /intent{...} (the real code path)
from rasa.shared.core.domain import Domain
from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
from rasa.shared.nlu.training_data.message import Message
domain = Domain.from_dict({"intents": ["inform"], "entities": ["income"]})
for typed in ['/inform{"income": "' + text + '"', '/inform{"income": "' + text + '"}trailing ' + text,
              '/' + text + '{"income": 1}', '/inform{"name": "' + text + '"}']:
    YAMLStoryReader.unpack_regex_message(Message({"text": typed}), domain)
print("done", flush=True)
"""


def _run():
    result = subprocess.run([sys.executable, "-c", PROGRAM, SECRET_TEXT], cwd=ROOT,
                            capture_output=True, text=True, timeout=300,
                            env={"PATH": "/usr/bin:/bin", "RASA_TELEMETRY_ENABLED": "false",
                                 "PYTHONWARNINGS": "ignore::DeprecationWarning", "PYTHONPATH": str(ROOT),
                                 "SQLALCHEMY_SILENCE_UBER_WARNING": "1"})
    assert result.returncode == 0 and "done" in result.stdout, result.stderr[-2000:]
    return result.stdout + result.stderr


def test_rasa_and_sanic_logs_and_warnings_carry_no_text_tokens_or_telephone_numbers():
    out = _run()
    for secret in (SECRET_TEXT, "Wong", "2.8M", "2800000", "s3cr3t-T0KEN", "91234567",
                   "eyJhbGciOi"):
        assert secret not in out, (secret, out)
    # what is left says what happened, without the content
    events = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    by_name = {e["event"]: e for e in events}
    assert by_name["rest.message.received.timeout"]["text"] == "[redacted]"
    assert by_name["message.parsing.failed"]["user_text"] == "[redacted]"
    assert by_name["processor.slots.log"]["slot_values"] == "[redacted]"
    assert "token=[redacted]&include_events=ALL" in out
    assert "sender 'whatsapp:+***67'" in out and "Bearer [redacted]" in out
    assert "ValueError: bad request to http://h/status?token=[redacted]" in out   # traceback too
    assert "Ignoring a message as there is no agent" in out                       # untouched
    assert "debug.stays" not in out    # DEBUG is below Rasa's level here: neither shown nor filtered
    assert out.count("Failed to parse arguments in line '[redacted]'") == 4, out
    assert "Continuing without [redacted]." in out


def test_redact_leaves_ordinary_text_alone():
    sys.path.insert(0, str(ROOT))
    from channels.log_privacy import redact, redact_event

    plain = "Loading model models/ttps-0123456789abcdef.tar.gz... 2026-12-01 port 5005"
    assert redact(plain) == plain
    assert redact_event(None, "debug", {"event": "x", "text": "kept at DEBUG"})["text"] == "kept at DEBUG"
    event = redact_event(None, "info", {"event": "x", "text": "secret", "sender_id": "abc"})
    assert event == {"event": "x", "text": "[redacted]", "sender_id": "abc"}
