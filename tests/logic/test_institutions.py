import datetime as dt
import importlib.util
import json
from pathlib import Path

import pytest
import yaml

from ttps_logic import assess
from ttps_logic.institutions import ARM_KINDS, normalise, registry


@pytest.mark.parametrize("query,name,method", [
    ("Massachusetts Institute of Technology", "Massachusetts Institute of Technology", "exact"),
    ("MIT", "Massachusetts Institute of Technology", "alias"),
    ("HKUST", "The Hong Kong University of Science and Technology", "alias"),
    ("UCL", "University College London", "alias"),
    ("清华大学", "Tsinghua University", "alias"),
    ("清華大學", "Tsinghua University", "alias"),
    ("the university of oxford", "University of Oxford", "normalised"),
    ("Univ. of Toronto", "University of Toronto", "normalised"),
    ("The Universite de Montreal.", "Université de Montréal", "normalised"),
    ("Massachusets Institute of Technology", "Massachusetts Institute of Technology", "fuzzy"),
    ("Univeristy of Cambrdige", "University of Cambridge", "fuzzy"),
])
def test_resolution_order(query, name, method):
    res = registry().resolve(query)
    assert res.status == "matched", res
    assert res.institution.name == name
    assert res.method == method


def test_ambiguous_short_form_returns_candidates():
    res = registry().resolve("NTU")
    assert res.status == "ambiguous"
    names = {c.name for c, _ in res.candidates}
    assert {"National Taiwan University", "Nanyang Technological University, Singapore"} <= names


@pytest.mark.parametrize("query", ["University of Nowhere", "University", "xyz", "Shenzhen Polytechnic Institute of Nowhere"])
def test_unknown_institutions_are_not_guessed(query):
    assert registry().resolve(query).status == "not_found"


def test_typo_far_from_any_name_gives_candidates_not_a_guess():
    res = registry().resolve("oxfrod")
    assert res.status == "ambiguous"
    assert res.candidates[0][0].name == "University of Oxford"


def test_normalise_folds_case_accents_articles_and_abbreviations():
    assert normalise("The Univ. of São Paulo") == normalise("university of sao paulo")


def test_dated_membership():
    reg = registry()
    gott = reg.resolve("University of Göttingen").institution
    assert gott.listed_on(dt.date(2023, 12, 31)) and not gott.listed_on(dt.date(2024, 1, 1))
    vienna = reg.resolve("University of Vienna").institution
    assert not vienna.listed_on(dt.date(2025, 12, 31)) and vienna.listed_on(dt.date(2026, 1, 1))


def test_hong_kong_institutions_flagged():
    for q in ["HKU", "CUHK", "HKUST", "PolyU", "CityU"]:
        assert registry().resolve(q).institution.is_hong_kong


def test_every_entry_has_provenance_and_dates():
    for inst in registry().institutions:
        assert inst.provenance in {"official", "derived"}
        assert inst.confidence in {"confirmed", "high", "low"}
        assert inst.added >= dt.date(2022, 12, 28)
        assert inst.removed is None or inst.removed > inst.added
        assert inst.evidence


# --- issue 11: no wrong match ---------------------------------------------------------------

@pytest.mark.parametrize("query,not_this", [
    ("Boston College", "Boston University"),
    ("Beijing University of Technology", "Beijing Institute of Technology"),
    ("Beijing University of Technology", "Peking University"),
    ("Tokyo University of Science", "University of Tokyo"),
    ("University of London", "University College London"),
    ("Southwest University", "Southeast University"),
    ("Washington State", "University of Washington"),
    ("Washington State University", "University of Washington"),
    ("Kyoto Institute of Technology", "Tokyo Institute of Technology"),
    ("Nanjing University of Aeronautics and Astronautics", "Beihang University"),
    ("City University", "City University of Hong Kong"),
])
def test_issue_lookalikes_are_not_matched(query, not_this):
    res = registry().resolve(query)
    assert res.status in {"ambiguous", "not_found"}
    assert res.institution is None


def test_kind_words_must_agree():
    reg = registry()
    assert reg.resolve("Boston University").status == "matched"
    assert reg.resolve("Boston College").status == "not_found"
    assert reg.resolve("Cornell College").status == "not_found"
    assert reg.resolve("Harbin Institute of Technology").status == "matched"
    assert reg.resolve("Harbin University of Technology").status == "not_found"


def test_a_real_place_is_not_taken_for_a_misspelling():
    reg = registry()
    for query, near in [("Stamford University", "Stanford University"),
                        ("University of Bolton", "Boston University"),
                        ("Nanning University", "Nanjing University")]:
        res = reg.resolve(query)
        assert res.status == "ambiguous"  # offered, never decided
        assert near in {c.name for c, _ in res.candidates}
    # but with another word of the name agreeing exactly the correction is safe
    assert reg.resolve("University of California Berkley").institution.name == \
        "University of California, Berkeley"


