"""The widget in Chinese against the real assistant (scripts/serve.sh with the trained model and
the action server, scripts/serve_web.py), in Debian's Chromium with Debian's CJK fonts.

A Mainland applicant (browser in zh-CN) and a Hong Kong one (zh-HK, Cantonese, code-mixed) talk
to the assistant from the greeting to the result card, typing Chinese; the replies must be in
Chinese, in the person's script, and the card's labels too. Screenshots of both conversations and
cards: artifacts/screenshots/zh-{Hans,Hant}-{conversation,card}.png. Then the language switcher
and the bot's own language buttons.
"""
from __future__ import annotations

import re
import subprocess

import pytest

from browser_support import ChatPage, screenshot, ui_strings

sync_api = pytest.importorskip("playwright.sync_api",
                               reason="needs the playwright Python package (make test-browser)")
expect = sync_api.expect

# Characters that differ between the scripts (Simplified, Traditional), common in the replies.
SCRIPT_PAIRS = ("这這 们們 个個 资資 请請 说說 为為 业業 学學 时時 国國 会會 来來 对對 么麼 计計 划劃 "
                "证證 类類 经經 验驗 发發 问問 题題 还還 吗嗎 关關 结結 条條 规規 则則 处處 网網 "
                "额額 读讀 没沒 后後 间間 话話 际際 颁頒 决決 认認 华華 币幣 万萬 职職 务務 办辦").split()
SIMPLIFIED_ONLY = re.compile("[" + "".join(p[0] for p in SCRIPT_PAIRS) + "]")
TRADITIONAL_ONLY = re.compile("[" + "".join(p[1] for p in SCRIPT_PAIRS) + "]")
HAN = re.compile(r"[\u3400-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
SCHEME_NAME = {"zh-Hans": "高端人才通行证计划", "zh-Hant": "高端人才通行證計劃"}
CARD = {"zh-Hans": {"title": "高才通申请资格结果", "eligible": "符合资格", "not_eligible": "不符合资格",
                    "next": "下一步", "A": "A类", "B": "B类"},
        "zh-Hant": {"title": "高才通申請資格結果", "eligible": "符合資格", "not_eligible": "不符合資格",
                    "next": "下一步", "A": "A類", "B": "B類"}}


@pytest.fixture(scope="module", autouse=True)
def _cjk_fonts():
    # Without CJK fonts Chromium draws boxes, and the screenshots would show nothing readable.
    found = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True)
    if not found.stdout.strip():
        pytest.fail("no CJK font: apt-get install fonts-noto-cjk (make test-browser does)")


def assert_in_script(text: str, lang: str, what: str = "") -> None:
    """Chinese (more Chinese characters than Latin words: names like 'TTPS' or 'HK$' may stay),
    and in the person's script (none of the other script's own characters)."""
    han, words = len(HAN.findall(text)), len(LATIN_WORD.findall(text))
    assert han and han >= words, f"{what} is not in Chinese: {text!r}"
    other = TRADITIONAL_ONLY if lang == "zh-Hans" else SIMPLIFIED_ONLY
    wrong = other.findall(text)
    assert not wrong, f"{what} has characters of the other script {wrong}: {text!r}"


def bot_texts_since_last_user(chat: ChatPage) -> list[str]:
    return chat.latest_bot.evaluate_all("els => els.map(e => e.innerText)")


def open_chinese_chat(page, web_server, rasa, lang) -> ChatPage:
    page.goto(f"{web_server}/?server={rasa}")
    chat = ChatPage(page, lang)
    expect(chat.panel).to_have_attribute("lang", lang)
    # The widget's greeting payload carries its language: the first thing the bot says is the
    # greeting, in Chinese (no acknowledgement of a language switch before it).
    expect(chat.bot_texts.filter(has_text=SCHEME_NAME[lang]).first).to_be_visible()
    expect(chat.bot_texts.first).to_contain_text(SCHEME_NAME[lang])
    expect(chat.input).to_be_enabled()
    expect(chat.notice).to_be_hidden()
    for text in chat.bot_texts.all_inner_texts():
        assert_in_script(text, lang, "a reply before the person said anything")
    return chat


def say_and_check(chat: ChatPage, text: str, expected) -> None:
    """Type a Chinese message; the replies that follow are in the person's script."""
    chat.say(text)
    chat.expect_reply(expected)
    for reply in bot_texts_since_last_user(chat):
        assert_in_script(reply, chat.lang, f"the reply to {text!r}")


