import datetime as dt

import pytest

from ttps_logic.institutions import normalise, registry


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
