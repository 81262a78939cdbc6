"""ttps_logic.faq: every topic answers on every kind of day, from the dated data."""
import datetime as dt

import pytest

from ttps_logic import faq
from ttps_logic.params import param

DAYS = [dt.date(2022, 12, 28), dt.date(2023, 10, 24), dt.date(2024, 6, 1), dt.date(2025, 2, 25),
        dt.date(2025, 2, 26), dt.date(2026, 11, 25), dt.date(2027, 6, 1)]


@pytest.mark.parametrize("key", faq.topics())
@pytest.mark.parametrize("day", DAYS, ids=str)
def test_every_topic_answers(key, day):
    text = faq.answer(key, day)
    assert text and "{" not in text and "[[" not in text
    assert "](http" in text          # every answer links to its official page
    assert faq.answer(f"faq/{key}", day) == text


def test_topics_are_the_domain_sub_intents():
    import yaml
    from pathlib import Path
    domain = yaml.safe_load((Path(__file__).parents[2] / "domain.yml").read_text())
    keys = {k.split("/", 1)[1] for k in domain["responses"] if k.startswith("utter_faq/")}
    assert keys == set(faq.topics())
    for k in keys:   # the domain holds only the titles, never an answer
        assert domain["responses"][f"utter_faq/{k}"] == [{"text": faq.title(k)}]


def test_fee_before_and_after_the_change():
    before = faq.answer("fees", dt.date(2025, 2, 25))
    after = faq.answer("fees", dt.date(2025, 2, 26))
    old = param("fees.hkd", dt.date(2025, 2, 25))["visa_fee"]
    new = param("fees.hkd", dt.date(2025, 2, 26))
    assert before.startswith("On 25 Feb 2025") and f"**HK${old}**" in before.splitlines()[0]
    assert "application fee" in before and "changed from 11 a.m. on 26 Feb 2025" in before
    assert f"HK${new['application_fee']} application fee" in after.splitlines()[0]
    assert f"HK${new['issuance_fee_over_180_days']:,}" in after
    assert f"HK${old}" in after and "Before that date" in after


def test_category_a_stay_before_and_after_16_oct_2024():
    before = faq.answer("length_of_stay", dt.date(2024, 10, 15))
    after = faq.answer("length_of_stay", dt.date(2024, 10, 16))
    assert "**24 months for every category**" in before and "get **36 months**" in before
    assert "**36 months for Category A**" in after and "before that date it was 24 months" in after


def test_nationalities_before_and_after_25_oct_2023():
    before = faq.answer("nationality_restrictions", dt.date(2023, 10, 24))
    after = faq.answer("nationality_restrictions", dt.date(2023, 10, 25))
    assert "Vietnam**" in before.splitlines()[0] and "can apply from **25 Oct 2023**" in before
    assert "Vietnam" not in after.splitlines()[0] and "since **25 Oct 2023**" in after


def test_status_line_only_where_the_sources_give_it():
    assert "3160 8663" not in faq.answer("contact", dt.date(2025, 6, 1))
    assert "3160 8663" in faq.answer("contact", dt.date(2026, 1, 1))


def test_new_cies_before_it_opened():
    assert "takes applications only from **1 Mar 2024**" in faq.answer("scheme_cies", dt.date(2023, 5, 1))
    assert "opened on **1 Mar 2024**" in faq.answer("scheme_cies", dt.date(2024, 3, 1))


def test_changes_during_a_year():
    assert faq.changes_during("fees", dt.date(2025, 1, 1), dt.date(2025, 12, 31)) == [dt.date(2025, 2, 26)]
    assert faq.changes_during("fees", dt.date(2024, 1, 1), dt.date(2024, 12, 31)) == []
    assert dt.date(2024, 10, 16) in faq.changes_during("length_of_stay", dt.date(2024, 1, 1),
                                                       dt.date(2024, 12, 31))


def test_unknown_topic_and_fallback():
    with pytest.raises(KeyError):
        faq.answer("weather", dt.date(2026, 1, 1))
    text = faq.fallback()
    assert all(faq.title(k) in text for k in faq.topics())


def test_the_2_3_3_pattern_is_said_on_every_date():
    # stated by the sources until 15 Oct 2024; worked out from the first stay and the longest
    # extension after that, and said to be worked out
    before = faq.answer("length_of_stay", dt.date(2024, 10, 15))
    after = faq.answer("length_of_stay", dt.date(2026, 12, 1))
    assert "**2+3+3** pattern" in before
    assert "**2+3+3** people talk of" in after and "states no pattern" in after
