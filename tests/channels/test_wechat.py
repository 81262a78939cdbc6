"""channels/wechat.py without Rasa: signatures, XML in and out, safe mode, the 5-second rule,
retried deliveries, splitting, numbered options, the guard. ``receive`` is driven as the webhook
drives it, with a stand-in for Rasa (``on_new_message``) and a recorder for the customer-service
API; the API client itself is tested against the local fake WeChat API (fake_platforms.py)."""
import asyncio
import hashlib
import logging
import time
import uuid

import pytest
import xmltodict
from wechatpy.crypto import WeChatCrypto

from channels.guard import apology
from channels.i18n import LanguageMemory, text as say
from channels.wechat import (TEXT_LIMIT, BadRequest, Deliveries, TTPSWeChatInput, WeChatAPI,
                             check_signature, parse, signature, split_message, utf8_len)
from fake_platforms import WECHAT_APP_ID, WECHAT_APP_SECRET, FakePlatforms

TOKEN = "wechat-test-token"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"     # 43 characters, as WeChat gives it
ACCOUNT = "gh_0123456789ab"
CARD = {"data": {"ttps_assessment": {"eligible_categories": ["A"]}}}


def run(coro):
    return asyncio.run(coro)


def signed(token=TOKEN, timestamp=None, nonce=None):
    timestamp = str(int(time.time()) if timestamp is None else timestamp)
    nonce = nonce or uuid.uuid4().hex[:10]
    raw = "".join(sorted([token, timestamp, nonce]))
    return {"signature": hashlib.sha1(raw.encode()).hexdigest(), "timestamp": timestamp,
            "nonce": nonce}


def text_xml(content, sender="oUser1234567890", msg_id=None, kind="text", extra=""):
    msg_id = msg_id or str(uuid.uuid4().int % 10**18)
    body = (f"<Content><![CDATA[{content}]]></Content>" if kind == "text" else extra)
    return (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
            f"<FromUserName><![CDATA[{sender}]]></FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[{kind}]]></MsgType>"
            f"{body}<MsgId>{msg_id}</MsgId></xml>").encode()


def event_xml(event, sender="oUser1234567890", key=""):
    return (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
            f"<FromUserName><![CDATA[{sender}]]></FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
            f"<Event><![CDATA[{event}]]></Event><EventKey><![CDATA[{key}]]></EventKey>"
            f"</xml>").encode()


class RecordingAPI:
    def __init__(self):
        self.sent = []

    async def send_text(self, openid, content):
        self.sent.append((openid, content))
        return True


class Bot:
    """Stands in for Rasa: answers each message with ``replies`` after ``delay`` seconds."""

    def __init__(self, *replies, delay=0.0):
        self.replies, self.delay, self.seen = list(replies), delay, []

    async def __call__(self, message):
        self.seen.append(message.text)
        if self.delay:
            await asyncio.sleep(self.delay)
        for reply in self.replies:
            await message.output_channel.send_response(message.sender_id, dict(reply))


def channel(**kw):
    kw.setdefault("languages", LanguageMemory())
    ch = TTPSWeChatInput(WECHAT_APP_ID, WECHAT_APP_SECRET, TOKEN, **kw)
    ch.api = RecordingAPI()
    return ch


def xml_of(body):
    return xmltodict.parse(body)["xml"]


async def settle(ch):
    """Wait for the messages still being handled after the HTTP answer."""
    while ch._tasks:
        await asyncio.gather(*list(ch._tasks))
    await asyncio.sleep(0)


# --- signatures ----------------------------------------------------------------------------------

def test_signature_is_sha1_of_the_sorted_strings():
    assert signature("tok", "1700000000", "abc") == hashlib.sha1(
        "".join(sorted(["tok", "1700000000", "abc"])).encode()).hexdigest()


def test_check_signature_refuses_wrong_missing_and_stale():
    check_signature(TOKEN, signed())
    for args in (signed(token="other"), {**signed(), "signature": "0" * 40}, {},
                 {k: v for k, v in signed().items() if k != "nonce"},
                 signed(timestamp=int(time.time()) - 3600)):
        with pytest.raises(BadRequest) as e:
            check_signature(TOKEN, args)
        assert e.value.status == 403
    check_signature(TOKEN, signed(timestamp=int(time.time()) - 3600), max_age=0)  # check off


