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


def test_application_date_defaults_to_today_and_is_shown():
    a = assess({})
    assert a.application_date == dt.date.today()
    assert str(dt.date.today()) in explain(a)


def test_before_launch_is_an_input_error():
    with pytest.raises(InputError) as exc:
        assess({"application_date": "2022-12-27"})
    assert exc.value.field == "application_date"


@pytest.mark.parametrize("day,months_a", [("2024-10-15", 24), ("2024-10-16", 36)])
def test_initial_stay_for_category_a_changed_on_16_oct_2024(day, months_a):
    a = assess({"application_date": day})
    assert a.conditions_of_stay["initial_stay_months"] == {"A": months_a, "B": 24, "C": 24}
    assert a.conditions_of_stay["job_offer_required"] is False
    assert a.conditions_of_stay["limit_of_stay_pattern"] == "2+3+3"


def test_clause_version_follows_the_date():
    before = assess({"application_date": "2024-10-15"})
    after = assess({"application_date": "2024-10-16"})
    stay_before = next(r for r in before.general if r.clause_id == "stay.initial")
    stay_after = next(r for r in after.general if r.clause_id == "stay.initial")
    assert "24 months’ stay" in stay_before.clause_text
    assert "36 months (Category A)" in stay_after.clause_text


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
