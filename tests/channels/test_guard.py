"""channels/guard.py: a message that gets no reply (the action server is down) gets an apology;
one that gets replies is left alone."""
import asyncio

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from channels.guard import APOLOGY, answer_every_message


def _run(handler, text="hi"):
    out = CollectingOutputChannel()
    asyncio.run(answer_every_message(handler)(UserMessage(text, out, "someone")))
    return out.messages


def test_a_message_without_a_reply_gets_the_apology():
    async def silent(message):       # what Rasa does when every custom action fails
        return None
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