def test_url_verification_returns_echostr_only_when_signed():
    ch = channel()
    assert ch.verify_url({**signed(), "echostr": "8412345"}) == (200, "8412345")
    assert ch.verify_url({**signed(token="x"), "echostr": "8412345"})[0] == 403
    assert ch.verify_url({"echostr": "8412345"})[0] == 403
    assert ch.verify_url(signed())[0] == 400


# --- XML ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("body", [b"", b"not xml", b"<xml><MsgType>text</MsgType>",
                                  b"<xml>text</xml>", b"<other><a>1</a></other>",
                                  b"<xml><MsgType>text</MsgType><Content>hi</Content></xml>",
                                  b"\xff\xfe<xml/>"])
def test_malformed_or_foreign_xml_is_a_400(body):
    with pytest.raises(BadRequest) as e:
        parse(body)
    assert e.value.status == 400


def test_parse_reads_text_voice_and_events():
    assert parse(text_xml("你好")).content == "你好"
    voice = parse(text_xml("", kind="voice", extra="<MediaId>m</MediaId><Format>amr</Format>"
                                                   "<Recognition>我想申请高才通</Recognition>"))
    assert voice.recognition == "我想申请高才通"
    assert parse(event_xml("subscribe")).event == "subscribe"


def test_entities_in_the_xml_are_not_expanded():
    evil = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "EXPANDED">]>'
            + text_xml("&e;")[len(b""):])
    try:
        message = parse(evil)
    except BadRequest:
        return                                  # refused outright: fine too
    assert "EXPANDED" not in (message.content or "")


# --- the passive reply and the customer-service API ---------------------------------------------

def test_a_quick_answer_is_the_passive_reply():
    ch, bot = channel(), Bot({"text": "Hello! I help with the **TTPS**. [ImmD](https://a.example/x)"})
    status, body, ctype = run(ch.receive(signed(), text_xml("hello"), bot))
    reply = xml_of(body)
    assert (status, ctype) == (200, "application/xml")
    assert reply["ToUserName"] == "oUser1234567890" and reply["FromUserName"] == ACCOUNT
    assert reply["MsgType"] == "text"
    assert reply["Content"] == "Hello! I help with the TTPS. ImmD (https://a.example/x)"
    assert bot.seen == ["hello"] and ch.api.sent == []


def test_several_messages_are_joined_in_one_passive_reply_and_the_card_is_dropped():
    ch = channel()
    bot = Bot({"text": "**Your TTPS result**"}, {"custom": CARD}, {"text": "Category A: eligible."})
    _, body, _ = run(ch.receive(signed(), text_xml("yes"), bot))
    assert xml_of(body)["Content"] == "Your TTPS result\n\nCategory A: eligible."
    assert "ttps_assessment" not in body


def test_a_reply_too_long_for_one_message_goes_through_the_api_in_pieces():
    ch = channel()
    paragraph = "这句话解释了关于该计划的另一件事情。" * 12
    bot = Bot({"text": "\n\n".join([paragraph] * 6)}, {"text": "最后一条。"})

    async def go():
        result = await ch.receive(signed(), text_xml("详细说明"), bot)
        await settle(ch)
        return result

    assert run(go()) == (200, "success", "text/plain")
    contents = [c for _, c in ch.api.sent]
    assert len(contents) >= 3 and all(utf8_len(c) <= TEXT_LIMIT for c in contents)
    assert contents[-1] == "最后一条。" and all(c.endswith("。") for c in contents)
    assert "".join(contents).count("这句话") == 72


def test_a_slow_answer_gets_success_then_the_api_in_order():
    ch = channel(passive_timeout=0.05)
    bot = Bot({"text": "one"}, {"text": "two"}, {"text": "three"}, delay=0.3)

    async def go():
        started = time.monotonic()
        result = await ch.receive(signed(), text_xml("hello"), bot)
        answered = time.monotonic() - started
        assert ch.api.sent == []                 # nothing yet: Rasa is still working
        await settle(ch)
        return result, answered

    (status, body, _), answered = run(go())
    assert (status, body) == (200, "success") and answered < 0.25
    assert ch.api.sent == [("oUser1234567890", "one"), ("oUser1234567890", "two"),
                           ("oUser1234567890", "three")]


