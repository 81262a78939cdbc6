"""The widget with no assistant behind it: the error state, the floating launcher, and how it
draws bot messages and result cards (fed in directly). Needs no trained model."""
from __future__ import annotations

import json
import re

import pytest

from browser_support import ROOT, ChatPage, free_port, screenshot, ui_strings

sync_api = pytest.importorskip("playwright.sync_api",
                               reason="needs the playwright Python package (make test-browser)")
expect = sync_api.expect

FIXTURES = ROOT / "web" / "test" / "fixtures"


@pytest.fixture
def closed_port():
    return free_port()  # nothing listens there


def open_offline(page, web_server, port, path="/", lang="en") -> ChatPage:
    page.goto(f"{web_server}{path}?server=http://127.0.0.1:{port}")
    return ChatPage(page, lang)


def test_unreachable_server_shows_an_honest_error_and_retries(make_page, web_server, closed_port):
    page, rec = make_page()
    chat = open_offline(page, web_server, closed_port)
    expect(chat.notice).to_be_visible()
    expect(chat.notice).to_have_attribute("role", "alert")
    expect(chat.notice).to_contain_text("Can't reach the assistant, retrying…")
    expect(chat.input).to_be_disabled()
    expect(chat.send_button).to_be_disabled()
    expect(page.get_by_role("button", name="Start over")).to_be_disabled()
    screenshot(page, "offline")
    # It keeps trying on its own, and "Retry now" tries at once.
    with page.expect_event("requestfailed",
                           lambda r: f":{closed_port}/socket.io/" in r.url):
        pass
    with page.expect_event("requestfailed",
                           lambda r: f":{closed_port}/socket.io/" in r.url):
        chat.notice.get_by_role("button", name="Retry now").click()
    expect(chat.notice).to_be_visible()
    assert rec.dialogs == [] and rec.errors == []


def test_phone_width_offline_fits(make_page, web_server, closed_port):
    page, _ = make_page(width=360, height=740, is_mobile=True, has_touch=True)
    chat = open_offline(page, web_server, closed_port)
    expect(chat.notice).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    box = chat.panel.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360


def test_floating_launcher_by_keyboard(make_page, web_server, closed_port):
    page, rec = make_page(width=800, height=800)
    chat = open_offline(page, web_server, closed_port, "/floating.html")
    launcher = page.get_by_role("button", name="Ask about TTPS")
    expect(launcher).to_have_attribute("aria-expanded", "false")
    expect(chat.panel).to_be_hidden()
    launcher.focus()
    page.keyboard.press("Enter")
    expect(chat.panel).to_be_visible()
    expect(launcher).to_have_attribute("aria-expanded", "true")
    expect(chat.notice).to_be_visible()  # nothing to talk to here
    # The input is disabled while offline, so focus lands on the conversation log.
    expect(chat.log).to_be_focused()
    screenshot(page, "floating-open")
    page.keyboard.press("Escape")
    expect(chat.panel).to_be_hidden()
    expect(launcher).to_be_focused()
    assert rec.errors == []


def feed(page, payload) -> None:
    """Hand the widget a bot_uttered payload as if it came from the server."""
    page.evaluate("p => window.TTPSChat._onBotMessage(p)", payload)


def test_bot_markdown_is_sanitised(make_page, web_server, closed_port):
    page, rec = make_page()
    open_offline(page, web_server, closed_port)
    feed(page, {"text": "**Bold** and _italic_ — [the TTPS page](https://www.immd.gov.hk/eng/"
                        "services/visas/TTPS.html), [bad](javascript:alert(1))\n"
                        "<img src=x onerror=alert(1)><script>window.pwned=1</script>\n"
                        "![pic](https://example.org/x.png)"})
    bubble = page.locator(".ttps-bot .ttps-text").last
    expect(bubble.locator("strong")).to_have_text("Bold")
    expect(bubble.locator("em")).to_have_text("italic")
    expect(bubble).to_contain_text("<img src=x onerror=alert(1)><script>window.pwned=1</script>")
    good = bubble.get_by_role("link", name="the TTPS page")
    expect(good).to_have_attribute("target", "_blank")
    expect(good).to_have_attribute("rel", "noopener noreferrer")
    assert bubble.locator("a", has_text="bad").get_attribute("href") is None
    expect(bubble.get_by_role("link", name="pic")).to_have_attribute("href", "https://example.org/x.png")
    assert page.locator(".ttps-chat img, .ttps-chat script, .ttps-chat iframe").count() == 0
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert rec.dialogs == [] and rec.errors == []


