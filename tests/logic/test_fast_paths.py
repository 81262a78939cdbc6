"""The engine's fast paths give what the plain computations give.

Month counting is checked against the straightforward algorithm (step whole months, then count
days), and every cache is checked on the inputs where "equal" values are written differently
(0.0 and -0.0, 36 and 36.0, Decimal("1.0") and Decimal("1.00")) or where an error must be raised
every time, not only the first."""
import datetime as dt
import json
import random

import pytest

from ttps_logic import assess
from ttps_logic.models import Facts, Reason
from ttps_logic.text import reason
from ttps_logic.work import add_months, counted_months, merge, months_between


def reference_months_between(start: dt.date, end: dt.date) -> float:
    if end <= start:
        return 0.0
    whole = (end.year - start.year) * 12 + (end.month - start.month)
    anchor = add_months(start, whole)
    while anchor > end:
        whole -= 1
        anchor = add_months(start, whole)
    return whole + (end - anchor).days / 30.4375


def reference_counted(intervals, lo, hi) -> float:
    clipped = [(max(s, lo), min(e, hi)) for s, e in intervals if min(e, hi) > max(s, lo)]
    return round(sum(reference_months_between(s, e) for s, e in clipped), 2)


def reference_merge(intervals):
    merged = []
    for s, e in sorted(i for i in intervals if i[1] > i[0]):
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return [(s, e) for s, e in merged]


def _day(rng: random.Random) -> dt.date:
    return dt.date(2010, 1, 1) + dt.timedelta(days=rng.randrange(0, 6000))


def test_months_between_equals_the_stepping_algorithm():
    rng = random.Random(5)
    pairs = [(_day(rng), _day(rng)) for _ in range(20000)]
    # month ends, leap days and 31st-to-30th steps, where clamping matters
    special = [dt.date(2020, 1, 31), dt.date(2020, 2, 29), dt.date(2021, 2, 28),
               dt.date(2020, 3, 31), dt.date(2020, 4, 30), dt.date(2023, 12, 31)]
    pairs += [(a, b) for a in special for b in special]
    pairs += [(a, a + dt.timedelta(days=k)) for a in special for k in range(0, 70)]
    for a, b in pairs:
        got, want = months_between(a, b), reference_months_between(a, b)
        assert got == want and type(got) is type(want), (a, b, got, want)


def test_merge_equals_the_plain_merge():
    rng = random.Random(7)
    for _ in range(5000):
        raw = []
        for _ in range(rng.randrange(0, 6)):
            a = _day(rng)
            raw.append((a, a + dt.timedelta(days=rng.randrange(-5, 900))))
        raw += raw[:rng.randrange(0, 2)]   # duplicates
        assert merge(raw) == reference_merge(raw), raw


def test_counted_months_equals_clip_and_sum():
    rng = random.Random(6)
    for _ in range(3000):
        raw = []
        for _ in range(rng.randrange(0, 4)):
            a, b = sorted((_day(rng), _day(rng)))
            raw.append((a, b))
        ivs = merge(raw)
        lo, hi = sorted((_day(rng), _day(rng)))
        got, want = counted_months(ivs, lo, hi), reference_counted(ivs, lo, hi)
        assert got == want and type(got) is type(want), (ivs, lo, hi)
    assert counted_months([], dt.date(2020, 1, 1), dt.date(2021, 1, 1)) == 0
    assert type(counted_months([], dt.date(2020, 1, 1), dt.date(2021, 1, 1))) is int


DAY = dt.date(2026, 11, 25)


@pytest.mark.parametrize("first, second", [(0.0, -0.0), (36, 36.0), (1, True), (0, False)])
def test_reason_cache_keeps_values_that_are_equal_but_written_differently(first, second):
    a = reason("b.work_met", "criteria.b", DAY, True, months=first, needed=36,
               application_date=DAY)
    b = reason("b.work_met", "criteria.b", DAY, True, months=second, needed=36,
               application_date=DAY)
    assert type(a.values["months"]) is type(first) and type(b.values["months"]) is type(second)
    assert json.dumps(a.values["months"]) == json.dumps(first)
    assert json.dumps(b.values["months"]) == json.dumps(second)
    assert repr(a.values["months"]) == repr(first) and repr(b.values["months"]) == repr(second)


