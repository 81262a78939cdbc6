"""The language of a turn: chosen once when an action starts, kept in the slot `language`."""
from __future__ import annotations

from typing import List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from . import i18n
from .language import LOCALES, choose


def _hint(tracker: Tracker):
    """A channel's language hint: a button or channel payload carrying a language
    ("/greet{\"language\":\"zh-Hans\"}", sent by the WeChat channel when someone follows the
    account). Only a payload counts (a "language" the NLU finds in typed text is not a hint), and
    only before the conversation has a language of its own."""
    text = tracker.latest_message.get("text") or ""
    if not text.startswith("/"):
        return None
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == "language":
            return entity.get("value")
    return None


def begin_turn(tracker: Tracker) -> List[EventType]:
    """Choose the language of this turn and make it the one every sentence is rendered in.

    The conversation keeps its language (slot ``language``) and changes only when the latest
    message clearly shows another (actions/language.py); the turn of an explicit switch keeps
    the language just chosen. Returns the slot event when the language changes."""
    previous = tracker.get_slot("language")
    text = tracker.latest_message.get("text") or ""
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    if intent == "switch_language" and previous in LOCALES:
        lang = previous
    elif previous not in LOCALES and _hint(tracker) in LOCALES:
        lang = _hint(tracker)
    else:
        lang = choose(previous, text)
    i18n.use(lang)
    return [] if lang == previous else [SlotSet("language", lang)]
