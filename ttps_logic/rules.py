"""The scheme's rules, one small function per clause.

Each function's heading names the clause it implements (ids in data/clauses.yaml, where the
official wording is quoted with its source). Every function returns Reasons whose ``met`` is
True, False or None (cannot be decided from the facts); engine.py combines them.
Parameters (thresholds, lists, dates) come from data/parameters.yaml, never from literals here.
"""
from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import NamedTuple, Optional

import pycountry

from . import fx, work
from .institutions import Resolution
from .models import Conversion, Degree, Facts, IncomeItem, Reason
from .nationality import national_of
from .params import param, param_versions_from, parameter_table, segment_start
from .text import Memo, reason, word


class Range(NamedTuple):
    """A quantity known to lie in [low, high] (low == high when known exactly)."""
    low: float
    high: float
    why: str = ""   # what the range depends on: a code of the locales' `values: why`


def _decide_at_least(r: Range, threshold: float) -> Optional[bool]:
    if r.low >= threshold:
        return True
    if r.high < threshold:
        return False
    return None


# ---------------------------------------------------------------------------------------------
# criteria.a + note.1 — Category A: annual income of income.threshold_hkd or more in the preceding year


@lru_cache(maxsize=4096)
def income_year(day: dt.date) -> tuple[dt.date, dt.date]:
    """criteria.a "the year immediately preceding the date of application": the 365/366 days
    ending the day before the application date."""
    return work.add_years(day, -1), day - dt.timedelta(days=1)


def business_profit_counted(item: IncomeItem, day: dt.date) -> Optional[bool]:
    """note.1: "Regarding business income, in general, applicants should continually hold the
    relevant company shares throughout the tax assessment year preceding the date of
    application". Where the wording in force asks for it (income.business_shareholding =
    required), profit counts only when the shareholding is stated (True), not when it is denied
    (False), and is undecided when not given (None). Where we cannot tell whether it applied
    (unknown), only a stated shareholding makes it count; where the wording does not ask for it
    (not_stated), profit counts."""
    policy = param("income.business_shareholding", day)
    held = item.held_shares_throughout
    if policy == "not_stated" or held is True:
        return True
    if policy == "required" and held is False:
        return False
    return None


def convert_income(items: list[IncomeItem], day: dt.date) -> list[Conversion]:
    """note.1: classify each item as counted / not counted / unclear, and convert it to HK$ at
    the lowest, highest and average ECB daily rate over the income year."""
    return [_conversion(item, day) for item in items]


# Conversions already made, by item and day. The amount is keyed by its text: Decimal("1.0") ==
# Decimal("1.00"), but they are written differently. Every field of IncomeItem is in the key
# (tests/logic/test_fast_paths.py checks the list).
_CONVERSIONS = Memo(2048)


def _conversion(item: IncomeItem, day: dt.date) -> Conversion:
    key = (str(item.amount), item.currency, item.type, item.held_shares_throughout, day)
    found = _CONVERSIONS.get(key)
    if found is not None:
        return found
    counted_types = param("income.counted_types", day)
    excluded_types = param("income.excluded_types", day)
    first, last = income_year(day)
    counted = True if item.type in counted_types else False if item.type in excluded_types else None
    if item.type == "business_profit" and counted:
        counted = business_profit_counted(item, day)
    rr = fx.rate_range(item.currency, first, last)
    amount = float(item.amount)
    found = Conversion.model_validate({
        "amount": item.amount, "currency": item.currency, "type": item.type,
        "counted": counted,
        "rate_average": rr and rr.average, "rate_low": rr and rr.low,
        "rate_high": rr and rr.high,
        "rate_first_day": rr and rr.first_day, "rate_last_day": rr and rr.last_day,
        "rate_days": rr.days if rr else 0,
        "hkd_average": rr and round(amount * rr.average, 2),
        "hkd_low": rr and round(amount * rr.low, 2),
        "hkd_high": rr and round(amount * rr.high, 2)})
    _CONVERSIONS.put(key, found)
    return found


