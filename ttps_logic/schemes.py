"""Pre-screen of the other Hong Kong schemes: IANG, New CIES (and the suspended CIES), ASMTP,
GEP and QMAS, from the facts the TTPS conversation gathers plus two optional inputs (a Hong Kong
job offer; net assets and planned investment for New CIES).

Each scheme is answered ``likely`` / ``unlikely`` / ``unknown``, never "eligible": these schemes
are decided on documents and discretion this pre-screen cannot see. ``likely`` means every
criterion we can compute is met and the rest is listed under ``to_check`` with where to check
it; ``unlikely`` means a criterion we can compute is not met; ``unknown`` means a fact is missing
(``to_find_out``) or the scheme cannot be judged from these facts at all (QMAS's points test).

One small function per clause, each naming the clause it implements (ids in
data/scheme_clauses.yaml, where the official wording is quoted with its source). Thresholds,
windows, stays and lists come from data/scheme_parameters.yaml, dated like parameters.yaml,
never from literals here. Messages are in locales/schemes.<lang>.yaml.
"""
from __future__ import annotations

import datetime as dt
from contextvars import ContextVar
from functools import lru_cache
from typing import Any, Literal, Mapping, Optional, Union

import yaml
from pydantic import BaseModel, Field, field_validator

from . import __version__, fx, work
from .engine import InputError, combine as engine_combine
from .institutions import registry
from .models import Degree, Facts, Money, Reason, SourceRef
from .nationality import national_of, nationality_name
from .params import (DATA_DIR, ClauseVersion, DataError, Version, clause_chinese, param,
                     read_clauses, read_parameters, resolve_data_refs, sources)
from .text import check_lang, country_name, join, local_values, locale_file, templates

SCHEMES = ("IANG", "NEW_CIES", "CIES", "ASMTP", "GEP", "QMAS")
# The page each scheme's result points to (its address is the source's, in sources.yaml).
MAIN_SOURCE = {"IANG": "immd_iang_2025_page", "NEW_CIES": "immd_newcies_2025",
               "CIES": "fragomen_2015_cies", "ASMTP": "immd_asmtp_2025", "GEP": "immd_gep_2025",
               "QMAS": "immd_qmas_2025"}
SchemeStatus = Literal["likely", "unlikely", "unknown"]
Quota = Union[int, Literal["quota_free", "none_stated", "suspended"], None]


# ---------------------------------------------------------------------------------------------
# Data: scheme_parameters.yaml and scheme_clauses.yaml, read like parameters.yaml / clauses.yaml


@lru_cache(maxsize=1)
def parameter_table() -> dict[str, tuple[Optional[str], tuple[Version, ...]]]:
    return read_parameters("scheme_parameters.yaml")


@lru_cache(maxsize=1)
def clause_table() -> dict[str, tuple[ClauseVersion, ...]]:
    return read_clauses("scheme_clauses.yaml")


@lru_cache(maxsize=1)
def data_start() -> dt.date:
    """The first day every parameter and clause of the schemes covers."""
    firsts = [min(v.start for v in vs) for _, vs in parameter_table().values()]
    firsts += [min(v.start for v in vs) for vs in clause_table().values()]
    return max(firsts)


@lru_cache(maxsize=8192)
def sparam_version(key: str, day: dt.date) -> Version:
    try:
        _, versions = parameter_table()[key]
    except KeyError:
        raise DataError(f"unknown scheme parameter {key!r}") from None
    found = [v for v in versions if v.covers(day)]
    if len(found) != 1:
        raise DataError(f"scheme parameter {key!r} has {len(found)} values in force on {day}")
    return found[0]


def sparam(key: str, day: dt.date) -> Any:
    """The value of a scheme parameter in force on ``day`` (shared object: do not mutate)."""
    return sparam_version(key, day).value


@lru_cache(maxsize=8192)
def sclause(clause_id: str, day: dt.date) -> ClauseVersion:
    try:
        versions = clause_table()[clause_id]
    except KeyError:
        raise DataError(f"unknown scheme clause {clause_id!r}") from None
    found = [v for v in versions if v.covers(day)]
    if len(found) != 1:
        raise DataError(f"scheme clause {clause_id!r} has {len(found)} versions in force on {day}")
    return found[0]


def rules_version(day: dt.date) -> str:
    """The scheme rule set in force: the latest change among the scheme parameters on that day."""
    latest = max(sparam_version(key, day).start for key in parameter_table())
    return f"schemes-rules-{latest.isoformat()}"


def first_day_of(key: str, value: Any) -> Optional[dt.date]:
    """The first day a parameter takes ``value`` (e.g. the day New CIES opened)."""
    _, versions = parameter_table()[key]
    days = [v.start for v in versions if v.value == value]
    return min(days) if days else None


# ---------------------------------------------------------------------------------------------
# Messages and reasons


# The language the pre-screen is being written in (prescreen(..., lang) sets it).
_LANG: ContextVar[str] = ContextVar("ttps_schemes_lang", default="en")


