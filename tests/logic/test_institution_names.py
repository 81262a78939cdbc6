"""Institution names in the language of the text: a listed institution's full Chinese name in
the reader's script, from the registry's aliases (institutions.chinese_name), else its English
name; English text unchanged. The rule, the data it reads, and every place a name is shown
(the engine's reasons and changes, the ambiguous candidates, the Note 4 arms, the other-schemes
pre-screen)."""
from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import pytest

from ttps_logic import assess
from ttps_logic import schemes as S
from ttps_logic.institutions import FULL_NAME_ENDS, chinese_name, registry
from ttps_logic.models import Assessment
from ttps_logic.render import localize

ROOT = Path(__file__).resolve().parents[2]
CSV = ROOT / "ttps_logic" / "data" / "institutions.csv"
T2S = {ord("學"): "学", ord("華"): "华", ord("國"): "国"}

# query -> (English name, zh-Hans, zh-Hant)
TABLE = [
    ("Tsinghua University", "Tsinghua University", "清华大学", "清華大學"),
    ("清華", "Tsinghua University", "清华大学", "清華大學"),               # a short form typed
    ("HKU", "The University of Hong Kong", "香港大学", "香港大學"),
    ("HKUST", "The Hong Kong University of Science and Technology", "香港科技大学", "香港科技大學"),
    ("MIT", "Massachusetts Institute of Technology", "麻省理工学院", "麻省理工學院"),  # not 麻省理工
    ("King's College London", "King's College London", "伦敦国王学院", "倫敦大學國王學院"),  # longest
    # no Chinese alias in the data: the English name
    ("Ghent University", "Ghent University", "Ghent University", "Ghent University"),
    # its only Chinese name (阿德莱德大学 / 阿德萊德大學) is the University of Adelaide's too
    ("Adelaide University", "Adelaide University", "Adelaide University", "Adelaide University"),
    ("University of Adelaide", "University of Adelaide", "University of Adelaide",
     "University of Adelaide"),
]
DAY = "2026-11-25"


def _degree(university: str, **more) -> dict:
    return {"application_date": DAY, "work_experience_months": 40,
            "degrees": [{"university": university, "level": "bachelor",
                         "graduation_date": "2022-06-30", **more}]}


def _message(a: Assessment, code: str) -> str:
    return next(r.message for c in a.categories.values() for r in c.reasons if r.code == code)


def _messages(a: Assessment) -> list[str]:
    return ([r.message for c in a.categories.values() for r in c.reasons]
            + [c.message for c in a.what_would_change])


@pytest.mark.parametrize("query,english,hans,hant", TABLE)
def test_the_name_in_each_script(query, english, hans, hant):
    reg = registry()
    inst = reg.resolve(query).institution
    assert inst is not None and inst.name == english
    assert reg.display_name(inst, "en") == english
    assert reg.display_name(inst, "zh-Hans") == hans
    assert reg.display_name(inst, "zh-Hant") == hant
    a = assess(_degree(query))
    assert _message(a, "deg.listed").startswith(f"{english} is on the eligible-university list")
    assert _message(localize(a, "zh-Hans"), "deg.listed").startswith(
        f"{hans}在2026年11月25日生效的合资格大学名单上（自")
    assert _message(localize(a, "zh-Hant"), "deg.listed").startswith(
        f"{hant}在2026年11月25日生效的合資格大學名單上（自")


def test_the_english_text_keeps_the_english_name():
    a = assess(_degree("清华大学"))
    assert localize(localize(a, "zh-Hant"), "en").model_dump() == a.model_dump()
    assert _message(a, "deg.listed") == ("Tsinghua University is on the eligible-university list "
                                         "in force on 2026-11-25 (on the list since 2022-12-28).")
    assert a.categories["B"].reasons[0].values["institution"] == "Tsinghua University"


def test_read_back_from_json_gives_the_same_chinese_names():
    a = assess(_degree("HKUST", hk_nonlocal_fulltime_ug=False))
    back = Assessment.model_validate_json(localize(a, "zh-Hans").model_dump_json())
    for lang in ("zh-Hans", "zh-Hant"):
        assert _messages(localize(back, lang)) == _messages(localize(a, lang))
        assert "香港科技大" in _message(localize(back, lang), "c.nonlocal_met")


def test_a_name_the_person_typed_is_left_as_typed():
    reg = registry()
    assert reg.local_name("Sunway University", "zh-Hans") == "Sunway University"
    assert reg.local_name("浙江工业大学", "zh-Hant") == "浙江工业大学"
    assert reg.local_name("Tsinghua University", "en") == "Tsinghua University"
    a = assess(_degree("Sunway University"))
    assert "Sunway University" in localize(a, "zh-Hant").categories["B"].reasons[0].message


# --- the rule -------------------------------------------------------------------------------

@pytest.mark.parametrize("aliases,hans,hant", [
    # full names in each script; short forms (清华, 清華) are never chosen
    (("Tsinghua", "清华大学", "清華大學", "清华", "清華"), "清华大学", "清華大學"),
    # the longest full name; of equally long ones, the first
    (("国大学院", "國大學院", "X国大学", "X國大學"), "国大学院", "國大學院"),
    (("华国大学", "华国学院"), "华国大学", None),
    # an alias with Latin letters or digits is not a Chinese name
    (("HKU SPACE附屬學院", "華2大學"), None, None),
    # an alias another institution has too is nobody's name
    (("共有大学", "共有大學", "独有学院"), "独有学院", None),
    ((), None, None),
])
def test_the_rule(aliases, hans, hant):
    shared = {"共有大学"}
    key = lambda a: a.translate(T2S)   # noqa: E731 - as the registry folds scripts
    assert chinese_name(aliases, "zh-Hans", T2S, shared, key) == hans
    assert chinese_name(aliases, "zh-Hant", T2S, shared, key) == hant


