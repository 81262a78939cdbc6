"""The applicant's facts as the conversation holds them (slots), and their translation into the
input of ttps_logic. No eligibility logic here: ttps_logic decides; this module only gathers.

Slot values are already normalised by the form validators:
  income            [{"amount": "3200000", "currency": "HKD"|None, "type": "salary"|None}, ...]
                    (one item per amount the person gave), or "unknown"
  income_currency   ISO code, asked only when an amount came without one
  income_type       the kind of the items whose kind was not said, asked only when it matters
  has_degree        True / False / "unknown"
  university        the name as the registry knows it (or what the person typed)
  graduation_date   "YYYY", "YYYY-MM" or "YYYY-MM-DD", or "unknown"
  work_months       number, or "unknown"
  hk_nonlocal       True / False / "unknown" (asked only for Hong Kong institutions)
  nationality       ISO alpha-2, or "skipped"
  application_date  "YYYY-MM-DD" (default: today)
  hk_job_offer      True / False when the person said so (never asked)
"""
from __future__ import annotations

import datetime as dt
import os
from typing import Any, Optional

from ttps_logic.institutions import registry
from ttps_logic.nationality import nationality_name
from ttps_logic.params import param

from .i18n import current, t

UNKNOWN = "unknown"
SKIPPED = "skipped"
FORM_SLOTS = ["income", "income_currency", "income_type", "income_shares", "has_degree", "university", "graduation_date",
              "work_months", "hk_nonlocal", "nationality"]
# Facts kept when the person gives them but never asked by the form: the application date, and
# a Hong Kong job offer (TTPS needs none; the other schemes' pre-screen reads it).
FACT_SLOTS = FORM_SLOTS + ["application_date", "hk_job_offer"]


def is_hong_kong(university: Optional[str]) -> bool:
    if not university or university == UNKNOWN:
        return False
    res = registry().resolve(university)
    if res.institution is None and res.arm is not None and res.arm.parent is not None:
        return res.arm.parent.is_hong_kong   # e.g. HKU SPACE: asked as for HKU
    return bool(res.institution and res.institution.is_hong_kong)


def income_items(value: Any) -> list[dict]:
    """The income slot as a list of items (older conversations hold a single dict)."""
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, dict)]
    return []


def _income_open_because(slots: dict[str, Any], code: str) -> bool:
    """Is Category A open only for the reason `code` (a ttps_logic reason)? ttps_logic decides
    which missing fact matters; the chat only asks for it."""
    items = income_items(slots.get("income"))
    if not items or any(not i.get("currency") for i in items):
        return False
    from ttps_logic import assess  # local import: facts.py is also used where no engine runs
    try:
        a = assess({"application_date": application_date(slots).isoformat(),
                    "income": _engine_income(items, slots.get("income_type"))})
    except ValueError:
        return False
    result = a.categories["A"]
    return result.status == "unknown" and any(r.code == code for r in result.reasons)


def shares_matter(slots: dict[str, Any]) -> bool:
    """Does Category A turn on whether the person held their company's shares throughout the
    year (Note 1), and have they not said?"""
    items = income_items(slots.get("income"))
    if not any(i.get("type") == "business_profit" or slots.get("income_type") == "business_profit"
               for i in items):
        return False
    return _income_open_because(slots, "a.shares_unknown")


def type_matters(slots: dict[str, Any]) -> bool:
    """Would the kind of the untyped income change Category A? ttps_logic decides: an item of
    unknown kind "may or may not count", and the engine says when that leaves A open."""
    items = income_items(slots.get("income"))
    if not any(not i.get("type") for i in items) or any(not i.get("currency") for i in items):
        return False
    from ttps_logic import assess  # local import: facts.py is also used where no engine runs
    try:
        a = assess({"application_date": application_date(slots).isoformat(),
                    "income": _engine_income(items, None)})
    except ValueError:
        return False
    result = a.categories["A"]
    return result.status == "unknown" and any(
        r.code == "a.types_uncertain" for r in result.reasons)


def required_slots(slots: dict[str, Any]) -> list[str]:
    """Only what is still needed to decide all three categories, in the order asked."""
    needed = ["income"]
    items = income_items(slots.get("income"))
    if any(not i.get("currency") for i in items):
        needed.append("income_currency")
    elif slots.get("income_type") is not None or type_matters(slots):
        needed.append("income_type")
    if slots.get("income_shares") is not None or shares_matter(slots):
        needed.append("income_shares")
    needed.append("has_degree")
    has_degree = slots.get("has_degree")
    if slots.get("university") not in (None, UNKNOWN) and has_degree is None:
        has_degree = True
    if has_degree is not False:
        needed += ["university", "graduation_date", "work_months"]
        if is_hong_kong(slots.get("university")):
            needed.append("hk_nonlocal")
    needed.append("nationality")
    return needed