def rule_a_income(facts: Facts, day: dt.date, conversions: list[Conversion]) -> list[Reason]:
    """criteria.a (with note.1): counted income >= the threshold in the income year.

    Decided only when the threshold is not between the totals at the lowest and highest daily
    rate; income of unknown type or in a currency without a reference rate is treated as
    "may or may not count", and decides nothing on its own."""
    if facts.income is None:
        return [income_missing(day)]
    threshold = float(param("income.threshold_hkd", day))
    reasons: list[Reason] = []
    sure_lo = sure_hi = sure_avg = 0.0
    maybe_type_hi = maybe_shares_hi = 0.0
    unsupported = []
    investment = shares_excluded = business_counted = 0.0
    for conv in conversions:
        business = conv.type == "business_profit"
        if conv.hkd_average is None:
            if conv.counted is not False:
                unsupported.append(conv)
            continue
        if conv.counted is True:
            sure_lo += conv.hkd_low
            sure_hi += conv.hkd_high
            sure_avg += conv.hkd_average
            if business:
                business_counted += conv.hkd_average
        elif conv.counted is None:
            if business:
                maybe_shares_hi += conv.hkd_high
            else:
                maybe_type_hi += conv.hkd_high
        elif business:
            shares_excluded += conv.hkd_average
        else:
            investment += conv.hkd_average
    maybe_hi = maybe_type_hi + maybe_shares_hi
    policy = param("income.business_shareholding", day)
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
    if shares_excluded:
        reasons.append(reason("a.business_shares_not_held", "note.1", day, None, kind="info",
                              amount=round(shares_excluded)))
    if business_counted:
        reasons.append(reason(
            "a.business_shares_held" if policy != "not_stated" else "a.business_no_shares_rule",
            "note.1", day, None, kind="info", amount=round(business_counted)))
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
    if maybe_type_hi:
        reasons.append(reason("a.types_uncertain", "note.1", day, None, counted=round(sure_avg),
                              uncertain=round(maybe_type_hi)))
    if maybe_shares_hi:
        reasons.append(reason(
            "a.shares_unknown" if policy == "required" else "a.shares_rule_unknown", "note.1",
            day, None, counted=round(sure_avg), business=round(maybe_shares_hi)))
    return reasons


def income_missing(day: dt.date) -> Reason:
    """criteria.a: the reason given when no income is stated."""
    return reason("a.income_missing", "criteria.a", day, None, application_date=day)


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
    if resolution.status == "excluded_arm":
        return rule_degree_arm(resolution, day)
    if resolution.status == "not_found":
        return reason("deg.not_found", "note.4", day, None, query=resolution.query,
                      list_url=param("list.url", day))
    if resolution.status == "ambiguous":
        shown = resolution.candidates[:4]
        names = " or ".join(f"{c.name} ({c.country})" for c, _ in shown)
        # the same, one "name<TAB>country code" a line, for other languages (text.local_values)
        listed = "\n".join(f"{c.name}\t{c.country_code}" for c, _ in shown)
        if resolution.others:
            return reason("deg.ambiguous_unlisted", "note.4", day, None, query=resolution.query,
                          candidates=names, others="; ".join(resolution.others),
                          candidates_list=listed)
        return reason("deg.ambiguous", "note.4", day, None, query=resolution.query,
                      candidates=names, candidates_list=listed)
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
# list.annual_update — the list for a year we do not hold yet


def last_held_list_day(day: dt.date) -> Optional[dt.date]:
    """list.annual_update: None while the project holds the list in force on ``day``; otherwise
    the last day of the last list it holds (the degree test is made against that list)."""
    if param("list.held", day):
        return None
    _, versions = parameter_table()["list.held"]
    return max(v.end for v in versions if v.value is True and v.end is not None)


def rule_list_known(degree_reason: Reason, day: dt.date) -> Optional[Reason]:
    """list.annual_update: the aggregate list is updated every 1 January and applies from the
    day it takes effect. For an application after the last list we hold, a degree test that the
    list decided (note.4, met or not) is made against that last list and cannot be relied on:
    this condition stays unknown until that year's list is checked. None otherwise."""
    held_until = last_held_list_day(day)
    if held_until is None or degree_reason.clause_id != "note.4" or degree_reason.met is None:
        return None
    return reason("deg.list_not_yet_known", "list.annual_update", day, None, year=day.year,
                  held_until=held_until, list_url=param("list.url", day),
                  institution=degree_reason.values.get("institution", ""))


