"""assess(): apply the rules in force on the application date and assemble the Assessment."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable, Mapping, Optional, Union

from . import __version__, rules, work
from .institutions import Registry, Resolution, registry
from .models import (Assessment, CategoryResult, Change, Degree, Facts, InstitutionMatch, Reason)
from .params import launch_date, param, rules_version
from .text import render

_RANK = {"eligible": 2, "unknown": 1, "not_eligible": 0}
CATEGORIES = ("A", "B", "C")


class InputError(ValueError):
    """Facts that cannot be assessed; ``field`` names the offending input key."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.message = message


def combine(reasons: Iterable[Reason]) -> str:
    """A category is eligible when every condition is met, not eligible when any fails."""
    conditions = [r.met for r in reasons if r.kind == "condition"]
    if any(m is False for m in conditions):
        return "not_eligible"
    if conditions and all(m is True for m in conditions):
        return "eligible"
    return "unknown"


# CategoryResults already built, by the identity of their reasons (reasons are shared: see
# text.reason). Each entry holds its reasons, so no id in a key can be reused while it is here.
_CATEGORIES: dict[tuple[int, ...], CategoryResult] = {}
_CATEGORIES_MAX = 8192


def _category_of(reasons: list[Reason]) -> CategoryResult:
    """_category for these reasons, built once for the same reasons and shared."""
    key = tuple(map(id, reasons))
    found = _CATEGORIES.get(key)
    if found is None:
        if len(_CATEGORIES) >= _CATEGORIES_MAX:
            _CATEGORIES.clear()
        found = _CATEGORIES[key] = _category("", reasons)
    return found


def _category(code: str, reasons: list[Reason], status: Optional[str] = None) -> CategoryResult:
    if status is None:
        status = combine(reasons)
    unknown = [r.message for r in reasons if r.kind == "condition" and r.met is None]
    if status == "eligible":
        summary = " ".join(r.message for r in reasons if r.kind == "condition")
    elif status == "not_eligible":
        summary = " ".join(r.message for r in reasons if r.met is False)
    else:
        summary = " ".join(unknown)
    return CategoryResult(status=status, summary=summary, reasons=reasons,
                          to_find_out=unknown if status == "unknown" else [])


@lru_cache(maxsize=4096)
def _match_of(reg: Registry, query: str, day: dt.date) -> InstitutionMatch:
    """_match for the registry's answer to ``query`` (resolve is deterministic): built once per
    query and day, and shared (assessments are read-only)."""
    return _match(reg.resolve(query), day)


def _match(res: Resolution, day: dt.date) -> InstitutionMatch:
    inst = res.institution
    # built from the registry's own data: no validation needed
    return InstitutionMatch.model_construct(
        query=res.query, status=res.status, method=res.method, score=res.score,
        candidates=[{"id": c.id, "name": c.name, "country": c.country, "score": s}
                    for c, s in res.candidates],
        id=inst and inst.id, name=inst and inst.name, country=inst and inst.country,
        country_code=inst and inst.country_code, provenance=inst and inst.provenance,
        confidence=inst and inst.confidence, added=inst and inst.added,
        removed=inst and inst.removed,
        listed_on_application_date=inst.listed_on(day) if inst else None,
        arm=res.arm and {"name": res.arm.name, "kind": res.arm.kind, "accepted": res.arm.accepted,
                         "via": res.arm.via, "parent_id": res.arm.parent.id,
                         "parent_name": res.arm.parent.name},
        others=list(res.others))


@dataclass(frozen=True)
class _Day:
    """What the rules in force on one application date give every applicant alike (computed once
    per day and registry: the dated lookups of an assessment)."""
    rules_version: str
    list_version: str
    needed: float                      # work.threshold_months
    window_years: int                  # work.window_years
    counted_types: Any                 # work.counted_types
    window_start: dt.date              # the five-year window of criteria.b
    window_start_text: str
    list_day: dt.date                  # the list the degree is tested against
    quota: Reason
    general: tuple[Reason, ...]
    conditions_of_stay: dict[str, Any]
    caveat: str


