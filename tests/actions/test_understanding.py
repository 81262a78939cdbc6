"""What one message gives, whatever question is pending (actions/understanding.py), as a table:
message, NLU intent, NLU entities, the pending question -> the facts read from it."""
import datetime as dt

import pytest

from actions.understanding import understand

TODAY = dt.date(2026, 12, 1)

CASES = [
    # several facts at once, in any state
    ("I earned 3.1M HKD last year, MIT bachelor 2016, 7 years of work, British", "inform",
     {"university": "MIT"}, "graduation_date",
     {"income", "graduation_date", "work_months", "university", "nationality", "has_degree"}),
    # a greeting or a question is not an answer: nothing read, the rules answer it
    ("hello", "greet", {}, "income", set()),
    ("what?", "nlu_fallback", {}, "income", set()),
    ("is investment income counted?", "faq", {}, "income", set()),
    ("what if I apply next June?", "what_if", {"application_date": "next June"}, "income", set()),
    ("start over", "start_over", {}, "university", set()),
    # an answer the NLU took for a question about the scheme is still an answer
    ("around 4 million HKD, all dividends and interest from my investments", "faq", {}, "income",
     {"income"}),
    # an answer to a different question than the one asked is kept, and the asked one isn't guessed
    ("bachelor of engineering", "inform", {}, "has_degree", {"has_degree"}),
    ("I studied at MIT", "inform", {}, "graduation_date", {"university"}),
    ("I graduated from Boston College in 2017", "inform", {}, "university",
     {"university", "graduation_date"}),
    # a correction late in the form
    ("sorry, I made a mistake: my income was actually 2.7 million HKD", "correct_fact",
     {"income": "2.7 million"}, "nationality", {"income"}),
    # plain answers to the question asked
    ("2019", "inform", {}, "graduation_date", {"graduation_date"}),
    ("yes", "affirm", {}, "has_degree", {"has_degree"}),
    ("I don't know", "dont_know", {}, "work_months", {"work_months"}),
    ("I've been working full time for about eight years", "inform",
     {"work_duration": "eight years"}, "work_months", {"work_months"}),
    ("I was a non-local student on a student visa", "inform", {}, "hk_nonlocal", {"hk_nonlocal"}),
    # "Chinese University" is an institution, not a nationality
    ("Chinese University of Hong Kong", "inform", {"university": "Chinese University of Hong Kong"},
     "university", {"university"}),
]


@pytest.mark.parametrize("text,intent,entities,requested,slots", CASES)
def test_facts_read_from_a_message(text, intent, entities, requested, slots):
    assert set(understand(text, entities, intent, requested, TODAY)) == slots


def test_the_work_span_is_widened_to_what_the_nlu_left_out():
    found = understand("roughly eight and a half years", {"work_duration": "eight"},
                       "inform", "work_months", TODAY)
    assert "half" in found["work_months"]


# The NLU's spans as it really gave them (first guesses are not always right)
@pytest.mark.parametrize("text,entities,intent,requested,expected", [
    ("Hi! Quick check: my salary last year was USD 420k, a bachelor's from Stanford (class of "
     "2011), 15 years of full-time work since then, and I'm American. Do I qualify?",
     {"university": ["Quick", "Stanford"], "graduation_date": ["last year", "2011"],
      "income": ["USD 420k"], "work_duration": ["15 years"]}, "check_eligibility", None,
     {"university": "Stanford", "graduation_date": "2011"}),
    ("I earned 3.1M HKD in salary last year, MIT bachelor 2016, 7 years of work, British",
     {"graduation_date": ["last", "2016"], "university": ["MIT"], "work_duration": ["7 years"]},
     "inform", None, {"graduation_date": "2016", "nationality": "British"}),
    ("2019, sorry I meant 2021", {"graduation_date": ["2019", "2021"]}, "correct_fact",
     "graduation_date", {"graduation_date": "2021"}),
    ("1 year", {"graduation_date": ["1 year"]}, "inform", "work_months", {"work_months": "1 year"}),
])
def test_the_right_span_is_picked(text, entities, intent, requested, expected):
    found = understand(text, entities, intent, requested, TODAY)
    for slot, value in expected.items():
        assert found[slot].strip() == value
    assert "graduation_date" not in found or found["graduation_date"].strip() != "1 year"


def test_a_duration_the_nlu_marked_as_income_is_not_an_income():
    found = understand("around one and a half years", {"income": ["one"]}, "inform",
                       "work_months", TODAY)
    assert found == {"work_months": "around one and a half years"}


@pytest.mark.parametrize("text,expected", [
    ("I have a job offer from a Hong Kong bank", True),
    ("I'm a software engineer from Shenzhen with a job offer from a Hong Kong bank; can I get TTPS?", True),
    ("I've been offered a job in Hong Kong", True),
    ("My employer in HK offered me a job", True),
    ("我拿到了香港公司的offer", True),
    ("I don't have a job offer yet", False),
    ("I have no offer yet, is that a problem?", False),
    ("没有工作offer", False),
    # questions and conditions say nothing about the person's own offer
    ("Can I apply without a job offer?", None),
    ("do I need a job offer?", None),
    ("what if I had an offer from a HK company?", None),
    ("I work for a bank", None),
])
def test_a_job_offer_said_in_passing(text, expected):
    from actions.understanding import find_job_offer
    assert find_job_offer(text) is expected


def test_a_job_offer_is_kept_alongside_the_pending_answer():
    found = understand("I earn RMB 400k in salary and have a job offer from a Hong Kong company",
                       {}, "inform", "income", dt.date(2026, 11, 25))
    assert found["hk_job_offer"] is True and "income" in found


def test_a_country_inside_a_university_name_is_no_nationality():
    """The NLU's DIET tags "Singapore" in "National University of Singapore" as a nationality;
    the university's own span wins, so the nationality question is still asked."""
    from actions.actions import entity_span_lists, entity_spans
    text = "National University of Singapore"
    message = {"text": text, "entities": [
        {"entity": "university", "start": 0, "end": 19},
        {"entity": "nationality", "start": 23, "end": 32},
        {"entity": "university", "start": 0, "end": 32}]}
    assert entity_spans(message) == {"university": text}
    assert entity_span_lists(message) == {"university": [text]}
    alone = {"text": "I'm from Singapore", "entities": [{"entity": "nationality", "start": 9, "end": 18}]}
    assert entity_spans(alone) == {"nationality": "Singapore"}