@pytest.mark.parametrize("wrapping", ["inner", "data", "with_text"])
def test_result_card_from_each_payload_shape(make_page, web_server, closed_port, wrapping):
    page, rec = make_page()
    open_offline(page, web_server, closed_port)
    a = json.loads((FIXTURES / "assessment-a-c.json").read_text())
    payload = {"inner": {"ttps_assessment": a},  # what Rasa 3.6's socketio channel emits
               "data": {"data": {"ttps_assessment": a}},
               "with_text": {"text": "**Your TTPS result**", "data": {"ttps_assessment": a}}}[wrapping]
    feed(page, payload)
    card = page.locator(".ttps-card")
    expect(card).to_have_count(1)
    statuses = card.locator(".ttps-row").evaluate_all("rows => rows.map(r => r.dataset.status)")
    assert statuses == ["eligible", "not_eligible", "eligible"]
    expect(card.locator(".ttps-row[data-category='B']")).to_contain_text(
        "Not eligible")
    expect(card.locator(".ttps-row[data-category='B'] .ttps-change")).to_contain_text("24.0 more months")
    expect(card.locator(".ttps-row[data-category='C'] .ttps-change")).to_contain_text("2028-12-31")
    expect(card.locator(".ttps-next")).to_contain_text("Category A is the better choice")
    if wrapping == "with_text":
        expect(page.locator(".ttps-bot .ttps-text strong").last).to_have_text("Your TTPS result")
    assert rec.errors == []


def test_result_card_unknown_and_no_html(make_page, web_server, closed_port):
    page, rec = make_page(width=480, height=1400)
    open_offline(page, web_server, closed_port)
    a = json.loads((FIXTURES / "assessment-unknown.json").read_text())
    a["categories"]["A"]["summary"] += " <img src=x onerror=alert(1)>"
    feed(page, {"ttps_assessment": a})
    card = page.locator(".ttps-card")
    expect(card.locator(".ttps-row[data-category='A'] .ttps-badge")).to_have_text(re.compile("Not eligible"))
    for code in "BC":
        expect(card.locator(f".ttps-row[data-category='{code}'] .ttps-badge")).to_have_text(
            re.compile("Can't tell yet"))
        expect(card.locator(f".ttps-row[data-category='{code}'] .ttps-summary")).to_contain_text(
            "bachelor's degree")
    expect(card.get_by_role("note")).to_have_count(0)
    expect(card.locator(".ttps-next")).to_contain_text("can't apply under any category yet")
    expect(card.locator(".ttps-next")).to_contain_text("missing to decide Category B and Category C")
    expect(card).to_contain_text("<img src=x onerror=alert(1)>")
    assert card.locator("img").count() == 0
    assert rec.dialogs == [] and rec.errors == []
    page.add_style_tag(content=".ttps-chat{height:auto!important;max-height:none!important}"
                               ".ttps-log{overflow:visible!important}")
    card.locator("details summary").first.click()
    screenshot(card, "result-card-unknown")


@pytest.mark.parametrize("lang", ["en", "zh-Hans", "zh-Hant"])
def test_result_card_warns_of_an_excluded_nationality(make_page, web_server, closed_port, lang):
    page, rec = make_page(width=480, height=1400)
    open_offline(page, web_server, closed_port)
    name = "assessment-none.json" if lang == "en" else f"assessment-none.{lang}.json"
    a = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    feed(page, {"ttps_assessment": a})
    card = page.locator(".ttps-card")
    expect(card).to_have_attribute("lang", lang)
    words = ui_strings(lang)
    for code in "ABC":
        expect(card.locator(f".ttps-row[data-category='{code}'] .ttps-badge")).to_have_text(
            re.compile(re.escape(words["card.status.not_eligible"]) + "$"))
    # the engine's warning in the card's language (its own sentence, shown as it came)
    warning = next(r["message"] for r in a["general"] if r["met"] is False)
    expect(card.get_by_role("note")).to_contain_text(warning)
    expect(card.locator(".ttps-next")).to_contain_text(words["next.none"])
    expect(card.locator(".ttps-next")).not_to_contain_text(words["next.missing"].split("{")[0])
    # every row's deciding rule is the nationality clause, named by the engine
    expect(card.locator(".ttps-clause-id")).to_have_text(["intro.nationals"] * 3)
    assert rec.errors == []