@lru_cache(maxsize=4096)
def _day(day: dt.date, reg: Registry) -> _Day:
    window_years = param("work.window_years", day)
    stay = param("stay.initial_months", day)
    return _Day(
        rules_version=rules_version(day),
        list_version=reg.list_version(day),
        needed=param("work.threshold_months", day),
        window_years=window_years,
        counted_types=param("work.counted_types", day),
        window_start=work.add_years(day, -window_years),
        window_start_text=work.add_years(day, -window_years).isoformat(),
        # After the last list we hold, the degree is tested against that list, and a condition
        # says that the list for the application's year is not yet known.
        list_day=rules.last_held_list_day(day) or day,
        quota=rules.rule_c_quota(day),
        general=tuple(rules.general_information(day)),
        conditions_of_stay={
            "job_offer_required": param("stay.job_offer_required", day),
            # stay.initial is keyed on the approval date: `initial_stay_months` is the stay for
            # an approval on the application date; the other two give every value an approval
            # on or after it can get, and the approval dates each covers.
            "initial_stay_months": stay,
            "initial_stay_months_possible": rules.possible_stays(day),
            "initial_stay_by_approval_date": list(rules.initial_stay_by_approval(day)),
            "initial_stay_granted_once": param("stay.initial_once", day),
            # per category; null where no source states a pattern (from 16 Oct 2024)
            "limit_of_stay_pattern": param("stay.pattern", day),
            "extension_of_stay": param("stay.extension", day),
            "top_tier_extension": param("stay.top_tier", day),
            "category_c_annual_quota": param("quota.c_annual", day),
            # contact_phone rests on the scheme text given to the project alone (sources.yaml);
            # status_enquiry_phone is the official 24-hour application-status line.
            "contact_phone": param("contact.phone", day),
            "status_enquiry_phone": param("contact.status_phone", day),
            "fees_hkd": param("fees.hkd", day),
            "extension_acceptance_window": param("extension.acceptance_window", day),
            "processing_weeks": param("processing.weeks", day),
        },
        caveat=_caveat(day),
    )


def _degree_routes(facts: Facts, day: dt.date, person: list[Reason], changes: list[Change],
                   d: Optional[_Day] = None, intervals: Optional[list[work.Interval]] = None
                   ) -> tuple[list[Reason], list[Reason], list[InstitutionMatch]]:
    """Categories B and C for the best of the applicant's degrees; ``person`` holds the
    conditions on the person (nationality, residence) that every category carries.
    ``d``: the day's lookups; ``intervals``: the counted work periods (work.periods_to_intervals),
    when the caller has them."""
    reg = registry()
    if d is None:
        d = _day(day, reg)
    if intervals is None and facts.work_periods is not None:
        intervals = work.periods_to_intervals(facts.work_periods, day, d.counted_types)
    if facts.degrees is None:
        missing = rules.reason("deg.missing", "note.2", day, None)
        b = [*person, missing, rules.rule_b_work(
            rules.work_months(facts, None, day, True, intervals), day)]
        c = [*person, missing, rules.rule_c_work(
            rules.work_months(facts, None, day, False, intervals), day)]
        return b, c, []
    if not facts.degrees:
        none = rules.reason("deg.none", "note.2", day, False)
        return [*person, none], [*person, none], []
    best_b: Optional[list[Reason]] = None
    best_c: Optional[list[Reason]] = None
    best_b_rank = best_c_rank = -1
    resolutions = [reg.resolve(degree.university) for degree in facts.degrees]
    matches = [_match_of(reg, degree.university, day) for degree in facts.degrees]
    quota = d.quota
    # criteria.c's non-local exclusion is on the person: one reason for every degree's route.
    nonlocal_rule = rules.rule_c_nonlocal(facts, resolutions, day)
    list_day = d.list_day
    for degree, res in zip(facts.degrees, resolutions):
        deg = rules.rule_degree(degree, res, list_day)
        unknown_list = rules.rule_list_known(deg, day)
        degs = [deg] if unknown_list is None else [deg, unknown_list]
        b_months = rules.work_months(facts, degree, day, True, intervals)
        c_months = rules.work_months(facts, degree, day, False, intervals)
        b = [*person, *degs, rules.rule_b_work(b_months, day)]
        c = [*person, *degs, rules.rule_c_graduation(degree, day), rules.rule_c_work(c_months, day)]
        if nonlocal_rule is not None:
            c.append(nonlocal_rule)
        c.append(quota)
        b_status, c_status = combine(b), combine(c)
        if _RANK[b_status] > best_b_rank:
            best_b, best_b_rank = b, _RANK[b_status]
        if _RANK[c_status] > best_c_rank:
            best_c, best_c_rank = c, _RANK[c_status]
        _degree_changes(facts, degree, res, day, b, c, b_months, changes,
                        d, b_status, c_status)
    assert best_b is not None and best_c is not None
    return best_b, best_c, matches


