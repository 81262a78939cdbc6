"""Property tests: monotonicity, determinism, and that any valid input gives a valid output."""
import datetime as dt
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ttps_logic import assess, explain
from ttps_logic.models import Assessment, Facts
from ttps_logic.work import months_between

DAYS = st.dates(min_value=dt.date(2022, 12, 28), max_value=dt.date(2027, 12, 31))
CURRENCIES = st.sampled_from(["HKD", "USD", "CNY", "EUR", "GBP", "SGD", "JPY", "AED"])
INCOME_TYPES = st.sampled_from(["salary", "allowance", "stock_options", "business_profit",
                                "investment", "other", "unspecified"])
UNIVERSITIES = st.sampled_from(["Tsinghua", "HKU", "MIT", "NTU", "University of Nowhere",
                                "Dartmouth College", "University of Göttingen", "oxfrod",
                                "Harbin Institute of Technology", "University of Vienna"])
income_item = st.fixed_dictionaries({
    "amount": st.integers(min_value=0, max_value=50_000_000),
    "currency": CURRENCIES, "type": INCOME_TYPES})
SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@st.composite
def facts(draw):
    day = draw(DAYS)
    out = {"application_date": day.isoformat()}
    if draw(st.booleans()):
        out["income"] = draw(st.lists(income_item, max_size=3))
    if draw(st.booleans()):
        grad = draw(st.dates(min_value=dt.date(1990, 1, 1), max_value=day))
        precision = draw(st.sampled_from(["day", "month", "year"]))
        g = {"day": grad.isoformat(), "month": grad.isoformat()[:7], "year": str(grad.year)}[precision]
        out["degrees"] = [{"university": draw(UNIVERSITIES),
                           "level": draw(st.sampled_from(["bachelor", "master", "doctorate", "other", None])),
                           "graduation_date": g,
                           "honorary": draw(st.booleans()),
                           "hk_nonlocal_fulltime_ug": draw(st.sampled_from([True, False, None]))}]
    mode = draw(st.sampled_from(["none", "months", "periods"]))
    if mode == "months":
        out["work_experience_months"] = draw(st.floats(min_value=0, max_value=600))
    elif mode == "periods":
        periods = []
        for _ in range(draw(st.integers(0, 3))):
            start = draw(st.dates(min_value=dt.date(1995, 1, 1), max_value=day))
            end = draw(st.one_of(st.none(), st.dates(min_value=start, max_value=day)))
            periods.append({"start": start.isoformat(), "end": end.isoformat() if end else None,
                            "type": draw(st.sampled_from(["full_time", "self_employed", "part_time", "internship"]))})
        out["work_periods"] = periods
    if draw(st.booleans()):
        out["nationality"] = draw(st.sampled_from(["CN", "GB", "VN", "AF", "US", "India"]))
    return out


@SETTINGS
@given(facts())
def test_any_valid_input_gives_a_valid_output(f):
    a = assess(f)
    again = Assessment.model_validate(json.loads(a.model_dump_json()))
    for code in "ABC":
        result = again.categories[code]
        assert result.status in {"eligible", "not_eligible", "unknown"}
        assert result.reasons
        if result.status == "eligible":
            assert all(r.met is True for r in result.reasons if r.kind == "condition")
        if result.status == "unknown":
            assert result.to_find_out
    assert explain(a)


@SETTINGS
@given(facts())
def test_deterministic(f):
    assert assess(f).model_dump_json() == assess(f).model_dump_json()


@SETTINGS
@given(facts(), st.integers(min_value=1, max_value=10_000_000),
       st.sampled_from(["salary", "allowance", "stock_options", "business_profit"]))
def test_more_income_never_removes_a(f, extra, kind):
    before = assess(f).categories["A"].status
    more = dict(f)
    more["income"] = list(f.get("income", [])) + [{"amount": extra, "currency": "HKD", "type": kind}]
    after = assess(more).categories["A"].status
    if before == "eligible":
        assert after == "eligible"


@SETTINGS
@given(facts(), st.floats(min_value=0.1, max_value=120))
def test_more_counted_experience_never_removes_b(f, extra):
    f = dict(f)
    f.pop("work_periods", None)
    base = f.get("work_experience_months", 0.0)
    f["work_experience_months"] = base
    before = assess(f).categories["B"].status
    more = min(600.0, base + extra)
    # Counted: a stated number is trusted up to the time since the earliest graduation day
    # (rules.work_months); more than that says part of it predates graduation, and is not more
    # counted experience.
    degrees = Facts.model_validate(f).degrees
    bounds = degrees[0].graduation_bounds if degrees else None
    if bounds is not None:
        more = max(base, min(more, months_between(bounds[0], dt.date.fromisoformat(
            f["application_date"]))))
    f2 = dict(f, work_experience_months=more)
    after = assess(f2).categories["B"].status
    if before == "eligible":
        assert after == "eligible"


@SETTINGS
@given(facts(), st.integers(min_value=1, max_value=400), st.sampled_from(["full_time", "self_employed"]))
def test_an_extra_counted_period_never_removes_b(f, days, kind):
    f = dict(f)
    f.pop("work_experience_months", None)
    periods = list(f.get("work_periods") or [])
    f["work_periods"] = periods
    before = assess(f).categories["B"].status
    end = dt.date.fromisoformat(f["application_date"])
    start = max(dt.date(1995, 1, 1), end - dt.timedelta(days=days))
    f2 = dict(f, work_periods=periods + [{"start": start.isoformat(), "end": None, "type": kind}])
    after = assess(f2).categories["B"].status
    if before == "eligible":
        assert after == "eligible"