def test_result_card_shows_other_routes_side_by_side(make_page, web_server, closed_port):
    # the payload actions/messages.py sends for a non-local HKU graduate: IANG likely, QMAS unknown
    page, rec = make_page(width=360, height=1600)
    open_offline(page, web_server, closed_port)
    a = json.loads((FIXTURES / "assessment-hku-nonlocal.json").read_text())
    routes = json.loads((FIXTURES / "other-schemes-iang-qmas.json").read_text())
    routes["schemes"][0]["summary"] += " <script>window.pwned=1</script>"
    feed(page, {"ttps_assessment": a, "other_schemes": routes})
    section = page.locator(".ttps-card .ttps-routes")
    expect(section.get_by_role("heading", name="Other routes to look at")).to_be_visible()
    iang = section.locator(".ttps-route[data-scheme='IANG']")
    expect(iang).to_have_attribute("data-status", "likely")
    expect(iang.locator(".ttps-badge")).to_have_text("Likely to fit")
    expect(iang.get_by_role("link")).to_have_attribute("href", re.compile(r"^https://www\.immd\.gov\.hk/"))
    for term in ("Job offer", "First stay", "Quota", "Staying on"):
        expect(iang.locator("dt", has_text=term)).to_have_count(1)
    expect(iang.locator("dd").nth(1)).to_contain_text("24 months")
    expect(section.locator(".ttps-route[data-scheme='QMAS'] .ttps-badge")).to_have_text("Can't tell yet")
    expect(section.locator(".ttps-caveat")).to_contain_text("not a decision")
    expect(iang).to_contain_text("<script>")
    assert page.evaluate("typeof window.pwned") == "undefined"
    # nothing wider than a phone screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert rec.errors == []


# --- languages ------------------------------------------------------------------------------

def frame_texts(page) -> list[str]:
    """The widget's own words on screen and in its attributes (not the conversation)."""
    return page.evaluate("""() => {
        const root = document.querySelector('.ttps-chat');
        const out = [];
        for (const el of root.querySelectorAll('[data-i18n]')) out.push(el.textContent);
        for (const el of root.querySelectorAll('[placeholder],[aria-label],[title]')) {
            for (const a of ['placeholder', 'aria-label', 'title']) {
                if (el.hasAttribute(a)) out.push(el.getAttribute(a));
            }
        }
        return out;
    }""")


def assert_frame_in(page, lang: str) -> None:
    """Every string of the frame is the locale's own (the language buttons name themselves)."""
    own = set(ui_strings(lang).values())
    names = {ui_strings(code)[k] for code in ("en", "zh-Hans", "zh-Hant")
             for k in ("lang.self", "lang.self_full")}
    texts = frame_texts(page)
    assert len(texts) > 10, texts
    assert [t for t in texts if t not in own | names] == [], lang


def test_language_switcher_redraws_the_frame_and_is_remembered(make_page, web_server, closed_port):
    page, rec = make_page()
    chat = open_offline(page, web_server, closed_port)
    expect(chat.panel).to_have_attribute("lang", "en")
    expect(chat.notice).to_be_visible()
    expect(chat.language_button("en")).to_have_attribute("aria-pressed", "true")
    # each language is named in itself, and marked as that language
    for code, name in (("en", "English"), ("zh-Hans", "简体"), ("zh-Hant", "繁體")):
        expect(chat.language_button(code)).to_have_text(name)
        expect(chat.language_button(code)).to_have_attribute("lang", code)
    assert_frame_in(page, "en")

    chat.languages.get_by_role("button", name="简体中文").click()
    hans = ChatPage(page, "zh-Hans")
    expect(hans.panel).to_have_attribute("lang", "zh-Hans")
    expect(hans.notice).to_contain_text("暂时连接不上助手，正在重试…")
    expect(hans.notice.get_by_role("button", name="立即重试")).to_be_visible()
    expect(hans.send_button).to_be_disabled()
    expect(hans.input).to_be_disabled()
    expect(page.get_by_role("heading", name="高才通助手")).to_be_visible()
    expect(page.get_by_role("button", name="重新开始")).to_be_disabled()
    expect(hans.language_button("zh-Hans")).to_have_attribute("aria-pressed", "true")
    expect(hans.language_button("en")).to_have_attribute("aria-pressed", "false")
    assert_frame_in(page, "zh-Hans")
    screenshot(page, "switcher-zh-Hans")

    # kept for the next visit
    page.reload()
    expect(hans.panel).to_have_attribute("lang", "zh-Hans")
    expect(hans.notice).to_contain_text("暂时连接不上助手")
    assert_frame_in(page, "zh-Hans")

    hans.languages.get_by_role("button", name="繁體中文").click()
    hant = ChatPage(page, "zh-Hant")
    expect(hant.panel).to_have_attribute("lang", "zh-Hant")
    expect(hant.notice).to_contain_text("暫時未能連接助手，正在重試…")
    expect(hant.send_button).to_have_text("傳送")
    assert_frame_in(page, "zh-Hant")
    # the Chinese text is drawn with a CJK font of its script, not boxes
    family = page.evaluate("getComputedStyle(document.querySelector('.ttps-notice-text')).fontFamily")
    assert "CJK TC" in family or "CJK HK" in family, family

    hant.languages.get_by_role("button", name="English").click()
    expect(chat.panel).to_have_attribute("lang", "en")
    expect(chat.notice).to_contain_text("Can't reach the assistant, retrying…")
    assert_frame_in(page, "en")
    assert rec.dialogs == [] and rec.errors == []