def test_replies_kept_before_the_timeout_are_sent_before_later_ones():
    ch = channel(passive_timeout=0.05)

    async def bot(message):
        await message.output_channel.send_response(message.sender_id, {"text": "first"})
        await asyncio.sleep(0.2)
        await message.output_channel.send_response(message.sender_id, {"text": "second"})

    async def go():
        result = await ch.receive(signed(), text_xml("hi"), bot)
        await settle(ch)
        return result

    assert run(go())[1] == "success"
    assert [c for _, c in ch.api.sent] == ["first", "second"]


# --- retried deliveries ---------------------------------------------------------------------------

def test_a_retried_message_is_answered_the_same_and_handled_once():
    ch, bot = channel(), Bot({"text": "Hello!"})
    xml = text_xml("hello", msg_id="6789012345678901234")

    async def go():
        first = await ch.receive(signed(), xml, bot)
        second = await ch.receive(signed(), xml, bot)   # WeChat's retry: new nonce, same MsgId
        return first, second

    first, second = run(go())
    assert bot.seen == ["hello"] and first == second and "Hello!" in first[1]


def test_a_retry_while_the_first_is_still_slow_is_not_handled_again():
    ch = channel(passive_timeout=0.05)
    bot = Bot({"text": "done"}, delay=0.3)
    xml = text_xml("hello", msg_id="1111")

    async def go():
        answers = await asyncio.gather(ch.receive(signed(), xml, bot),
                                       ch.receive(signed(), xml, bot),
                                       ch.receive(signed(), xml, bot))
        await settle(ch)
        return answers

    answers = run(go())
    assert [a[1] for a in answers] == ["success"] * 3
    assert bot.seen == ["hello"] and ch.api.sent == [("oUser1234567890", "done")]


def test_when_wechat_stops_waiting_the_retry_gets_the_answer():
    ch = channel(passive_timeout=5)
    bot = Bot({"text": "late"}, delay=0.2)
    xml = text_xml("hello", msg_id="2222")

    async def go():
        first = asyncio.get_running_loop().create_task(ch.receive(signed(), xml, bot))
        await asyncio.sleep(0.05)
        first.cancel()                                   # the connection was closed
        with pytest.raises(asyncio.CancelledError):
            await first
        retry = await ch.receive(signed(), xml, bot)
        await settle(ch)
        return retry

    assert xml_of(run(go())[1])["Content"] == "late"
    assert bot.seen == ["hello"] and ch.api.sent == []


def test_when_wechat_stops_waiting_a_slow_answer_still_goes_through_the_api():
    ch = channel(passive_timeout=0.1)
    bot = Bot({"text": "late"}, delay=0.3)

    async def go():
        first = asyncio.get_running_loop().create_task(ch.receive(signed(), text_xml("hi"), bot))
        await asyncio.sleep(0.02)
        first.cancel()
        await asyncio.sleep(0.5)
        await settle(ch)

    run(go())
    assert ch.api.sent == [("oUser1234567890", "late")]


# --- accounts without the customer-service API ----------------------------------------------------

def test_without_the_api_the_tries_are_held_until_the_answer_is_ready():
    ch = channel(passive_timeout=0.05, customer_service=False)
    bot = Bot({"text": "one"}, {"text": "two"}, delay=0.3)
    xml = text_xml("hello", msg_id="3333")

    async def go():
        first = await ch.receive(signed(), xml, bot)     # held past the passive timeout
        retry = await ch.receive(signed(), xml, bot)
        return first, retry

    first, retry = run(go())
    assert xml_of(first[1])["Content"] == "one\n\ntwo" and retry == first
    assert bot.seen == ["hello"] and ch.api.sent == []


