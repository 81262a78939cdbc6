"""Unit tests of the channel helpers: rendering, splitting, numbered options, button memory."""
import re

import pytest

from channels.buttons import TOKEN_PREFIX, ButtonMemory, memory_from_credentials
from channels.formatting import (is_card_payload, keyboard_rows, numbered_options, render,
                                 split_rendered, split_text, strip_html_len, truncate, utf16_len)

URL = "https://www.immd.gov.hk/eng/services/visas/TTPS.html"
VERDICT = (
    "**Your TTPS result** for an application on 2026-11-25\n"
    "✅ **Category A (high income): eligible.** Income of HK$3,200,000 reaches HK$2,500,000.\n"
    f"   _Rule criteria.a: “Persons with an annual income …” ([source]({URL}))_\n"
    "👉 **You can apply under Category A** (36 months' initial stay).")


# --- rendering -------------------------------------------------------------------------------

def test_plain_drops_markup_and_spells_out_links():
    out = render(VERDICT, "plain")
    assert "**" not in out and "_Rule" not in out and "](" not in out
    assert "Your TTPS result for an application" in out
    assert f"Rule criteria.a: “Persons with an annual income …” ({URL})" in out


def test_plain_link_forms():
    assert render(f"see [the FAQ]({URL}) now", "plain") == f"see the FAQ ({URL}) now"
    assert render(f"call us ([TTPS page]({URL}))", "plain") == f"call us (TTPS page: {URL})"
    assert render(f"[{URL}]({URL})", "plain") == URL
    assert render("[mail](mailto:enquiry@immd.gov.hk)", "plain") == "mail (enquiry@immd.gov.hk)"


def test_whatsapp_keeps_bold_and_italic_in_its_own_syntax():
    out = render(VERDICT, "whatsapp")
    assert "*Your TTPS result*" in out and "**" not in out
    assert out.splitlines()[2].strip().startswith("_Rule") and out.splitlines()[2].endswith(")_")
    assert f"({URL})" in out


def test_telegram_html_is_escaped_and_tagged():
    out = render("**A & B** <script> [x y](https://e.com/a?b=1&c=2) 1 < 2", "telegram")
    assert out == ('<b>A &amp; B</b> &lt;script&gt; <a href="https://e.com/a?b=1&amp;c=2">x y</a>'
                   " 1 &lt; 2")
    verdict = render(VERDICT, "telegram")
    assert "<b>Your TTPS result</b>" in verdict
    assert f'(<a href="{URL}">source</a>)</i>' in verdict


def test_slack_mrkdwn():
    out = render(f"**Bold** & _it_ [Page]({URL})", "slack")
    assert out == f"*Bold* &amp; _it_ <{URL}|Page>"


@pytest.mark.parametrize("style", ["plain", "whatsapp", "telegram", "slack"])
def test_identifiers_and_urls_with_underscores_are_left_alone(style):
    text = "rule_c_graduation and https://example.com/a_b_c and 2*3*4"
    out = render(text, style)
    assert "rule_c_graduation" in out and "a_b_c" in out and "2*3*4" in out


def test_unknown_style_is_an_error():
    with pytest.raises(ValueError):
        render("x", "sms")


# --- splitting -------------------------------------------------------------------------------

def _words(text):
    return " ".join(text.split())


def test_short_text_is_one_piece_and_empty_is_none():
    assert split_text("  hello  ", 10) == ["hello"]
    assert split_text("", 10) == [] and split_text(None, 10) == []


def test_prefers_paragraph_then_line_then_sentence_boundaries():
    para = "A" * 50
    assert split_text(f"{para}\n\n{para}\n{para}", 110) == [f"{para}", f"{para}\n{para}"]
    assert split_text(f"{para}\n{para}\n{para}", 110) == [f"{para}\n{para}", para]
    sentences = "One two three. Four five six. Seven eight nine."
    assert split_text(sentences, 32) == ["One two three. Four five six.", "Seven eight nine."]


def test_every_piece_fits_and_nothing_is_lost():
    text = "\n".join(f"• Point {i}: " + "word " * (i * 7) + "end." for i in range(1, 40))
    for limit in (80, 300, 1500):
        pieces = split_text(text, limit)
        assert all(len(p) <= limit for p in pieces)
        assert _words(" ".join(pieces)) == _words(text)


