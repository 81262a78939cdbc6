"""actions/messages.py in every language: it draws the engine's deciding reason, and all its
words come from ttps_logic's locale files (chat section)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from actions import messages as M
from ttps_logic import assess
from ttps_logic.schemes import prescreen
from ttps_logic.text import templates

ROOT = Path(__file__).resolve().parents[2]
CASES = yaml.safe_load((ROOT / "tests" / "logic" / "cases.yaml").read_text(encoding="utf-8"))
HAN = re.compile(r"[\u4e00-\u9fff]")
LANGS = ("en", "zh-Hans", "zh-Hant")


def _facts(case: dict) -> dict:
    return {"application_date": "2026-11-25", **case["facts"]}


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_verdict_and_details_in_every_language(case):
    a = assess(_facts(case))
    for lang in LANGS:
        verdict, details = M.verdict_text(a, lang), M.details_text(a, lang)
        chat = templates(lang)["chat"]
        for code in "ABC":
            result = a.categories[code]
            assert M.category_name(code, lang) in verdict
            assert M.status_word(result.status, lang) in verdict
            # the reason drawn is the engine's deciding one, in this language
            from ttps_logic.render import localize
            local = localize(a, lang).categories[code]
            assert local.reasons[local.deciding].message in verdict
        if lang != "en":
            assert HAN.search(verdict) and HAN.search(details)
            assert chat["heading"].split("**")[1] in verdict
        assert "{" not in verdict + details


def test_english_wording_is_as_before():
    a = assess({"application_date": "2026-11-25", "income": [
        {"amount": 2400000, "currency": "HKD", "type": "salary"}]})
    text = M.verdict_text(a)
    assert text.startswith("**Your TTPS result** for an application on 2026-11-25")
    assert "❌ **Category A (high income): not eligible.** Your counted income" in text
    assert "👉 On these facts you cannot apply under any category yet." in text
    assert M.details_text(a).splitlines()[0] == "**To decide, find out:**"


def test_payload_carries_the_localized_assessment_with_lang_and_deciding():
    facts = {"application_date": "2026-11-25", "nationality": "GB",
             "degrees": [{"university": "HKU", "level": "bachelor", "graduation_date": "2024",
                          "hk_nonlocal_fulltime_ug": True}], "work_experience_months": 6}
    a = assess(facts)
    for lang in LANGS:
        routes = prescreen(facts, lang=lang)
        p = M.payload(a, routes, lang)
        assert set(p) == {"data"}
        card = p["data"]["ttps_assessment"]
        assert card["lang"] == lang
        for code, c in card["categories"].items():
            assert c["deciding"] == a.categories[code].deciding
            assert c["status"] == a.categories[code].status
        assert "other_schemes" in p["data"]
        json.dumps(p)   # serialisable as it is sent
        if lang != "en":
            assert HAN.search(card["categories"]["C"]["reasons"][card["categories"]["C"]["deciding"]]["message"])
            assert HAN.search(p["data"]["other_schemes"]["caveat"])
            other = M.other_routes_text(a, routes, lang)
            assert other and HAN.search(other)


def test_differences_in_chinese():
    before = assess({"application_date": "2026-11-25"})
    after = assess({"application_date": "2026-11-25", "income": [
        {"amount": 3000000, "currency": "HKD", "type": "salary"}]})
    lines = M.differences(before, after, "zh-Hant")
    assert lines and "A類" in lines[0] and "符合資格" in lines[0]


def test_a_long_chinese_clause_keeps_the_summary_mark():
    mark = templates("zh-Hant")["text"]["clause_summary_mark"]
    text = "甲" * 300 + mark
    short = M.short_quote(text, "zh-Hant")
    assert short.endswith(mark) and len(short) < 200
