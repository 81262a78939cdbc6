"""The suite's own judging, without servers: when a persona counts as reaching its statuses,
what counts as a start over that kept facts, how fact differences are found, what a turn's
invariants are, and when a reply is in the language and script a persona expects."""
from __future__ import annotations

import pytest

from convsuite import (Turn, expected_languages, facts_differences, is_chinese,
                       kept_after_start_over, language_problems, load_personas, matches,
                       other_script_characters, reply_language_problem, routes_named,
                       script_only_characters, text_language, turns_to_reach)

RIGHT = {"A": "eligible", "B": "not_eligible", "C": "not_eligible"}
WRONG = {"A": "unknown", "B": "not_eligible", "C": "not_eligible"}
EXPECT = {"A": ["eligible"], "B": ["not_eligible"], "C": ["not_eligible", "unknown"]}


def test_matches_needs_every_category():
    assert matches(RIGHT, EXPECT)
    assert not matches(WRONG, EXPECT)
    assert not matches(None, EXPECT)
    assert matches({**RIGHT, "C": "unknown"}, EXPECT)


def test_turns_to_reach_counts_from_where_the_statuses_stay_right():
    assert turns_to_reach([None, None, RIGHT], EXPECT) == 3
    assert turns_to_reach([None, RIGHT, RIGHT, RIGHT], EXPECT) == 2
    assert turns_to_reach([RIGHT, WRONG, RIGHT], EXPECT) == 3   # lost on the way: counted again
    assert turns_to_reach([None, RIGHT, WRONG], EXPECT) is None  # wrong at the end
    assert turns_to_reach([], EXPECT) is None


def test_start_over_that_keeps_facts_is_caught():
    before = {"income": {"amount": "1"}, "requested_slot": "university", "retries": {}}
    user = [{"event": "user", "text": "start over"}]
    assert kept_after_start_over(before, dict(before), user) == ["income"]
    reset = user + [{"event": "reset_slots"}, {"event": "slot", "name": "income", "value": {"amount": "1"}}]
    assert kept_after_start_over(before, dict(before), reset) == []
    unset = user + [{"event": "slot", "name": "income", "value": None},
                    {"event": "slot", "name": "income", "value": {"amount": "1"}}]
    assert kept_after_start_over(before, dict(before), unset) == []
    assert kept_after_start_over(before, {"income": None}, user) == []
    # events of earlier turns do not count
    old = [{"event": "reset_slots"}] + user
    assert kept_after_start_over(before, dict(before), old) == ["income"]


def test_turn_invariants():
    ok = Turn("hi", 200, [{"text": "Hello"}, {"custom": {}}], 0.1)
    assert ok.problems() == []
    assert Turn("hi", 200, [], 0.1).problems() == ["no message back"]
    assert any(p.startswith("HTTP 500") for p in Turn("hi", 500, [], 0.1).problems())
    twice = Turn("hi", 200, [{"text": "Sorry"}, {"text": "Sorry"}], 0.1)
    assert twice.problems() and twice.problems()[0].startswith("text repeated")


def test_facts_differences():
    meant = {"income": [{"amount": 3000000, "currency": "HKD", "type": "salary"}],
             "degrees": [{"university": "MIT", "level": "bachelor", "graduation_date": "2016"}],
             "work_experience_months": 84, "nationality": "GB"}
    same = {"income": [{"amount": "3000000", "currency": "HKD", "type": "salary"}],
            "degrees": [{"university": "Massachusetts Institute of Technology", "level": "bachelor",
                         "graduation_date": "2016", "honorary": False}],
            "work_periods": [{"start": "2019-12-01", "type": "full_time"}], "nationality": "GB",
            "application_date": "2026-12-01"}
    assert facts_differences(meant, same) == []
    wrong = dict(same, nationality="AO", income=[{"amount": "2400000", "currency": "HKD", "type": "salary"}])
    diffs = facts_differences(meant, wrong)
    assert any(d.startswith("nationality") for d in diffs) and any(d.startswith("income") for d in diffs)
    assert facts_differences(meant, dict(same, work_experience_months=12, work_periods=None))


