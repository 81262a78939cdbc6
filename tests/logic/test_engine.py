"""Behaviour of the assessment as a whole: citations, dated changes, stay, what-would-change."""
import datetime as dt
import json

import pytest

from ttps_logic import InputError, assess, explain
from ttps_logic.models import Assessment, Facts


def test_every_reason_carries_clause_and_source():
    a = assess({"application_date": "2025-03-01", "nationality": "CN",
                "income": [{"amount": 1, "currency": "USD", "type": "salary"}],
                "degrees": [{"university": "HKU", "level": "bachelor", "graduation_date": "2022"}],
                "work_periods": [{"start": "2022-09", "type": "full_time"}]})
    reasons = [r for c in a.categories.values() for r in c.reasons] + a.general
    assert reasons
    for r in reasons:
        assert r.clause_id and r.clause_text and r.source.url.startswith("http"), r
        assert r.message


def test_the_text_given_to_the_project_is_cited_as_such_without_an_address():
    a = assess({"application_date": "2024-03-01",
                "income": [{"amount": 3000000, "currency": "HKD", "type": "salary"}]})
    met = next(r for r in a.categories["A"].reasons if r.code == "a.met")
    assert met.source.key == "seed_scheme_page" and met.source.url is None
    assert "given to this project" in met.source.title
    assert "Immigration Department page" in met.source.title  # "not an Immigration Department page"
    again = Assessment.model_validate(json.loads(a.model_dump_json()))
    assert again.categories["A"].reasons[-1].source.url is None


@pytest.mark.parametrize("facts,field", [
    ({"nationality": "Korean"}, "nationality"),
    ({"nationality": "Congolese"}, "nationality"),
    ({"nationality": "Vietnamse"}, "nationality"),
    ({"nationality": "GB", "overseas_residence": {"permanent_residence": True}}, "overseas_residence"),
    ({"overseas_residence": {"permanent_residence": True}}, "overseas_residence"),
    ({"income": [{"amount": 1, "currency": "HKD", "type": "salary",
                  "held_shares_throughout": True}]}, "held_shares_throughout"),
])
def test_input_that_needs_a_question_is_refused(facts, field):
    with pytest.raises(Exception) as exc:
        assess(facts)
    assert field in str(exc.value)


def test_person_level_conditions_reach_every_category_even_without_degrees():
    a = assess({"nationality": "AF"})
    for cat in "ABC":
        assert a.categories[cat].status == "not_eligible"
        assert a.categories[cat].reasons[0].code == "gen.nationality_excluded"


def test_non_local_exclusion_is_one_reason_on_every_route():
    """criteria.c speaks of the person: whichever degree is best for C, the exclusion is there."""
    a = assess({"degrees": [{"university": "Peking University", "level": "bachelor",
                             "graduation_date": "2022"},
                            {"university": "HKU", "level": "bachelor", "graduation_date": "2024",
                             "hk_nonlocal_fulltime_ug": True}],
                "work_experience_months": 12})
    c = a.categories["C"]
    assert c.status == "not_eligible"
    excluded = next(r for r in c.reasons if r.code == "c.nonlocal_excluded")
    assert excluded.clause_id == "criteria.c"
    assert "non-local students" in excluded.clause_text and "undergraduate qualification" in excluded.clause_text
    assert "University of Hong Kong" in excluded.message
    assert any(r.code == "deg.listed" and "Peking" in r.message for r in c.reasons)


def test_application_date_defaults_to_today_and_is_shown():
    a = assess({})
    assert a.application_date == dt.date.today()
    assert str(dt.date.today()) in explain(a)


def test_before_launch_is_an_input_error():
    with pytest.raises(InputError) as exc:
        assess({"application_date": "2022-12-27"})
    assert exc.value.field == "application_date"


@pytest.mark.parametrize("day,months_a,possible_a", [("2024-10-15", 24, [24, 36]),
                                                    ("2024-10-16", 36, [36])])
