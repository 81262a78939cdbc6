"""Every sentence the assistant says, in the conversation's language.

The sentences live in ``actions/locales/{en,zh-Hans,zh-Hant}.yaml`` (nested keys, ``{name}``
placeholders filled with values passed in: amounts, dates, fees and links come from ttps_logic's
data, never from the locale files). ``t("form.ask.income", "zh-Hans")`` renders one; a key missing
in a locale falls back to English (and tests/actions/test_i18n.py fails on any missing key).

The language of the turn is held in a context variable set by each action when it starts
(``use(lang)``), so the validators and helpers shared by the actions render in it without
passing it through every call; ``t(key)`` without a language uses it. Each request of the
action server runs in its own task, with its own context.

Needs only PyYAML (both the action server's and Rasa's environments have it): the channel
connectors may render their sentences from the same files.
"""
from __future__ import annotations

import contextvars
import logging
import string
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

import yaml

from .language import DEFAULT, LOCALES

log = logging.getLogger(__name__)

LOCALE_DIR = Path(__file__).resolve().parent / "locales"
_current: contextvars.ContextVar[str] = contextvars.ContextVar("ttps_lang", default=DEFAULT)


def use(lang: Optional[str]) -> str:
    """Make ``lang`` the language of this turn (an unknown code means the default)."""
    lang = lang if lang in LOCALES else DEFAULT
    _current.set(lang)
    return lang


def current() -> str:
    return _current.get()


@lru_cache(maxsize=None)
def catalogue(lang: str) -> dict[str, Any]:
    """The locale file flattened to dotted keys."""
    with (LOCALE_DIR / f"{lang}.yaml").open(encoding="utf-8") as f:
        data = yaml.safe_load(f) or {}
    out: dict[str, Any] = {}

    def walk(prefix: str, node: Any) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(f"{prefix}.{k}" if prefix else str(k), v)
        else:
            out[prefix] = node
    walk("", data)
    return out


def raw(key: str, lang: Optional[str] = None) -> Any:
    """The entry for ``key`` (a string, or a list such as buttons), English when missing."""
    lang = lang if lang in LOCALES else current()
    table = catalogue(lang)
    if key in table:
        return table[key]
    if lang != DEFAULT:
        log.warning("locale %s has no %r; using English", lang, key)
    return catalogue(DEFAULT)[key]   # KeyError: a key missing in English is a bug


class _Values(dict):
    def __missing__(self, name: str) -> str:
        raise KeyError(f"no value for {{{name}}}")


def t(key: str, lang: Optional[str] = None, **values: Any) -> str:
    """The sentence ``key`` in ``lang`` (default: this turn's language), with its values."""
    text = raw(key, lang)
    if not isinstance(text, str):
        raise TypeError(f"{key} is not a sentence")
    return string.Formatter().vformat(text, (), _Values(values)) if values or "{" in text else text


def buttons(key: str, lang: Optional[str] = None, **values: Any) -> list[dict[str, str]]:
    """A list of buttons ({title, payload}) from the locale file."""
    items = raw(key, lang)
    if not values:   # payloads such as /switch_language{"language":"en"} hold braces
        return [{"title": b["title"], "payload": b["payload"]} for b in items]
    return [{"title": b["title"].format(**values), "payload": b["payload"].format(**values)}
            for b in items]


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}