@pytest.mark.parametrize("browser_locale, expected", [
    ("zh-CN", "zh-Hans"), ("zh-SG", "zh-Hans"), ("zh-HK", "zh-Hant"), ("zh-TW", "zh-Hant"),
    ("zh-MO", "zh-Hant"), ("en-GB", "en"), ("fr-FR", "en"),
])
def test_first_language_follows_the_browser(make_page, web_server, closed_port, browser_locale, expected):
    page, rec = make_page(locale=browser_locale)
    chat = open_offline(page, web_server, closed_port, lang=expected)
    expect(chat.panel).to_have_attribute("lang", expected)
    expect(chat.notice).to_contain_text(chat.strings["chat.offline"])
    expect(chat.language_button(expected)).to_have_attribute("aria-pressed", "true")
    assert_frame_in(page, expected)
    assert rec.errors == []


def test_floating_launcher_in_traditional_chinese(make_page, web_server, closed_port):
    page, rec = make_page(width=800, height=800, locale="zh-HK")
    chat = open_offline(page, web_server, closed_port, "/floating.html", lang="zh-Hant")
    launcher = page.get_by_role("button", name="查詢高才通")
    expect(page.locator(".ttps-root")).to_have_attribute("lang", "zh-Hant")
    launcher.click()
    expect(chat.panel).to_be_visible()
    expect(page.get_by_role("button", name="關閉對話")).to_be_visible()
    assert_frame_in(page, "zh-Hant")
    assert rec.errors == []


def chinese_card(lang: str) -> dict:
    """The A-and-C assessment as the bot sends it in `lang` (web/test/fixtures/make_fixtures.py)."""
    a = json.loads((FIXTURES / f"assessment-a-c.{lang}.json").read_text(encoding="utf-8"))
    assert a["lang"] == lang
    return a


def test_card_labels_in_the_payload_language_and_the_frame_follows(make_page, web_server, closed_port):
    page, rec = make_page(width=480, height=1600)
    chat = open_offline(page, web_server, closed_port)
    expect(chat.panel).to_have_attribute("lang", "en")
    feed(page, {"ttps_assessment": chinese_card("zh-Hans")})
    card = page.locator(".ttps-card").first
    expect(card).to_have_attribute("lang", "zh-Hans")
    expect(card.get_by_role("heading", name="高才通申请资格结果")).to_be_visible()
    row_a = card.locator(".ttps-row[data-category='A']")
    expect(row_a.locator(".ttps-cat")).to_have_text("A类")
    expect(row_a.locator(".ttps-cat-name")).to_have_text("高收入人士")
    expect(row_a.locator(".ttps-badge")).to_have_text(re.compile("符合资格$"))
    expect(card.locator(".ttps-row[data-category='B'] .ttps-badge")).to_have_text(re.compile("不符合资格$"))
    expect(row_a.locator("details summary")).to_contain_text("决定性条文：")
    expect(card.locator(".ttps-next h4")).to_have_text("下一步")
    expect(card.locator(".ttps-next")).to_contain_text("您可以申请A类或C类。")
    expect(card.locator(".ttps-change strong").first).to_have_text("怎样会改变结果：")
    # the engine's sentences came in Simplified Chinese and are drawn as they came
    a = chinese_card("zh-Hans")
    expect(row_a.locator(".ttps-summary")).to_have_text(a["categories"]["A"]["summary"])
    expect(row_a.locator(".ttps-clause-text")).to_have_text(
        a["categories"]["A"]["reasons"][a["categories"]["A"]["deciding"]]["clause_text"])
    expect(card.locator(".ttps-caveat")).to_have_text(a["caveat"])
    # the frame follows the conversation's language, and keeps it
    expect(chat.panel).to_have_attribute("lang", "zh-Hans")
    assert_frame_in(page, "zh-Hans")
    assert page.evaluate("Object.entries(localStorage).filter(([k]) => k.endsWith(':locale'))"
                         ".map(([, v]) => v)") == ["zh-Hans"]
    # a later card in Traditional is drawn in Traditional, and the frame follows again
    feed(page, {"ttps_assessment": chinese_card("zh-Hant")})
    expect(page.locator(".ttps-card").last).to_have_attribute("lang", "zh-Hant")
    expect(page.locator(".ttps-card").last.locator(".ttps-card-title")).to_have_text("高才通申請資格結果")
    expect(chat.panel).to_have_attribute("lang", "zh-Hant")
    expect(card).to_have_attribute("lang", "zh-Hans")  # an earlier card keeps its language
    expect(card.locator(".ttps-card-title")).to_have_text("高才通申请资格结果")
    assert rec.errors == []