@lru_cache(maxsize=4)
def _templates(lang: str = "en") -> dict[str, dict[str, str]]:
    with open(locale_file("schemes", lang), encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    return resolve_data_refs(data, (data.get("formats") or {}).get("date_text"))


def render(section: str, code: str, values: Mapping[str, Any], lang: Optional[str] = None) -> str:
    """A message of locales/schemes.<lang>.yaml (default: the pre-screen's language)."""
    lang = lang or _LANG.get()
    if lang != "en":
        values = local_values(dict(values), lang)
    return _templates(check_lang(lang))[section][code].format(**values)


def _reason(code: str, clause_id: str, day: dt.date, met: Optional[bool], *,
            kind: str = "condition", **values: Any) -> Reason:
    """A checked condition (or a piece of information) citing the scheme clause in force."""
    cv = sclause(clause_id, day)
    src = cv.source
    label, quote = cv.label, cv.quote
    lang = _LANG.get()
    chinese = clause_chinese().get(clause_id) if lang != "en" else None
    if chinese:
        label = chinese["label"][lang]
        quote = (chinese["text"][lang] if chinese.get("text") else
                 chinese["summary"][lang] + templates(lang)["text"]["clause_summary_mark"])
    return Reason(code=code, kind=kind, met=met, clause_id=clause_id, clause_label=label,
                  clause_text=quote,
                  source=SourceRef(key=src.key, title=src.title, url=src.url, date=src.date),
                  values=values, message=render("reason", code, values))


# ---------------------------------------------------------------------------------------------
# Input: the TTPS facts plus a Hong Kong job offer and New CIES money


_YES_NO = {"yes": True, "y": True, "true": True, "no": False, "n": False, "false": False,
           "unknown": None, "": None}


class SchemeFacts(Facts):
    """The TTPS facts (models.Facts) plus the inputs the other schemes need."""

    hk_job_offer: Optional[bool] = Field(
        None, description="Holds a confirmed offer of employment in Hong Kong: yes / no / "
                          "unknown (also true / false / null)")
    net_assets: Optional[Money] = Field(
        None, description="New CIES: net assets or net equity the applicant is absolutely "
                          "beneficially entitled to (held throughout the net-asset period)")
    planned_investment: Optional[Money] = Field(
        None, description="New CIES: the amount the applicant plans to invest in permissible "
                          "investment assets")

    @field_validator("hk_job_offer", mode="before")
    @classmethod
    def _job_offer(cls, v: Any) -> Any:
        if isinstance(v, str):
            key = v.strip().lower()
            if key not in _YES_NO:
                raise ValueError("must be yes, no or unknown")
            return _YES_NO[key]
        return v


# ---------------------------------------------------------------------------------------------
# Output


class ToCheck(BaseModel):
    """Something the pre-screen cannot judge: what to check, and where."""
    what: str
    where: Optional[str] = None
    clause_id: Optional[str] = None


class ParameterRef(BaseModel):
    key: str
    value: Any
    source: str
    valid_from: dt.date
    valid_to: Optional[dt.date] = None
    note: Optional[str] = None


class SideBySide(BaseModel):
    """The scheme's headline attributes in force on the date asked about, from the data."""
    open: bool
    job_offer_needed: Optional[bool] = Field(
        description="null = it depends (see job_offer_note)")
    job_offer_note: str
    first_stay_months: Optional[int]
    first_stay_note: str
    quota: Quota
    can_extend: Optional[bool]
    extension_note: str
    fees_hkd: Optional[dict[str, int]] = Field(
        None, description="Government fees of a 'specified scheme' application (per person)")
    parameters: list[ParameterRef] = Field(default_factory=list)


class SchemeResult(BaseModel):
    scheme: str
    name: str
    url: Optional[str]
    status: SchemeStatus
    indicated: bool = Field(description="The facts point to this scheme (e.g. investment income "
                                        "for New CIES, a Hong Kong degree for IANG)")
    summary: str
    reasons: list[Reason]
    to_find_out: list[str] = Field(default_factory=list)
    to_check: list[ToCheck] = Field(default_factory=list)
    side_by_side: SideBySide


class SchemesResult(BaseModel):
    application_date: dt.date
    rules_version: str
    engine_version: str
    facts: dict[str, Any]
    schemes: dict[str, SchemeResult]
    suggested: list[str] = Field(description="Schemes worth a look, likely ones first, then "
                                             "the indicated ones whose answer is unknown")
    caveat: str


# ---------------------------------------------------------------------------------------------
# schemes.visa_required — every scheme


def rule_visa_required(facts: Facts, day: dt.date) -> Optional[Reason]:
    """schemes.visa_required: a visa / entry permit is needed to work in Hong Kong unless one has
    the right of abode or to land; a Hong Kong permanent resident (nationality HK) needs none of
    these schemes (met False). None for everyone else."""
    if facts.nationality == "HK":
        return _reason("all.hk_permanent_resident", "schemes.visa_required", day, False)
    return None


def _country(code: str) -> str:
    """A nationality's name in the pre-screen's language."""
    lang = _LANG.get()
    return nationality_name(code) if lang == "en" else country_name(code, lang)


def _names(codes) -> str:
    lang = _LANG.get()
    if lang == "en":
        return ", ".join(_country(c) for c in codes)
    return join([_country(c) for c in codes], lang)


def rule_nationals(scheme: str, key: str, clause_id: str, facts: Facts,
                   day: dt.date) -> Optional[Reason]:
    """The excluded-nationals clause of ``scheme`` (iang.nationals, newcies.scope, gep.scope,
    qmas.scope), on the list in force (``key``): an excluded national is not met; one the
    sources are silent about for that date, or (IANG) one to whom it applies only in part, is
    undecided. Nationality not given: information only (the list is shown). A Mainland or
    overseas Chinese resident is checked as a Chinese national."""
    lists = sparam(key, day)
    code = facts.nationality
    if code is None:
        return _reason("all.nationality_missing", clause_id, day, None, kind="info",
                       scheme=scheme, excluded=_names(lists["excluded"]))
    national = national_of(code)
    country = _country(national)
    if national in lists["excluded"]:
        return _reason("all.nationality_excluded", clause_id, day, False, scheme=scheme,
                       country=country, country_code=national)
    if national in lists["uncertain"]:
        return _reason("all.nationality_uncertain", clause_id, day, None, scheme=scheme,
                       country=country, country_code=national)
    if national in lists["restricted"]:
        return _reason("iang.nationality_restricted", clause_id, day, None, country=country,
                       country_code=national)
    return None


def _prc_overseas(facts: Facts, needed: float) -> Optional[bool]:
    """gep.prc_overseas / asmtp.prc_overseas: a PRC passport holder living overseas with
    permanent residence overseas, or at least ``needed`` months overseas immediately before
    applying and applying from overseas. None when the facts do not settle it."""
    o = facts.overseas_residence
    pr = o.permanent_residence if o else None
    months = o.months_overseas if o else None
    from_overseas = o.applying_from_overseas if o else None
    if pr is True:
        return True
    resided = None if months is None else months >= needed
    if resided is True and from_overseas is True:
        return True
    if pr is False and (resided is False or from_overseas is False):
        return False
    return None


# ---------------------------------------------------------------------------------------------
# iang.* — Immigration Arrangements for Non-local Graduates


def _in_hong_kong(degree: Degree) -> bool:
    """The awarding institution is in Hong Kong (the registry says so, or its name does)."""
    res = registry().resolve(degree.university)
    if res.institution is not None:
        return res.institution.is_hong_kong
    name = degree.university.lower()
    return "hong kong" in name or "香港" in name


def _label(degree: Degree) -> str:
    """The awarding institution in the pre-screen's language: a listed one's name in it
    (registry.display_name), otherwise the name as the person gave it."""
    reg = registry()
    res = reg.resolve(degree.university)
    return reg.display_name(res.institution, _LANG.get()) if res.institution else degree.university


def rule_iang_graduate(facts: Facts, day: dt.date) -> tuple[Reason, list[Degree]]:
    """iang.scope: a non-local student (entered Hong Kong on a student visa) who obtained an
    undergraduate or higher qualification in a full-time locally-accredited programme in Hong
    Kong. A degree with ``hk_nonlocal_fulltime_ug`` true counts at bachelor's level or above (or
    level not given: the flag describes a bachelor's); of level "other" it is undecided (it may
    be a sub-degree). A Hong Kong degree without the flag leaves it undecided. Returns the
    reason and the qualifying degrees."""
    if facts.degrees is None:
        return _reason("iang.degrees_missing", "iang.scope", day, None), []
    qualifying = [d for d in facts.degrees
                  if d.hk_nonlocal_fulltime_ug is True and d.level != "other"]
    if qualifying:
        lang = _LANG.get()
        labels = [_label(d) for d in qualifying]
        names = ", ".join(labels) if lang == "en" else join(labels, lang)
        return _reason("iang.graduate_met", "iang.scope", day, True, institution=names), qualifying
    for d in facts.degrees:
        if d.hk_nonlocal_fulltime_ug is True:
            return _reason("iang.level_unknown", "iang.scope", day, None,
                           institution=_label(d)), []
        if d.hk_nonlocal_fulltime_ug is None and _in_hong_kong(d):
            return _reason("iang.nonlocal_missing", "iang.scope", day, None,
                           institution=_label(d)), []
    return _reason("iang.graduate_not_met", "iang.scope", day, False), []


def iang_route(degree: Degree, day: dt.date) -> tuple[str, Optional[dt.date]]:
    """iang.recent / iang.non_recent: "recent" when the application is made within six months
    after the graduation date (the window ends on the same day of the month six months later,
    clamped to the month's end), "non_recent" when after, "unknown" when the graduation date is
    missing or too imprecise ("2025") to tell. Also returns the last day of the window (for the
    earliest possible graduation day when imprecise)."""
    bounds = degree.graduation_bounds
    if bounds is None:
        return "unknown", None
    months = sparam("iang.recent_window_months", day)
    ends_early = work.add_months(bounds[0], months)
    ends_late = work.add_months(bounds[1], months)
    if day <= ends_early:
        return "recent", ends_early
    if day > ends_late:
        return "non_recent", ends_late
    return "unknown", ends_early


def rule_iang_window(degrees: list[Degree], facts: Facts, day: dt.date) -> list[Reason]:
    """iang.recent and iang.non_recent: a recent graduate needs no job offer (met); a non-recent
    graduate needs an offer of employment (met with one, not met without, undecided when not
    given); when the route cannot be told, a job offer settles it either way."""
    routes = [(d, *iang_route(d, day)) for d in degrees]
    window = sparam("iang.recent_window_months", day)
    offer = getattr(facts, "hk_job_offer", None)
    recent = [(d, end) for d, r, end in routes if r == "recent"]
    if recent:
        d, end = max(recent, key=lambda x: x[1])
        return [_reason("iang.recent", "iang.recent", day, True, institution=_label(d),
                        graduation_date=d.graduation_date, window_end=end, months=window)]
    if all(r == "non_recent" for _, r, _ in routes):
        d, _, end = max(routes, key=lambda x: x[2])
        info = _reason("iang.non_recent", "iang.non_recent", day, None, kind="info",
                       institution=_label(d), graduation_date=d.graduation_date, window_end=end,
                       months=window)
        if offer is True:
            return [info, _reason("iang.offer_met", "iang.non_recent", day, True)]
        if offer is False:
            return [info, _reason("iang.offer_not_met", "iang.non_recent", day, False)]
        return [info, _reason("iang.offer_missing", "iang.non_recent", day, None)]
    if offer is True:
        return [_reason("iang.route_unknown_offer_met", "iang.non_recent", day, True,
                        months=window)]
    undated = [d for d, r, end in routes if end is None]
    if undated:
        return [_reason("iang.graduation_missing", "iang.recent", day, None,
                        institution=_label(undated[0]), months=window)]
    d, _, end = routes[0]
    return [_reason("iang.route_unknown", "iang.recent", day, None, institution=_label(d),
                    graduation_date=d.graduation_date, window_end=end, months=window)]


def assess_iang(facts: Facts, day: dt.date) -> tuple[list[Reason], bool]:
    """IANG: iang.scope, iang.nationals, iang.recent / iang.non_recent."""
    reasons = [r for r in (rule_visa_required(facts, day),
                           rule_nationals("IANG", "iang.nationals", "iang.nationals", facts, day))
               if r is not None]
    graduate, degrees = rule_iang_graduate(facts, day)
    reasons.append(graduate)
    if degrees:
        reasons.extend(rule_iang_window(degrees, facts, day))
    indicated = graduate.met is True or graduate.code in ("iang.nonlocal_missing",
                                                          "iang.level_unknown")
    return reasons, indicated


# ---------------------------------------------------------------------------------------------
# newcies.* — New Capital Investment Entrant Scheme; cies.suspended


def rule_newcies_open(day: dt.date) -> Optional[Reason]:
    """newcies.opening: the scheme takes applications from its opening day; before it, not met."""
    if sparam("newcies.open", day):
        return None
    return _reason("newcies.not_open", "newcies.opening", day, False,
                   opens=first_day_of("newcies.open", True))


def rule_newcies_scope(facts: Facts, day: dt.date) -> Reason:
    """newcies.scope: (i) foreign nationals other than the excluded ones, (ii) Chinese nationals
    with permanent resident status in a foreign country, (iii) Macao SAR residents, (iv) Chinese
    residents of Taiwan. A Chinese resident of the Mainland is outside it; a PRC passport holder
    living overseas is inside it only with overseas permanent residence."""
    code = facts.nationality
    if code is None:
        return _reason("newcies.scope_missing", "newcies.scope", day, None)
    excluded = rule_nationals("NEW_CIES", "newcies.nationals", "newcies.scope", facts, day)
    if excluded is not None and excluded.met is False:
        return excluded
    if code == "CN-MAINLAND":
        return _reason("newcies.mainland", "newcies.scope", day, False)
    if code == "CN":
        return _reason("newcies.cn_residence_missing", "newcies.scope", day, None)
    if code == "CN-OVERSEAS":
        o = facts.overseas_residence
        pr = o.permanent_residence if o else None
        if pr is True:
            return _reason("newcies.prc_pr_met", "newcies.scope", day, True)
        if pr is False:
            return _reason("newcies.prc_pr_not_met", "newcies.scope", day, False)
        return _reason("newcies.prc_pr_missing", "newcies.scope", day, None)
    if code in ("MO", "TW"):
        return _reason("newcies.macao_taiwan", "newcies.scope", day, True,
                       country=_country(code))
    if excluded is not None:      # the sources are silent for that nationality on that date
        return excluded
    return _reason("newcies.foreign_national", "newcies.scope", day, True,
                   country=_country(national_of(code)))


def _hkd_range(money: Money, first: dt.date, last: dt.date) -> Optional[tuple[float, float, float]]:
    """``money`` in HK$ at the lowest, highest and average ECB rate over [first, last]."""
    rr = fx.rate_range(money.currency, first, last)
    if rr is None:
        return None
    amount = float(money.amount)
    return amount * rr.low, amount * rr.high, amount * rr.average


def _money_rule(money: Optional[Money], threshold: float, first: dt.date, last: dt.date,
                prefix: str, clause_id: str, day: dt.date, **extra: Any) -> Reason:
    """Money at or above ``threshold`` HK$: met when it is at the lowest rate over the period,
    not met when it is below at the highest, undecided in between or with no rate."""
    if money is None:
        return _reason(f"{prefix}_missing", clause_id, day, None, threshold=threshold, **extra)
    conv = _hkd_range(money, first, last)
    values = dict(amount=float(money.amount), currency=money.currency, threshold=threshold,
                  **extra)
    if conv is None:
        return _reason(f"{prefix}_no_rate", clause_id, day, None, **values)
    low, high, avg = (round(x) for x in conv)
    values.update(hkd=avg, low=low, high=high, rates_from=first, rates_to=last)
    if low >= threshold:
        return _reason(f"{prefix}_met", clause_id, day, True, **values)
    if high < threshold:
        return _reason(f"{prefix}_not_met", clause_id, day, False, **values)
    return _reason(f"{prefix}_fx_straddle", clause_id, day, None, **values)


def rule_newcies_net_assets(facts: Facts, day: dt.date) -> Reason:
    """newcies.net_assets: net assets of at least newcies.net_assets_hkd (or the equivalent) throughout the
    months before the application to InvestHK (newcies.net_assets_period_months). Foreign
    currency is converted at the ECB rates over that period (decided only when the threshold is
    not between the lowest and highest). That they were held throughout is left to check."""
    threshold = float(sparam("newcies.net_assets_hkd", day))
    months = sparam("newcies.net_assets_period_months", day)
    first = work.add_months(day, -months)
    return _money_rule(getattr(facts, "net_assets", None), threshold, first,
                       day - dt.timedelta(days=1), "newcies.net_assets", "newcies.net_assets",
                       day, months=months)


def rule_newcies_investment(facts: Facts, day: dt.date) -> Reason:
    """newcies.investment: an investment of at least newcies.investment_hkd (or the equivalent) in permissible
    investment assets (converted at the ECB rates of the year before the date asked about)."""
    threshold = float(sparam("newcies.investment_hkd", day))
    return _money_rule(getattr(facts, "planned_investment", None), threshold,
                       work.add_years(day, -1), day - dt.timedelta(days=1),
                       "newcies.investment", "newcies.investment", day)


def rule_newcies_investment_income(facts: Facts, day: dt.date) -> Optional[Reason]:
    """newcies.investment (information): income from personal investment, which TTPS's Category
    A does not count, points to New CIES, the scheme for people who invest in Hong Kong."""
    items = [i for i in facts.income or () if i.type == "investment"]
    if not items:
        return None
    every = len(items) == len(facts.income or ())
    return _reason("newcies.investment_income_all" if every else "newcies.investment_income_part",
                   "newcies.investment", day, None, kind="info", items=len(items))


def assess_newcies(facts: Facts, day: dt.date) -> tuple[list[Reason], bool]:
    """New CIES: newcies.opening, newcies.scope, newcies.net_assets, newcies.investment."""
    hint = rule_newcies_investment_income(facts, day)
    reasons = [r for r in (rule_visa_required(facts, day), rule_newcies_open(day)) if r]
    if sparam("newcies.open", day):
        reasons += [rule_newcies_scope(facts, day), rule_newcies_net_assets(facts, day),
                    rule_newcies_investment(facts, day)]
    if hint is not None:
        reasons.append(hint)
    indicated = (hint is not None or getattr(facts, "net_assets", None) is not None
                 or getattr(facts, "planned_investment", None) is not None)
    return reasons, indicated


def rule_cies_suspended(day: dt.date) -> Reason:
    """cies.suspended: the original Capital Investment Entrant Scheme takes no new applications
    (suspended with effect from the day in cies.status): not met."""
    status = sparam("cies.status", day)
    return _reason("cies.suspended", "cies.suspended", day, False,
                   suspended_from=status["suspended_from"])


# ---------------------------------------------------------------------------------------------
# asmtp.* and gep.* — employment schemes (a confirmed Hong Kong job offer)


def rule_asmtp_scope(facts: Facts, day: dt.date) -> Reason:
    """asmtp.scope with asmtp.prc_overseas: ASMTP is for Chinese residents of the Mainland. A PRC
    passport holder living overseas who meets the overseas condition uses GEP instead (not met);
    one who does not is treated as a Mainland resident (met). Everyone else uses GEP."""
    code = facts.nationality
    if code is None:
        return _reason("emp.nationality_missing", "asmtp.scope", day, None)
    if code == "CN-MAINLAND":
        return _reason("asmtp.mainland", "asmtp.scope", day, True)
    if code == "CN":
        return _reason("emp.cn_residence_missing", "asmtp.scope", day, None)
    if code == "CN-OVERSEAS":
        needed = sparam("asmtp.prc_overseas_min_months", day)
        overseas = _prc_overseas(facts, needed)
        if overseas is True:
            return _reason("asmtp.prc_overseas_use_gep", "asmtp.prc_overseas", day, False,
                           needed=needed)
        if overseas is False:
            return _reason("asmtp.prc_overseas_not_met", "asmtp.prc_overseas", day, True,
                           needed=needed)
        return _reason("emp.prc_overseas_unknown", "asmtp.prc_overseas", day, None, needed=needed)
    return _reason("asmtp.not_mainland", "asmtp.scope", day, False,
                   country=_country(code))


def rule_gep_scope(facts: Facts, day: dt.date) -> Reason:
    """gep.scope with gep.prc_overseas: GEP is not for Chinese residents of the Mainland (they
    use ASMTP) nor for the excluded nationals; a PRC passport holder living overseas may use it
    with overseas permanent residence, or a year overseas and applying from overseas."""
    code = facts.nationality
    if code is None:
        return _reason("emp.nationality_missing", "gep.scope", day, None)
    if code == "CN-MAINLAND":
        return _reason("gep.mainland_use_asmtp", "gep.scope", day, False)
    if code == "CN":
        return _reason("emp.cn_residence_missing", "gep.scope", day, None)
    if code == "CN-OVERSEAS":
        needed = sparam("gep.prc_overseas_min_months", day)
        overseas = _prc_overseas(facts, needed)
        if overseas is True:
            return _reason("gep.prc_overseas_met", "gep.prc_overseas", day, True, needed=needed)
        if overseas is False:
            return _reason("gep.prc_overseas_not_met", "gep.prc_overseas", day, False,
                           needed=needed)
        return _reason("emp.prc_overseas_unknown", "gep.prc_overseas", day, None, needed=needed)
    nationals = rule_nationals("GEP", "gep.nationals", "gep.scope", facts, day)
    if nationals is not None:
        return nationals
    return _reason("gep.in_scope", "gep.scope", day, True, country=_country(code))


_DEGREE_LEVELS = ("bachelor", "master", "doctorate")


def rule_education(scheme: str, clause_id: str, facts: Facts, day: dt.date) -> Reason:
    """asmtp.education / gep.education / qmas.prerequisites: "a good education background,
    normally a first degree"; a bachelor's or higher degree (not honorary) is met (its field is
    left to check). No degree, or only other qualifications, is undecided: "in special
    circumstances" technical qualifications, abilities or experience may be accepted."""
    if facts.degrees is None:
        return _reason("edu.missing", clause_id, day, None, scheme=scheme)
    for d in facts.degrees:
        if d.level in _DEGREE_LEVELS and not d.honorary:
            return _reason("edu.degree", clause_id, day, True, scheme=scheme,
                           institution=_label(d), level=d.level)
    if any(d.level is None for d in facts.degrees):
        return _reason("edu.level_unknown", clause_id, day, None, scheme=scheme)
    return _reason("edu.special_circumstances", clause_id, day, None, scheme=scheme)


def rule_job_offer(scheme: str, clause_id: str, facts: Facts, day: dt.date) -> Reason:
    """asmtp.job_offer / gep.job_offer: a confirmed offer of employment in Hong Kong."""
    offer = getattr(facts, "hk_job_offer", None)
    if offer is True:
        return _reason("emp.offer_met", clause_id, day, True, scheme=scheme)
    if offer is False:
        return _reason("emp.offer_not_met", clause_id, day, False, scheme=scheme)
    return _reason("emp.offer_missing", clause_id, day, None, scheme=scheme)


def _employment(scheme: str, scope: Reason, facts: Facts,
                day: dt.date) -> tuple[list[Reason], bool]:
    """The employment schemes' shared conditions: scope, education, a confirmed job offer."""
    p = scheme.lower()
    reasons = [r for r in (rule_visa_required(facts, day),) if r]
    reasons += [scope, rule_education(scheme, f"{p}.education", facts, day),
                rule_job_offer(scheme, f"{p}.job_offer", facts, day)]
    indicated = scope.met is not False and getattr(facts, "hk_job_offer", None) is True
    return reasons, indicated


def assess_asmtp(facts: Facts, day: dt.date) -> tuple[list[Reason], bool]:
    """ASMTP: asmtp.scope, asmtp.prc_overseas, asmtp.education, asmtp.job_offer."""
    return _employment("ASMTP", rule_asmtp_scope(facts, day), facts, day)


def assess_gep(facts: Facts, day: dt.date) -> tuple[list[Reason], bool]:
    """GEP: gep.scope, gep.prc_overseas, gep.education, gep.job_offer."""
    return _employment("GEP", rule_gep_scope(facts, day), facts, day)


# ---------------------------------------------------------------------------------------------
# qmas.* — Quality Migrant Admission Scheme


def rule_qmas_points(day: dt.date) -> Reason:
    """qmas.points: the General Points Test (12 criteria, a passing threshold) or the
    Achievement-based Points Test, then selection on merit. Not computed here: always
    undecided, so QMAS is never more than ``unknown`` from these facts."""
    least = sparam("qmas.gpt_min_criteria", day)
    if least is None:
        return _reason("qmas.points_unknown", "qmas.points", day, None)
    return _reason("qmas.points_unknown_least", "qmas.points", day, None, least=least)


def assess_qmas(facts: Facts, day: dt.date) -> tuple[list[Reason], bool]:
    """QMAS: qmas.scope (excluded nationals), qmas.prerequisites (academic part), qmas.points."""
    reasons = [r for r in (rule_visa_required(facts, day),
                           rule_nationals("QMAS", "qmas.nationals", "qmas.scope", facts, day))
               if r is not None]
    education = rule_education("QMAS", "qmas.prerequisites", facts, day)
    reasons += [education, rule_qmas_points(day)]
    indicated = education.met is True and not any(r.met is False for r in reasons)
    return reasons, indicated


# ---------------------------------------------------------------------------------------------
# Side by side, what to check, and the result


def _refs(day: dt.date, *keys: str) -> list[ParameterRef]:
    out = []
    for key in keys:
        v = sparam_version(key, day)
        out.append(ParameterRef(key=key, value=v.value, source=v.source.key, valid_from=v.start,
                                valid_to=v.end, note=v.note))
    return out


def _fees(day: dt.date) -> Optional[dict[str, int]]:
    """The fees of a 'specified scheme' application (TTPS's fees.hkd: the fee page names all
    these schemes)."""
    return dict(param("fees.hkd", day))


def _ext_note(ext: dict, scheme: str) -> str:
    if not ext.get("can_extend"):
        return render("side", "not_open", {})
    lang = _LANG.get()
    # what an extension needs: the data's own words in English, the locale's in another language
    needs = ext["needs"] if lang == "en" else _templates(lang)["needs"][scheme]
    return render("side", "extension", {
        "pattern": render("side", "pattern", {"pattern": ext["pattern"]})
        if ext.get("pattern") else "",
        "max_years": ext["max_years"], "needs": needs,
        "top_tier": render("side", "top_tier", {"years": ext["top_tier_years"]})
        if ext.get("top_tier_years") else ""})


def side_by_side(scheme: str, day: dt.date) -> SideBySide:
    """The headline attributes of ``scheme`` on ``day``, each from a dated parameter."""
    if scheme == "IANG":
        offer = sparam("iang.job_offer_needed", day)
        ext = sparam("iang.extension", day)
        return SideBySide(
            open=True, job_offer_needed=None if offer["recent"] != offer["non_recent"]
            else offer["recent"],
            job_offer_note=render("side", "iang_offer",
                                  {"months": sparam("iang.recent_window_months", day)}),
            first_stay_months=sparam("iang.first_stay_months", day),
            first_stay_note=render("side", "time_limitation", {}),
            quota=sparam("iang.quota", day), can_extend=ext["can_extend"],
            extension_note=_ext_note(ext, scheme), fees_hkd=_fees(day),
            parameters=_refs(day, "iang.job_offer_needed", "iang.recent_window_months",
                             "iang.first_stay_months", "iang.quota", "iang.extension"))
    if scheme == "NEW_CIES":
        is_open = sparam("newcies.open", day)
        ext = sparam("newcies.extension", day)
        keys = ("newcies.open", "newcies.job_offer_needed", "newcies.first_stay_months",
                "newcies.quota", "newcies.extension", "newcies.net_assets_hkd",
                "newcies.net_assets_period_months", "newcies.investment_hkd")
        return SideBySide(
            open=is_open, job_offer_needed=sparam("newcies.job_offer_needed", day),
            job_offer_note=render("side", "newcies_offer", {}),
            first_stay_months=sparam("newcies.first_stay_months", day),
            first_stay_note=render("side", "newcies_stay" if is_open else "not_open",
                                   {"months": sparam("newcies.first_stay_months", day)}),
            quota=sparam("newcies.quota", day), can_extend=ext["can_extend"],
            extension_note=_ext_note(ext, scheme), fees_hkd=_fees(day) if is_open else None,
            parameters=_refs(day, *keys))
    if scheme == "CIES":
        status = sparam("cies.status", day)
        return SideBySide(
            open=status["open"], job_offer_needed=None,
            job_offer_note=render("side", "cies", {"since": status["suspended_from"]}),
            first_stay_months=None,
            first_stay_note=render("side", "cies", {"since": status["suspended_from"]}),
            quota=None, can_extend=None,
            extension_note=render("side", "cies_extension", {}), fees_hkd=None,
            parameters=_refs(day, "cies.status"))
    if scheme in ("ASMTP", "GEP"):
        p = scheme.lower()
        ext = sparam(f"{p}.extension", day)
        return SideBySide(
            open=True, job_offer_needed=sparam(f"{p}.job_offer_needed", day),
            job_offer_note=render("side", "employment_offer", {}),
            first_stay_months=sparam(f"{p}.first_stay_months", day),
            first_stay_note=render("side", "employment_stay", {}),
            quota=sparam(f"{p}.quota", day), can_extend=ext["can_extend"],
            extension_note=_ext_note(ext, scheme), fees_hkd=_fees(day),
            parameters=_refs(day, f"{p}.job_offer_needed", f"{p}.first_stay_months",
                             f"{p}.quota", f"{p}.extension"))
    assert scheme == "QMAS", scheme
    stays = sparam("qmas.first_stay_months", day)
    ext = sparam("qmas.extension", day)
    return SideBySide(
        open=True, job_offer_needed=sparam("qmas.job_offer_needed", day),
        job_offer_note=render("side", "qmas_offer", {}),
        first_stay_months=stays["general_points_test"],
        first_stay_note=render("side", "qmas_stay", {
            "general": stays["general_points_test"],
            "achievement": stays["achievement_based_points_test"]}),
        quota=sparam("qmas.quota", day), can_extend=ext["can_extend"],
        extension_note=_ext_note(ext, scheme), fees_hkd=_fees(day),
        parameters=_refs(day, "qmas.job_offer_needed", "qmas.first_stay_months", "qmas.quota",
                         "qmas.extension", "qmas.gpt_min_criteria"))


# What only the applicant, an employer or the authorities can settle, by scheme: (locale key,
# clause id, values from parameters).
_CHECKS = {
    "IANG": [("iang.graduation_certificate", "iang.recent"), ("iang.gba_campus", "iang.scope"),
             ("all.normal_requirements", "schemes.visa_required")],
    "NEW_CIES": [("newcies.investhk_first", "newcies.net_assets"),
                 ("newcies.held_throughout", "newcies.net_assets"),
                 ("newcies.permissible_assets", "newcies.investment"),
                 ("newcies.age", "newcies.age"), ("newcies.self_support", "newcies.self_support"),
                 ("all.normal_requirements", "schemes.visa_required")],
    "CIES": [("cies.look_at_new_cies", "cies.suspended")],
    "ASMTP": [("emp.relevant_field", "asmtp.education"), ("emp.conditions", "asmtp.conditions"),
              ("emp.iang_first", "asmtp.scope")],
    "GEP": [("emp.relevant_field", "gep.education"), ("emp.conditions", "gep.conditions"),
            ("emp.iang_first", "gep.scope")],
    "QMAS": [("qmas.points_self_check", "qmas.points"), ("qmas.age", "qmas.prerequisites"),
             ("qmas.finances_character", "qmas.prerequisites")],
}


def _check_values(day: dt.date) -> dict[str, Any]:
    return {"newcies_age": sparam("newcies.min_age", day),
            "newcies_months": sparam("newcies.net_assets_period_months", day),
            "qmas_age": sparam("qmas.min_age", day),
            "iang_months": sparam("iang.recent_window_months", day)}


def to_check(scheme: str, day: dt.date, url: Optional[str]) -> list[ToCheck]:
    if scheme == "NEW_CIES" and not sparam("newcies.open", day):
        return []
    values = _check_values(day)
    return [ToCheck(what=render("check", code, values), where=url, clause_id=cid)
            for code, cid in _CHECKS[scheme]]


_STATUS = {"eligible": "likely", "not_eligible": "unlikely", "unknown": "unknown"}


def combine(reasons: list[Reason]) -> SchemeStatus:
    """likely when every condition is met, unlikely when any is not, unknown otherwise: the
    engine's rule for a category (engine.combine), in the pre-screen's words."""
    return _STATUS[engine_combine(reasons)]


_ASSESS = {"IANG": assess_iang, "NEW_CIES": assess_newcies, "ASMTP": assess_asmtp,
           "GEP": assess_gep, "QMAS": assess_qmas,
           "CIES": lambda facts, day: ([rule_cies_suspended(day)], False)}


def assess_scheme(scheme: str, facts: Facts, day: dt.date) -> SchemeResult:
    reasons, indicated = _ASSESS[scheme](facts, day)
    status = combine(reasons)
    unknown = [r.message for r in reasons if r.kind == "condition" and r.met is None]
    if status == "likely":
        summary = " ".join(r.message for r in reasons if r.kind == "condition")
    elif status == "unlikely":
        summary = " ".join(r.message for r in reasons if r.met is False)
    else:
        summary = " ".join(unknown)
    url = sources()[MAIN_SOURCE[scheme]].url
    return SchemeResult(
        scheme=scheme, name=render("name", scheme, {}), url=url, status=status,
        indicated=indicated and status != "unlikely", summary=summary, reasons=reasons,
        to_find_out=unknown if status == "unknown" else [],
        to_check=to_check(scheme, day, url) if status != "unlikely" else [],
        side_by_side=side_by_side(scheme, day))


def prescreen(facts: Union[SchemeFacts, Mapping[str, Any]], lang: str = "en") -> SchemesResult:
    """Pre-screen every scheme against the rules in force on the application date (default
    today), every message in ``lang`` ("en", "zh-Hans", "zh-Hant"). Raises pydantic's
    ValidationError or InputError (with the field) on bad input; text.UnknownLanguage (a
    ValueError) for another lang."""
    token = _LANG.set(check_lang(lang))
    try:
        return _prescreen(facts)
    finally:
        _LANG.reset(token)


def _prescreen(facts: Union[SchemeFacts, Mapping[str, Any]]) -> SchemesResult:
    if not isinstance(facts, SchemeFacts):
        facts = SchemeFacts.model_validate(facts)
    day = facts.application_date
    start = data_start()
    if day < start:
        raise InputError("application_date",
                         f"{day} is before {start}, the first day the schemes' data covers")
    results = {s: assess_scheme(s, facts, day) for s in SCHEMES}
    suggested = [s for s in SCHEMES if results[s].status == "likely"]
    suggested += [s for s in SCHEMES if results[s].status == "unknown" and results[s].indicated]
    dumped = facts.model_dump(mode="json", exclude_none=True)
    if "hk_job_offer" in dumped:
        dumped["hk_job_offer"] = "yes" if facts.hk_job_offer else "no"
    return SchemesResult(application_date=day, rules_version=rules_version(day),
                         engine_version=__version__, facts=dumped, schemes=results,
                         suggested=suggested, caveat=render("text", "caveat", {}))
