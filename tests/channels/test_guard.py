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