def test_without_the_api_what_does_not_fit_is_dropped_and_too_late_is_lost(monkeypatch, caplog):
    import channels.wechat as wechat
    ch = channel(customer_service=False)
    big = "这句话解释了关于该计划的另一件事情。" * 60                      # 3,240 bytes
    _, body, _ = run(ch.receive(signed(), text_xml("a"), Bot({"text": "first"}, {"text": big})))
    content = xml_of(body)["Content"]
    assert content.startswith("first\n\n这句话") and utf8_len(content) <= TEXT_LIMIT
    assert ch.api.sent == []

    monkeypatch.setattr(wechat, "RETRY_WINDOW", 0.2)
    ch = channel(passive_timeout=0.05, customer_service=False)
    with caplog.at_level(logging.WARNING):
        status, body, _ = run(ch.receive(signed(), text_xml("b"), Bot({"text": "x"}, delay=0.5)))
    assert (status, body) == (200, "success") and ch.api.sent == []
    assert "lost" in caplog.text


def test_events_without_msgid_are_deduplicated_by_sender_time_and_event():
    ch, bot = channel(), Bot({"text": "Welcome!"})
    xml = event_xml("subscribe")

    async def go():
        return [await ch.receive(signed(), xml, bot) for _ in range(3)]

    answers = run(go())
    assert bot.seen == ['/greet{"language":"zh-Hans"}'] and len({a[1] for a in answers}) == 1


def test_the_delivery_memory_is_bounded_and_expires():
    now = [0.0]

    async def go():
        d = Deliveries(ttl_seconds=10, max_entries=3, clock=lambda: now[0])
        for i in range(5):
            d.add(f"k{i}")
        assert len(d) == 3 and d.get("k0") is None and d.get("k4") is not None
        now[0] = 11
        assert d.get("k4") is None

    run(go())


# --- bad requests ---------------------------------------------------------------------------------

def test_bad_requests_are_refused_and_never_reach_rasa():
    ch, bot = channel(), Bot({"text": "x"})
    assert run(ch.receive({}, text_xml("hello"), bot))[0] == 403
    assert run(ch.receive(signed(token="wrong"), text_xml("hello"), bot))[0] == 403
    assert run(ch.receive(signed(), b"<xml><oops>", bot))[:2] == (400, "malformed XML (ExpatError)")
    assert run(ch.receive(signed(), b"x" * 70_000, bot))[0] == 413
    assert run(ch.receive({**signed(), "encrypt_type": "aes", "msg_signature": "0"},
                          text_xml("hello"), bot))[0] == 400     # safe mode not configured
    assert bot.seen == []


# --- safe mode ------------------------------------------------------------------------------------

def test_safe_mode_decrypts_the_message_and_encrypts_the_reply():
    ch, bot = channel(encoding_aes_key=AES_KEY), Bot({"text": "您好！"})
    sender = WeChatCrypto(TOKEN, AES_KEY, WECHAT_APP_ID)       # what WeChat's server does
    args = signed()
    envelope = xml_of(sender.encrypt_message(text_xml("你好").decode(), args["nonce"],
                                             args["timestamp"]))
    body = (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
            f"<Encrypt><![CDATA[{envelope['Encrypt']}]]></Encrypt></xml>").encode()
    args = {**args, "encrypt_type": "aes", "msg_signature": envelope["MsgSignature"]}
    status, reply, _ = run(ch.receive(args, body, bot))
    assert status == 200 and "<Encrypt>" in reply and "您好" not in reply
    outer = xml_of(reply)
    plain = sender.decrypt_message(reply, outer["MsgSignature"], outer["TimeStamp"],
                                   outer["Nonce"])
    assert xml_of(plain)["Content"] == "您好！" and bot.seen == ["你好"]

    tampered = {**args, "msg_signature": "0" * 40}
    assert run(ch.receive(tampered, body, Bot()))[0] == 403
    other_app = WeChatCrypto(TOKEN, AES_KEY, "wxotherapp0000000")
    forged = xml_of(other_app.encrypt_message(text_xml("hi").decode(), args["nonce"],
                                              args["timestamp"]))
    body = f"<xml><Encrypt><![CDATA[{forged['Encrypt']}]]></Encrypt></xml>".encode()
    assert run(ch.receive({**args, "msg_signature": forged["MsgSignature"]}, body, Bot()))[0] == 403