def test_routes_named_reads_the_last_verdict():
    def verdict(*codes):
        schemes = [{"scheme": c, "summary": f"why {c}"} for c in codes]
        data = {"ttps_assessment": {"categories": {}}}
        if codes:
            data["other_schemes"] = {"schemes": schemes}
        return {"custom": {"data": data}}
    first = Turn("yes", 200, [{"text": "result"}, verdict("NEW_CIES", "QMAS")], 0.1)
    assert routes_named([first]) == ["NEW_CIES", "QMAS"]
    later = Turn("actually I have no investments", 200, [verdict()], 0.1)
    assert routes_named([first, later]) == []
    assert routes_named([Turn("hi", 200, [{"text": "hello"}], 0.1)]) == []


# --- reply language ----------------------------------------------------------------------------

def test_script_only_characters_come_from_the_table():
    traditional, simplified = script_only_characters()
    assert {"這", "們", "說", "資", "學", "歷"} <= traditional
    assert {"这", "们", "说", "资", "学", "历"} <= simplified
    # Simplified forms that are ordinary Traditional characters too count for neither script
    for shared in "台才里只系面":
        assert shared not in simplified and shared not in traditional, shared
    # characters common to both scripts, and Cantonese ones, count for neither
    for common in "我你是大年香港咗冇嘅":
        assert common not in simplified and common not in traditional, common


def test_text_language():
    assert text_language("你符合高才通A类的条件。") == "zh"
    assert text_language("你讀的是 The Hong Kong University of Science and Technology 嗎？") == "zh"
    assert text_language("详情请看 https://www.immd.gov.hk/eng/services/visas/TTPS.html") == "zh"
    assert text_language("You meet Category A of the Top Talent Pass Scheme (高才通).") == "en"
    assert text_language("What is your annual income?") == "en"
    assert text_language("Yes") == "en" and text_language("MIT") is None
    assert text_language("HK$3,000,000") is None
    assert text_language("") is None


def test_other_script_characters():
    assert other_script_characters("你的年收入是多少？", "zh-Hans") == ""
    assert other_script_characters("你嘅年收入係幾多？", "zh-Hant") == ""
    assert other_script_characters("你在這間大學讀书", "zh-Hans") == "這間學讀"
    assert other_script_characters("你在這間大學讀书", "zh-Hant") == "书"
    assert other_script_characters("只要在台灣住過", "zh-Hant") == ""
    assert other_script_characters("anything", "en") == ""


def test_reply_language_problem_for_texts_and_buttons():
    hans = {"text": "请问你的年收入是多少？", "buttons": [{"title": "港币", "payload": "HKD"},
                                                        {"title": "USD", "payload": "USD"}]}
    assert reply_language_problem(hans, "zh-Hans") is None
    assert "other script" in reply_language_problem(hans, "zh-Hant")
    assert "in Chinese" in reply_language_problem(hans, "en")
    english = {"text": "What is your annual income?"}
    assert "in English" in reply_language_problem(english, "zh-Hans")
    assert reply_language_problem(english, "en") is None
    buttons_left_in_english = {"text": "資料啱唔啱？", "buttons": [
        {"title": "Yes, that's right", "payload": "/affirm"},
        {"title": "No, let me change something", "payload": "/deny"}]}
    assert reply_language_problem(buttons_left_in_english, "zh-Hant")
    assert reply_language_problem({"text": "HK$2,500,000"}, "zh-Hant") is None
    assert reply_language_problem({"image": "https://example.org/a.png"}, "zh-Hans") is None
    with pytest.raises(ValueError):
        reply_language_problem(english, "fr")