def click_and_check(chat: ChatPage, title: str, expected) -> None:
    chat.click(title)
    chat.expect_reply(expected)


def check_card(chat: ChatPage, lang: str, statuses: dict[str, str]):
    card = chat.cards.last
    expect(card).to_be_visible()
    expect(card).to_have_attribute("lang", lang)
    words = CARD[lang]
    expect(card.get_by_role("heading", name=words["title"])).to_be_visible()
    for code, status in statuses.items():
        row = card.locator(f".ttps-row[data-category='{code}']")
        expect(row).to_have_attribute("data-status", status)
        expect(row.locator(".ttps-badge")).to_have_text(re.compile(words[status] + "$"))
        expect(row.locator(".ttps-cat")).to_have_text(ui_strings(lang)["card.category"].format(code=code))
        # the engine's own sentence for the category, rendered in the person's script
        assert_in_script(row.locator(".ttps-summary").inner_text(), lang, f"category {code}'s summary")
    expect(card.locator(".ttps-next h4")).to_have_text(words["next"])
    for step in card.locator(".ttps-next li").all_inner_texts():
        assert_in_script(step, lang, "a next step")
    # the deciding clause opens to its wording and source
    clause = card.locator(".ttps-row details.ttps-clause").first
    clause.locator("summary").click()
    expect(clause.locator(".ttps-clause-source a")).to_have_attribute("href", re.compile(r"^https://"))
    # the frame is in the conversation's language too
    expect(chat.panel).to_have_attribute("lang", lang)
    return card


def save_conversation_and_card(page, chat: ChatPage, card, lang: str) -> None:
    # The whole conversation from the greeting to the card, and the card alone, unclipped by
    # the chat's scroll area.
    page.add_style_tag(content=".ttps-chat{height:auto!important;max-height:none!important}"
                               ".ttps-log{overflow:visible!important}")
    screenshot(chat.panel, f"{lang}-conversation")
    screenshot(card, f"{lang}-card")


def test_mainland_applicant_in_simplified_chinese(make_page, web_server, rasa):
    """A Tsinghua graduate of June 2020 with four years' work and a salary below Category A."""
    page, rec = make_page(width=1280, height=1000, locale="zh-CN")
    chat = open_chinese_chat(page, web_server, rasa, "zh-Hans")
    say_and_check(chat, "你好，我想查一下我能不能申请高才通", re.compile(r"[（(]1/\d[）)]"))
    say_and_check(chat, "年薪大概80万人民币，都是工资", "学士")
    click_and_check(chat, "是", "大学")
    say_and_check(chat, "清华大学", "毕业")
    say_and_check(chat, "2020年6月毕业", "工作")
    say_and_check(chat, "毕业后全职工作了四年", "国籍")
    click_and_check(chat, "中国籍", "对吗")
    for reply in bot_texts_since_last_user(chat):
        assert_in_script(reply, "zh-Hans", "the summary")
    chat.click("对，查我的资格")
    card = check_card(chat, "zh-Hans", {"A": "not_eligible", "B": "eligible", "C": "not_eligible"})
    expect(card.locator(".ttps-row[data-category='B'] .ttps-cat-name")).to_have_text(
        ui_strings("zh-Hans")["card.name.B"])
    expect(chat.typing).to_be_hidden()
    rec.assert_clean()
    save_conversation_and_card(page, chat, card, "zh-Hans")


def test_hong_kong_applicant_in_cantonese_and_traditional_chinese(make_page, web_server, rasa):
    """A Hong Kong applicant, in Cantonese with English mixed in: a high salary, no degree."""
    page, rec = make_page(width=1280, height=1000, locale="zh-HK")
    chat = open_chinese_chat(page, web_server, rasa, "zh-Hant")
    say_and_check(chat, "我想check下我有冇資格申請高才通", re.compile(r"[（(]1/\d[）)]"))
    say_and_check(chat, "年薪三百二十萬港幣，全部都係人工", "學士")
    click_and_check(chat, "不是", "國籍")
    click_and_check(chat, "中國籍", "對嗎")
    for reply in bot_texts_since_last_user(chat):
        assert_in_script(reply, "zh-Hant", "the summary")
    chat.click("對，查我的資格")
    card = check_card(chat, "zh-Hant", {"A": "eligible", "B": "not_eligible", "C": "not_eligible"})
    expect(card.locator(".ttps-row[data-category='A'] .ttps-cat-name")).to_have_text("高收入人士")
    expect(chat.typing).to_be_hidden()
    rec.assert_clean()
    save_conversation_and_card(page, chat, card, "zh-Hant")