def test_a_wrong_aes_key_length_stops_the_channel_at_start():
    from rasa.shared.exceptions import RasaException
    with pytest.raises(RasaException, match="43"):
        TTPSWeChatInput(WECHAT_APP_ID, WECHAT_APP_SECRET, TOKEN, encoding_aes_key="short")


# --- message kinds ---------------------------------------------------------------------------------

def test_voice_goes_as_its_recognition_and_other_kinds_get_the_text_only_note():
    ch, bot = channel(), Bot({"text": "ok"})
    voice = text_xml("", kind="voice", extra="<MediaId>m</MediaId><Format>amr</Format>"
                                             "<Recognition>我想申请高才通</Recognition>")
    run(ch.receive(signed(), voice, bot))
    assert bot.seen == ["我想申请高才通"]
    silent_voice = text_xml("", kind="voice", extra="<MediaId>m</MediaId><Format>amr</Format>")
    image = text_xml("", kind="image", extra="<PicUrl>http://x/y.jpg</PicUrl><MediaId>m</MediaId>")
    for xml in (silent_voice, image):
        _, body, _ = run(ch.receive(signed(), xml, bot))
        assert xml_of(body)["Content"] == say("text_only", "zh-Hans")   # the channel's default
    assert bot.seen == ["我想申请高才通"]


def test_the_text_only_note_follows_the_persons_language():
    ch, bot = channel(), Bot({"text": "Sure."})
    run(ch.receive(signed(), text_xml("Can I apply for the scheme with my degree?", "oEn1"), bot))
    image = text_xml("", "oEn1", kind="image", extra="<PicUrl>http://x</PicUrl><MediaId>m</MediaId>")
    assert xml_of(run(ch.receive(signed(), image, bot))[1])["Content"] == say("text_only", "en")
    run(ch.receive(signed(), text_xml("我有冇資格申請", "oHk1"), bot))
    image = text_xml("", "oHk1", kind="image", extra="<PicUrl>http://x</PicUrl><MediaId>m</MediaId>")
    assert xml_of(run(ch.receive(signed(), image, bot))[1])["Content"] == say("text_only", "zh-Hant")


def test_follow_greets_unfollow_and_other_events_get_nothing():
    ch, bot = channel(), Bot({"text": "Welcome!"})
    assert xml_of(run(ch.receive(signed(), event_xml("subscribe", "oNew1"), bot))[1])[
        "Content"] == "Welcome!"
    for event in ("unsubscribe", "LOCATION", "VIEW", "TEMPLATESENDJOBFINISH"):
        assert run(ch.receive(signed(), event_xml(event, "oNew1"), bot))[:2] == (200, "success")
    run(ch.receive(signed(), event_xml("CLICK", "oNew1", key="/check_eligibility"), bot))
    assert bot.seen == ['/greet{"language":"zh-Hans"}', "/check_eligibility"]


# --- buttons, splitting, guard ---------------------------------------------------------------------

def test_buttons_become_numbered_options_in_the_replys_language_and_a_number_picks_one():
    ch = channel()
    question = {"text": "您有学士学位吗？",
                "buttons": [{"title": "有", "payload": "/affirm"},
                            {"title": "没有", "payload": "/deny"}]}
    bot = Bot(question)
    _, body, _ = run(ch.receive(signed(), text_xml("我想申请", "oZh1"), bot))
    assert xml_of(body)["Content"] == "您有学士学位吗？\n\n请回复编号：1 有；2 没有。"
    run(ch.receive(signed(), text_xml("２", "oZh1"), bot))
    assert bot.seen == ["我想申请", "/deny"]


def test_split_message_counts_bytes_not_characters():
    chinese = "中文句子。" * 500                       # 2,500 characters, 7,500 bytes
    pieces = split_message(chinese)
    assert len(pieces) == 4 and all(utf8_len(p) <= TEXT_LIMIT for p in pieces)
    assert "".join(pieces) == chinese
    assert split_message("short **bold**") == ["short bold"]


