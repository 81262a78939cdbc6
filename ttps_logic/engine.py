"""assess(): apply the rules in force on the application date and assemble the Assessment."""
from __future__ import annotations

import datetime as dt
from typing import Any, Iterable, Mapping, Optional, Union

from . import __version__, rules, work
from .institutions import Resolution, registry
from .models import (Assessment, CategoryResult, Change, Degree, Facts, InstitutionMatch, Reason)
from .params import launch_date, param, rules_version
from .text import fast_construct, render

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


def _category(code: str, reasons: list[Reason]) -> CategoryResult:
    status = combine(reasons)
    unknown = [r.message for r in reasons if r.kind == "condition" and r.met is None]
    if status == "eligible":
        summary = " ".join(r.message for r in reasons if r.kind == "condition")
    elif status == "not_eligible":
        summary = " ".join(r.message for r in reasons if r.met is False)
    else:
        summary = " ".join(unknown)
    return fast_construct(CategoryResult, status=status, summary=summary, reasons=reasons,
                                          to_find_out=unknown if status == "unknown" else [])


def _match(res: Resolution, day: dt.date) -> InstitutionMatch:
    inst = res.institution
    return fast_construct(
        InstitutionMatch, query=res.query, status=res.status, method=res.method, score=res.score,
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


def _degree_routes(facts: Facts, day: dt.date, person: list[Reason],
                   changes: list[Change]) -> tuple[list[Reason], list[Reason], list[InstitutionMatch]]:
    """Categories B and C for the best of the applicant's degrees; ``person`` holds the
    conditions on the person (nationality, residence) that every category carries."""
    reg = registry()
    if facts.degrees is None:
        missing = rules.reason("deg.missing", "note.2", day, None)
        b = [*person, missing, rules.rule_b_work(rules.work_months(facts, None, day, True), day)]
        c = [*person, missing, rules.rule_c_work(rules.work_months(facts, None, day, False), day)]
        return b, c, []
    if not facts.degrees:
        none = rules.reason("deg.none", "note.2", day, False)
        return [*person, none], [*person, none], []
    best_b: Optional[list[Reason]] = None
    best_c: Optional[list[Reason]] = None
    resolutions = [reg.resolve(degree.university) for degree in facts.degrees]
    matches = [_match(res, day) for res in resolutions]
    quota = rules.rule_c_quota(day)
    # criteria.c's non-local exclusion is on the person: one reason for every degree's route.
    nonlocal_rule = rules.rule_c_nonlocal(facts, resolutions, day)
    # After the last list we hold, the degree is tested against that list, and a condition
    # says that the list for the application's year is not yet known.
    list_day = rules.last_held_list_day(day) or day
    for degree, res in zip(facts.degrees, resolutions):
        deg = rules.rule_degree(degree, res, list_day)
        unknown_list = rules.rule_list_known(deg, day)
        degs = [deg] if unknown_list is None else [deg, unknown_list]
        b_months = rules.work_months(facts, degree, day, True)
        c_months = rules.work_months(facts, degree, day, False)
        b = [*person, *degs, rules.rule_b_work(b_months, day)]
        c = [*person, *degs, rules.rule_c_graduation(degree, day), rules.rule_c_work(c_months, day)]
        if nonlocal_rule is not None:
            c.append(nonlocal_rule)
        c.append(quota)
        if best_b is None or _RANK[combine(b)] > _RANK[combine(best_b)]:
            best_b = b
        if best_c is None or _RANK[combine(c)] > _RANK[combine(best_c)]:
            best_c = c
        _degree_changes(facts, degree, res, day, b, c, b_months, changes)
    assert best_b is not None and best_c is not None
    return best_b, best_c, matches


def _degree_changes(facts: Facts, degree: Degree, res: Resolution, day: dt.date,
                    b: list[Reason], c: list[Reason], b_months, changes: list[Change]) -> None:
    """What would change B or C for this degree, with dates where the facts give them."""
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
    degree_ok = all(r.met is not False for r in b if r.code.startswith("deg."))
    needed = param("work.threshold_months", day)
    grad_bounds = degree.graduation_bounds
    # B: when does the applicant reach 36 months?
    counted_types = param("work.counted_types", day)
    closed, ongoing_start = _split_ongoing(facts, day, counted_types)
    if degree_ok and combine(b) == "not_eligible" and b[-1].met is False and b_months is not None:
        if ongoing_start is not None and grad_bounds:
            when = work.date_reaching(closed, ongoing_start, needed, grad_bounds[1], day,
                                      param("work.window_years", day))
            if when:
                changes.append(Change(category="B", date=when, message=render(
                    "change", "b.reach_date", {"needed": needed, "date": when})))
        else:
            changes.append(Change(category="B", message=render(
                "change", "b.more_months", {"missing": round(needed - b_months.high, 1)})))
    # C: the five-year window by year of graduation, and the 36-month limit.
    year = degree.graduation_year
    c_status = combine(c)
    grad_rule = next(r for r in c if r.code.startswith("c.grad"))
    if year is not None and grad_rule.met is True and not c_out:
        last_year = year + param("graduation.window_years", day)
        if last_year >= day.year:
            close = dt.date(last_year, 12, 31)
            changes.append(Change(category="C", date=close, message=render(
                "change", "c.window_closes", {"year": year, "date": close})))
        if ongoing_start is not None and grad_bounds and c_status == "eligible":
            when = work.date_reaching(closed, ongoing_start, needed, grad_bounds[0], day, None)
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
    b, c, matches = _degree_routes(facts, day, person, changes)

    cats = {"A": _category("A", a), "B": _category("B", b), "C": _category("C", c)}
    a_main = next((r for r in a if r.clause_id == "criteria.a" and r.kind == "condition"), None)
    if cats["A"].status == "not_eligible" and a_main is not None and a_main.code == "a.not_met":
        changes.insert(0, Change(category="A", message=render("change", "a.shortfall", {
            "shortfall": a_main.values["shortfall"], "threshold": a_main.values["threshold"]})))
    elif a_main is not None and a_main.code == "a.fx_straddle":
        changes.insert(0, Change(category="A", message=render("change", "a.fx_evidence", {})))

    general = [nationality, *([prc_overseas] if prc_overseas else []),
               *rules.general_information(day)]
    stay = param("stay.initial_months", day)
    return fast_construct(
        Assessment,
        application_date=day,
        rules_version=rules_version(day),
        list_version=registry().list_version(day),
        engine_version=__version__,
        facts=facts.model_dump(mode="json", exclude_none=True),
        categories=cats,
        eligible_categories=[k for k in CATEGORIES if cats[k].status == "eligible"],
        general=general,
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
        what_would_change=sorted({(ch.category, ch.date, ch.message): ch for ch in changes}.values(),
                                 key=lambda ch: (ch.date or dt.date.min, ch.category)),
        institutions=matches,
        income=conversions,
        work_months=_work_summary(facts, day),
        caveat=_caveat(day),
    )


def _caveat(day: dt.date) -> str:
    status_phone = param("contact.status_phone", day)
    return render("text", "caveat" if status_phone else "caveat_no_status_line",
                  {"phone": param("contact.phone", day), "status_phone": status_phone})


def _work_summary(facts: Facts, day: dt.date) -> dict[str, Any]:
    if facts.work_periods is None:
        return {"stated_months": facts.work_experience_months}
    window_start = work.add_years(day, -param("work.window_years", day))
    ivs = work.periods_to_intervals(facts.work_periods, day, param("work.counted_types", day))
    return {"window_start": window_start.isoformat(),
            "counted_types_in_window_months": work.counted_months(ivs, window_start, day)}
