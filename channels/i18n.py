"""The channels' own sentences in the three locales, and which locale to use for a person.

The assistant's replies come from the action server in the conversation's language. A channel
says a few things by itself: the apology when no reply comes (``channels/guard.py``), the note
that only text can be read (WeChat), and the numbered options that stand for buttons in
text-only channels (SMS, WhatsApp, WeChat). Those sentences live in ``channels/locales/
{en,zh-Hans,zh-Hant}.yaml``, read here; ``text(key, lang)`` returns one.

Which locale: ``actions.language.detect`` (pure stdlib, shared with the action server) tells the
locale a message clearly shows, or None ("2", "MIT"). ``LanguageMemory`` keeps the last clear
locale per person, from what they wrote and from what the bot answered, so a bare "2" still gets
the apology in the conversation's language. Like ``ButtonMemory`` it is in-process and bounded.
"""
from __future__ import annotations

import time
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Dict, Optional, Tuple

import yaml

from actions.language import LOCALES, detect

LOCALE_DIR = Path(__file__).resolve().parent / "locales"
DEFAULT = "en"


@lru_cache(maxsize=None)
def _strings(lang: str) -> Dict[str, Any]:
    with (LOCALE_DIR / f"{lang}.yaml").open(encoding="utf-8") as f:
        return yaml.safe_load(f) or {}


def supported(lang: Optional[str]) -> Optional[str]:
    return lang if lang in LOCALES else None


def text(key: str, lang: Optional[str]) -> str:
    """The sentence ``key`` ("apology", "options.line", ...) in ``lang`` (English if unknown)."""
    node: Any = _strings(supported(lang) or DEFAULT)
    for part in key.split("."):
        node = node[part]
    return str(node)


def language_of(message_text: Optional[str]) -> Optional[str]:
    """The locale ``message_text`` clearly shows, else None. Payloads ("/affirm") show none."""
    if not message_text or message_text.lstrip().startswith("/"):
        return None
    return supported(detect(message_text))


class LanguageMemory:
    """The last clear locale per person (bounded, least recently used forgotten first)."""

    def __init__(self, max_senders: int = 10_000, ttl_seconds: float = 7 * 24 * 3600,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.max_senders = int(max_senders)
        self.ttl_seconds = float(ttl_seconds)
        self._clock = clock
        self._entries: "OrderedDict[str, Tuple[float, str]]" = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def remember(self, sender_id: Any, lang: Optional[str]) -> None:
        if not supported(lang):
            return
        key = str(sender_id)
        self._entries[key] = (self._clock(), str(lang))
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_senders:
            self._entries.popitem(last=False)

    def get(self, sender_id: Any) -> Optional[str]:
        entry = self._entries.get(str(sender_id))
        if entry is None or self._clock() - entry[0] > self.ttl_seconds:
            return None
        return entry[1]

    def note(self, sender_id: Any, message_text: Optional[str]) -> Optional[str]:
        """Remember the locale ``message_text`` shows, if clear; return it."""
        lang = language_of(message_text)
        self.remember(sender_id, lang)
        return lang

    def choose(self, sender_id: Any, message_text: Optional[str] = None,
               default: str = DEFAULT) -> str:
        """The locale for something said to ``sender_id`` about ``message_text``: the one that
        text shows, else the one remembered, else ``default``."""
        return language_of(message_text) or self.get(sender_id) or supported(default) or DEFAULT


# One memory for the whole Rasa process: the guard and the connectors share it.
LANGUAGES = LanguageMemory()