def test_initial_stay_for_category_a_is_keyed_on_the_approval_date(day, months_a, possible_a):
    """stay.initial: 36 months for Category A approvals from 16 Oct 2024. An application made
    the day before may be approved on either side, so both values are given."""
    a = assess({"application_date": day})
    stay = a.conditions_of_stay
    assert stay["initial_stay_months"] == {"A": months_a, "B": 24, "C": 24}
    assert stay["initial_stay_months_possible"] == {"A": possible_a, "B": [24], "C": [24]}
    periods = stay["initial_stay_by_approval_date"]
    assert periods[0]["approved_from"] == dt.date.fromisoformat(day)
    assert periods[-1]["approved_to"] is None and periods[-1]["months"]["A"] == 36
    if len(periods) == 2:
        assert periods[0]["approved_to"] == dt.date(2024, 10, 15)
        assert periods[1]["approved_from"] == dt.date(2024, 10, 16)
    assert stay["job_offer_required"] is False
    codes = [r.code for r in a.general if r.clause_id == "stay.initial"]
    assert codes == (["gen.initial_stay_approved_until", "gen.initial_stay_approved_from"]
                     if len(periods) == 2 else ["gen.initial_stay"])


def test_each_approval_period_cites_its_own_clause_version():
    a = assess({"application_date": "2024-10-01"})
    before, after = [r for r in a.general if r.clause_id == "stay.initial"]
    assert "24 months’ stay" in before.clause_text and before.source.key == "seed_scheme_page"
    assert "36 months" in after.clause_text and after.source.key == "press_20241101_enhancements"
    assert "approval date" in before.message and "2024-10-16" in after.message


@pytest.mark.parametrize("day", ["2024-10-16", "2025-06-01", "2026-11-25"])
def test_no_2_3_3_pattern_without_a_source_for_the_date(day):
    a = assess({"application_date": day})
    assert a.conditions_of_stay["limit_of_stay_pattern"] == {"A": None, "B": None, "C": None}
    assert not any("2+3+3" in r.message for r in a.general)
    assert "2+3+3" not in explain(a)


def test_2_3_3_pattern_only_for_approvals_before_16_oct_2024_with_its_end_date():
    a = assess({"application_date": "2024-06-01"})
    assert a.conditions_of_stay["limit_of_stay_pattern"] == {"A": "2+3+3", "B": "2+3+3", "C": "2+3+3"}
    pattern = next(r for r in a.general if r.code == "gen.pattern")
    assert "2024-10-15" in pattern.message and pattern.source.key == "seed_scheme_page"
    assert "given to this project" in pattern.message


def test_extension_and_top_tier_as_the_current_page_says():
    a = assess({"application_date": "2026-11-25"})
    stay = a.conditions_of_stay
    assert stay["extension_of_stay"] == {"max_years": 3, "capped_by_contract": True,
                                         "needs": "employment_or_business"}
    assert stay["top_tier_extension"] == {"extension_years": 6, "min_years_under_scheme": 2,
                                          "min_assessable_income_hkd": 2000000}
    codes = {r.code: r for r in a.general}
    assert "employment contract" in codes["gen.extension"].message
    assert "HK$2,000,000" in codes["gen.top_tier"].message
    assert codes["gen.top_tier"].clause_text.startswith("Persons admitted under the TTPS")


def test_top_tier_conditions_before_the_2026_page_are_not_invented():
    a = assess({"application_date": "2025-06-01"})
    assert a.conditions_of_stay["top_tier_extension"]["min_assessable_income_hkd"] is None
    assert any(r.code == "gen.top_tier_unstated" for r in a.general)
    assert any(r.code == "gen.extension_unstated_cap" for r in a.general)


def test_clause_version_follows_the_date():
    def stay_clause(day):
        return next(r for r in assess({"application_date": day}).general
                    if r.clause_id == "stay.initial")
    assert "24 months’ stay" in stay_clause("2024-10-15").clause_text
    gap = stay_clause("2025-06-01")
    assert gap.clause_text.startswith("[official wording not available; summary]")
    assert "36 months (Category A)" in stay_clause("2026-01-01").clause_text
    assert stay_clause("2026-01-01").source.key == "immd_ttps_2026"


