"""The other-schemes pre-screen (ttps_logic/schemes.py): the table of applicants in
schemes_cases.yaml, the dated data (exactly one version of every parameter and clause on every
day up to 2030, switching on the day), the side-by-side attributes, and the CLI contract."""
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ttps_logic import schemes
from ttps_logic.engine import InputError
from ttps_logic.params import SOURCE_KINDS
from ttps_logic.schemes import SCHEMES, clause_table, parameter_table, prescreen, sparam

HERE = Path(__file__).parent
CASES = yaml.safe_load((HERE / "schemes_cases.yaml").read_text(encoding="utf-8"))
DEFAULT_DATE = "2026-11-25"
END = dt.date(2030, 12, 31)
ONE = dt.timedelta(days=1)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case(case):
    facts = {"application_date": str(case.get("date", DEFAULT_DATE)), **case["facts"]}
    result = prescreen(facts)
    got = {k: result.schemes[k].status for k in case["expect"]}
    assert got == case["expect"], result.model_dump_json(indent=1)
    for scheme, codes in case.get("codes", {}).items():
        have = {r.code for r in result.schemes[scheme].reasons}
        for code in codes:
            assert code in have, f"{scheme}: {code} missing from {sorted(have)}"
    if "suggested" in case:
        assert result.suggested == case["suggested"]


def test_every_case_result_is_consistent():
    for case in CASES:
        facts = {"application_date": str(case.get("date", DEFAULT_DATE)), **case["facts"]}
        result = prescreen(facts)
        assert list(result.schemes) == list(SCHEMES)
        for s in result.schemes.values():
            conditions = [r.met for r in s.reasons if r.kind == "condition"]
            assert conditions, s.scheme
            # QMAS is never more than unknown: its points test is not computed
            assert not (s.scheme == "QMAS" and s.status == "likely")
            assert s.scheme != "CIES" or s.status == "unlikely"
            assert bool(s.to_find_out) == (s.status == "unknown")
            if s.status == "likely":
                assert all(m is True for m in conditions)
            for r in s.reasons:
                assert r.clause_id in clause_table() and r.message and r.clause_text
                assert r.source.url is None or r.source.url.startswith("http")
        assert all(result.schemes[k].status != "unlikely" for k in result.suggested)


# ---------------------------------------------------------------------------------------------
# The named applicants of the brief, spelt out


def test_the_investor_whose_income_is_all_dividends_is_pointed_to_new_cies():
    r = prescreen({"application_date": "2026-11-25", "nationality": "GB",
                   "income": [{"amount": 4000000, "currency": "HKD", "type": "investment"}]})
    cies = r.schemes["NEW_CIES"]
    assert cies.status == "unknown" and cies.indicated and r.suggested[0] == "NEW_CIES"
    assert any("net assets" in q for q in cies.to_find_out)
    net = next(x for x in cies.reasons if x.code == "newcies.net_assets_missing")
    assert net.values == {"threshold": 30000000.0, "months": 6}
    assert net.clause_id == "newcies.net_assets" and net.source.key == "immd_newcies_2025"


def test_the_mainland_engineer_with_a_job_offer_uses_asmtp_not_gep():
    r = prescreen({"application_date": "2026-11-25", "nationality": "CN-MAINLAND",
                   "hk_job_offer": "yes",
                   "degrees": [{"university": "Zhejiang University", "level": "bachelor",
                                "graduation_date": "2019-06"}]})
    assert r.schemes["ASMTP"].status == "likely"
    gep = r.schemes["GEP"]
    assert gep.status == "unlikely"
    assert [x.code for x in gep.reasons if x.met is False] == ["gep.mainland_use_asmtp"]
    assert "Chinese residents of the Mainland" in gep.reasons[0].clause_text


def test_the_window_follows_the_graduation_certificate_date():
    grad = {"university": "HKU", "level": "bachelor", "graduation_date": "2026-08-31",
            "hk_nonlocal_fulltime_ug": True}
    last = prescreen({"application_date": "2027-02-28", "nationality": "IN", "degrees": [grad]})
    after = prescreen({"application_date": "2027-03-01", "nationality": "IN", "degrees": [grad]})
    assert last.schemes["IANG"].status == "likely"
    recent = next(x for x in last.schemes["IANG"].reasons if x.code == "iang.recent")
    assert recent.values["window_end"] == dt.date(2027, 2, 28)
    assert after.schemes["IANG"].status == "unknown"   # job offer not given
    assert "iang.non_recent" in {x.code for x in after.schemes["IANG"].reasons}