def _rows() -> list[dict]:
    with open(CSV, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_an_alias_the_data_notes_as_ambiguous_is_never_a_name():
    reg = registry()
    noted = 0
    for row in _rows():
        m = re.search(r"ambiguous alias\(es\) shared with another institution: ([^;\"]+)",
                      row["note"])
        if not m:
            continue
        inst = reg.by_id[row["id"]]
        for alias in (a.strip() for a in m.group(1).split(",")):
            noted += 1
            assert alias not in (reg.display_name(inst, "zh-Hans"),
                                 reg.display_name(inst, "zh-Hant")), (inst.id, alias)
    assert noted >= 4


def test_every_chinese_name_is_a_full_name_of_that_institution_alone():
    """Each chosen name is one of its aliases, in its script, ends with an institution word,
    and resolves to that institution and no other; a Simplified name has a Traditional one."""
    reg = registry()
    named = 0
    for inst in reg.institutions:
        hans, hant = reg.display_name(inst, "zh-Hans"), reg.display_name(inst, "zh-Hant")
        assert (hans == inst.name) == (hant == inst.name), inst.id
        if hans == inst.name:
            continue
        named += 1
        for name in (hans, hant):
            assert name in inst.aliases and name.endswith(FULL_NAME_ENDS)
            res = reg.resolve(name)
            assert res.status == "matched" and res.institution is inst, (inst.id, name)
        assert hans.translate(reg._t2s) == hans and hant.translate(reg._t2s) != hant
        assert hant.translate(reg._t2s) == hans or inst.id == "king-s-college-london", inst.id
    assert named >= 170


# --- everywhere a name is shown -------------------------------------------------------------

def test_ambiguous_candidates_and_the_unlisted_ones_in_chinese():
    a = assess(_degree("CMU"))
    assert _message(a, "deg.ambiguous_unlisted").startswith(
        "“CMU” could be Carnegie Mellon University (United States), but institutions that are "
        "not on the list use it too (Central Michigan University (US); Chiang Mai University "
        "(TH); China Medical University (CN/TW));")
    assert _message(localize(a, "zh-Hant"), "deg.ambiguous_unlisted").startswith(
        "「CMU」可能是指卡內基梅隆大學（美國），但不在名單上的院校亦使用這個名稱（Central Michigan "
        "University（美國）、Chiang Mai University（泰國）及China Medical University（中國、台灣））")
    assert "卡内基梅隆大学（美国）" in _message(localize(a, "zh-Hans"), "deg.ambiguous_unlisted")
    # two listed institutions that share their Chinese name: told apart by their English names
    a = assess(_degree("阿德萊德大學"))
    assert _message(localize(a, "zh-Hant"), "deg.ambiguous") == (
        "「阿德萊德大學」可能是指Adelaide University（澳大利亞）或University of Adelaide（澳大利亞）"
        "；請告訴我們是哪一間。")


def test_the_parent_of_a_note_4_arm():
    a = assess(_degree("HKU SPACE"))
    assert "of The University of Hong Kong." in _message(a, "deg.excluded_arm")
    assert _message(localize(a, "zh-Hans"), "deg.excluded_arm").startswith(
        "我们把「HKU SPACE」识别为香港大学的")
    assert _message(localize(a, "zh-Hant"), "deg.excluded_arm").startswith(
        "我們把「HKU SPACE」識別為香港大學的")


def test_list_changes_and_removals_in_chinese():
    facts = _degree("École Normale Supérieure - Paris")
    facts["application_date"] = "2024-06-01"
    a = assess(facts)
    changes = {c.code: c.message for c in localize(a, "zh-Hans").what_would_change if c.code}
    assert changes["list.removed"].startswith("巴黎高等师范学院将于2025年1月1日从合资格名单中删除")
    facts["application_date"] = "2025-06-01"
    a = localize(assess(facts), "zh-Hant")
    assert _message(a, "deg.removed").startswith("巴黎高等師範學院已於2025年1月1日從名單中刪除")


@pytest.mark.parametrize("lang,expected", [
    ("en", "at The University of Hong Kong, The Hong Kong University of Science and Technology as"),
    ("zh-Hans", "在香港大学及香港科技大学取得学历"),
    ("zh-Hant", "在香港大學及香港科技大學取得學歷"),
])
def test_the_other_schemes_name_the_institutions_in_the_language(lang, expected):
    facts = {"application_date": DAY, "degrees": [
        {"university": "HKU", "level": "bachelor", "graduation_date": "2026-06-30",
         "hk_nonlocal_fulltime_ug": True},
        {"university": "香港科技大學", "level": "master", "graduation_date": "2026-06-30",
         "hk_nonlocal_fulltime_ug": True}]}
    result = S.prescreen(facts, lang)
    messages = {r.code: r.message for s in result.schemes.values() for r in s.reasons}
    assert expected in messages["iang.graduate_met"]
    name = {"en": "The University of Hong Kong", "zh-Hans": "香港大学", "zh-Hant": "香港大學"}[lang]
    assert name in messages["iang.recent"]
