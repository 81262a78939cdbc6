"""The widget against the real assistant: scripts/serve.sh (Rasa + action server, socketio
channel) and scripts/serve_web.py, driven in Debian's Chromium."""
from __future__ import annotations

import os
import re

import pytest

from browser_support import ChatPage, screenshot

sync_api = pytest.importorskip("playwright.sync_api",
                               reason="needs the playwright Python package (make test-browser)")
expect = sync_api.expect

MODEL = os.environ.get("MODEL")
pytestmark = pytest.mark.skipif(not MODEL, reason="needs MODEL=<trained model> (make test-browser sets it)")

XSS = "<img src=x onerror=alert(1)><script>window.pwned=1</script>"


def open_chat(page, web_server, rasa, path="/") -> ChatPage:
    page.goto(f"{web_server}{path}?server={rasa}")
    chat = ChatPage(page)
    # A first visit opens with the assistant's own greeting.
    expect(chat.bot_texts.first).to_contain_text("Top Talent Pass")
    expect(chat.input).to_be_enabled()
    expect(chat.notice).to_be_hidden()
    return chat


def category_a_conversation(chat: ChatPage) -> None:
    chat.say("can I apply for TTPS?")
    chat.expect_reply(re.compile(r"\(1/\d\)"))
    chat.say("about 3.2 million HKD in salary")
    chat.expect_reply("bachelor")
    chat.click("No")
    chat.expect_reply("nationality")
    chat.click("Chinese")
    chat.expect_reply("Is that right?")
    chat.click("Yes, check my eligibility")
    expect(chat.cards.last).to_be_visible()


def test_eligibility_conversation_to_result_card(make_page, web_server, rasa):
    page, rec = make_page()
    chat = open_chat(page, web_server, rasa)
    category_a_conversation(chat)

    # The buttons sent their payloads but the bubbles show their titles.
    expect(chat.user_texts).to_have_text(
        ["can I apply for TTPS?", "about 3.2 million HKD in salary", "No", "Chinese",
         "Yes, check my eligibility"])
    expect(chat.typing).to_be_hidden()

    card = chat.cards.last
    expect(card.get_by_role("heading", name="TTPS eligibility result")).to_be_visible()
    row_a = card.locator(".ttps-row[data-category='A']")
    expect(row_a).to_have_attribute("data-status", "eligible")
    expect(row_a.locator(".ttps-badge")).to_have_text(re.compile(r"Eligible$"))
    expect(row_a).to_contain_text("HK$3,200,000")
    for code in "BC":  # no bachelor's degree
        expect(card.locator(f".ttps-row[data-category='{code}']")).to_have_attribute(
            "data-status", "not_eligible")
        expect(card.locator(f".ttps-row[data-category='{code}'] .ttps-badge")).to_have_text(
            re.compile("Not eligible$"))
    # The cited clause opens to its wording and links to its source in a new tab.
    clause = row_a.locator("details.ttps-clause")
    expect(clause.locator("summary")).to_contain_text("Deciding rule: criteria.a")
    expect(clause.locator(".ttps-clause-text")).to_be_hidden()
    clause.locator("summary").click()
    expect(clause.locator(".ttps-clause-text")).to_contain_text("HK$2.5 million")
    source = clause.get_by_role("link")
    expect(source).to_have_attribute("href", re.compile(r"^https://www\.immd\.gov\.hk/"))
    expect(source).to_have_attribute("target", "_blank")
    expect(source).to_have_attribute("rel", re.compile("noopener"))
    expect(card.locator(".ttps-next")).to_contain_text("You can apply under Category A")
    # The status is said in words, not only in colour; colours differ by status.
    colours = card.locator(".ttps-row").evaluate_all(
        "rows => rows.map(r => getComputedStyle(r).borderLeftColor)")
    assert colours[0] != colours[1] and colours[1] == colours[2], colours

    # The follow-up messages and their buttons arrive after the card.
    expect(chat.reply_button("Start over")).to_be_visible()
    rec.assert_clean()

    screenshot(page, "conversation")
    # The whole card, unclipped by the chat's scroll area.
    page.add_style_tag(content=".ttps-chat{height:auto!important;max-height:none!important}"
                               ".ttps-log{overflow:visible!important}")
    screenshot(card, "result-card")