def _degree_changes(facts: Facts, degree: Degree, res: Resolution, day: dt.date,
                    b: list[Reason], c: list[Reason], b_months, changes: list[Change],
                    d: Optional[_Day] = None, b_status: Optional[str] = None,
                    c_status: Optional[str] = None) -> None:
    """What would change B or C for this degree, with dates where the facts give them.
    ``d``, ``b_status``, ``c_status``: the day's lookups and combine(b), combine(c), when the
    caller has them."""
    if d is None:
        d = _day(day, registry())
    inst = res.institution
    if inst is not None and degree.level == "bachelor" and not degree.honorary:
        if inst.added > day:
            changes.append(Change(category="all", date=inst.added, message=render(
                "change", "list.added", {"institution": inst.name, "date": inst.added})))
        if inst.removed is not None and inst.removed > day:
            changes.append(Change(category="all", date=inst.removed, message=render(
                "change", "list.removed", {"institution": inst.name, "date": inst.removed})))
    # Nothing about work or graduation dates helps a person the scheme does not apply to
    # (intro.nationals, intro.visa_required), nor C for someone its non-local clause excludes.
    person_out = any(r.met is False and r.clause_id in ("intro.nationals", "intro.visa_required")
                     for r in b)
    if person_out:
        return
    c_out = any(r.code == "c.nonlocal_excluded" for r in c)
    needed = d.needed
    grad_bounds = degree.graduation_bounds
    split: Optional[tuple[list, Optional[dt.date]]] = None   # _split_ongoing, when needed
    # B: when does the applicant reach 36 months?
    if b_status is None:
        b_status = combine(b)
    if (b_status == "not_eligible" and b[-1].met is False and b_months is not None
            and all(r.met is not False for r in b if r.code.startswith("deg."))):
        split = _split_ongoing(facts, day, d.counted_types)
        closed, ongoing_start = split
        if ongoing_start is not None and grad_bounds:
            when = _date_reaching(tuple(closed), ongoing_start, needed, grad_bounds[1], day,
                                  d.window_years)
            if when:
                changes.append(Change(category="B", date=when, message=render(
                    "change", "b.reach_date", {"needed": needed, "date": when})))
        else:
            changes.append(Change(category="B", message=render(
                "change", "b.more_months", {"missing": round(needed - b_months.high, 1)})))
    # C: the five-year window by year of graduation, and the 36-month limit.
    year = degree.graduation_year
    if year is None or c_out:
        return
    grad_rule = next(r for r in c if r.code.startswith("c.grad"))
    if grad_rule.met is True:
        if c_status is None:
            c_status = combine(c)
        last_year = year + param("graduation.window_years", day)
        if last_year >= day.year:
            close = dt.date(last_year, 12, 31)
            changes.append(Change(category="C", date=close, message=render(
                "change", "c.window_closes", {"year": year, "date": close})))
        if grad_bounds and c_status == "eligible":
            closed, ongoing_start = split or _split_ongoing(facts, day, d.counted_types)
            if ongoing_start is not None:
                when = _date_reaching(tuple(closed), ongoing_start, needed, grad_bounds[0], day,
                                      None)
                if when and when <= dt.date(last_year, 12, 31):
                    changes.append(Change(category="C", date=when, message=render(
                        "change", "c.work_closes", {"limit": needed, "date": when})))


def _split_ongoing(facts: Facts, day: dt.date, counted_types) -> tuple[list, Optional[dt.date]]:
    """Counted periods that have ended (as intervals), and the start of a counted job still held."""
    periods = facts.work_periods or []
    ongoing = [p.start for p in periods if p.end is None and p.type in counted_types]
    closed = work.periods_to_intervals([p for p in periods if p.end is not None], day,
                                       counted_types)
    return closed, (min(ongoing) if ongoing else None)


