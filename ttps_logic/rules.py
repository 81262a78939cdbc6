"""The scheme's rules, one small function per clause.

Each function's heading names the clause it implements (ids in data/clauses.yaml, where the
official wording is quoted with its source). Every function returns Reasons whose ``met`` is
True, False or None (cannot be decided from the facts); engine.py combines them.
Parameters (thresholds, lists, dates) come from data/parameters.yaml, never from literals here.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

import pycountry

from . import fx, work
from .institutions import Institution, Resolution
from .models import Conversion, Degree, Facts, IncomeItem, Reason
from .params import param, param_versions_from, segment_start
from .text import fast_construct, reason


@dataclass
class Range:
    """A quantity known to lie in [low, high] (low == high when known exactly)."""
    low: float
    high: float
    why: str = ""


def _decide_at_least(r: Range, threshold: float) -> Optional[bool]:
    if r.low >= threshold:
        return True
    if r.high < threshold:
        return False
    return None


# ---------------------------------------------------------------------------------------------
# criteria.a + note.1 — Category A: annual income of HK$2.5M or more in the preceding year


def income_year(day: dt.date) -> tuple[dt.date, dt.date]:
    """criteria.a "the year immediately preceding the date of application": the 365/366 days
    ending the day before the application date."""
    return work.add_years(day, -1), day - dt.timedelta(days=1)


def convert_income(items: list[IncomeItem], day: dt.date) -> list[Conversion]:
    """note.1: classify each item as counted / not counted / unclear, and convert it to HK$ at
    the lowest, highest and average ECB daily rate over the income year."""
    counted_types = param("income.counted_types", day)
    excluded_types = param("income.excluded_types", day)
    first, last = income_year(day)
    out = []
    for item in items:
        counted = True if item.type in counted_types else False if item.type in excluded_types else None
        rr = fx.rate_range(item.currency, first, last)
        amount = float(item.amount)
        out.append(fast_construct(
            Conversion, amount=item.amount, currency=item.currency, type=item.type,
            counted=counted,
            rate_average=rr and rr.average, rate_low=rr and rr.low, rate_high=rr and rr.high,
            rate_first_day=rr and rr.first_day, rate_last_day=rr and rr.last_day,
            rate_days=rr.days if rr else 0,
            hkd_average=rr and round(amount * rr.average, 2),
            hkd_low=rr and round(amount * rr.low, 2),
            hkd_high=rr and round(amount * rr.high, 2)))
    return out


def rule_a_income(facts: Facts, day: dt.date, conversions: list[Conversion]) -> list[Reason]:
    """criteria.a (with note.1): counted income >= the threshold in the income year.

    Decided only when the threshold is not between the totals at the lowest and highest daily
    rate; income of unknown type or in a currency without a reference rate is treated as
    "may or may not count", and decides nothing on its own."""
    threshold = float(param("income.threshold_hkd", day))
    if facts.income is None:
        return [reason("a.income_missing", "criteria.a", day, None, application_date=day)]
    reasons: list[Reason] = []
    sure_lo = sure_hi = sure_avg = 0.0
    maybe_hi = 0.0
    unsupported = []
    investment = 0.0
    for conv in conversions:
        if conv.hkd_average is None:
            if conv.counted is not False:
                unsupported.append(conv)
            continue
        if conv.counted is True:
            sure_lo += conv.hkd_low
            sure_hi += conv.hkd_high
            sure_avg += conv.hkd_average
        elif conv.counted is None:
            maybe_hi += conv.hkd_high
        else:
            investment += conv.hkd_average
    for conv in conversions:
        if conv.currency != "HKD" and conv.hkd_average is not None:
            reasons.append(reason(
                "a.conversion", "criteria.a", day, None, kind="info", currency=conv.currency,
                amount=float(conv.amount), hkd=conv.hkd_average, rate=conv.rate_average,
                low=conv.rate_low, high=conv.rate_high, days=conv.rate_days,
                first_day=conv.rate_first_day, last_day=conv.rate_last_day))
    if investment:
        reasons.append(reason("a.investment_excluded", "note.1", day, None, kind="info",
                              amount=round(investment)))
    if sure_lo >= threshold:
        reasons.append(reason("a.met", "criteria.a", day, True, application_date=day,
                              total=round(sure_avg), threshold=threshold, low=round(sure_lo),
                              high=round(sure_hi)))
        return reasons
    if unsupported:
        reasons.append(reason(
            "a.currency_unsupported", "criteria.a", day, None,
            currencies=", ".join(sorted({c.currency for c in unsupported})),
            amount=", ".join(f"{c.currency} {c.amount:,}" for c in unsupported)))
        return reasons
    if sure_hi + maybe_hi < threshold:
        reasons.append(reason("a.not_met", "criteria.a", day, False, application_date=day,
                              total=round(sure_avg), threshold=threshold,
                              shortfall=round(threshold - sure_avg), low=round(sure_lo),
                              high=round(sure_hi)))
        return reasons
    if sure_hi >= threshold:
        reasons.append(reason("a.fx_straddle", "criteria.a", day, None, low=round(sure_lo),
                              high=round(sure_hi), total=round(sure_avg), threshold=threshold))
        return reasons
    reasons.append(reason("a.types_uncertain", "note.1", day, None, counted=round(sure_avg),
                          uncertain=round(maybe_hi)))
    return reasons


# ---------------------------------------------------------------------------------------------
# note.2 + note.4 — a bachelor's-level degree from an institution on the list in force


def rule_degree(degree: Degree, resolution: Resolution, day: dt.date) -> Reason:
    """note.2: bachelor's level, not honorary; note.4: the awarding institution is on the
    aggregate list in force on the application date (a master's or doctorate does not replace a
    bachelor's from a listed institution)."""
    inst = resolution.institution
    label = inst.name if inst else degree.university
    if degree.level is None:
        return reason("deg.level_unknown", "note.2", day, None, institution=label)
    if degree.level != "bachelor":
        return reason("deg.not_bachelor", "note.2", day, False, institution=label,
                      level=degree.level)
    if degree.honorary:
        return reason("deg.honorary", "note.2", day, False, institution=label)
    if resolution.status == "not_found":
        return reason("deg.not_found", "note.4", day, None, query=resolution.query,
                      list_url=param("list.url", day))
    if resolution.status == "ambiguous":
        names = " or ".join(f"{c.name} ({c.country})" for c, _ in resolution.candidates[:4])
        return reason("deg.ambiguous", "note.4", day, None, query=resolution.query,
                      candidates=names)
    assert inst is not None
    if inst.removed is not None and day >= inst.removed:
        return reason("deg.removed", "note.4", day, False, institution=inst.name,
                      removed=inst.removed)
    if day < inst.added:
        return reason("deg.not_yet_listed", "note.4", day, False, institution=inst.name,
                      added=inst.added, application_date=day)
    if inst.confidence == "low":
        return reason("deg.listed_low", "note.4", day, None, institution=inst.name,
                      list_url=param("list.url", day))
    return reason("deg.listed", "note.4", day, True, institution=inst.name, added=inst.added,
                  application_date=day)


# ---------------------------------------------------------------------------------------------
# note.5 — counted work experience: full-time or self-employment, after graduation


def work_months(facts: Facts, degree: Optional[Degree], day: dt.date,
                windowed: bool) -> Optional[Range]:
    """note.5 (and criteria.b's five-year window when ``windowed``): months of counted work.

    Returns a Range because an imprecise graduation date ("2019") or a stated number of months
    larger than the time since graduation leaves the counted amount uncertain."""
    window_lo = work.add_years(day, -param("work.window_years", day))
    bounds = degree.graduation_bounds if degree else None
    if facts.work_periods is not None:
        ivs = work.periods_to_intervals(facts.work_periods, day,
                                        param("work.counted_types", day))
        if bounds is None:
            # Without a graduation date every period might predate it.
            hi = work.counted_months(ivs, window_lo if windowed else dt.date.min, day)
            return Range(0.0, hi, "your graduation date")
        earliest, latest = bounds
        lo_start = max(window_lo, latest) if windowed else latest
        hi_start = max(window_lo, earliest) if windowed else earliest
        r = Range(work.counted_months(ivs, lo_start, day), work.counted_months(ivs, hi_start, day),
                  "the exact day you graduated")
        return r
    if facts.work_experience_months is None:
        return None
    stated = facts.work_experience_months
    cap = 12.0 * param("work.window_years", day) if windowed else float("inf")
    if bounds is not None:
        since = work.months_between(bounds[0], day)
        if stated > since + 0.5:
            # More than has passed since graduating: part of it predates graduation.
            hi = min(since, cap)
            return Range(0.0, round(hi, 2), "how much of it was after graduating")
    value = round(min(stated, cap), 2)
    return Range(value, value)


def rule_b_work(months: Optional[Range], day: dt.date) -> Reason:
    """criteria.b: at least three years (36 months) of counted work experience (note.5) over the
    five years immediately preceding the application date."""
    needed = param("work.threshold_months", day)
    if months is None:
        return reason("b.work_missing", "criteria.b", day, None, application_date=day)
    met = _decide_at_least(months, needed)
    if met is None:
        return reason("b.work_uncertain", "note.5", day, None, low=months.low, high=months.high,
                      why=months.why, needed=needed)
    return reason("b.work_met" if met else "b.work_not_met", "criteria.b", day, met,
                  months=months.low if met else months.high, needed=needed,
                  application_date=day)


# ---------------------------------------------------------------------------------------------
# criteria.c + note.6 + note.7 — Category C


def rule_c_graduation(degree: Degree, day: dt.date) -> Reason:
    """criteria.c with note.6: graduated in the past five years, counted by year of graduation,
    i.e. graduation year >= application year - 5."""
    earliest_year = day.year - param("graduation.window_years", day)
    year = degree.graduation_year
    if year is None:
        return reason("c.grad_missing", "note.6", day, None)
    met = year >= earliest_year
    return reason("c.grad_met" if met else "c.grad_not_met", "note.6", day, met, year=year,
                  earliest_year=earliest_year)


def rule_c_work(months: Optional[Range], day: dt.date) -> Reason:
    """criteria.c: less than three years (36 months) of counted work experience (note.5)."""
    limit = param("work.threshold_months", day)
    if months is None:
        return reason("c.work_missing", "criteria.c", day, None)
    at_least = _decide_at_least(months, limit)
    if at_least is None:
        return reason("c.work_uncertain", "note.5", day, None, low=months.low, high=months.high,
                      why=months.why, limit=limit)
    met = not at_least
    return reason("c.work_met" if met else "c.work_not_met", "criteria.c", day, met,
                  months=months.high if met else months.low, limit=limit)


def rule_c_nonlocal(degree: Degree, inst: Optional[Institution], day: dt.date) -> Optional[Reason]:
    """criteria.c with note.7: Category C does not apply to non-local students who obtained the
    undergraduate qualification in a full-time locally-accredited programme in Hong Kong."""
    if degree.hk_nonlocal_fulltime_ug is True:
        return reason("c.nonlocal_excluded", "criteria.c", day, False)
    if inst is None or not inst.is_hong_kong:
        return None
    if degree.hk_nonlocal_fulltime_ug is None:
        return reason("c.nonlocal_missing", "note.7", day, None, institution=inst.name)
    return reason("c.nonlocal_met", "note.7", day, True, institution=inst.name)


def rule_c_quota(day: dt.date) -> Reason:
    """quota.c: annual quota, first come, first served (information; not decidable here)."""
    return _quota(segment_start(day))


@lru_cache(maxsize=512)
def _quota(day: dt.date) -> Reason:
    return reason("c.quota", "quota.c", day, None, kind="info",
                  quota=param("quota.c_annual", day))


# ---------------------------------------------------------------------------------------------
# intro.nationals, criteria.preamble, stay.* — general


@lru_cache(maxsize=512)
def _country_name(code: str) -> str:
    c = pycountry.countries.get(alpha_2=code)
    return getattr(c, "common_name", None) or c.name if c else code


def rule_nationality(facts: Facts, day: dt.date) -> Reason:
    """intro.nationals: the scheme does not apply to nationals of the listed countries (the list
    in force on the application date)."""
    excluded = param("nationality.excluded", day)
    if facts.nationality is None:
        return reason("gen.nationality_missing", "intro.nationals", day, None, kind="info",
                      excluded=", ".join(_country_name(c) for c in excluded))
    name = _country_name(facts.nationality)
    if facts.nationality in excluded:
        return reason("gen.nationality_excluded", "intro.nationals", day, False,
                      country=name, country_code=facts.nationality)
    return reason("gen.nationality_ok", "intro.nationals", day, True, kind="info", country=name,
                  country_code=facts.nationality)


def general_information(day: dt.date) -> tuple[Reason, ...]:
    """criteria.preamble, stay.initial, stay.pattern, stay.extension, stay.top_tier: what every
    applicant should know about the rules in force on the application date."""
    return _general(segment_start(day))


def initial_stay_by_approval(day: dt.date) -> tuple[dict, ...]:
    """stay.initial: the initial stay is keyed on the APPROVAL date (Category A's 36 months apply
    to approvals from 16 Oct 2024), which the engine does not know. An application made on ``day``
    is approved on ``day`` or later, so it can get the value of every version in force from
    ``day`` on; each is returned with the approval dates it covers (approved_to None = open)."""
    return _stay_by_approval(day)


@lru_cache(maxsize=4096)
def _stay_by_approval(day: dt.date) -> tuple[dict, ...]:
    return tuple({"approved_from": max(v.start, day), "approved_to": v.end, "months": v.value}
                 for v in param_versions_from("stay.initial_months", day))


def possible_stays(day: dt.date) -> dict[str, list[int]]:
    """Every initial stay, per category, that an application made on ``day`` can be granted."""
    out: dict[str, list[int]] = {}
    for period in initial_stay_by_approval(day):
        for cat, months in period["months"].items():
            if months not in out.setdefault(cat, []):
                out[cat].append(months)
    return out


@lru_cache(maxsize=512)
def _general(day: dt.date) -> tuple[Reason, ...]:
    out = [reason("gen.no_job_offer", "criteria.preamble", day, None, kind="info",
                  job_offer_required=param("stay.job_offer_required", day))]
    periods = param_versions_from("stay.initial_months", day)
    if len(periods) == 1:
        out.append(reason("gen.initial_stay", "stay.initial", day, None, kind="info",
                          **periods[0].value))
    else:
        # stay.initial by approval date: cite the version in force on each approval period.
        for v in periods:
            if v.end is not None:
                out.append(reason("gen.initial_stay_approved_until", "stay.initial", day, None,
                                  kind="info", approved_to=v.end, **v.value))
            else:
                out.append(reason("gen.initial_stay_approved_from", "stay.initial", v.start,
                                  None, kind="info", approved_from=v.start, **v.value))
    # stay.pattern: only where a source states one, for approvals in that period.
    for v in param_versions_from("stay.pattern", day):
        patterns = {p for p in v.value.values() if p}
        if len(patterns) == 1 and all(v.value.values()):
            out.append(reason("gen.pattern", "stay.pattern", day, None, kind="info",
                              pattern=patterns.pop(), approved_to=v.end))
    ext = param("stay.extension", day)
    out.append(reason("gen.extension" if ext["capped_by_contract"] else "gen.extension_unstated_cap",
                      "stay.extension", day, None, kind="info", max_years=ext["max_years"]))
    top = param("stay.top_tier", day)
    if top["min_years_under_scheme"] is None or top["min_assessable_income_hkd"] is None:
        out.append(reason("gen.top_tier_unstated", "stay.top_tier", day, None, kind="info",
                          years=top["extension_years"]))
    else:
        out.append(reason("gen.top_tier", "stay.top_tier", day, None, kind="info",
                          years=top["extension_years"], min_years=top["min_years_under_scheme"],
                          income=top["min_assessable_income_hkd"]))
    return tuple(out)