def test_switcher_tells_the_bot_and_the_bot_answers_in_it(make_page, web_server, rasa):
    page, rec = make_page()
    sent: list[str] = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(str(payload))))
    page.goto(f"{web_server}/?server={rasa}")
    chat = ChatPage(page)
    expect(chat.bot_texts.first).to_contain_text("Top Talent Pass")  # English browser, English greeting
    expect(chat.input).to_be_enabled()

    chat.language_button("zh-Hant").click()
    hant = ChatPage(page, "zh-Hant")
    expect(hant.panel).to_have_attribute("lang", "zh-Hant")
    expect(hant.send_button).to_have_text("傳送")
    # the bot acknowledges in Traditional Chinese (the widget sent no visible message)
    expect(hant.bot_texts.last).to_contain_text("繁體中文")
    assert_in_script(hant.bot_texts.last.inner_text(), "zh-Hant", "the acknowledgement")
    assert any('/switch_language{\\"language\\":\\"zh-Hant\\"}' in frame for frame in sent), sent
    assert hant.user_texts.count() == 0
    say_and_check(hant, "我想查下我嘅資格", re.compile(r"[（(]1/\d[）)]"))

    # the choice is remembered across a reload, and the conversation goes on
    page.reload()
    expect(hant.panel).to_have_attribute("lang", "zh-Hant")
    expect(hant.input).to_be_enabled()
    expect(hant.user_texts).to_have_text(["我想查下我嘅資格"])

    # back to English: the frame at once, then the bot acknowledges and asks the pending
    # question again, in English
    hant.language_button("en").click()
    expect(chat.panel).to_have_attribute("lang", "en")
    expect(chat.send_button).to_have_text("Send")
    expect(chat.latest_bot.filter(has_text="English").first).to_be_visible()
    expect(chat.bot_texts.last).to_have_text(re.compile(r"^\(1/\d\) What"))
    assert any('/switch_language{\\"language\\":\\"en\\"}' in frame for frame in sent), sent
    rec.assert_clean()


def test_the_bots_language_buttons_switch_the_frame(make_page, web_server, rasa):
    page, rec = make_page()
    page.goto(f"{web_server}/?server={rasa}")
    chat = ChatPage(page)
    expect(chat.bot_texts.first).to_contain_text("Top Talent Pass")
    chat.click("简体中文")  # the greeting's own button
    hans = ChatPage(page, "zh-Hans")
    expect(hans.panel).to_have_attribute("lang", "zh-Hans")
    expect(hans.language_button("zh-Hans")).to_have_attribute("aria-pressed", "true")
    hans.expect_reply("简体中文")
    rec.assert_clean()


def test_typing_chinese_in_an_english_page_the_frame_follows_the_card(make_page, web_server, rasa):
    """An English browser; the person writes Cantonese. The bot answers in Traditional Chinese,
    the card comes in it, and the widget's frame follows the card's language (and keeps it)."""
    page, rec = make_page()
    page.goto(f"{web_server}/?server={rasa}")
    chat = ChatPage(page)
    expect(chat.bot_texts.first).to_contain_text("Top Talent Pass")
    expect(chat.panel).to_have_attribute("lang", "en")
    hant = ChatPage(page, "zh-Hant")
    hant.input = chat.input  # the frame is still English while the person types
    say_and_check(hant, "我想check下我有冇資格申請高才通", re.compile(r"[（(]1/\d[）)]"))
    say_and_check(hant, "年薪三百二十萬港幣，全部都係人工", "學士")
    click_and_check(hant, "不是", "國籍")
    click_and_check(hant, "跳過", "對嗎")
    expect(chat.panel).to_have_attribute("lang", "en")
    hant.click("對，查我的資格")
    check_card(hant, "zh-Hant", {"A": "eligible", "B": "not_eligible", "C": "not_eligible"})
    expect(hant.send_button).to_have_text("傳送")
    expect(hant.language_button("zh-Hant")).to_have_attribute("aria-pressed", "true")
    page.reload()
    expect(hant.panel).to_have_attribute("lang", "zh-Hant")
    rec.assert_clean()
