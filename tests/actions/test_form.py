"""The form's validators, one per slot: accept and normalise, or re-ask with a reason."""
import pytest

from actions.actions import ValidateEligibilityForm
from actions import facts as F
from conftest import make_tracker

FORM = ValidateEligibilityForm()


def texts(dispatcher):
    return " ".join(m.get("text") or "" for m in dispatcher.messages)


def run(slot, value, dispatcher, **kw):
    tracker = make_tracker(requested_slot=slot, active_loop="eligibility_form", text=str(value), **kw)
    return getattr(FORM, f"validate_{slot}")(value, dispatcher, tracker, {})


@pytest.mark.parametrize("text,expected", [
    ("3.2M HKD salary", [{"amount": "3200000", "currency": "HKD", "type": "salary"}]),
    ("USD 330k", [{"amount": "330000", "currency": "USD", "type": None}]),
    ("2.6M", [{"amount": "2600000", "currency": None, "type": None}]),
    ("HK$1M salary plus HK$2M dividends", [{"amount": "1000000", "currency": "HKD", "type": "salary"},
                                           {"amount": "2000000", "currency": "HKD", "type": "investment"}]),
    ("around 4 million HKD, all dividends and interest from my investments",
     [{"amount": "4000000", "currency": "HKD", "type": "investment"}]),
])
def test_income_accepted(text, expected, dispatcher):
    # a kind nobody stated stays unknown (None): it is asked when it matters, never assumed
    assert run("income", text, dispatcher)["income"] == expected


@pytest.mark.parametrize("text,why", [
    ("-500k", "negative"), ("HK$900 billion", "too large"), ("whatever", "couldn't find an amount"),
])
def test_income_reasked_with_reason(text, why, dispatcher):
    assert run("income", text, dispatcher)["income"] is None
    assert why in texts(dispatcher)


def test_income_dont_know_is_accepted_as_unknown(dispatcher):
    assert run("income", "I don't know", dispatcher, intent="dont_know")["income"] == F.UNKNOWN


def test_currency_question(dispatcher):
    assert run("income_currency", "RMB", dispatcher)["income_currency"] == "CNY"
    assert run("income_currency", "hkd", dispatcher)["income_currency"] == "HKD"
    assert run("income_currency", "moons", dispatcher)["income_currency"] is None


def test_university_resolved_to_registry_name(dispatcher):
    out = run("university", "Tsinghua", dispatcher)
    assert out == {"university": "Tsinghua University", "has_degree": True}


def test_university_ambiguous_offers_buttons(dispatcher):
    out = run("university", "NTU", dispatcher)
    assert out["university"] is None
    buttons = dispatcher.messages[0]["buttons"]
    assert {b["title"] for b in buttons} >= {"National Taiwan University",
                                              "Nanyang Technological University, Singapore"}


def test_university_not_on_list_is_kept_with_a_warning(dispatcher):
    out = run("university", "Shenzhen University of Nowhere", dispatcher)
    assert out["university"] == "Shenzhen University of Nowhere"
    assert "official list" in texts(dispatcher)


def test_graduation_in_future_is_reasked(dispatcher):
    assert run("graduation_date", "June 2027", dispatcher)["graduation_date"] is None
    assert "future" in texts(dispatcher)


def test_graduation_accepted(dispatcher):
    assert run("graduation_date", "June 2021", dispatcher)["graduation_date"] == "2021-06"


def test_more_work_than_time_since_graduation_is_reasked(dispatcher):
    out = run("work_months", "5 years", dispatcher, slots={"graduation_date": "2024-06"})
    assert out["work_months"] is None
    assert "only work after graduating counts" in texts(dispatcher)


def test_bare_number_of_work_asks_months_or_years(dispatcher):
    out = run("work_months", "3", dispatcher, slots={"graduation_date": "2015"})
    assert out["work_months"] is None
    assert [b["title"] for b in dispatcher.messages[0]["buttons"]] == ["3 months", "3 years"]


def test_work_accepted(dispatcher):
    out = run("work_months", "three and a half years", dispatcher, slots={"graduation_date": "2015"})
    assert out["work_months"] == 42.0


def test_nationality_skip(dispatcher):
    assert run("nationality", "/dont_know", dispatcher, intent="dont_know")["nationality"] == F.SKIPPED
    assert run("nationality", "Vietnamese", dispatcher)["nationality"] == "VN"


async def test_required_slots_skip_what_is_not_needed(dispatcher):
    no_degree = make_tracker(slots={"income": {"amount": "1", "currency": "HKD"}, "has_degree": False})
    assert await FORM.required_slots([], dispatcher, no_degree, {}) == ["income", "has_degree", "nationality"]
    hk = make_tracker(slots={"income": {"amount": "1", "currency": None}, "university": "The University of Hong Kong"})
    assert await FORM.required_slots([], dispatcher, hk, {}) == [
        "income", "income_currency", "has_degree", "university", "graduation_date", "work_months",
        "hk_nonlocal", "nationality"]


def test_a_sentence_is_not_taken_for_an_unknown_college(dispatcher):
    out = run("university", "hold on, I think I typed that for my sister", dispatcher)
    assert out["university"] is None and "which university" in texts(dispatcher).lower()


def test_an_unknown_college_is_kept_as_typed(dispatcher):
    assert run("university", "Sunway College", dispatcher)["university"] == "Sunway College"


def test_worked_ever_since_graduating_is_a_period_from_graduation(dispatcher):
    out = run("work_months", "I've been with the same employer ever since", dispatcher,
              slots={"graduation_date": "2019-07"})
    assert out["work_months"]["start"] == "2019-07" and out["work_months"]["end"] is None


@pytest.mark.parametrize("slot,payload,intent,expected", [
    ("has_degree", "/deny", "deny", False),
    ("has_degree", "/affirm", "affirm", True),
    ("hk_nonlocal", "/affirm", "affirm", True),
    ("hk_nonlocal", "/deny", "deny", False),
    ("income_shares", "/affirm", "affirm", True),
    ("has_degree", "nope", "deny", False),
])
def test_yes_no_buttons_answer_the_question(slot, payload, intent, expected, dispatcher):
    # the Yes / No buttons send /affirm and /deny; those answer the pending question
    from actions.actions import facts_from_message
    tracker = make_tracker(requested_slot=slot, active_loop="eligibility_form", text=payload,
                           intent=intent)
    updates, verdict = facts_from_message(tracker, dispatcher, {}, slot)
    assert verdict is not None and verdict.ok
    assert updates[slot] is expected
    assert "Sorry" not in texts(dispatcher)
