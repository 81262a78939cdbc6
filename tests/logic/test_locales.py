"""The engine in three languages: the Chinese locale files hold every key and placeholder of the
English ones (and no other, apart from the sections only Chinese needs), every message of the
whole case table renders in Chinese, and rendering after the decision changes no decision."""
from __future__ import annotations

import datetime as dt
import json
import re
import string
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml

from ttps_logic import assess, explain, faq
from ttps_logic import schemes as S
from ttps_logic.models import Assessment
from ttps_logic.params import clause_chinese, clause_table, param_versions_from, parameter_table
from ttps_logic.render import localize
from ttps_logic.text import LANGS, UnknownLanguage, documents, templates

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ROOT / "ttps_logic" / "locales"
CHINESE = ("zh-Hans", "zh-Hant")
CASES = yaml.safe_load((Path(__file__).parent / "cases.yaml").read_text(encoding="utf-8"))
SCHEME_CASES = yaml.safe_load((Path(__file__).parent / "schemes_cases.yaml").read_text(encoding="utf-8"))
DEFAULT_DATE = "2026-11-25"
HAN = re.compile(r"[\u4e00-\u9fff]")
# Sections only the Chinese files have: what English takes from the data itself (the documents,
# the words of extension needs and acceptance windows), names pycountry gets wrong for Hong Kong
# usage, and formats the English code writes by hand.
ONLY_CHINESE = {"": {"documents", "country_names"}, "faq": {"format", "data_words"},
                "schemes": {"needs", "formats"}}
# A few words differ between the scripts (checked one way each).
SIMPLIFIED_ONLY = "们这时间说过还没为与级请页选项"
TRADITIONAL_ONLY = "們這時間說過還沒為與級請頁選項"