def rule_degree_arm(resolution: Resolution, day: dt.date) -> Reason:
    """note.4 "the academic qualifications obtained from the continuing and professional
    education arms, the branch schools, the extension schools or the subsidiary schools, etc.,
    established by the eligible universities will not be accepted": a degree from such a body is
    not a degree from the listed university (met False). For a campus of the university itself
    (``campus``) the list cannot tell whether the clause applies (met None)."""
    arm = resolution.arm
    assert arm is not None
    values = dict(query=resolution.query, arm=arm.name, parent=arm.parent.name,
                  arm_kind=word("arm_kind", arm.kind), arm_kind_code=arm.kind, via=arm.via)
    if arm.accepted is None:
        return reason("deg.arm_unclear", "note.4", day, None, **values)
    return reason("deg.excluded_arm", "note.4", day, False, **values)


# ---------------------------------------------------------------------------------------------
# note.5 — counted work experience: full-time or self-employment, after graduation


def work_months(facts: Facts, degree: Optional[Degree], day: dt.date,
                windowed: bool, intervals: Optional[list[work.Interval]] = None) -> Optional[Range]:
    """note.5 (and criteria.b's five-year window when ``windowed``): months of counted work.

    Returns a Range because an imprecise graduation date ("2019") or a stated number of months
    larger than the time since graduation leaves the counted amount uncertain.

    Without a graduation date, none of the work can be shown to be "after graduation" (note.5),
    whether it is given as dated periods or as a number of months: both give the range from 0 to
    the months found, so they decide only what holds either way (fewer than work.threshold_months at most:
    B not met, C's limit met) and otherwise ask for the graduation date. A stated number is the
    answer to "how long have you worked since graduating", so with a graduation date it is
    trusted up to the time since then.

    ``intervals``: the counted periods as work.periods_to_intervals gives them for ``day``,
    when the caller has them already."""
    bounds = degree.graduation_bounds if degree else None
    if facts.work_periods is not None:
        ivs = intervals if intervals is not None else work.periods_to_intervals(
            facts.work_periods, day, param("work.counted_types", day))
        return _months_worked(ivs, bounds, day, windowed)
    stated = facts.work_experience_months
    if stated is None:
        return None
    return _months_stated(stated, bounds, day, windowed)


@lru_cache(maxsize=4096)
def _window_start(day: dt.date) -> dt.date:
    """The first day of criteria.b's window for an application on ``day``."""
    return work.add_years(day, -param("work.window_years", day))


def _months_worked(ivs: list[work.Interval], bounds: Optional[tuple[dt.date, dt.date]],
                   day: dt.date, windowed: bool) -> Range:
    window_lo = _window_start(day)
    if bounds is None:
        # Without a graduation date every period might predate it.
        hi = work.counted_months(ivs, window_lo if windowed else dt.date.min, day)
        return Range(0.0, hi, "graduation_date")
    earliest, latest = bounds
    lo_start = max(window_lo, latest) if windowed else latest
    hi_start = max(window_lo, earliest) if windowed else earliest
    return Range(work.counted_months(ivs, lo_start, day),
                 work.counted_months(ivs, hi_start, day), "graduation_day")


def _months_stated(stated: float, bounds: Optional[tuple[dt.date, dt.date]], day: dt.date,
                   windowed: bool) -> Range:
    cap = 12.0 * param("work.window_years", day) if windowed else float("inf")
    if bounds is None:
        return Range(0.0, round(min(stated, cap), 2), "graduation_date")
    since = work.months_between(bounds[0], day)
    if stated > since + 0.5:
        # More than has passed since graduating: part of it predates graduation.
        hi = min(since, cap)
        return Range(0.0, round(hi, 2), "after_graduating")
    value = round(min(stated, cap), 2)
    return Range(value, value)


