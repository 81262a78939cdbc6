"""action_answer_faq: the ResponseSelector's topic, answered for the day asked about."""
import datetime as dt

import pytest
from rasa_sdk import Tracker

from actions import faq as A
from ttps_logic import faq

TODAY = dt.date(2026, 11, 25)   # as tests/actions/conftest.py fixes it


def faq_tracker(text, key="faq/fees", confidence=0.93):
    message = {"text": text, "intent": {"name": "faq", "confidence": 0.99}, "entities": [],
               "response_selector": {
                   "all_retrieval_intents": ["faq"],
                   "faq": {"response": {"responses": [{"text": key}],
                                        "confidence": confidence, "intent_response_key": key,
                                        "utter_action": f"utter_{key}"},
                           "ranking": []}}}
    return Tracker(sender_id="t", slots={}, latest_message=message, events=[], paused=False,
                   followup_action=None, active_loop={}, latest_action_name=None)


async def _run(tracker, dispatcher):
    return await A.ActionAnswerFaq().run(dispatcher, tracker, {})



async def test_answers_for_today(dispatcher):
    await _run(faq_tracker("how much does it cost?"), dispatcher)
    assert [m["text"] for m in dispatcher.messages] == [faq.answer("fees", TODAY)]



async def test_answers_for_a_year_asked_about(dispatcher):
    await _run(faq_tracker("what was the fee in 2024?"), dispatcher)
    text = dispatcher.messages[0]["text"]
    assert text.startswith("_Answer for 31 Dec 2024._")
    assert faq.answer("fees", dt.date(2024, 12, 31)) in text



async def test_a_year_with_a_change_says_so(dispatcher):
    await _run(faq_tracker("how long was the category A stay in 2024?", "faq/length_of_stay"),
               dispatcher)
    assert "This changed during 2024, on 16 Oct 2024" in dispatcher.messages[0]["text"]



async def test_a_day_asked_about(dispatcher):
    await _run(faq_tracker("and the fees on 25 Feb 2025?"), dispatcher)
    text = dispatcher.messages[0]["text"]
    assert text.startswith("_Answer for 25 Feb 2025._") and "HK$230" in text



async def test_low_confidence_lists_the_topics(dispatcher):
    await _run(faq_tracker("hmm?", confidence=0.05), dispatcher)
    assert dispatcher.messages[0]["text"] == faq.fallback()



async def test_unknown_key_lists_the_topics(dispatcher):
    await _run(faq_tracker("what about the moon?", key="faq/moon"), dispatcher)
    assert dispatcher.messages[0]["text"] == faq.fallback()


def test_topic_from_an_intent_typed_as_a_command():
    assert A.topic_of({"text": "/faq/quota", "intent": {"name": "faq/quota", "confidence": 1.0}}) \
        == ("quota", 1.0)


@pytest.mark.parametrize("text,expected", [
    ("what is the fee?", None),
    ("fees in 2023?", dt.date(2023, 12, 31)),
    ("fees in 2026?", TODAY),
    ("fees in 2028?", dt.date(2028, 1, 1)),
    ("fees in March 2025", dt.date(2025, 3, 31)),
    ("fees on 2025-02-26", dt.date(2025, 2, 26)),
    ("fees last year", dt.date(2025, 12, 31)),
])
def test_day_asked(text, expected):
    got = A.day_asked(text, TODAY)
    assert (got[0] if got else None) == expected