def _load(name: str, lang: str) -> dict:
    path = LOCALES / (f"{name}.{lang}.yaml" if name else f"{lang}.yaml")
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _flat(d: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(d, dict):
        for k, v in d.items():
            yield from _flat(v, f"{prefix}.{k}" if prefix else str(k))
    else:
        yield prefix, d


def _fields(text: Any) -> set[str]:
    if isinstance(text, list):
        return set().union(*(_fields(t) for t in text)) if text else set()
    if not isinstance(text, str):
        return set()
    return {f.split(".")[0].split("[")[0] for _, f, _, _ in string.Formatter().parse(text) if f}


def _refs(text: Any) -> list[str]:
    return sorted(re.findall(r"\[\[[^\]]+\]\]", str(text)))


@pytest.mark.parametrize("name", ["", "faq", "schemes"])
@pytest.mark.parametrize("lang", CHINESE)
def test_same_keys_and_placeholders_as_english(name, lang):
    en = {k: v for k, v in _flat(_load(name, "en"))}
    zh = {k: v for k, v in _flat(_load(name, lang))
          if k.split(".")[0] not in ONLY_CHINESE[name]}
    assert sorted(set(en) - set(zh)) == [], "missing in Chinese"
    assert sorted(set(zh) - set(en)) == [], "only in Chinese"
    for key in en:
        if key.startswith("formats."):   # how a date is written: fields of the language's own
            continue
        assert _fields(zh[key]) == _fields(en[key]), key
        assert _refs(zh[key]) == _refs(en[key]), key


@pytest.mark.parametrize("name", ["", "faq", "schemes"])
@pytest.mark.parametrize("lang", CHINESE)
def test_chinese_files_are_chinese_in_their_own_script(name, lang):
    text = (LOCALES / (f"{name}.{lang}.yaml" if name else f"{lang}.yaml")).read_text(encoding="utf-8")
    wrong = TRADITIONAL_ONLY if lang == "zh-Hans" else SIMPLIFIED_ONLY
    found = sorted({c for c in text if c in wrong})
    assert not found, f"{lang} file has characters of the other script: {found}"
    for key, value in _flat(_load(name, lang)):
        if key.split(".")[0] in ("formats", "format") or not isinstance(value, str):
            continue
        # words left once the placeholders are out are Chinese (a template of punctuation and
        # markup alone, such as "{category}：{status}", has none)
        words = re.sub(r"\{[^}]*\}", "", value)
        if re.search(r"[A-Za-z]", words):
            assert HAN.search(words), (key, value)


def test_the_chinese_documents_list_the_data_item_by_item():
    for _, versions in [parameter_table()["apply.documents"]]:
        for v in versions:
            for lang in CHINESE:
                local = documents(v.start, lang)
                assert set(local) == set(v.value)
                for key in ("all", "A", "B", "C"):
                    assert len(local[key]) == len(v.value[key]), (lang, key)
                assert set(local["by_residence"]) == set(v.value["by_residence"])
                for key, items in v.value["by_residence"].items():
                    assert len(local["by_residence"][key]) == len(items)
                assert all(HAN.search(d) for d in local["all"] + local["A"])
                assert all("{" not in d for d in local["A"])


def test_every_english_data_word_has_its_chinese():
    for lang in CHINESE:
        words = _load("faq", lang)["data_words"]
        for key in ("extension.acceptance_window", "fees.commencement_time"):
            for v in parameter_table()[key][1]:
                if v.value is not None:
                    assert v.value in words, (lang, key, v.value)
        needs = _load("schemes", lang)["needs"]
        for key, (_, versions) in S.parameter_table().items():
            if key.endswith(".extension"):
                scheme = key.split(".")[0].upper().replace("NEWCIES", "NEW_CIES")
                if any(v.value.get("can_extend") for v in versions):
                    assert scheme in needs, (lang, key)


def test_every_clause_has_chinese_words_marked_as_ours():
    chinese = clause_chinese()
    for cid in list(clause_table()) + list(S.clause_table()):
        assert cid in chinese, cid
        spec = chinese[cid]
        for lang in CHINESE:
            assert HAN.search(spec["label"][lang]) and HAN.search(spec["summary"][lang]), cid
        # no official Chinese text is held: everything is our own summary
        assert "text" not in spec, cid
    for lang in CHINESE:
        assert "非官方" in templates(lang)["text"]["clause_summary_mark"]


def test_every_source_without_an_address_has_a_chinese_title():
    # the chat shows such a source by its title (with an address, by a link)
    from ttps_logic.params import source_titles_chinese, sources
    titles = source_titles_chinese()
    for key, src in sources().items():
        if src.url is None:
            for lang in CHINESE:
                assert HAN.search(titles[key][lang]), (key, lang)


# --- the whole case table in every language -----------------------------------------------------
def _case_facts(case: dict) -> dict:
    return {"application_date": DEFAULT_DATE, **case["facts"]}


def _human_strings(a: Assessment) -> Iterator[tuple[str, str]]:
    for code, c in a.categories.items():
        if c.summary:
            yield f"{code}.summary", c.summary
        for r in c.reasons:
            yield f"{code}.{r.code}", r.message
            yield f"{code}.{r.code}.clause", r.clause_text
            yield f"{code}.{r.code}.label", r.clause_label
        for m in c.to_find_out:
            yield f"{code}.to_find_out", m
    for r in a.general:
        yield f"general.{r.code}", r.message
        yield f"general.{r.code}.clause", r.clause_text
    for ch in a.what_would_change:
        yield f"change.{ch.code}", ch.message
    yield "caveat", a.caveat


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_every_message_of_the_case_table_renders_in_chinese(case):
    a = assess(_case_facts(case))
    english = a.model_dump(mode="json")
    for lang in CHINESE:
        z = localize(a, lang)
        assert z.lang == lang
        for where, text in _human_strings(z):
            assert HAN.search(text), (lang, where, text)
            assert "{" not in text and "[[" not in text, (lang, where, text)
        # the decision is the engine's: statuses, reasons, deciding, values unchanged
        for code, c in z.categories.items():
            e = a.categories[code]
            assert (c.status, c.deciding, [r.code for r in c.reasons], [r.met for r in c.reasons],
                    [r.values for r in c.reasons]) == (
                e.status, e.deciding, [r.code for r in e.reasons], [r.met for r in e.reasons],
                [r.values for r in e.reasons])
            assert bool(c.to_find_out) == bool(e.to_find_out)
        assert z.eligible_categories == a.eligible_categories
        text = explain(a, lang)
        assert HAN.search(text) and "{" not in text
        # back to English: the same assessment as assess gave, from the object and from its JSON
        assert localize(z, "en").model_dump(mode="json") == english
        read = Assessment.model_validate_json(z.model_dump_json())
        assert localize(read, "en").model_dump(mode="json") == english, lang
        # and from JSON in the other script: the same text as from the object
        other = "zh-Hant" if lang == "zh-Hans" else "zh-Hans"
        assert (localize(read, other).model_dump(mode="json")
                == localize(a, other).model_dump(mode="json")), lang
    assert a.model_dump(mode="json") == english   # localize never changes the English one


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_the_deciding_reason_is_the_one_that_decides(case):
    a = assess(_case_facts(case))
    for c in a.categories.values():
        r = c.reasons[c.deciding]
        assert r.kind == "condition"
        conditions = [i for i, x in enumerate(c.reasons) if x.kind == "condition"]
        if c.status == "not_eligible":
            assert c.deciding == next(i for i in conditions if c.reasons[i].met is False)
        elif c.status == "unknown":
            assert c.deciding == next(i for i in conditions if c.reasons[i].met is None)
        else:
            assert c.deciding == conditions[-1] and all(c.reasons[i].met for i in conditions)


def test_localize_is_cheap_and_english_is_free():
    a = assess(_case_facts(CASES[0]))
    assert localize(a, "en") is a
    z = localize(a, "zh-Hant")
    assert localize(z, "zh-Hant") is z
    again = localize(assess(_case_facts(CASES[0])), "zh-Hant")
    # the localized reasons are shared like the English ones
    assert again.categories["A"].reasons[0] is z.categories["A"].reasons[0]


def test_an_unknown_language_is_refused_clearly():
    a = assess(_case_facts(CASES[0]))
    for bad in ("fr", "zh", "ZH-HANT", "", None):
        with pytest.raises(UnknownLanguage, match="use one of en, zh-Hans, zh-Hant"):
            localize(a, bad)
    with pytest.raises(ValueError):
        faq.answer("fees", dt.date(2025, 3, 1), lang="zh-TW")
    with pytest.raises(ValueError):
        S.prescreen({}, lang="cn")


def test_chinese_dates_and_amounts():
    a = assess({"application_date": "2025-03-01", "income": [{"amount": 2000000, "currency": "HKD",
                                                             "type": "salary"}]})
    hant = localize(a, "zh-Hant").categories["A"]
    msg = hant.reasons[hant.deciding].message
    assert "2025年3月1日" in msg and "港幣2,000,000元" in msg, msg
    hans = localize(a, "zh-Hans").categories["A"]
    assert "港币2,000,000元" in hans.reasons[hans.deciding].message


# --- the CLI ------------------------------------------------------------------------------------
def _cli(*args: str, stdin: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ttps_logic", *args], input=stdin, text=True,
                          capture_output=True, cwd=ROOT, timeout=120)


def test_cli_explain_in_each_language():
    facts = json.dumps({"application_date": "2025-03-01", "nationality": "CN-MAINLAND",
                        "degrees": [{"university": "清华大学", "level": "bachelor",
                                     "graduation_date": "2021"}], "work_experience_months": 20})
    for lang, word in (("zh-Hans", "符合资格"), ("zh-Hant", "符合資格"), ("en", "ELIGIBLE")):
        out = _cli("explain", "--lang", lang, stdin=facts)
        assert out.returncode == 0, out.stderr
        assert word in out.stdout
    bad = _cli("explain", "--lang", "fr", stdin=facts)
    assert bad.returncode == 2
    assert bad.stdout == ""
    assert bad.stderr.count("\n") == 1 and "--lang" in bad.stderr and "zh-Hant" in bad.stderr
    schemes = _cli("schemes", "--lang", "zh-Hant", stdin=facts)
    assert schemes.returncode == 0 and HAN.search(json.loads(schemes.stdout)["caveat"])


# --- FAQ and schemes ----------------------------------------------------------------------------
DAYS = [dt.date(2022, 12, 28), dt.date(2023, 10, 24), dt.date(2024, 11, 1), dt.date(2025, 2, 26),
        dt.date(2026, 11, 25), dt.date(2027, 6, 1)]


@pytest.mark.parametrize("lang", CHINESE)
def test_every_faq_answer_in_chinese(lang):
    for topic in faq.topics():
        assert HAN.search(faq.title(topic, lang))
        for day in DAYS:
            text = faq.answer(topic, day, lang=lang)
            assert HAN.search(text) and "{" not in text and "[[" not in text, (topic, day)
            # an English answer's figures are all there in the Chinese one
            english = faq.answer(topic, day)
            for number in re.findall(r"\d{3,}", re.sub(r"\(http[^)]*\)", "", english)):
                assert number in text.replace(",", "") or number in text, (topic, day, number)
    assert HAN.search(faq.fallback(lang))
    assert "2025年2月26日" in faq.as_of_note(dt.date(2025, 3, 1), "2025", [dt.date(2025, 2, 26)],
                                            lang=lang)


@pytest.mark.parametrize("case", SCHEME_CASES, ids=[c["name"] for c in SCHEME_CASES])
def test_every_scheme_message_in_chinese(case):
    facts = {"application_date": DEFAULT_DATE, **case["facts"]}
    english = S.prescreen(facts)
    for lang in CHINESE:
        r = S.prescreen(facts, lang=lang)
        assert HAN.search(r.caveat)
        for code, s in r.schemes.items():
            e = english.schemes[code]
            assert (s.status, [x.code for x in s.reasons]) == (e.status, [x.code for x in e.reasons])
            assert HAN.search(s.name)
            for x in s.reasons:
                assert HAN.search(x.message) and "{" not in x.message, (lang, code, x.code)
                assert HAN.search(x.clause_text), (lang, code, x.clause_id)
            for note in (s.side_by_side.job_offer_note, s.side_by_side.first_stay_note,
                         s.side_by_side.extension_note):
                assert HAN.search(note), (lang, code, note)
            for t in s.to_check:
                assert HAN.search(t.what)
        assert r.suggested == english.suggested