def rule_b_work(months: Optional[Range], day: dt.date) -> Reason:
    """criteria.b: at least three years (work.threshold_months) of counted work experience (note.5) over the
    five years immediately preceding the application date."""
    needed = param("work.threshold_months", day)
    if months is None:
        return reason("b.work_missing", "criteria.b", day, None, application_date=day)
    met = _decide_at_least(months, needed)
    if met is None:
        return reason("b.work_uncertain", "note.5", day, None, low=months.low, high=months.high,
                      why=word("why", months.why), why_code=months.why, needed=needed)
    return reason("b.work_met" if met else "b.work_not_met", "criteria.b", day, met,
                  months=months.low if met else months.high, needed=needed,
                  application_date=day)


# ---------------------------------------------------------------------------------------------
# criteria.c + note.6 + note.7 — Category C


def rule_c_graduation(degree: Degree, day: dt.date) -> Reason:
    """criteria.c with note.6: graduated in the past five years, counted by year of graduation,
    i.e. graduation year >= application year - 5."""
    return _rule_c_graduation(degree.graduation_year, day)


def _rule_c_graduation(year: Optional[int], day: dt.date) -> Reason:
    earliest_year = day.year - param("graduation.window_years", day)
    if year is None:
        return reason("c.grad_missing", "note.6", day, None)
    met = year >= earliest_year
    return reason("c.grad_met" if met else "c.grad_not_met", "note.6", day, met, year=year,
                  earliest_year=earliest_year)


def rule_c_work(months: Optional[Range], day: dt.date) -> Reason:
    """criteria.c: less than three years (work.threshold_months) of counted work experience (note.5)."""
    limit = param("work.threshold_months", day)
    if months is None:
        return reason("c.work_missing", "criteria.c", day, None)
    at_least = _decide_at_least(months, limit)
    if at_least is None:
        return reason("c.work_uncertain", "note.5", day, None, low=months.low, high=months.high,
                      why=word("why", months.why), why_code=months.why, limit=limit)
    met = not at_least
    return reason("c.work_met" if met else "c.work_not_met", "criteria.c", day, met,
                  months=months.high if met else months.low, limit=limit)


_HONG_KONG_NAME = re.compile(r"hong\s*kong|香港|\bhk[a-z]*\b", re.I)


def _in_hong_kong(degree: Degree, resolution: Resolution) -> bool:
    """The institution is in Hong Kong: the registry says so, or its name does (an unlisted Hong
    Kong institution is still a place where a non-local student may have studied)."""
    inst = resolution.institution
    if inst is not None:
        return inst.is_hong_kong
    return bool(_HONG_KONG_NAME.search(degree.university))


def rule_c_nonlocal(facts: Facts, resolutions: list[Resolution], day: dt.date) -> Optional[Reason]:
    """criteria.c with note.7: "Category C does not apply to those non-local students who have
    obtained the undergraduate qualification in a full-time and locally-accredited programme in
    the HKSAR". The clause speaks of the person, so it is checked once over all their degrees:
    one such qualification excludes them from Category C, whatever other degree would qualify.
    A Hong Kong undergraduate degree whose non-local status is not given leaves it unknown; a
    postgraduate degree taken as a non-local student is not an undergraduate qualification.
    None when the applicant has no Hong Kong undergraduate degree."""
    pending: Optional[tuple[str, str]] = None
    local: Optional[str] = None
    for degree, res in zip(facts.degrees or [], resolutions):
        label = res.institution.name if res.institution else degree.university
        undergraduate = degree.level in ("bachelor", None)
        if degree.hk_nonlocal_fulltime_ug is True:
            if undergraduate:
                return reason("c.nonlocal_excluded", "criteria.c", day, False, institution=label)
            if degree.level == "other" and pending is None:
                pending = ("c.nonlocal_level_unknown", label)
            continue
        if undergraduate and _in_hong_kong(degree, res):
            if degree.hk_nonlocal_fulltime_ug is None and pending is None:
                pending = ("c.nonlocal_missing", label)
            elif degree.hk_nonlocal_fulltime_ug is False and local is None:
                local = label
    if pending is not None:
        return reason(pending[0], "note.7", day, None, institution=pending[1])
    if local is not None:
        return reason("c.nonlocal_met", "note.7", day, True, institution=local)
    return None


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


