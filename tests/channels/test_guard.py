"""channels/guard.py: a message that gets no reply (the action server is down) gets an apology;
one that gets replies is left alone."""
import asyncio

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from channels.guard import answer_every_message, apology
from channels.i18n import LanguageMemory

APOLOGY = apology("en")


def _run(handler, text="hi", sender="someone", languages=None, default_lang="en"):
    out = CollectingOutputChannel()
    guarded = answer_every_message(handler, default_lang=default_lang,
                                   languages=languages if languages is not None
                                   else LanguageMemory())
    asyncio.run(guarded(UserMessage(text, out, sender)))
    return out.messages


async def silent(message):
    return None


def test_a_message_without_a_reply_gets_the_apology():
    # silent: what Rasa does when every custom action fails
    messages = _run(silent)
    assert [m["text"] for m in messages] == [APOLOGY]
    assert messages[0]["recipient_id"] == "someone"


def test_replies_go_through_untouched_and_no_apology_is_added():
    async def answers(message):
        assert message.output_channel.name() == "collector"   # per-channel responses still work
        await message.output_channel.send_response(message.sender_id, {"text": "Hello!"})
        await message.output_channel.send_response(message.sender_id, {"custom": {"data": {}}})
    messages = _run(answers)
    assert [m.get("text") for m in messages] == ["Hello!", None]


def test_a_failure_while_handling_gets_the_apology_not_a_traceback():
    async def fails(message):
        raise RuntimeError("tracker store unreachable")
    assert [m["text"] for m in _run(fails)] == [APOLOGY]


def test_the_wrapped_channel_is_still_readable():
    seen = {}

    async def reads(message):
        seen["messages"] = message.output_channel.messages   # CollectingOutputChannel's list
    _run(reads)
    assert seen["messages"] == [{"recipient_id": "someone", "text": APOLOGY}]


def test_the_apology_is_in_the_language_of_the_message():
    assert _run(silent, "我想申请高才通，请问我有资格吗")[0]["text"] == apology("zh-Hans")
    assert _run(silent, "我有冇資格申請高才通")[0]["text"] == apology("zh-Hant")
    assert _run(silent, "can I apply for the scheme please")[0]["text"] == APOLOGY
    assert apology("zh-Hans") != apology("zh-Hant") != APOLOGY
    assert "抱歉" in apology("zh-Hans") and "暫時" in apology("zh-Hant")


def test_an_unclear_message_gets_the_conversations_language():
    languages = LanguageMemory()

    async def answers_in_chinese(message):
        await message.output_channel.send_response(message.sender_id, {"text": "您好！请问您的年收入是多少？"})
    _run(answers_in_chinese, "hello", sender="p1", languages=languages)   # the bot answered in 简体
    assert _run(silent, "2", sender="p1", languages=languages)[0]["text"] == apology("zh-Hans")
    # someone else, nothing known: the channel's default
    assert _run(silent, "2", sender="p2", languages=languages,
                default_lang="zh-Hant")[0]["text"] == apology("zh-Hant")
    assert _run(silent, "/affirm", sender="p3", languages=languages)[0]["text"] == APOLOGY


# --- a message sent twice (same message_id) is handled once ------------------------------------

import pytest  # noqa: E402
from rasa.core.lock_store import InMemoryLockStore  # noqa: E402
from rasa.core.tracker_store import InMemoryTrackerStore  # noqa: E402
from rasa.shared.core.domain import Domain  # noqa: E402
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered  # noqa: E402

from channels.guard import (InvalidMessageId, MessageIdConflict, Outcome,  # noqa: E402
                            handle_once, message_id_of, recorded_turn)


class FakeAgent:
    """Agent and processor in one: handling a message records it and two replies (or none,
    as when the action server is down) and saves the tracker at the end, as Rasa does."""

    def __init__(self, replies=2):
        self.lock_store = InMemoryLockStore()
        self.tracker_store = InMemoryTrackerStore(Domain.empty())
        self.processor = self
        self.handled, self.replies = [], replies

    def is_ready(self):
        return True

    async def handle_message(self, message):
        self.handled.append(message.text)
        tracker = await self.tracker_store.get_or_create_tracker(message.sender_id)
        tracker.update(UserUttered(message.text, message_id=message.message_id))
        await asyncio.sleep(0.01)       # other requests run meanwhile
        for i in range(self.replies):
            text = f"reply {i + 1} to {message.text}"
            tracker.update(BotUttered(text))
            await message.output_channel.send_response(message.sender_id, {"text": text})
        tracker.update(ActionExecuted("action_listen"))
        await self.tracker_store.save(tracker)