def test_languages_offered_under_their_own_names_are_right_in_every_locale():
    def picker(text):
        return {"text": text, "buttons": [{"title": t, "payload": "/switch_language"}
                                          for t in ("English", "简体中文", "繁體中文")]}
    assert reply_language_problem(picker("您想用哪种语言？我可以用 English、简体中文或繁體中文回答。"),
                                  "zh-Hans") is None
    assert reply_language_problem(picker("你想用邊種語言？"), "zh-Hant") is None
    assert reply_language_problem(picker("Which language would you like?"), "en") is None
    # other words of the other script still count
    assert reply_language_problem(picker("你想用哪種語言？"), "zh-Hans")


def test_reply_language_problem_for_the_verdict_card():
    def card(lang=None, where="assessment"):
        assessment = {"categories": {}}
        data = {"ttps_assessment": assessment}
        if lang and where == "assessment":
            assessment["lang"] = lang
        elif lang:
            data["lang"] = lang
        return {"custom": {"data": data}}
    assert reply_language_problem(card("zh-Hant"), "zh-Hant") is None
    assert reply_language_problem(card("zh-Hans", where="data"), "zh-Hans") is None
    assert "verdict card" in reply_language_problem(card("en"), "zh-Hans")
    assert "verdict card" in reply_language_problem(card(None), "zh-Hans")
    assert reply_language_problem({"custom": {"data": {"other": 1}}}, "zh-Hans") is None


def test_expected_languages():
    turns = ["hello", "2020", "我想申请高才通", "yes", "MIT"]
    assert expected_languages("zh-Hans", turns) == [None, None, "zh-Hans", "zh-Hans", "zh-Hans"]
    assert expected_languages("en", turns) == ["en"] * 5
    assert expected_languages({1: "en", 3: "zh-Hant"}, turns) == ["en", "en", "zh-Hant", "zh-Hant",
                                                                  "zh-Hant"]
    assert expected_languages({"2": "zh-Hans", 4: "zh-Hant"}, turns) == [
        None, "zh-Hans", "zh-Hans", "zh-Hant", "zh-Hant"]
    assert expected_languages(None, turns) == [None] * 5
    assert expected_languages("zh-Hant", ["hi", "MIT"]) == [None, None]  # no Chinese message
    for bad in ("zh", {1: "fr"}, {}, ["zh-Hans"]):
        with pytest.raises(ValueError):
            expected_languages(bad, turns)


def test_language_problems_after_the_first_chinese_message():
    turns = [Turn("hi", 200, [{"text": "Hello! How can I help?"}], 0.1),
             Turn("我想申请高才通", 200, [{"text": "好的，请问你的年收入是多少？"}], 0.1),
             Turn("200万人民币", 200, [{"text": "你有学士学位吗？"}], 0.1),
             Turn("有", 200, [{"text": "Which university awarded your bachelor's degree?"}], 0.1)]
    problems = language_problems("zh-Hans", turns)
    assert [p["turn"] for p in problems] == [4]
    assert "in English" in problems[0]["problem"]
    assert language_problems("zh-Hans", turns[:3]) == []
    # the same conversation judged for Traditional Chinese fails at every Chinese turn
    assert [p["turn"] for p in language_problems("zh-Hant", turns[:3])] == [2, 3]
    # a language switch: English until turn 2, Simplified Chinese from turn 2
    assert language_problems({1: "en", 2: "zh-Hans"}, turns[:3]) == []


def test_is_chinese():
    assert is_chinese({"lang": "zh-Hant"})
    assert is_chinese({"lang": {1: "en", 3: "zh-Hans"}})
    assert not is_chinese({"lang": "en"}) and not is_chinese({})


def test_an_unquoted_yes_in_the_table_is_refused(tmp_path):
    table = tmp_path / "personas.yaml"
    table.write_text("personas:\n- id: p\n  turns: [hi, yes]\n  expect: {A: eligible, "
                     "B: eligible, C: eligible}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="quote"):
        load_personas(table)
    table.write_text(table.read_text(encoding="utf-8").replace("yes", '"yes"'), encoding="utf-8")
    assert load_personas(table)[0]["turns"] == ["hi", "yes"]