@pytest.mark.parametrize("day,fragment", [
    ("2024-09-01", "Category A gives 36 months if the application is approved on or after 2024-10-16"),
    ("2026-11-25", "Category A gives the longest initial stay (36 months against 24)"),
])
def test_preference_explanation_is_dated(day, fragment):
    a = assess({"application_date": day,
                "income": [{"amount": 3000000, "currency": "HKD", "type": "salary"}],
                "degrees": [{"university": "MIT", "level": "bachelor", "graduation_date": "2015"}],
                "work_experience_months": 60})
    assert a.eligible_categories == ["A", "B"]
    text = explain(a)
    assert fragment in text
    assert "longest initial stay" not in text or day >= "2024-10-16"


@pytest.mark.parametrize("day,status_line", [("2025-12-31", False), ("2026-01-01", True)])
def test_caveat_labels_the_enquiry_numbers(day, status_line):
    a = assess({"application_date": day})
    assert "2868 3780 (the number in the scheme text given to this project)" in a.caveat
    assert ("(852) 3160 8663" in a.caveat) is status_line
    assert a.conditions_of_stay["status_enquiry_phone"] == ("(852) 3160 8663" if status_line else None)


def test_list_and_rules_versions_are_dated():
    a = assess({"application_date": "2025-06-01"})
    assert a.list_version == "aggregate-list-2025-01-01"
    assert a.rules_version == "ttps-rules-2025-02-26"
    b = assess({"application_date": "2023-06-01"})
    assert b.list_version == "aggregate-list-2022-12-28"
    assert b.rules_version == "ttps-rules-2022-12-28"


def test_b_reach_date_with_current_job():
    # Graduated 2020; full-time since 2024-01-01; on 2026-01-01 that is 24 months; the window
    # then holds 36 months on 2027-01-01.
    a = assess({"application_date": "2026-01-01",
                "degrees": [{"university": "Zhejiang University", "level": "bachelor",
                             "graduation_date": "2020-06-30"}],
                "work_periods": [{"start": "2024-01-01", "type": "full_time"}]})
    assert a.categories["B"].status == "not_eligible"
    changes = [c for c in a.what_would_change if c.category == "B"]
    assert [c.date for c in changes] == [dt.date(2027, 1, 1)]
    assert "2027-01-01" in changes[0].message


def test_c_window_closes_at_end_of_graduation_year_plus_five():
    a = assess({"application_date": "2026-11-25",
                "degrees": [{"university": "Fudan", "level": "bachelor", "graduation_date": "2022-07"}],
                "work_experience_months": 12})
    closes = [c for c in a.what_would_change if c.category == "C" and c.date == dt.date(2027, 12, 31)]
    assert closes, a.what_would_change


def test_c_work_limit_date_with_current_job():
    a = assess({"application_date": "2026-01-01",
                "degrees": [{"university": "Fudan", "level": "bachelor", "graduation_date": "2024-06-30"}],
                "work_periods": [{"start": "2024-09-01", "type": "full_time"}]})
    assert a.categories["C"].status == "eligible"
    dates = [c.date for c in a.what_would_change if c.category == "C"]
    assert dt.date(2027, 9, 1) in dates


def test_a_shortfall_is_reported():
    a = assess({"income": [{"amount": 2000000, "currency": "HKD", "type": "salary"}]})
    msgs = [c.message for c in a.what_would_change if c.category == "A"]
    assert msgs and "500,000" in msgs[0]


def test_fx_conversion_shows_rate_range_and_dates():
    a = assess({"application_date": "2026-11-25",
                "income": [{"amount": 280000, "currency": "EUR", "type": "salary"}]})
    conv = a.income[0]
    assert conv.rate_low < conv.rate_average < conv.rate_high
    assert dt.date(2025, 11, 25) <= conv.rate_first_day <= conv.rate_last_day < dt.date(2026, 11, 25)
    assert conv.hkd_low < 2_500_000 < conv.hkd_high


def test_eligible_categories_in_order_of_preference():
    a = assess({"income": [{"amount": 3000000, "currency": "HKD", "type": "salary"}],
                "degrees": [{"university": "MIT", "level": "bachelor", "graduation_date": "2015"}],
                "work_experience_months": 60, "nationality": "GB"})
    assert a.eligible_categories == ["A", "B"]


