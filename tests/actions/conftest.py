import datetime as dt

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import facts as F
from actions import i18n

TODAY = dt.date(2026, 11, 25)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(F, "today", lambda: TODAY)


@pytest.fixture(autouse=True)
def english_until_said(monkeypatch):
    """Each test starts in English (the validators render in the language of the turn)."""
    i18n.use("en")
    yield
    i18n.use("en")


def make_tracker(slots=None, text="", intent="inform", entities=None, requested_slot=None,
                 active_loop=None, events=None):
    # a conversation in English unless the test says otherwise (slots={"language": ...})
    all_slots = {name: None for name in F.FACT_SLOTS + ["assessment"]}
    all_slots["language"] = "en"
    all_slots.update(slots or {})
    all_slots["requested_slot"] = requested_slot
    return Tracker(
        sender_id="test", slots=all_slots,
        latest_message={"text": text, "intent": {"name": intent, "confidence": 0.99},
                        "entities": entities or []},
        events=events or [], paused=False, followup_action=None,
        active_loop={"name": active_loop} if active_loop else {}, latest_action_name=None)


@pytest.fixture
def dispatcher():
    return CollectingDispatcher()