def test_the_net_asset_period_changes_on_1_march_2025():
    facts = {"nationality": "GB", "net_assets": {"amount": 35000000, "currency": "HKD"}}
    before = prescreen({"application_date": "2025-02-28", **facts}).schemes["NEW_CIES"]
    on = prescreen({"application_date": "2025-03-01", **facts}).schemes["NEW_CIES"]

    def period(result):
        return next(x for x in result.reasons if x.code == "newcies.net_assets_met").values

    assert period(before)["months"] == 24 and period(before)["rates_from"] == dt.date(2023, 2, 28)
    assert period(on)["months"] == 6 and period(on)["rates_from"] == dt.date(2024, 9, 1)
    cited = {x.source.key for x in before.reasons if x.code == "newcies.net_assets_met"}
    assert cited == {"dlapiper_2024_newcies"}
    net = next(x for x in on.reasons if x.code == "newcies.net_assets_met")
    assert net.source.key == "immd_newcies_2025"
    assert net.clause_text.startswith("[official wording not available")   # page revised later
    late = prescreen({"application_date": "2025-11-19", **facts}).schemes["NEW_CIES"]
    net = next(x for x in late.reasons if x.code == "newcies.net_assets_met")
    assert "throughout the six months (reduced from two years" in net.clause_text


# ---------------------------------------------------------------------------------------------
# Side by side


def test_side_by_side_comes_from_the_data_for_the_day():
    day = dt.date(2026, 11, 25)
    r = prescreen({"application_date": day.isoformat()})
    sbs = {k: v.side_by_side for k, v in r.schemes.items()}
    assert sbs["IANG"].job_offer_needed is None and sbs["IANG"].first_stay_months == 24
    assert sbs["IANG"].quota == "quota_free" and sbs["IANG"].can_extend is True
    assert sbs["ASMTP"].job_offer_needed is True and sbs["ASMTP"].first_stay_months == 36
    assert sbs["GEP"].job_offer_needed is True and sbs["GEP"].quota == "quota_free"
    assert sbs["QMAS"].job_offer_needed is False and sbs["QMAS"].first_stay_months == 36
    assert sbs["NEW_CIES"].open and sbs["NEW_CIES"].first_stay_months == 24
    assert sbs["CIES"].open is False and sbs["CIES"].can_extend is None
    assert sbs["GEP"].fees_hkd == {"application_fee": 600, "issuance_fee_over_180_days": 1300,
                                   "issuance_fee_up_to_180_days": 600}
    for s in sbs.values():
        for ref in s.parameters:
            assert ref.value == sparam(ref.key, day)
            assert ref.valid_from <= day and (ref.valid_to is None or day <= ref.valid_to)


@pytest.mark.parametrize("day,quota,cies_open,fees", [
    ("2024-02-29", "suspended", False, {"application_fee": 0, "visa_fee": 230}),
    ("2024-03-01", "suspended", True, {"application_fee": 0, "visa_fee": 230}),
    ("2024-10-31", "suspended", True, {"application_fee": 0, "visa_fee": 230}),
    ("2024-11-01", "quota_free", True, {"application_fee": 0, "visa_fee": 230}),
    ("2025-02-26", "quota_free", True, {"application_fee": 600, "issuance_fee_over_180_days": 1300,
                                        "issuance_fee_up_to_180_days": 600}),
])
def test_side_by_side_before_and_after_each_change(day, quota, cies_open, fees):
    r = prescreen({"application_date": day})
    assert r.schemes["QMAS"].side_by_side.quota == quota
    new = r.schemes["NEW_CIES"].side_by_side
    assert new.open is cies_open
    assert new.first_stay_months == (24 if cies_open else None)
    assert r.schemes["GEP"].side_by_side.fees_hkd == fees


# ---------------------------------------------------------------------------------------------
# Dated data: exactly one version every day, switching on the day


def _days(start):
    day = start
    while day <= END:
        yield day
        day += ONE


@pytest.mark.parametrize("key", sorted(parameter_table()))
def test_each_scheme_parameter_has_exactly_one_value_every_day_to_2030(key):
    clause_id, versions = parameter_table()[key]
    first = min(v.start for v in versions)
    assert first <= schemes.data_start()
    for day in _days(first):
        assert sum(v.covers(day) for v in versions) == 1, (key, day)
    assert clause_id is None or clause_id in clause_table(), key
    for v in versions:
        assert v.source.kind in SOURCE_KINDS, key


@pytest.mark.parametrize("cid", sorted(clause_table()))
def test_each_scheme_clause_has_exactly_one_version_every_day_to_2030(cid):
    versions = clause_table()[cid]
    first = min(v.start for v in versions)
    assert first <= schemes.data_start()
    for day in _days(first):
        assert sum(v.covers(day) for v in versions) == 1, (cid, day)