# Residence statuses that the TTPS page treats on their own (codes of ttps_logic.nationality):
# the reason shown instead of "open to nationals of ...", and the clause it cites.
_RESIDENCE = {
    "CN": ("gen.cn_which_residence", "nationals.prc_overseas"),
    "CN-MAINLAND": ("gen.mainland_resident", "documents.mainland"),
    "MO": ("gen.macao_resident", "documents.macao"),
    "TW": ("gen.taiwan_resident", "documents.taiwan"),
}


def rule_nationality(facts: Facts, day: dt.date) -> Reason:
    """intro.nationals: the scheme does not apply to nationals of the listed countries (the list
    in force on the application date); a Mainland or overseas Chinese resident is checked as a
    Chinese national. intro.visa_required: a Hong Kong permanent resident needs no visa to work
    in Hong Kong, so the scheme (a visa / entry permit) is not for them. documents.*: what
    Mainland, Macao and Taiwan residents upload."""
    # the reason depends on the day only through the rules in force (the stretch of days)
    key = (facts.nationality, segment_start(day))
    found = _NATIONALITY.get(key)
    if found is None:
        found = _rule_nationality(facts.nationality, day)
        _NATIONALITY.put(key, found)
    return found


_NATIONALITY = Memo(1024)


def _rule_nationality(code: Optional[str], day: dt.date) -> Reason:
    excluded = param("nationality.excluded", day)
    if code is None:
        return reason("gen.nationality_missing", "intro.nationals", day, None, kind="info",
                      excluded=", ".join(_country_name(c) for c in excluded),
                      excluded_codes=",".join(excluded))
    national = national_of(code)
    name = _country_name(national)
    if national in excluded:
        return reason("gen.nationality_excluded", "intro.nationals", day, False,
                      country=name, country_code=national)
    if code == "HK":
        return reason("gen.hk_permanent_resident", "intro.visa_required", day, False,
                      country_code=code)
    if code in _RESIDENCE:
        rcode, cid = _RESIDENCE[code]
        return reason(rcode, cid, day, True, kind="info", country=name, country_code=code,
                      min_months=param("nationality.prc_overseas_min_months", day))
    return reason("gen.nationality_ok", "intro.nationals", day, True, kind="info", country=name,
                  country_code=code)


def rule_prc_overseas(facts: Facts, day: dt.date) -> Optional[Reason]:
    """nationals.prc_overseas: Chinese nationals holding PRC passports who live overseas may apply
    if they have permanent residence overseas, or have resided overseas for at least one year
    immediately before applying and apply from overseas ("overseas": outside the Mainland, Hong
    Kong, Macao and Taiwan). None when the applicant is not one of them."""
    if facts.nationality != "CN-OVERSEAS":
        return None
    needed = param("nationality.prc_overseas_min_months", day)
    o = facts.overseas_residence
    pr = o.permanent_residence if o else None
    months = o.months_overseas if o else None
    from_overseas = o.applying_from_overseas if o else None
    if pr is True:
        return reason("gen.prc_overseas_pr", "nationals.prc_overseas", day, True)
    resided = None if months is None else months >= needed
    if resided is True and from_overseas is True:
        return reason("gen.prc_overseas_resided", "nationals.prc_overseas", day, True,
                      months=months, needed=needed)
    if pr is False and (resided is False or from_overseas is False):
        why_code = ("months_and_not_from_overseas" if resided is False and from_overseas is False
                    else "months" if resided is False else "not_from_overseas")
        return reason("gen.prc_overseas_not_met", "nationals.prc_overseas", day, False,
                      needed=needed, months=months,
                      why=word("why", why_code).format(months=months), why_code=why_code)
    return reason("gen.prc_overseas_unknown", "nationals.prc_overseas", day, None, needed=needed)


def general_information(day: dt.date) -> tuple[Reason, ...]:
    """criteria.preamble, stay.initial, stay.pattern, stay.extension, stay.top_tier: what every
    applicant should know about the rules in force on the application date."""
    return _general(segment_start(day))


def initial_stay_by_approval(day: dt.date) -> tuple[dict, ...]:
    """stay.initial: the initial stay is keyed on the APPROVAL date (Category A's longer stay applies
    to approvals from the day stay.initial_months says), which the engine does not know. An application made on ``day``
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