def test_reload_continues_the_conversation(make_page, web_server, rasa):
    page, rec = make_page()
    chat = open_chat(page, web_server, rasa)
    chat.say("can I apply for TTPS?")
    chat.expect_reply("income")
    expect(chat.reply_button("I don't know")).to_be_visible()
    session = page.evaluate("Object.keys(localStorage).filter(k => k.endsWith(':session'))"
                            ".map(k => localStorage.getItem(k))")
    assert len(session) == 1 and session[0]

    page.reload()
    chat = ChatPage(page)
    expect(chat.input).to_be_enabled()
    # The history is shown again, the greeting is not repeated, the open question keeps its
    # buttons, and the same session id is used.
    expect(chat.user_texts).to_have_text(["can I apply for TTPS?"])
    expect(chat.bot_texts.filter(has_text="Top Talent Pass")).to_have_count(1)
    expect(chat.reply_button("I don't know")).to_be_visible()
    assert page.evaluate("Object.keys(localStorage).filter(k => k.endsWith(':session'))"
                         ".map(k => localStorage.getItem(k))") == session

    # The server carries on from where the form was: the next answer is taken as the income.
    chat.say("about 3.2 million HKD in salary")
    chat.expect_reply("bachelor")
    screenshot(page, "after-reload")

    # Start over clears the conversation on screen and the answers on the server.
    page.get_by_role("button", name="Start over", exact=True).first.click()
    chat.expect_reply("start over")
    expect(chat.user_texts).to_have_text(["Start over"])
    expect(chat.input).to_be_focused()
    rec.assert_clean()


def test_html_in_messages_is_shown_as_text(make_page, web_server, rasa):
    page, rec = make_page()
    chat = open_chat(page, web_server, rasa)
    chat.say(XSS)
    expect(chat.user_texts.last).to_have_text(XSS)
    expect(chat.latest_bot.first).to_be_visible()
    # The handoff summary quotes what the person asked, so the bot's own Markdown now carries
    # the same HTML: it must be shown as text too.
    chat.say("can I talk to a human")
    chat.expect_reply("2868 3780")
    expect(chat.latest_bot.filter(has_text="<img src=x onerror=alert(1)>").first).to_be_visible()

    assert page.evaluate("typeof window.pwned") == "undefined"
    assert chat.panel.locator("img, script, iframe, object, embed").count() == 0
    assert page.locator("img").count() == 0
    rec.assert_clean()
    screenshot(page, "html-as-text")


def test_phone_width(make_page, web_server, rasa):
    page, rec = make_page(width=360, height=740, is_mobile=True, has_touch=True,
                          device_scale_factor=2)
    chat = open_chat(page, web_server, rasa)
    category_a_conversation(chat)
    expect(chat.cards.last.locator(".ttps-row[data-category='A']")).to_have_attribute(
        "data-status", "eligible")
    chat.cards.last.locator("details.ttps-clause summary").first.click()

    widths = page.evaluate("""() => ({
        doc: document.documentElement.scrollWidth, view: document.documentElement.clientWidth,
        body: document.body.scrollWidth,
        log: [document.querySelector('.ttps-log').scrollWidth,
              document.querySelector('.ttps-log').clientWidth]})""")
    assert widths["doc"] <= widths["view"] == 360, widths
    assert widths["body"] <= 360, widths
    assert widths["log"][0] <= widths["log"][1], widths
    box = chat.panel.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360, box
    for element in (chat.input, chat.send_button, chat.cards.last):
        b = element.bounding_box()
        assert b["x"] >= 0 and b["x"] + b["width"] <= 360, b
    rec.assert_clean()
    chat.panel.scroll_into_view_if_needed()
    screenshot(page, "phone")


def test_keyboard_only(make_page, web_server, rasa):
    """Tab reaches the suggested replies; Enter on one sends it; focus returns to the input."""
    page, rec = make_page()
    chat = open_chat(page, web_server, rasa)
    chat.input.focus()
    chat.input.press("Shift+Tab")  # back from the input into the log's suggested replies
    for _ in range(10):
        focused = page.evaluate("document.activeElement.textContent")
        if focused == "Check my eligibility":
            break
        page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.textContent") == "Check my eligibility"
    page.keyboard.press("Enter")
    expect(chat.user_texts.last).to_have_text("Check my eligibility")
    expect(chat.input).to_be_focused()
    chat.expect_reply(re.compile(r"\(1/\d\)"))
    rec.assert_clean()
