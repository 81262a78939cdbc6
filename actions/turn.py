"""The language of a turn: chosen once when an action starts, kept in the slot `language`."""
from __future__ import annotations

from typing import List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from . import i18n
from .language import LOCALES, choose


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
    else:
        lang = choose(previous, text)
    i18n.use(lang)
    return [] if lang == previous else [SlotSet("language", lang)]