def assess(facts: Union[Facts, Mapping[str, Any]]) -> Assessment:
    """Assess the facts against the rules in force on the application date (default: today)."""
    if not isinstance(facts, Facts):
        facts = Facts.model_validate(facts)
    day = facts.application_date
    launch = launch_date()
    if day < launch:
        raise InputError("application_date",
                         f"{day} is before the scheme opened on {launch}")
    d = _day(day, registry())
    changes: list[Change] = []

    nationality = rules.rule_nationality(facts, day)
    prc_overseas = rules.rule_prc_overseas(facts, day)
    # Conditions on the person, carried by every category: an excluded nationality (or a Hong
    # Kong permanent resident), and the overseas-Chinese condition where it applies.
    person = [r for r in (nationality, prc_overseas)
              if r is not None and (r.met is False or r.kind == "condition")]
    conversions = rules.convert_income(facts.income, day) if facts.income else []
    a = rules.rule_a_income(facts, day, conversions)
    a[:0] = person
    intervals = (tuple(work.periods_to_intervals(facts.work_periods, day, d.counted_types))
                 if facts.work_periods is not None else None)
    b, c, matches = _degree_routes(facts, day, person, changes, d, intervals)

    cats = {"A": _category_of(a), "B": _category_of(b), "C": _category_of(c)}
    a_main = next((r for r in a if r.clause_id == "criteria.a" and r.kind == "condition"), None)
    if cats["A"].status == "not_eligible" and a_main is not None and a_main.code == "a.not_met":
        changes.insert(0, Change(category="A", message=render("change", "a.shortfall", {
            "shortfall": a_main.values["shortfall"], "threshold": a_main.values["threshold"]})))
    elif a_main is not None and a_main.code == "a.fx_straddle":
        changes.insert(0, Change(category="A", message=render("change", "a.fx_evidence", {})))

    general = [nationality, *([prc_overseas] if prc_overseas else []), *d.general]
    conditions = dict(d.conditions_of_stay)
    conditions["initial_stay_by_approval_date"] = list(conditions["initial_stay_by_approval_date"])
    if len(changes) > 1:
        changes = sorted({(ch.category, ch.date, ch.message): ch for ch in changes}.values(),
                         key=lambda ch: (ch.date or dt.date.min, ch.category))
    return Assessment(
        application_date=day,
        rules_version=d.rules_version,
        list_version=d.list_version,
        engine_version=__version__,
        facts=facts.model_dump(mode="json", exclude_none=True),
        categories=cats,
        eligible_categories=[k for k in CATEGORIES if cats[k].status == "eligible"],
        general=general,
        conditions_of_stay=conditions,
        what_would_change=changes,
        institutions=matches,
        income=conversions,
        work_months=_work_summary(facts, day, d, intervals),
        caveat=d.caveat,
    )


def _caveat(day: dt.date) -> str:
    status_phone = param("contact.status_phone", day)
    return render("text", "caveat" if status_phone else "caveat_no_status_line",
                  {"phone": param("contact.phone", day), "status_phone": status_phone})


def _work_summary(facts: Facts, day: dt.date, d: Optional[_Day] = None,
                  intervals: Optional[list[work.Interval]] = None) -> dict[str, Any]:
    if facts.work_periods is None:
        return {"stated_months": facts.work_experience_months}
    if d is None:
        d = _day(day, registry())
    if intervals is None:
        intervals = work.periods_to_intervals(facts.work_periods, day, d.counted_types)
    return {"window_start": d.window_start_text,
            "counted_types_in_window_months": _counted(tuple(intervals), d.window_start, day)}


@lru_cache(maxsize=8192)
def _counted(intervals: tuple[work.Interval, ...], lo: dt.date, hi: dt.date) -> float:
    return work.counted_months(intervals, lo, hi)


@lru_cache(maxsize=4096)
def _date_reaching(closed: tuple[work.Interval, ...], ongoing_start: dt.date, target: float,
                   graduation: dt.date, from_day: dt.date,
                   window_years: Optional[int]) -> Optional[dt.date]:
    return work.date_reaching(list(closed), ongoing_start, target, graduation, from_day,
                              window_years)
