"""action_answer_faq: answers a question about the scheme from ttps_logic.faq, for the day the
question is about (a year or date in the message, e.g. "what was the fee in 2024?"), or today.

The ResponseSelector of the retrieval intent `faq` picks the topic; the domain's utter_faq/*
responses are only its training labels (one-line titles) and are never uttered.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from ttps_logic import faq

from . import facts as F
from .actions import keep_stated_facts
from .i18n import current, t
from .turn import begin_turn
from .parsing import parse_date

# Below this confidence of the ResponseSelector the topic is not trusted: list the topics.
MIN_CONFIDENCE = 0.2

_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
          r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_YEAR = r"(?:19|20)\d\d"
# Explicit mentions of a day, a month or a year, longest first; only these are read as the day
# asked about (a question rarely holds any other date).
_DATE_PATTERNS = [
    rf"\b{_YEAR}-\d\d-\d\d\b",
    rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\.?,?\s+{_YEAR}\b",
    rf"\b{_MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+{_YEAR}\b",
    rf"\b{_MONTH}\.?\s+{_YEAR}\b",
    rf"{_YEAR}年\d{{1,2}}月(?:\d{{1,2}}[日号號])?",
    rf"\b(?:last|this|next) year\b",
    r"去年|今年|明年",
    rf"{_YEAR}(?=年)",
    rf"\b{_YEAR}\b",
]


def topic_of(message: dict[str, Any]) -> tuple[Optional[str], float]:
    """The FAQ topic the ResponseSelector chose ("fees" for "faq/fees") and its confidence."""
    selector = (message.get("response_selector") or {}).get("faq") or {}
    response = selector.get("response") or {}
    key = response.get("intent_response_key")
    confidence = float(response.get("confidence") or 0.0)
    if not key:
        # "/faq/fees" typed as an intent (buttons, tests): the intent names the topic
        name = (message.get("intent") or {}).get("name") or ""
        if name.startswith("faq/"):
            key, confidence = name, float((message.get("intent") or {}).get("confidence") or 1.0)
    if not key or not key.startswith("faq/"):
        return None, 0.0
    return key.split("/", 1)[1], confidence


def _period(text: str, today: dt.date) -> Optional[tuple[dt.date, dt.date, str]]:
    """The first explicit day, month or year in ``text``: (first day, last day, as said)."""
    low = text.lower()
    for pattern in _DATE_PATTERNS:
        m = re.search(pattern, low)
        if not m:
            continue
        d = parse_date(m.group(0), today)
        if d is None:
            continue
        if d.day is not None:
            day = dt.date(d.year, d.month, d.day)
            return day, day, faq.day_text(day)
        if d.month is not None:
            first = dt.date(d.year, d.month, 1)
            nxt = dt.date(d.year + d.month // 12, d.month % 12 + 1, 1)
            return first, nxt - dt.timedelta(days=1), t("faq.month", month_name=f"{first:%B}",
                                                          month=first.month, year=first.year)
        return dt.date(d.year, 1, 1), dt.date(d.year, 12, 31), str(d.year)
    return None


def day_asked(text: str, today: dt.date) -> Optional[tuple[dt.date, dt.date, dt.date, str]]:
    """(the day answered for, first and last day of the period said, the period as said), or
    None when the message names no date. A period containing today is answered for today; a
    past one for its last day; a future one for its first day."""
    found = _period(text or "", today)
    if found is None:
        return None
    first, last, said = found
    if first <= today <= last:
        day = today
    elif last < today:
        day = last
    else:
        day = first
    return day, first, last, said


def faq_text(message: dict[str, Any], today: dt.date, lang: str = "en") -> str:
    """The whole reply to a FAQ message, in ``lang``."""
    key, confidence = topic_of(message)
    if key not in faq.topics() or confidence < MIN_CONFIDENCE:
        return faq.fallback(lang)
    asked = day_asked(message.get("text") or "", today)
    if asked is None:
        return faq.answer(key, today, lang)
    day, first, last, said = asked
    text = faq.answer(key, day, lang)
    changes = faq.changes_during(key, first, last) if first != last else []
    return f"{faq.as_of_note(day, said, changes, lang)}\n{text}"


class ActionAnswerFaq(Action):
    def name(self) -> str:
        return "action_answer_faq"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        events = begin_turn(tracker)
        dispatcher.utter_message(text=faq_text(tracker.latest_message, F.today(), current()))
        return events + keep_stated_facts(tracker, dispatcher)
