"""Parsers for what people type (tables of input -> expected normalised value)."""
import datetime as dt
from decimal import Decimal

import pytest

from actions.parsing import parse_date, parse_duration_months, parse_money, parse_nationality, parse_yes_no

TODAY = dt.date(2026, 11, 25)


@pytest.mark.parametrize("text,amount,currency", [
    ("2.6M", 2_600_000, None),
    ("HK$2,600,000", 2_600_000, "HKD"),
    ("USD 330k", 330_000, "USD"),
    ("around 3 million HKD a year", 3_000_000, "HKD"),
    ("I made about 3.2M HKD last year", 3_200_000, "HKD"),
    ("RMB 2 million", 2_000_000, "CNY"),
    ("250萬港幣", 2_500_000, "HKD"),
    ("£250,000", 250_000, "GBP"),
    ("1.8m SGD", 1_800_000, "SGD"),
    ("three million hkd", 3_000_000, "HKD"),
    ("HK$200k per month", 2_400_000, "HKD"),
    ("$400k in Hong Kong dollars", 400_000, "HKD"),
])
def test_parse_money(text, amount, currency):
    m = parse_money(text)
    assert m is not None and m.amount == Decimal(amount) and m.currency == currency


def test_money_type_from_words():
    assert parse_money("2M from investments").type == "investment"
    assert parse_money("3M profit from my own company").type == "business_profit"
    assert parse_money("2.6M salary").type == "salary"


@pytest.mark.parametrize("text", ["no idea", "graduated in 2021", "", "lots"])
def test_parse_money_rejects(text):
    assert parse_money(text) is None


@pytest.mark.parametrize("text,iso", [
    ("June 2021", "2021-06"), ("2019", "2019"), ("last year", "2025"), ("07/2022", "2022-07"),
    ("summer 2023", "2023-07"), ("I graduated from Tsinghua in July 2021", "2021-07"),
    ("2024年6月", "2024-06"), ("2021-06-15", "2021-06-15"), ("next June", "2027-06"),
    ("in March 2027", "2027-03"), ("today", "2026-11-25"),
])
def test_parse_date(text, iso):
    assert parse_date(text, TODAY).iso == iso


@pytest.mark.parametrize("text,months", [
    ("18 months", 18), ("three and a half years", 42), ("3.5 years", 42), ("2 years", 24),
    ("2 years and 3 months", 27), ("since 2021", 70.8), ("a bit over a year", 13),
    ("no work experience", 0), ("none", 0), ("两年", 24), ("six months", 6),
])
def test_parse_duration(text, months):
    assert parse_duration_months(text, TODAY) == pytest.approx(months, abs=0.1)


@pytest.mark.parametrize("text", ["36", "a while", ""])
def test_parse_duration_needs_a_unit(text):
    assert parse_duration_months(text, TODAY) is None


@pytest.mark.parametrize("text,code", [("Vietnamese", "VN"), ("a British citizen", "GB"),
                                       ("China", "CN"), ("I am chinese", "CN"), ("CN", "CN"),
                                       ("Afghan", "AF"), ("Narnia", None)])
def test_parse_nationality(text, code):
    assert parse_nationality(text) == code


@pytest.mark.parametrize("text,value", [("yes", True), ("Yes I do", True), ("no", False),
                                        ("nope", False), ("maybe", None)])
def test_yes_no(text, value):
    assert parse_yes_no(text) is value


# --- people's own words (issue 7): durations in words, approximations, dated spans -----------
from actions.parsing import parse_duration, parse_incomes  # noqa: E402

T2 = dt.date(2026, 12, 1)


@pytest.mark.parametrize("text,months,start,end", [
    ("roughly seven years", 84, None, None),
    ("six and a half years", 78, None, None),
    ("a little over two years", 25, None, None),
    ("almost four years", 47, None, None),
    ("just under a year", 11, None, None),
    ("a year and a half", 18, None, None),
    ("two years and five months", 29, None, None),
    ("since 2020", 83, "2020", None),
    ("since March 2022", 57, "2022-03", None),
    ("from 2016 to 2021", 60, "2016", "2021"),
    ("between 2014 and 2019", 60, "2014", "2019"),
    ("2017-2022", 60, "2017", "2022"),
    ("I've worked since completing my master's in 2020", 83, "2020", None),
    ("nothing full-time, only internships", 0, None, None),
    ("I haven't had a proper job since 2015", 0, None, None),
    ("四年半", 54, None, None),
    ("做咗三年", 36, None, None),
])
def test_parse_duration_in_own_words(text, months, start, end):
    d = parse_duration(text, T2)
    assert d is not None and d.months == pytest.approx(months, abs=0.1)
    assert (d.start, d.end) == (start, end)


def test_work_before_the_degree_is_left_out():
    d = parse_duration("eighteen months since my degree; before uni I worked two years", T2)
    assert d.months == 18


@pytest.mark.parametrize("text,items", [
    ("HK$800k salary and HK$2.1M in dividends", [(800_000, "HKD", "salary"), (2_100_000, "HKD", "investment")]),
    ("RMB 1.5M bonus plus 500k RMB rent", [(1_500_000, "CNY", "salary"), (500_000, "CNY", "investment")]),
    ("four point five million HKD", [(4_500_000, "HKD", None)]),
    ("US$380,000", [(380_000, "USD", None)]),
    ("¥2,000,000 salary", [(2_000_000, "¥?", "salary")]),   # yuan or yen: asked
    ("年薪150万人民币", [(1_500_000, "CNY", "salary")]),
])
def test_several_incomes_with_their_kinds(text, items):
    got = [(float(m.amount), m.currency, m.type) for m in parse_incomes(text)]
    assert got == [(float(a), c, t) for a, c, t in items]


def test_shareholding_words():
    from actions.parsing import held_shares
    assert held_shares("I'm the sole shareholder of the firm") is True
    assert held_shares("profit of my company") is None