@pytest.mark.parametrize("key", sorted(parameter_table()))
def test_scheme_parameter_boundaries_switch_on_the_day(key):
    _, versions = parameter_table()[key]
    versions = sorted(versions, key=lambda v: v.start)
    for before, after in zip(versions, versions[1:]):
        assert before.end == after.start - ONE, key
        assert sparam(key, after.start - ONE) == before.value
        assert sparam(key, after.start) == after.value


def test_official_wording_is_quoted_only_from_its_page_revision_date():
    for cid, versions in clause_table().items():
        for v in versions:
            assert v.text or v.summary, cid
            if v.text:
                assert v.source.kind == "official" and v.source.date is not None, cid
                assert v.start >= v.source.date, (cid, v.start, v.source.date)


def test_prescreen_runs_on_every_week_to_2030():
    facts = {"nationality": "CN-MAINLAND", "hk_job_offer": True,
             "income": [{"amount": 3000000, "currency": "HKD", "type": "investment"}],
             "degrees": [{"university": "HKU", "level": "bachelor", "graduation_date": "2020-06",
                          "hk_nonlocal_fulltime_ug": True}],
             "net_assets": {"amount": 40000000, "currency": "HKD"}}
    seen = set()
    for day in list(_days(schemes.data_start()))[::7]:
        r = prescreen({"application_date": day.isoformat(), **facts})
        seen.add(r.rules_version)
        assert r.schemes["ASMTP"].status == "likely"
        assert r.schemes["NEW_CIES"].status == "unlikely"   # not open, then Mainland resident
    assert len(seen) > 3


def test_before_the_data_starts_is_refused_naming_the_field():
    with pytest.raises(InputError) as err:
        prescreen({"application_date": "2022-12-27"})
    assert err.value.field == "application_date"


def test_every_assess_case_is_accepted_unchanged():
    """The TTPS facts are valid pre-screen input as they are (cases.yaml of the engine)."""
    cases = yaml.safe_load((HERE / "cases.yaml").read_text(encoding="utf-8"))
    for case in cases:
        r = prescreen({"application_date": DEFAULT_DATE, **case["facts"]})
        assert set(r.schemes) == set(SCHEMES)


# ---------------------------------------------------------------------------------------------
# CLI: python -m ttps_logic schemes


CLI = [sys.executable, "-m", "ttps_logic", "schemes"]


def run(stdin):
    return subprocess.run(CLI, input=stdin, capture_output=True, text=True, timeout=120)


def test_cli_reads_the_facts_and_writes_the_prescreen():
    facts = {"application_date": "2026-11-25", "nationality": "China (Mainland)",
             "hk_job_offer": "yes",
             "degrees": [{"university": "Tsinghua", "level": "bachelor", "graduation_date": "2018"}]}
    p = run(json.dumps(facts))
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["rules_version"].startswith("schemes-rules-")
    assert out["facts"]["hk_job_offer"] == "yes"
    assert {k: v["status"] for k, v in out["schemes"].items()} == {
        "IANG": "unlikely", "NEW_CIES": "unlikely", "CIES": "unlikely", "ASMTP": "likely",
        "GEP": "unlikely", "QMAS": "unknown"}
    assert out["suggested"] == ["ASMTP", "QMAS"]
    asmtp = out["schemes"]["ASMTP"]
    assert asmtp["url"] == "https://www.immd.gov.hk/eng/services/visas/ASMTP.html"
    assert asmtp["side_by_side"]["first_stay_months"] == 36
    assert all(c["where"] for c in asmtp["to_check"])


@pytest.mark.parametrize("stdin,field", [
    ("not json", ""),
    ("[1]", ""),
    ('{"hk_job_offer": "maybe"}', "hk_job_offer"),
    ('{"net_assets": {"amount": -1}}', "net_assets.amount"),
    ('{"net_assets": {"amount": 5, "currency": "XYZ"}}', "net_assets.currency"),
    ('{"planned_investment": "lots"}', "planned_investment"),
    ('{"net_worth": 5}', "net_worth"),
    ('{"application_date": "2022-01-01"}', "application_date"),
    ('{"application_date": "2026-11-25", "degrees": [{"university": "HKU", "graduation_date": "2030"}]}',
     "degrees[0].graduation_date"),
])
def test_cli_bad_input_exits_2_with_one_line_naming_the_field(stdin, field):
    p = run(stdin)
    assert p.returncode == 2 and p.stdout == ""
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    if field:
        assert lines[0].startswith(f"error: {field}: "), lines[0]
