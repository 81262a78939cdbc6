"""The applicant's facts as the conversation holds them (slots), and their translation into the
input of ttps_logic. No eligibility logic here: ttps_logic decides; this module only gathers.

Slot values are already normalised by the form validators:
  income            {"amount": "3200000", "currency": "HKD"|None, "type": "salary"} or "unknown"
  income_currency   ISO code, asked only when the amount came without one
  has_degree        True / False / "unknown"
  university        the name as the registry knows it (or what the person typed)
  graduation_date   "YYYY", "YYYY-MM" or "YYYY-MM-DD", or "unknown"
  work_months       number, or "unknown"
  hk_nonlocal       True / False / "unknown" (asked only for Hong Kong institutions)
  nationality       ISO alpha-2, or "skipped"
  application_date  "YYYY-MM-DD" (default: today)
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

import pycountry

from ttps_logic.institutions import registry
from ttps_logic.params import param

UNKNOWN = "unknown"
SKIPPED = "skipped"
FORM_SLOTS = ["income", "income_currency", "has_degree", "university", "graduation_date",
              "work_months", "hk_nonlocal", "nationality"]
FACT_SLOTS = FORM_SLOTS + ["application_date"]


def is_hong_kong(university: Optional[str]) -> bool:
    if not university or university == UNKNOWN:
        return False
    res = registry().resolve(university)
    return bool(res.institution and res.institution.is_hong_kong)


def required_slots(slots: dict[str, Any]) -> list[str]:
    """Only what is still needed to decide all three categories, in the order asked."""
    needed = ["income"]
    income = slots.get("income")
    if isinstance(income, dict) and not income.get("currency"):
        needed.append("income_currency")
    needed.append("has_degree")
    has_degree = slots.get("has_degree")
    if slots.get("university") not in (None, UNKNOWN):
        has_degree = True
    if has_degree is not False:
        needed += ["university", "graduation_date", "work_months"]
        if is_hong_kong(slots.get("university")):
            needed.append("hk_nonlocal")
    needed.append("nationality")
    return needed


def today() -> dt.date:
    return dt.date.today()


def application_date(slots: dict[str, Any]) -> dt.date:
    value = slots.get("application_date")
    if value:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    return today()


def to_engine_input(slots: dict[str, Any]) -> dict[str, Any]:
    """ttps_logic CLI-style facts from the slots; unknown or skipped facts are left out."""
    facts: dict[str, Any] = {"application_date": application_date(slots).isoformat()}
    income = slots.get("income")
    if isinstance(income, dict):
        currency = income.get("currency") or slots.get("income_currency")
        if currency and currency != UNKNOWN:
            facts["income"] = [{"amount": income["amount"], "currency": currency,
                                "type": income.get("type") or "salary"}]
    elif income == 0 or income == "none":
        facts["income"] = []
    has_degree = slots.get("has_degree")
    university = slots.get("university")
    if has_degree is False and not university:
        facts["degrees"] = []
    elif university and university != UNKNOWN:
        degree: dict[str, Any] = {"university": university, "level": "bachelor"}
        grad = slots.get("graduation_date")
        if grad and grad != UNKNOWN:
            degree["graduation_date"] = grad
        nonlocal_ = slots.get("hk_nonlocal")
        if isinstance(nonlocal_, bool):
            degree["hk_nonlocal_fulltime_ug"] = nonlocal_
        facts["degrees"] = [degree]
    months = slots.get("work_months")
    if isinstance(months, (int, float)) and not isinstance(months, bool):
        facts["work_experience_months"] = float(months)
    nationality = slots.get("nationality")
    if nationality and nationality not in (UNKNOWN, SKIPPED):
        facts["nationality"] = nationality
    return facts


def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    return getattr(country, "common_name", None) or getattr(country, "name", code)


def _money(income: Any, currency: Optional[str]) -> str:
    if not isinstance(income, dict):
        return "don't know" if income == UNKNOWN else "—"
    cur = income.get("currency") or currency or "?"
    amount = float(income["amount"])
    kind = {"investment": " (investment income)", "business_profit": " (own-company profit)",
            "stock_options": " (stock options)"}.get(income.get("type"), "")
    return f"{cur} {amount:,.0f}{kind}"


def _months(value: Any, day: dt.date) -> str:
    months = float(value)
    text = f"{months:g} months"
    window = param("work.window_years", day)  # criteria.b: the five years before applying
    if months > 12 * window:
        text += f" (Category B counts the last {window} years: at most {12 * window})"
    return text


def summary_lines(slots: dict[str, Any]) -> list[str]:
    """The facts as the person will see them before confirming."""
    def show(value: Any, fmt=str) -> str:
        if value is None:
            return "—"
        if value == UNKNOWN:
            return "don't know"
        if value == SKIPPED:
            return "not given"
        return fmt(value)

    lines = [f"• Income in the year before applying: {_money(slots.get('income'), slots.get('income_currency'))}"]
    if slots.get("has_degree") is False and not slots.get("university"):
        lines.append("• Bachelor's degree: none")
    else:
        lines.append(f"• Bachelor's degree from: {show(slots.get('university'))}")
        lines.append(f"• Graduated: {show(slots.get('graduation_date'))}")
        lines.append(f"• Full-time or self-employed work since graduating: "
                     f"{show(slots.get('work_months'), lambda m: _months(m, application_date(slots)))}")
        if is_hong_kong(slots.get("university")):
            lines.append("• Studied it in Hong Kong as a non-local student: "
                         f"{show(slots.get('hk_nonlocal'), lambda b: 'yes' if b else 'no')}")
    lines.append(f"• Nationality: {show(slots.get('nationality'), country_name)}")
    lines.append(f"• Application date: {application_date(slots).isoformat()}")
    return lines