def test_never_cuts_inside_a_link_and_hard_cuts_unbroken_text():
    text = "intro words here " + f"[a long link label with spaces]({URL})" + " tail"
    for piece in split_text(text, 70):
        assert piece.count("[") == piece.count("]")
    assert split_text("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]


def test_sms_split_of_a_long_answer_under_1500():
    long = "\n".join([VERDICT] * 12)
    pieces = split_rendered(long, 1500, "plain")
    assert len(pieces) > 1 and all(len(p) <= 1500 for p in pieces)
    assert all(not p.startswith(" ") for p in pieces)


def test_telegram_split_counts_the_rendered_text():
    text = "&" * 5000  # each & becomes &amp; in HTML but counts as one character for Telegram
    pieces = split_rendered(text, 4096, "telegram", measure=strip_html_len)
    assert [strip_html_len(p) for p in pieces] == [4096, 904]
    assert utf16_len("👉") == 2


# --- buttons -----------------------------------------------------------------------------------

YES_NO = [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"},
          {"title": "Not sure", "payload": "/dont_know"}]


def test_numbered_options():
    assert numbered_options(YES_NO) == "Reply 1 for Yes, 2 for No, 3 for Not sure."
    assert numbered_options([{"title": "Yes, check my eligibility", "payload": "/affirm"},
                             {"title": "Change something", "payload": "/deny"}]) == (
        "Reply 1 for Yes, check my eligibility; 2 for Change something.")
    assert numbered_options([{"title": "What are the categories?", "payload": "x"}]) == (
        "Reply 1 for What are the categories.")
    assert numbered_options([]) == ""


def test_numbered_options_in_chinese():
    yes_no = [{"title": "是", "payload": "/affirm"}, {"title": "否", "payload": "/deny"},
              {"title": "不确定？", "payload": "/dont_know"}]
    assert numbered_options(yes_no, "zh-Hans") == "请回复编号：1 是；2 否；3 不确定。"
    assert numbered_options(yes_no[:2], "zh-Hant") == "請回覆編號：1 是；2 否。"
    assert numbered_options(yes_no[:2], None) == "Reply 1 for 是, 2 for 否."


@pytest.mark.parametrize("typed", ["2", " 2. ", "#2", "２", "2。", "２、", "（2）", "(2)"])
def test_a_number_typed_on_a_chinese_keyboard_picks_the_option(typed):
    memory = ButtonMemory()
    memory.remember("p", [{"title": "是", "payload": "/affirm"}, {"title": "否", "payload": "/deny"}])
    assert memory.resolve("p", typed) == "/deny"


def test_keyboard_rows_pack_short_titles():
    currencies = [{"title": c, "payload": c} for c in ("HKD", "RMB", "USD", "GBP", "EUR", "SGD")]
    assert [len(r) for r in keyboard_rows(currencies)] == [3, 3]
    assert [len(r) for r in keyboard_rows(YES_NO)] == [3]
    long = [{"title": "Check my eligibility"}, {"title": "What are the categories?"},
            {"title": "Other visa schemes"}]
    assert [len(r) for r in keyboard_rows(long)] == [1, 1, 1]


def test_truncate():
    assert truncate("What are the categories?", 20) == "What are the catego…"
    assert truncate("short", 20) == "short"


def test_card_payload_detection():
    assert is_card_payload({"data": {"ttps_assessment": {"categories": {}}}})
    assert not is_card_payload({"data": {"other": 1}})
    assert not is_card_payload({"text": "hi"}) and not is_card_payload(["x"])


def test_memory_maps_numbers_and_titles_then_forgets():
    m = ButtonMemory()
    m.remember("+852", YES_NO)
    assert m.resolve("+852", "2") == "/deny"
    assert m.resolve("+852", "2") == "2"  # consumed: an old question's numbers never apply again
    for reply, expected in [(" 1 ", "/affirm"), ("3.", "/dont_know"), ("#2", "/deny"),
                            ("not SURE", "/dont_know"), ("yes!", "/affirm"), ("4", "4"),
                            ("0", "0"), ("12 months", "12 months"), ("１", "/affirm")]:
        m.remember("+852", YES_NO)
        assert m.resolve("+852", reply) == expected, reply


def test_memory_options_per_channel():
    m = ButtonMemory()
    m.remember("chat", YES_NO)
    assert m.resolve("chat", "1", numbers=False) == "1"
    m.remember("chat", YES_NO)
    assert m.resolve("chat", f"{TOKEN_PREFIX}2") == "/deny"
    m.remember("chat", YES_NO)
    assert m.resolve("chat", "No", titles=False) == "No"
    assert m.resolve("nobody", "1") == "1" and m.resolve("nobody", None) is None


def test_memory_is_bounded_and_expires():
    now = [0.0]
    m = ButtonMemory(max_senders=3, ttl_seconds=60, clock=lambda: now[0])
    for s in "abcd":
        m.remember(s, YES_NO)
    assert len(m) == 3 and m.peek("a") is None  # least recently used forgotten
    now[0] = 61
    assert m.resolve("b", "1") == "1"  # expired
    m.remember("e", [])
    assert m.peek("e") is None


def test_memory_from_credentials_reads_strings():
    m = memory_from_credentials({"button_memory_size": "5", "button_memory_ttl": "30"})
    assert m.max_senders == 5 and m.ttl_seconds == 30
    assert memory_from_credentials(None).max_senders == 10_000


def test_no_stray_placeholders():
    out = render("a\x00b [x](https://e.com) c", "plain")
    assert "\x00" not in out and re.search(r"x \(https://e.com\)", out)