def today() -> dt.date:
    """Today, or the day set in TTPS_TODAY (YYYY-MM-DD) so that a test suite or a demo gives
    the same answers whatever the calendar says."""
    fixed = os.environ.get("TTPS_TODAY")
    if fixed:
        try:
            return dt.date.fromisoformat(fixed)
        except ValueError:
            pass
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
    items = income_items(slots.get("income"))
    if items and all(i.get("currency") for i in items):
        facts["income"] = _engine_income(items, slots.get("income_type"), slots.get("income_shares"))
    has_degree = slots.get("has_degree")
    university = slots.get("university")
    if has_degree is False:
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
    if isinstance(months, dict) and months.get("start"):
        facts["work_periods"] = [{"start": months["start"], "end": months.get("end"),
                                  "type": "full_time"}]
    elif isinstance(months, (int, float)) and not isinstance(months, bool):
        facts["work_experience_months"] = float(months)
    nationality = slots.get("nationality")
    if nationality and nationality not in (UNKNOWN, SKIPPED):
        facts["nationality"] = nationality
    return facts


def to_scheme_input(slots: dict[str, Any]) -> dict[str, Any]:
    """The same facts for ttps_logic.schemes' pre-screen, with a Hong Kong job offer if said."""
    facts = to_engine_input(slots)
    offer = slots.get("hk_job_offer")
    if isinstance(offer, bool):
        facts["hk_job_offer"] = offer
    return facts


def _engine_income(items: list[dict], stated_type: Any, shares: Any = None) -> list[dict]:
    """Items for ttps_logic. A kind nobody stated goes in as "other" (may or may not count):
    the engine, not the chat, says what that means for Category A."""
    kinds = {"salary", "allowance", "stock_options", "business_profit", "investment", "other"}
    out = []
    for i in items:
        kind = i.get("type") or (stated_type if stated_type in kinds else "other")
        item = {"amount": i["amount"], "currency": i["currency"], "type": kind}
        held = i.get("held_shares_throughout")
        if kind == "business_profit" and held is None and isinstance(shares, bool):
            held = shares
        if kind == "business_profit" and held is not None:
            item["held_shares_throughout"] = held
        out.append(item)
    return out


def university_name(name: str) -> str:
    """The university as the person will read it: in Chinese, its Chinese name in the turn's
    script as the engine names it (ttps_logic's registry.display_name), else the name given."""
    lang = current()
    if lang == "en" or not name or name == UNKNOWN:
        return name
    res = registry().resolve(name)
    if res.status != "matched" or res.institution is None:
        return name
    return registry().display_name(res.institution, lang)


def country_name(code: str) -> str:
    """The name of a nationality code in this turn's language."""
    try:
        return nationality_name(code, current())
    except (KeyError, ValueError):
        return code


KINDS = ("salary", "allowance", "investment", "business_profit", "stock_options", "other")


def _money(income: Any, stated_type: Any) -> str:
    items = income_items(income)
    if not items:
        return t("summary.unknown") if income == UNKNOWN else t("summary.not_asked")
    parts = []
    for i in items:
        kind = i.get("type") or (stated_type if stated_type in KINDS else None)
        values = {"currency": i.get("currency") or "?", "amount": f"{float(i['amount']):,.0f}"}
        parts.append(t("summary.amount_kind", kind=t(f"summary.kinds.{kind}"), **values) if kind
                     else t("summary.amount", **values))
    return t("summary.plus").join(parts)


def _months(value: Any, day: dt.date) -> str:
    if isinstance(value, dict):
        until = t("summary.until_end", end=value["end"]) if value.get("end") else t("summary.until_now")
        return t("summary.period_until", start=value["start"], until=until,
                 months=f"{float(value['months']):g}")
    months = float(value)
    window = param("work.window_years", day)  # criteria.b: the five years before applying
    if months > 12 * window:
        return t("summary.months_capped", months=f"{months:g}", years=window, cap=12 * window)
    return t("summary.months", months=f"{months:g}")


def _yes_no(value: bool) -> str:
    return t("summary.yes") if value else t("summary.no")


def summary_lines(slots: dict[str, Any], given_only: bool = False) -> list[str]:
    """The facts as the person will see them before confirming, in this turn's language
    (``given_only``: only the facts the person has given, for a summary to hand to a person)."""
    def show(value: Any, fmt=str) -> Optional[str]:
        if value is None:
            return None if given_only else t("summary.not_asked")
        if value == UNKNOWN:
            return t("summary.unknown")
        if value == SKIPPED:
            return t("summary.skipped")
        return fmt(value)

    lines: list[str] = []

    def add(key: str, value: Optional[str]) -> None:
        if value is not None:
            lines.append(t(key, value=value))

    income = slots.get("income")
    add("summary.income", None if given_only and income is None
        else _money(income, slots.get("income_type")))
    if slots.get("has_degree") is False:
        lines.append(t("summary.no_degree"))
    else:
        add("summary.university", show(slots.get("university"), university_name))
        add("summary.graduated", show(slots.get("graduation_date")))
        add("summary.work", show(slots.get("work_months"), lambda m: _months(m, application_date(slots))))
        if is_hong_kong(slots.get("university")):
            add("summary.hk_nonlocal", show(slots.get("hk_nonlocal"), _yes_no))
    add("summary.nationality", show(slots.get("nationality"), country_name))
    if isinstance(slots.get("hk_job_offer"), bool):
        lines.append(t("summary.job_offer", value=_yes_no(slots["hk_job_offer"])))
    lines.append(t("summary.application_date", value=application_date(slots).isoformat()))
    return lines