def test_json_round_trip_validates():
    a = assess({"income": [{"amount": 3000000, "currency": "HKD", "type": "salary"}]})
    again = Assessment.model_validate(json.loads(a.model_dump_json()))
    assert again.categories["A"].status == "eligible"


def test_facts_model_accepted_directly():
    facts = Facts(application_date=dt.date(2025, 1, 2), work_experience_months=3)
    assert assess(facts).application_date == dt.date(2025, 1, 2)


def test_explain_cites_clause_ids_and_caveat():
    text = explain(assess({"income": [{"amount": 3000000, "currency": "HKD", "type": "salary"}]}))
    assert "[criteria.a]" in text and "Immigration Department decides" in text


@pytest.mark.parametrize("day,fees", [
    ("2025-02-25", {"application_fee": 0, "visa_fee": 230}),
    ("2025-02-26", {"application_fee": 600, "issuance_fee_over_180_days": 1300,
                    "issuance_fee_up_to_180_days": 600}),
])
def test_fees_changed_on_26_feb_2025(day, fees):
    assert assess({"application_date": day}).conditions_of_stay["fees_hkd"] == fees


@pytest.mark.parametrize("day,window", [("2024-10-31", "4 weeks"),
                                        ("2024-11-01", "3 months (temporary arrangement)")])
def test_extension_window_changed_on_1_nov_2024(day, window):
    assert assess({"application_date": day}).conditions_of_stay["extension_acceptance_window"] == window


def test_foreign_income_reason_shows_rate_dates_and_amount():
    a = assess({"application_date": "2026-11-25",
                "income": [{"amount": 330000, "currency": "USD", "type": "salary"}]})
    conv = next(r for r in a.categories["A"].reasons if r.code == "a.conversion")
    assert conv.values["first_day"] >= dt.date(2025, 11, 25)
    assert "USD 330,000 = HK$" in conv.message and "daily rates from 2025-11" in conv.message


def test_not_found_points_to_the_official_list():
    a = assess({"degrees": [{"university": "University of Nowhere", "level": "bachelor",
                             "graduation_date": "2024"}], "work_experience_months": 3})
    msg = next(r.message for r in a.categories["C"].reasons if r.code == "deg.not_found")
    assert "aggregate_list.pdf" in msg


def test_no_work_or_window_hints_for_a_person_the_scheme_excludes():
    a = assess({"nationality": "Cuba",
                "degrees": [{"university": "Fudan", "level": "bachelor", "graduation_date": "2022-07"}],
                "work_periods": [{"start": "2024-09-01", "type": "full_time"}]})
    assert [c for c in a.what_would_change if c.category in ("B", "C")] == []
    b = assess({"degrees": [{"university": "Peking University", "level": "bachelor",
                             "graduation_date": "2022"},
                            {"university": "HKU", "level": "bachelor", "graduation_date": "2024",
                             "hk_nonlocal_fulltime_ug": True}],
                "work_experience_months": 12})
    assert [c for c in b.what_would_change if c.category == "C"] == []
    assert [c.category for c in b.what_would_change] == ["B"]   # one hint, not one per degree


@pytest.mark.parametrize("code", ["CN", "CN-MAINLAND", "CN-OVERSEAS", "HK", "MO", "TW", "KP", "KR"])
@pytest.mark.parametrize("day", ["2022-12-28", "2024-10-15", "2024-10-16", "2026-01-01", "2027-06-01"])
def test_every_residence_code_assesses_on_every_era(code, day):
    a = assess({"application_date": day, "nationality": code,
                "income": [{"amount": 3000000, "currency": "HKD", "type": "salary"}],
                "degrees": [{"university": "Fudan", "level": "bachelor", "graduation_date": "2020"}],
                "work_experience_months": 40})
    assert a.general[0].clause_id in ("intro.nationals", "intro.visa_required",
                                      "nationals.prc_overseas", "documents.mainland",
                                      "documents.macao", "documents.taiwan")
    expected_a = {"HK": "not_eligible", "KP": "not_eligible", "CN-OVERSEAS": "unknown"}
    assert a.categories["A"].status == expected_a.get(code, "eligible")
    assert explain(a)