def test_no_reply_gets_the_apology_in_the_persons_language():
    ch = channel()
    _, body, _ = run(ch.receive(signed(), text_xml("请问我有资格申请高才通吗"), Bot()))
    assert xml_of(body)["Content"] == apology("zh-Hans")

    async def crashes(message):
        raise RuntimeError("tracker store down")
    _, body, _ = run(ch.receive(signed(), text_xml("我有冇資格"), crashes))
    assert xml_of(body)["Content"] == apology("zh-Hant")


def test_cdata_end_in_a_reply_does_not_break_the_xml():
    ch = channel()
    _, body, _ = run(ch.receive(signed(), text_xml("x"), Bot({"text": "a ]]> b"})))
    assert xml_of(body)["Content"] == "a ]]> b"


# --- credentials ----------------------------------------------------------------------------------

def test_from_credentials_reads_the_api_base_from_the_environment(monkeypatch):
    monkeypatch.setenv("WECHAT_API_BASE_URL", "http://127.0.0.1:9/wechat")
    ch = TTPSWeChatInput.from_credentials({"app_id": WECHAT_APP_ID, "app_secret": "s",
                                           "token": TOKEN})
    assert ch.api.base_url == "http://127.0.0.1:9/wechat"
    assert ch.settings.passive_timeout == 4.0 and ch.settings.default_lang == "zh-Hans"
    assert ch.crypto is None and ch.name() == "wechat" and ch.settings.customer_service
    monkeypatch.delenv("WECHAT_API_BASE_URL")
    ch = TTPSWeChatInput.from_credentials({"app_id": WECHAT_APP_ID, "app_secret": "s",
                                           "token": TOKEN, "encoding_aes_key": AES_KEY,
                                           "passive_timeout": "1.5", "default_language": "en",
                                           "customer_service": "false"})
    assert ch.api.base_url == "https://api.weixin.qq.com" and ch.crypto is not None
    assert ch.settings.passive_timeout == 1.5 and ch.settings.default_lang == "en"
    assert ch.settings.customer_service is False
    from rasa.shared.exceptions import RasaException
    with pytest.raises(RasaException, match="token"):
        TTPSWeChatInput.from_credentials({"app_id": WECHAT_APP_ID, "app_secret": "s"})
    with pytest.raises(RasaException, match="default_language"):
        TTPSWeChatInput.from_credentials({"app_id": "a", "app_secret": "s", "token": "t",
                                          "default_language": "fr"})


# --- the API client against the local fake -------------------------------------------------------

@pytest.fixture(scope="module")
def fake():
    platforms = FakePlatforms()
    base = platforms.start()
    yield platforms, f"{base}/wechat"
    platforms.stop()


def test_the_access_token_is_fetched_once_and_again_when_it_expires(fake):
    platforms, base = fake
    api = WeChatAPI(WECHAT_APP_ID, WECHAT_APP_SECRET, base)
    mark = platforms.mark()

    async def go():
        for i in range(3):
            assert await api.send_text("oApi1", f"message {i}")
        platforms.expire_wechat_tokens()
        assert await api.send_text("oApi1", "after expiry")

    run(go())
    tokens = platforms.since(mark, "wechat", "token")
    sent = platforms.since(mark, "wechat", "message/custom/send")
    assert len(tokens) == 2 and tokens[0].query["secret"] == WECHAT_APP_SECRET
    assert [c.data["text"]["content"] for c in sent] == [
        "message 0", "message 1", "message 2", "after expiry"]
    assert {c.data["touser"] for c in sent} == {"oApi1"}
    assert [c.data["errcode"] for c in platforms.since(mark, "wechat", "refused")] == [42001]


def test_api_errors_are_logged_not_raised(fake, caplog):
    platforms, base = fake
    wrong = WeChatAPI(WECHAT_APP_ID, "wrong-secret", base)
    with caplog.at_level(logging.ERROR):
        assert run(wrong.send_text("oApi2", "hello")) is False
    assert "40125" in caplog.text
    unreachable = WeChatAPI(WECHAT_APP_ID, WECHAT_APP_SECRET, "http://127.0.0.1:9", timeout=2)
    assert run(unreachable.send_text("oApi2", "hello")) is False
