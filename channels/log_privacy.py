"""Keep what people tell the assistant, and the API's secrets, out of the Rasa server's logs.

At its default level (INFO) Rasa 3.6 writes no message text, but some of its warnings and errors
do: the REST channel logs the message of a request that timed out or failed
(``rest.message.received.timeout`` / ``.failure``, ``text=...``), a ``/intent{...}`` message
whose JSON does not parse is logged with ``user_text=...``, and so on. Those are structlog
events, and Rasa names the fields that hold what people said (its ``_anonymizer`` list, which only
Rasa Pro acts on). Sanic's error log writes the URL of a failing request, and the HTTP API's
token travels in the URL (``?token=...``).

``install()`` (run when the ``channels`` package is imported, i.e. when Rasa loads the
connectors named in credentials.yml) adds three filters to the Rasa process:

* a structlog processor, first in Rasa's chain: in every event at INFO or above, the value of
  each field that holds message text, slots, entities or events is replaced by ``[redacted]``;
* a log-record factory (``logging.setLogRecordFactory``), so it applies to every logger and
  every handler, whenever added: in every record at INFO or above (its message and its
  traceback), API tokens in URLs (``token=...``), bearer tokens and telephone numbers (Twilio's
  sender ids, ``whatsapp:+852...``) are masked;
* a ``warnings.showwarning`` wrapper: Rasa writes some warnings with ``warnings.warn``, and those
  that quote the person's text ("Failed to parse arguments in line '/inform{...'", an external
  event's entities, a categorical slot's value) have it replaced, and secrets masked, too.

DEBUG is left alone: ``rasa run --debug`` (or LOG_LEVEL=DEBUG) writes every message, slot and
prediction, as Rasa documents; never run a public deployment at that level.

The action server does not import this: its code logs no text or facts (tests/e2e/test_security.py
reads both logs after whole conversations).
"""
from __future__ import annotations

import logging
import re
import warnings
from typing import Any, Callable, Dict

REDACTED = "[redacted]"

# Rasa's own list of the structlog fields that hold what people said or what was inferred from it
# (rasa.utils.log_utils._anonymizer), and the like.
SENSITIVE_FIELDS = frozenset({
    "text", "response_text", "user_text", "slot_values", "parse_data_text",
    "parse_data_entities", "prediction_events", "tracker_latest_message", "prefilled_slots",
    "message", "response", "slot_candidates", "rasa_event", "rasa_events", "tracker_states",
    "current_states", "old_states", "successes", "current_entity", "next_entity", "states",
    "entity", "token_text", "user_message", "json_message",
    # not in Rasa's list, same kind of content
    "slots", "slot_value", "value", "entities", "events", "tracker", "metadata", "body",
})

# Rasa's warnings (warnings.warn, written to stderr) that quote what the person typed: a message
# starting with "/" that is not a well-formed /intent{...} (rasa.shared.core.training_data.
# story_reader.yaml_story_reader), an external event's entities, a categorical slot's value.
_USER_TEXT_IN_WARNINGS = [
    (re.compile(r"(Failed to parse arguments in line ').*('\.\s*(?:Failed to|Expected))", re.S),
     r"\1" + REDACTED + r"\2"),
    (re.compile(r"(Continuing without )(?!entities\b|unknown entity types\b).+?(\.\s*)$", re.S),
     r"\1" + REDACTED + r"\2"),
    (re.compile(r"(but found ).*?(\.\s*Continuing with given line)", re.S), r"\1" + REDACTED + r"\2"),
    (re.compile(r"(Invalid entity specification: ).*(\. Assuming no entities)", re.S),
     r"\1" + REDACTED + r"\2"),
    (re.compile(r"(is set to a value \(').*?('\))", re.S), r"\1" + REDACTED + r"\2"),
]

_SECRETS = _USER_TEXT_IN_WARNINGS + [
    # ?token=... / &token=... (Rasa's HTTP API token in a URL), also URL-quoted in a repr
    (re.compile(r"((?:[?&]|%3F|%26)token(?:=|%3D))[^&\s'\"#]+", re.IGNORECASE), r"\1" + REDACTED),
    (re.compile(r"(Bearer\s+)[A-Za-z0-9._~+/=-]+"), r"\1" + REDACTED),
    # E.164 telephone numbers (Twilio's SMS and WhatsApp senders): keep the last two digits
    (re.compile(r"(?<![\w+])\+\d{6,13}(\d{2})\b"), r"+***\1"),
]


def redact(text: str) -> str:
    """``text`` with API tokens, bearer tokens, telephone numbers and the user text that Rasa's
    warnings quote masked."""
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


def redact_event(_logger: Any, method_name: str, event_dict: Dict[str, Any]) -> Dict[str, Any]:
    """structlog processor: drop the values of the fields that hold what people said (at INFO
    and above), and mask secrets in the other string values."""
    if method_name == "debug":
        return event_dict
    for key, value in list(event_dict.items()):
        if key in SENSITIVE_FIELDS:
            event_dict[key] = REDACTED
        elif isinstance(value, str):
            event_dict[key] = redact(value)
    return event_dict


def _redacting_factory(previous: Callable[..., logging.LogRecord]) -> Callable[..., logging.LogRecord]:
    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        if record.levelno < logging.INFO:
            return record
        try:
            message = record.getMessage()
        except Exception:   # noqa: BLE001 - a broken format string is logging's to report
            return record
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return record

    factory.ttps_redacting = True   # type: ignore[attr-defined]
    return factory


def _install_structlog_processor() -> bool:
    try:
        import structlog
    except ImportError:
        return False
    processors = structlog.get_config()["processors"]
    if redact_event in processors:
        return True
    if isinstance(processors, list):
        # In place: structlog hands this very list to every logger it has bound already
        # (Rasa configures structlog, and caches its loggers, before channels are imported).
        processors.insert(0, redact_event)
    else:
        structlog.configure(processors=[redact_event, *processors])
    return True


def _install_warning_filter() -> None:
    """Rasa's runtime warnings go through warnings.showwarning (to stderr, not logging)."""
    current = warnings.showwarning
    if getattr(current, "ttps_redacting", False):
        return

    def showwarning(message: Any, category: Any, filename: str, lineno: int,
                    file: Any = None, line: Any = None) -> None:
        text = str(message)
        clean = redact(text)
        if clean != text:
            message = clean
        current(message, category, filename, lineno, file, line)

    showwarning.ttps_redacting = True   # type: ignore[attr-defined]
    warnings.showwarning = showwarning


def install() -> None:
    """Install the filters in this process; idempotent, and again after structlog was
    configured anew."""
    current = logging.getLogRecordFactory()
    if not getattr(current, "ttps_redacting", False):
        logging.setLogRecordFactory(_redacting_factory(current))
    _install_structlog_processor()
    _install_warning_filter()