def test_direction_words_are_never_corrected():
    for query in ["Southwest University", "Northeastern University"]:
        res = registry().resolve(query)
        assert res.status == "not_found" and not res.candidates


def test_a_name_in_another_order_competes_with_a_longer_listed_name():
    res = registry().resolve("Washington University")
    assert res.status == "ambiguous"
    assert {c.id for c, _ in res.candidates} == {"university-of-washington",
                                                  "washington-university-in-st-louis"}
    assert registry().resolve("Tokyo University").institution.id == "university-of-tokyo"


@pytest.mark.parametrize("form,listed,other", [
    ("CSU", "Central South University", "Colorado State University"),
    ("KSU", "King Saud University", "Kansas State University"),
    ("UM", "Universiti Malaya", "University of Macau"),
    ("UW", "University of Washington", "University of Waterloo"),
    ("PUC", "Pontificia Universidad Católica de Chile", "Pontifical Catholic University of Rio"),
    ("usc", "University of Southern California", "University of South Carolina"),
])
def test_shared_short_forms_give_candidates_and_name_unlisted_meanings(form, listed, other):
    res = registry().resolve(form)
    assert res.status == "ambiguous" and res.institution is None
    assert listed in {c.name for c, _ in res.candidates}
    assert any(o.startswith(other) for o in res.others)


def test_ambiguous_short_form_reason_names_the_unlisted_meanings():
    result = assess({"application_date": "2026-03-01", "work_experience_months": 60,
                     "degrees": [{"university": "CSU", "level": "bachelor",
                                  "graduation_date": "2019-06"}]})
    deg = result.categories["B"].reasons[0]
    assert result.categories["B"].status == "unknown"
    assert deg.code == "deg.ambiguous_unlisted" and deg.clause_id == "note.4"
    assert "Central South University" in deg.message and "Colorado State" in deg.message
    assert "Colorado State University (US)" in result.institutions[0].others


def test_issue_repro_boston_college_is_not_eligible_by_list_but_unknown():
    """The issue's repro: Boston College made B eligible; now B cannot be decided from the list
    (the institution is not on it as far as we know), and never eligible."""
    result = assess({"application_date": "2026-03-01",
                     "degrees": [{"university": "Boston College", "level": "bachelor",
                                  "graduation_date": "2017-05"}],
                     "work_periods": [{"start": "2017-06-01", "end": None, "type": "full_time"}]})
    assert result.categories["B"].status == "unknown"
    assert result.categories["B"].reasons[0].code == "deg.not_found"
    assert "B" not in result.eligible_categories


def test_polyu_speed_is_note4_not_polyu():
    """The issue's Note 4 repro: "Hong Kong Polytechnic University SPEED" made C eligible."""
    res = registry().resolve("Hong Kong Polytechnic University SPEED")
    assert res.status == "excluded_arm" and res.arm.kind == "continuing_education"
    assert res.arm.parent.name == "The Hong Kong Polytechnic University"
    result = assess({"application_date": "2026-03-01", "work_experience_months": 6,
                     "degrees": [{"university": "Hong Kong Polytechnic University SPEED",
                                  "level": "bachelor", "graduation_date": "2024-06",
                                  "hk_nonlocal_fulltime_ug": False}]})
    assert result.categories["C"].status == "not_eligible"
    assert any(r.code == "deg.excluded_arm" and r.clause_id == "note.4"
               for r in result.categories["C"].reasons)


@pytest.mark.parametrize("query,kind,parent", [
    # generic words, not only the names we hold
    ("Stanford University Continuing Education", "continuing_education", "Stanford University"),
    ("Tsinghua University School of Continuing Education", "continuing_education",
     "Tsinghua University"),
    ("University of Toronto Mississauga campus", "campus", "University of Toronto"),
    ("Yale University Extension", "extension_school", "Yale University"),
    ("复旦大学继续教育学院", "continuing_education", "Fudan University"),
    ("浙江大学独立学院", "subsidiary_school", "Zhejiang University"),
    ("南京大学（苏州）", "campus", "Nanjing University"),
    ("HKU SPACE", "continuing_education", "The University of Hong Kong"),
    ("SPACE, HKU", "continuing_education", "The University of Hong Kong"),
    ("Nottingham Ningbo", "branch_school", "University of Nottingham"),
])
def test_note4_arms_are_recognised(query, kind, parent):
    res = registry().resolve(query)
    assert res.status == "excluded_arm", res
    assert (res.arm.kind, res.arm.parent.name) == (kind, parent)