class FakeApp:
    def __init__(self, agent):
        self.ctx = type("Ctx", (), {"agent": agent})()


def _send(app, text, message_id, sender="s1", on_new_message=silent):
    outcome, out = Outcome(), CollectingOutputChannel()
    handler = answer_every_message(handle_once(app, on_new_message, outcome),
                                   languages=LanguageMemory())
    return outcome, out, handler(UserMessage(text, out, sender, message_id=message_id))


def _say(app, text, message_id, **kw):
    outcome, out, coro = _send(app, text, message_id, **kw)
    asyncio.run(coro)
    return outcome.replayed, [m["text"] for m in out.messages]


def test_a_message_sent_again_gets_its_recorded_replies_and_is_not_handled_again():
    agent = FakeAgent()
    app = FakeApp(agent)
    first = _say(app, "hello", "m1")
    assert first == (False, ["reply 1 to hello", "reply 2 to hello"])
    _say(app, "HK$3M", "m2")
    assert _say(app, "hello", "m1") == (True, ["reply 1 to hello", "reply 2 to hello"])
    assert agent.handled == ["hello", "HK$3M"]
    assert _say(app, "HK$3M", "m2")[1] == ["reply 1 to HK$3M", "reply 2 to HK$3M"]


def test_two_tries_of_one_message_at_the_same_time_are_handled_once():
    agent = FakeAgent()
    app = FakeApp(agent)

    async def both():
        a, b = _send(app, "hi", "m1"), _send(app, "hi", "m1")
        await asyncio.gather(a[2], b[2])
        return [(o.replayed, [m["text"] for m in out.messages]) for o, out, _ in (a, b)]

    results = asyncio.run(both())
    assert agent.handled == ["hi"]
    assert sorted(r[0] for r in results) == [False, True]
    assert results[0][1] == results[1][1] == ["reply 1 to hi", "reply 2 to hi"]


def test_the_same_id_with_another_text_is_a_conflict():
    app = FakeApp(FakeAgent())
    _say(app, "hello", "m1")
    with pytest.raises(MessageIdConflict):
        _say(app, "goodbye", "m1")


def test_a_turn_recorded_without_replies_gets_the_apology_again():
    agent = FakeAgent(replies=0)      # the action server was down
    app = FakeApp(agent)
    assert _say(app, "hello", "m1") == (False, [APOLOGY])
    assert _say(app, "hello", "m1") == (True, [APOLOGY])
    assert agent.handled == ["hello"]


def test_without_a_loaded_agent_the_message_goes_to_rasa_as_before():
    seen = []

    async def rasa(message):
        seen.append(message.message_id)
    assert _say(FakeApp(None), "hi", "m1", on_new_message=rasa) == (False, [APOLOGY])
    assert seen == ["m1"]


def test_message_id_from_the_body_else_the_nginx_header():
    header = {"X-TTPS-Message-ID": "nginx-req-1"}
    assert message_id_of({"sender": "a", "message": "hi"}, {}) is None
    assert message_id_of({"message_id": "c-7"}, header) == "c-7"
    assert message_id_of({"message_id": 42}, {}) == "42"
    assert message_id_of({"message": "hi"}, header) == "nginx-req-1"
    for bad in ("", " ", "x" * 201, {"a": 1}, True, 1.5):
        with pytest.raises(InvalidMessageId):
            message_id_of({"message_id": bad}, {})


def test_recorded_turn_takes_the_replies_up_to_the_next_user_message():
    events = [UserUttered("a", message_id="1"), BotUttered("r1"), ActionExecuted("x"),
              BotUttered("r2"), ActionExecuted("action_listen"),
              UserUttered("b", message_id="2"), BotUttered("r3")]
    user, replies = recorded_turn(events, "1")
    assert user.text == "a" and [r.text for r in replies] == ["r1", "r2"]
    assert [r.text for r in recorded_turn(events, "2")[1]] == ["r3"]
    assert recorded_turn(events, "3") is None