def test_card_draws_the_reason_the_engine_names(make_page, web_server, closed_port):
    page, rec = make_page()
    open_offline(page, web_server, closed_port)
    a = json.loads((FIXTURES / "assessment-a-c.json").read_text())
    reasons = a["categories"]["B"]["reasons"]
    assert reasons[1]["clause_id"] != reasons[0]["clause_id"]
    a["categories"]["B"]["deciding"] = 0  # the engine could name any reason: the card draws it
    del a["categories"]["C"]["deciding"]  # a card stored before the engine named one
    feed(page, {"ttps_assessment": a})
    card = page.locator(".ttps-card")
    row_b = card.locator(".ttps-row[data-category='B']")
    expect(row_b.locator(".ttps-clause-id")).to_have_text(reasons[0]["clause_id"])
    # its message is not the summary, so it is drawn under its label
    expect(row_b.locator(".ttps-deciding")).to_have_text(
        re.compile(r"^Deciding reason: " + re.escape(reasons[0]["message"])))
    row_c = card.locator(".ttps-row[data-category='C']")
    expect(row_c.locator(".ttps-summary")).to_have_text(a["categories"]["C"]["summary"])
    expect(row_c.locator("details.ttps-clause")).to_have_count(0)
    expect(row_c.locator(".ttps-badge")).to_have_text(re.compile("Eligible$"))
    assert rec.errors == []


def test_other_routes_labels_in_traditional_chinese(make_page, web_server, closed_port):
    page, rec = make_page(width=360, height=1600, locale="zh-HK")
    open_offline(page, web_server, closed_port, lang="zh-Hant")
    a = json.loads((FIXTURES / "assessment-hku-nonlocal.zh-Hant.json").read_text(encoding="utf-8"))
    routes = json.loads((FIXTURES / "other-schemes-iang-qmas.zh-Hant.json").read_text(encoding="utf-8"))
    feed(page, {"ttps_assessment": a, "other_schemes": routes})
    section = page.locator(".ttps-card .ttps-routes")
    expect(section.get_by_role("heading", name="其他可以考慮的途徑")).to_be_visible()
    iang = section.locator(".ttps-route[data-scheme='IANG']")
    expect(iang.locator(".ttps-badge")).to_have_text("可能符合")
    for term in ("工作聘約", "首次逗留", "名額", "延期逗留"):
        expect(iang.locator("dt", has_text=term)).to_have_count(1)
    expect(section.locator(".ttps-route[data-scheme='QMAS'] .ttps-badge")).to_have_text("暫時未能判斷")
    # the pre-screen's own sentences, in Traditional Chinese as they came; months in the locale's words
    expect(iang.locator(".ttps-summary")).to_have_text(routes["schemes"][0]["summary"])
    expect(iang.locator("dd").nth(1)).to_contain_text(routes["schemes"][0]["side_by_side"]["first_stay_note"])
    expect(iang.locator("dd").nth(2)).to_have_text("不設名額")
    expect(section.locator(".ttps-caveat")).to_have_text(routes["caveat"])
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.add_style_tag(content=".ttps-chat{height:auto!important;max-height:none!important}"
                               ".ttps-log{overflow:visible!important}")
    screenshot(page.locator(".ttps-card"), "card-labels-zh-Hant")
    assert rec.errors == []