def test_faculties_of_a_listed_university_are_the_university():
    reg = registry()
    for query, name in [("Harvard Business School", "Harvard University"),
                        ("Boston University School of Medicine", "Boston University"),
                        ("Tsinghua University School of Economics and Management",
                         "Tsinghua University"),
                        ("北京大学光华管理学院", "Peking University"),
                        ("北京大学医学部", "Peking University")]:
        res = reg.resolve(query)
        assert res.status == "matched" and res.institution.name == name, query
        assert res.method == "part"
    # a one-word name followed by "School of ..." is another institution
    assert reg.resolve("Glasgow School of Art").status == "not_found"
    assert reg.resolve("Imperial College of Business Studies").status != "matched"


@pytest.mark.parametrize("query,name", [
    ("清華大学", "Tsinghua University"),        # scripts mixed in one name
    ("東京大学", "University of Tokyo"),        # Japanese form
    ("國立臺灣大學", "National Taiwan University"),
    ("清华大学本科", "Tsinghua University"),    # "bachelor's" after the name
    ("HKU 香港大學", "The University of Hong Kong"),
    ("Hongkong University", "The University of Hong Kong"),
    ("Shanghai Jiao-Tong Univ", "Shanghai Jiao Tong University"),
    ("UC Berkley", "University of California, Berkeley"),
])
def test_spellings_people_use(query, name):
    res = registry().resolve(query)
    assert res.status == "matched", res
    assert res.institution.name == name


@pytest.mark.parametrize("query", ["國立清華大學", "国立中山大学", "西悉尼大学", "北京工业大学",
                                   "上海大学", "澳門城市大學"])
def test_chinese_lookalikes_are_not_matched(query):
    assert registry().resolve(query).status != "matched"


@pytest.mark.parametrize("query", ["华盛顿大学", "伦敦大学", "城市大学", "交通大学"])
def test_part_of_a_chinese_name_gives_candidates(query):
    res = registry().resolve(query)
    assert res.status == "ambiguous" and len(res.candidates) >= 1


def test_institution_match_carries_new_fields_in_json():
    result = assess({"degrees": [{"university": "UW", "level": "bachelor",
                                  "graduation_date": "2024"}]})
    data = result.model_dump(mode="json")["institutions"][0]
    assert data["status"] == "ambiguous" and data["arm"] is None
    assert "University of Waterloo (CA)" in data["others"]


# --- data files ------------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]


def _build_tool():
    spec = importlib.util.spec_from_file_location("build_institutions",
                                                  ROOT / "tools" / "build_institutions.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not (ROOT.parent / "shared" / "research" / "universities.csv").exists(),
                    reason="research file not beside the checkout")
def test_registry_csv_is_what_its_inputs_build():
    tool = _build_tool()
    assert tool.main(["--research", str(ROOT.parent / "shared/research/universities.csv"),
                      "--aliases", str(ROOT / "tools/institution_aliases.csv"),
                      "--out", str(ROOT / "ttps_logic/data/institutions.csv"), "--check"]) == 0


def test_word_list_builders(tmp_path):
    tool = _build_tool()
    def letters(i):
        return "".join(chr(97 + (i // 26 ** k) % 26) for k in range(3))
    cities = {str(i): {"name": f"Ćity{letters(i)}"} for i in range(1200)}
    cities["x"] = {"name": "Stamford"}
    (tmp_path / "cities.json").write_text(json.dumps(cities), encoding="utf-8")
    words = tool.build_place_words(str(tmp_path / "cities.json")).splitlines()
    assert "stamford" in words and "cityaaa" in words  # accents folded
    assert all(w.startswith("#") or len(w) >= 5 for w in words)
    pairs = "\n".join(f"{chr(0x4e00 + 2 * i)}\t{chr(0x4e01 + 2 * i)} x" for i in range(1100))
    (tmp_path / "ts.txt").write_text(pairs + "\n學\t学\n", encoding="utf-8")
    assert "學\t学" in tool.build_zh_chars(str(tmp_path / "ts.txt")).splitlines()
    (tmp_path / "small.json").write_text("{}", encoding="utf-8")
    with pytest.raises(tool.BuildError):
        tool.build_place_words(str(tmp_path / "small.json"))


def test_shipped_word_lists_hold_what_the_resolver_relies_on():
    data = ROOT / "ttps_logic" / "data"
    places = (data / "place_words.txt").read_text(encoding="utf-8").split()
    assert {"stamford", "bolton", "northampton", "nanning"} <= set(places)
    t2s = (data / "zh_t2s_chars.tsv").read_text(encoding="utf-8")
    assert "學\t学" in t2s and "臺\t台" in t2s
    names = yaml.safe_load((data / "institution_names.yaml").read_text(encoding="utf-8"))
    ids = set(registry().by_id)
    assert all(set(e["listed"]) <= ids for e in names["shared_short_forms"])
    assert all(e["parent"] in ids and e["kind"] in ARM_KINDS for e in names["arms"])