def test_reason_cache_returns_the_same_reason_for_the_same_content():
    # kept from its second request on (text.Memo), and equal every time
    args = ("c.grad_met", "note.6", DAY, True)
    first, second, third = (reason(*args, year=2019, earliest_year=2021) for _ in range(3))
    assert second is third and first == second
    # a value that cannot be a key is built afresh, with the same content
    r1 = reason("a.currency_unsupported", "criteria.a", DAY, None, currencies=["XAU"],
                amount="XAU 1")
    r2 = reason("a.currency_unsupported", "criteria.a", DAY, None, currencies=["XAU"],
                amount="XAU 1")
    assert isinstance(r1, Reason) and r1 is not r2 and r1 == r2


def test_reasons_keep_the_order_of_their_values():
    a = reason("c.grad_met", "note.6", DAY, True, year=2022, earliest_year=2021)
    b = reason("c.grad_met", "note.6", DAY, True, earliest_year=2021, year=2022)
    assert list(a.values) == ["year", "earliest_year"]
    assert list(b.values) == ["earliest_year", "year"]


@pytest.mark.parametrize("months", [0.0, -0.0])
def test_stated_zero_months_are_reported_as_given(months):
    a = assess({"application_date": "2026-11-25", "work_experience_months": months,
                "degrees": [{"university": "HKU", "level": "bachelor",
                             "graduation_date": "2024-06"}]})
    c_work = next(r for r in a.categories["C"].reasons if r.code.startswith("c.work"))
    assert repr(c_work.values["months"]) == repr(months)
    assert a.work_months["stated_months"] == months
    assert repr(a.work_months["stated_months"]) == repr(months)


def test_income_amounts_keep_their_written_precision():
    for amount in ("2500000.0", "2500000.00", "2500000"):
        a = assess({"application_date": "2026-11-25",
                    "income": [{"amount": amount, "currency": "HKD", "type": "salary"}]})
        assert json.loads(a.model_dump_json())["income"][0]["amount"] == amount


@pytest.mark.parametrize("field, facts", [
    ("graduation_date", {"degrees": [{"university": "HKU", "graduation_date": "1901"}]}),
    ("graduation_date", {"degrees": [{"university": "HKU", "graduation_date": "2019-13"}]}),
    ("start", {"work_periods": [{"start": "2019-02-30", "type": "full_time"}]}),
    ("nationality", {"nationality": "Narnia"}),
    ("currency", {"income": [{"amount": 1, "currency": "ABC"}]}),
])
def test_cached_validators_refuse_every_time(field, facts):
    data = {"application_date": "2026-11-25", **facts}
    for _ in range(3):
        with pytest.raises(ValueError) as err:
            Facts.model_validate(data)
        assert field in str(err.value)


def test_containers_of_an_assessment_are_its_own():
    """The top-level containers of an assessment are its own: changing them does not change the
    next one. (Reasons, category results and institution matches are shared between
    assessments with the same content and are read-only: models.Assessment.)"""
    facts = {"application_date": "2026-11-25", "nationality": "IN",
             "degrees": [{"university": "HKU", "level": "bachelor", "graduation_date": "2019"}],
             "work_periods": [{"start": "2019-09-01", "type": "full_time"}]}
    first = assess(facts)
    before = assess(facts).model_dump_json()
    first.conditions_of_stay["fees_hkd_changed"] = True
    first.categories["A"] = first.categories["C"]
    first.eligible_categories.append("Z")
    first.general.append(first.general[0])
    first.what_would_change.clear()
    first.work_months["x"] = 1
    first.facts["x"] = 1
    assert assess(facts).model_dump_json() == before


def test_conversion_cache_key_covers_every_income_field():
    """rules._conversion keys its cache on these fields: a new field must join the key."""
    from ttps_logic.models import IncomeItem
    assert set(IncomeItem.model_fields) == {"amount", "currency", "type",
                                            "held_shares_throughout"}


def test_same_facts_twice_in_a_conversation_give_the_same_answer_as_fresh():
    """Cached parts (degree rules, conversions, category results) answer exactly as a first
    computation does, whatever was assessed in between."""
    from snapshot_cases import generated
    population = generated(60, seed=11)
    first = []
    for f in population:
        try:
            first.append(assess(f).model_dump_json())
        except ValueError:
            first.append(None)
    for f, want in zip(reversed(population), reversed(first)):
        try:
            got = assess(f).model_dump_json()
        except ValueError:
            got = None
        assert got == want
