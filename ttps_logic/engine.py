"""assess(): apply the rules in force on the application date and assemble the Assessment.

Pydantic is at the boundary: Facts validates what a caller gives, and the output models are
built by their own constructors from data the engine made (model_construct only where the
data comes from the engine's registry). In between, the engine works on plain data and keeps
what it has worked out: everything dated once per day (_Day), and each pure piece of work
once per its inputs (a degree's rules per degree, day and work history; a conversion per income
item and day; a reason per content, text.reason; a category result per identical reasons).
The same facts recur, as a conversation re-assesses them while it adds others, and so do days.
Cached parts are shared between assessments: an Assessment is a read-only result.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable, Mapping, NamedTuple, Optional, Union

from . import __version__, rules, work
from .institutions import Registry, Resolution, registry
from .models import (Assessment, CategoryResult, Change, Degree, Facts, InstitutionMatch, Reason)
from .params import launch_date, param, rules_version, segment_start
from .text import Memo, render


def change(category: str, code: str, values: dict[str, Any],
           date: Optional[dt.date] = None) -> Change:
    """A Change with its message code and values, rendered in English (render.localize renders
    it in another language)."""
    return Change(category=category, date=date, code=code, values=values,
                  message=render("change", code, values))

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
_CATEGORIES = Memo(2048)


def _category_of(reasons: list[Reason]) -> CategoryResult:
    """_category for these reasons, built once for the same reasons and shared."""
    key = tuple(map(id, reasons))
    found = _CATEGORIES.get(key)
    if found is None:
        found = _category("", reasons)
        _CATEGORIES.put(key, found)
    return found


def _category(code: str, reasons: list[Reason], status: Optional[str] = None) -> CategoryResult:
    status, summary, to_find_out, deciding = judge(reasons, status)
    return CategoryResult.model_validate({
        "status": status, "summary": summary, "reasons": reasons,
        "to_find_out": to_find_out, "deciding": deciding})


def judge(reasons: list[Reason], status: Optional[str] = None, sep: str = " "
          ) -> tuple[str, str, list[str], int]:
    """combine() and what it reports, in one pass over the reasons: the status (unless given),
    the summary (the messages of the reasons that decide it, joined), the messages of the
    undecided conditions (status unknown), and the index of THE deciding reason: the first unmet
    condition (not eligible), the first undecided condition (unknown), the last condition
    (eligible). The only place that choice is made; render.localize calls it again on the
    reasons in another language (the same choice: it depends on met and kind only), with that
    language's ``sep`` between sentences."""
    conditions, unknown, failed = [], [], []
    first_failed = first_unknown = last_condition = -1
    for i, r in enumerate(reasons):
        met = r.met
        if met is False:
            failed.append(r.message)
        if r.kind == "condition":
            conditions.append(r.message)
            last_condition = i
            if met is None:
                unknown.append(r.message)
                if first_unknown < 0:
                    first_unknown = i
            elif met is False and first_failed < 0:
                first_failed = i
    if status is None:
        status = ("not_eligible" if first_failed >= 0 else
                  "eligible" if conditions and not unknown else "unknown")
    if status == "eligible":
        summary, deciding = sep.join(conditions), last_condition
    elif status == "not_eligible":
        summary, deciding = sep.join(failed), first_failed
    else:
        summary, deciding = sep.join(unknown), first_unknown
    if deciding < 0:   # no condition of that kind (not reached by the engine's categories)
        deciding = last_condition if last_condition >= 0 else 0
    return status, summary, (unknown if status == "unknown" else []), deciding


_MATCHES = Memo(2048)


def _match_of(reg: Registry, query: str, day: dt.date) -> InstitutionMatch:
    """_match for the registry's answer to ``query`` (resolve is deterministic): built once per
    query and whether the institution is listed on the day (all the day decides in it), and
    shared (assessments are read-only)."""
    res = reg.resolve(query)
    inst = res.institution
    key = (reg, query, inst.listed_on(day) if inst else None)
    found = _MATCHES.get(key)
    if found is None:
        found = _match(res, day)
        _MATCHES.put(key, found)
    return found


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


@lru_cache(maxsize=2048)
def _day(day: dt.date, reg: Registry) -> _Day:
    seg = _segment(segment_start(day))
    window_start = work.add_years(day, -seg["window_years"])
    by_approval = list(rules.initial_stay_by_approval(day))
    return _Day(
        rules_version=seg["rules_version"],
        list_version=reg.list_version(day),
        needed=seg["needed"],
        window_years=seg["window_years"],
        counted_types=seg["counted_types"],
        window_start=window_start,
        window_start_text=window_start.isoformat(),
        # After the last list we hold, the degree is tested against that list, and a condition
        # says that the list for the application's year is not yet known.
        list_day=rules.last_held_list_day(day) or day,
        quota=seg["quota"],
        general=seg["general"],
        conditions_of_stay={
            "job_offer_required": seg["job_offer_required"],
            # stay.initial is keyed on the approval date: `initial_stay_months` is the stay for
            # an approval on the application date; the other two give every value an approval
            # on or after it can get, and the approval dates each covers.
            "initial_stay_months": seg["initial_stay_months"],
            "initial_stay_months_possible": rules.possible_stays(day),
            "initial_stay_by_approval_date": by_approval,
            **seg["conditions"],
        },
        caveat=seg["caveat"],
    )


@lru_cache(maxsize=256)
def _segment(day: dt.date) -> dict[str, Any]:
    """What is the same on every day of the stretch of days (params.segment_start) from ``day``."""
    return {
        "rules_version": rules_version(day),
        "needed": param("work.threshold_months", day),
        "window_years": param("work.window_years", day),
        "counted_types": param("work.counted_types", day),
        "quota": rules.rule_c_quota(day),
        "general": tuple(rules.general_information(day)),
        "job_offer_required": param("stay.job_offer_required", day),
        "initial_stay_months": param("stay.initial_months", day),
        "conditions": {
            "initial_stay_granted_once": param("stay.initial_once", day),
            # per category; null where no source states a pattern (from the second version of stay.pattern)
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
        "caveat": _caveat(day),
    }


@lru_cache(maxsize=1)
def _launch() -> dt.date:
    return launch_date()


# ---------------------------------------------------------------------------------------------
# Work history


class _Period(NamedTuple):
    start: dt.date
    end: Optional[dt.date]
    type: str


def _work_key(facts: Facts) -> Any:
    """What the work facts are, as a key: the periods as (start, end, type), or the stated
    months with their type and spelling (0.0 and -0.0, 36 and 36.0, are one key to a dict but
    are written differently), or None."""
    periods = facts.work_periods
    if periods is not None:
        return ("periods", tuple([(p.start, p.end, p.type) for p in periods]))
    stated = facts.work_experience_months
    return None if stated is None else ("months", type(stated), repr(stated))


_WORK = Memo(2048)


def _intervals(work_key: Any, day: dt.date) -> Optional[tuple[work.Interval, ...]]:
    """work.periods_to_intervals of the periods in ``work_key`` (None without periods)."""
    return _work_of(work_key, day)[0]


def _work_of(work_key: Any, day: dt.date) -> tuple[Optional[tuple[work.Interval, ...]],
                                                    Optional[float]]:
    """The counted periods as intervals, and their months in criteria.b's window (None, None
    without periods)."""
    if work_key is None or work_key[0] != "periods":
        return None, None
    key = (work_key, day)
    found = _WORK.get(key)
    if found is None:
        intervals = tuple(work.periods_to_intervals([_Period(*p) for p in work_key[1]], day,
                                                    param("work.counted_types", day)))
        found = (intervals, work.counted_months(intervals, rules._window_start(day), day))
        _WORK.put(key, found)
    return found


_REACHING = Memo(1024)


def _date_reaching(closed: tuple[work.Interval, ...], ongoing_start: dt.date, target: float,
                   graduation: dt.date, from_day: dt.date,
                   window_years: Optional[int]) -> Optional[dt.date]:
    key = (closed, ongoing_start, target, graduation, from_day, window_years)
    found = _REACHING.get(key)
    if found is None:
        found = (work.date_reaching(list(closed), ongoing_start, target, graduation, from_day,
                                    window_years),)   # (None, when not reached, is a value)
        _REACHING.put(key, found)
    return found[0]


def _split_ongoing(facts: Facts, day: dt.date, counted_types) -> tuple[list, Optional[dt.date]]:
    """Counted periods that have ended (as intervals), and the start of a counted job still held."""
    periods = facts.work_periods or []
    ongoing = [p.start for p in periods if p.end is None and p.type in counted_types]
    closed = work.periods_to_intervals([p for p in periods if p.end is not None], day,
                                       counted_types)
    return closed, (min(ongoing) if ongoing else None)


def _work_summary(facts: Facts, day: dt.date, d: _Day, work_key: Any) -> dict[str, Any]:
    if facts.work_periods is None:
        return {"stated_months": facts.work_experience_months}
    return {"window_start": d.window_start_text,
            "counted_types_in_window_months": _work_of(work_key, day)[1]}


# ---------------------------------------------------------------------------------------------
# Categories B and C


@dataclass(frozen=True)
class _DegreeParts:
    """What one degree gives B and C, apart from the conditions on the person."""
    match: InstitutionMatch
    degs: tuple[Reason, ...]           # note.2/note.4 and, after the last list held, list.annual_update
    b_months: Optional[rules.Range]
    b_work: Reason
    c_graduation: Reason
    c_work: Reason
    list_changes: tuple[Change, ...]   # the institution joins or leaves the list after the day
    # (B, C) results by the conditions on the person and the tail of C (ids; see _results)
    results: dict


# Things already worked out, by everything they depend on.
_PARTS = Memo(2048)
_NONLOCAL = Memo(2048)
_INCOME = Memo(2048)
_PERSON_OUT = ("intro.nationals", "intro.visa_required")


def _degree_parts(facts: Facts, degree: Degree, day: dt.date, d: _Day, reg: Registry,
                  work_key: Any, key: tuple) -> _DegreeParts:
    """The rules of one degree (note.2, note.4, list.annual_update, criteria.b, criteria.c,
    note.5, note.6); ``key`` says what they depend on: the degree's fields, the day, the
    registry (whose answer for degree.university they use) and the work facts."""
    try:
        found = _PARTS.get(key)
    except TypeError:   # a field that cannot be part of a key
        key, found = None, None
    if found is not None:
        return found
    match, degs, list_changes = _degree_rules(degree, day, d, reg)
    intervals = _intervals(work_key, day)
    b_months = rules.work_months(facts, degree, day, True, intervals)
    c_months = rules.work_months(facts, degree, day, False, intervals)
    parts = _DegreeParts(
        match=match,
        degs=degs,
        b_months=b_months,
        b_work=rules.rule_b_work(b_months, day),
        c_graduation=rules.rule_c_graduation(degree, day),
        c_work=rules.rule_c_work(c_months, day),
        list_changes=list_changes,
        results={})
    if key is not None:
        _PARTS.put(key, parts)
    return parts


_DEGREE_RULES = Memo(2048)


def _degree_rules(degree: Degree, day: dt.date, d: _Day, reg: Registry
                  ) -> tuple[InstitutionMatch, tuple[Reason, ...], tuple[Change, ...]]:
    """What the institution and level of a degree give on ``day`` (note.2, note.4,
    list.annual_update, the list changes after the day, the institution match): the same for
    every degree with that university, level and honorary flag, whatever its dates and the
    applicant's work, so kept per those fields and the day."""
    key = (degree.university, degree.level, degree.honorary, day, reg)
    found = _DEGREE_RULES.get(key)
    if found is not None:
        return found
    res = reg.resolve(degree.university)
    deg = rules.rule_degree(degree, res, d.list_day)
    unknown_list = rules.rule_list_known(deg, day)
    found = (_match_of(reg, degree.university, day),
             (deg,) if unknown_list is None else (deg, unknown_list),
             tuple(_list_changes(degree, res, day)))
    _DEGREE_RULES.put(key, found)
    return found


def _results(parts: _DegreeParts, person: list[Reason], tail: tuple[Reason, ...],
             person_ids: tuple[int, ...]) -> tuple[CategoryResult, CategoryResult]:
    """The B and C results of one degree for these conditions on the person and this tail of C
    (the non-local exclusion, the quota). Kept in ``parts``, keyed by the ids of those reasons:
    the entry holds them, so no id in a key can be reused while it is there."""
    key = (person_ids, tuple(map(id, tail)))
    found = parts.results.get(key)
    if found is None:
        found = (_category_of([*person, *parts.degs, parts.b_work]),
                 _category_of([*person, *parts.degs, parts.c_graduation, parts.c_work, *tail]),
                 tuple(person), tail)
        if len(parts.results) >= 64:
            parts.results.clear()
        parts.results[key] = found
    return found[0], found[1]


def _nonlocal_rule(facts: Facts, day: dt.date, reg: Registry, key: tuple) -> Optional[Reason]:
    """rules.rule_c_nonlocal, computed once for the same degrees, day and registry (``key``)."""
    try:
        found = _NONLOCAL.get(key)
    except TypeError:
        key, found = None, None
    if found is not None:
        return found[0]
    resolutions = [reg.resolve(degree.university) for degree in facts.degrees]
    rule = rules.rule_c_nonlocal(facts, resolutions, day)
    if key is not None:
        _NONLOCAL.put(key, (rule,))   # (a None rule is a value too)
    return rule


def _degree_routes(facts: Facts, day: dt.date, person: list[Reason], changes: list[Change],
                   d: _Day, reg: Registry, work_key: Any, person_ids: tuple[int, ...]
                   ) -> tuple[CategoryResult, CategoryResult, list[InstitutionMatch]]:
    """Categories B and C for the best of the applicant's degrees; ``person`` holds the
    conditions on the person (nationality, residence) that every category carries. What would
    change B or C is added to ``changes``."""
    degrees = facts.degrees
    if not degrees:
        if degrees is None:
            intervals = _intervals(work_key, day)
            missing = rules.reason("deg.missing", "note.2", day, None)
            b = [*person, missing, rules.rule_b_work(
                rules.work_months(facts, None, day, True, intervals), day)]
            c = [*person, missing, rules.rule_c_work(
                rules.work_months(facts, None, day, False, intervals), day)]
        else:
            none = rules.reason("deg.none", "note.2", day, False)
            b, c = [*person, none], [*person, none]
        return _category_of(b), _category_of(c), []
    dkeys = tuple([tuple(degree.__dict__.values()) for degree in degrees])
    # criteria.c's non-local exclusion is on the person: one reason for every degree's route.
    # (its reasons depend on the day only through the rules in force: keyed on the stretch)
    nonlocal_rule = _nonlocal_rule(facts, day, reg, (dkeys, segment_start(day), reg))
    tail = (d.quota,) if nonlocal_rule is None else (nonlocal_rule, d.quota)
    # Nothing about work or graduation dates helps a person the scheme does not apply to
    # (intro.nationals, intro.visa_required), nor C for someone its non-local clause excludes.
    person_out = any(r.met is False and r.clause_id in _PERSON_OUT for r in person)
    c_out = nonlocal_rule is not None and nonlocal_rule.code == "c.nonlocal_excluded"
    best_b = best_c = None
    best_b_rank = best_c_rank = -1
    matches = []
    for degree, dkey in zip(degrees, dkeys):
        parts = _degree_parts(facts, degree, day, d, reg, work_key, (dkey, day, reg, work_key))
        matches.append(parts.match)
        b, c = _results(parts, person, tail, person_ids)
        b_rank, c_rank = _RANK[b.status], _RANK[c.status]
        if b_rank > best_b_rank:
            best_b, best_b_rank = b, b_rank
        if c_rank > best_c_rank:
            best_c, best_c_rank = c, c_rank
        if parts.list_changes:
            changes += parts.list_changes
        if person_out:
            continue
        # what else would change B or C (most applicants: nothing to work out)
        if (b_rank == 0 and parts.b_work.met is False and parts.b_months is not None
                and all(r.met is not False for r in parts.degs if r.code.startswith("deg."))):
            _b_changes(facts, degree, day, d, parts, changes)
        if not c_out and parts.c_graduation.met is True and degree.graduation_year is not None:
            _c_changes(facts, degree, day, d, c.status, changes)
    assert best_b is not None and best_c is not None
    return best_b, best_c, matches


def _list_changes(degree: Degree, res: Resolution, day: dt.date) -> list[Change]:
    """The listed institution of a bachelor's joins or leaves the list after ``day``."""
    out = []
    inst = res.institution
    if inst is not None and degree.level == "bachelor" and not degree.honorary:
        if inst.added > day:
            out.append(change("all", "list.added", {"institution": inst.name, "date": inst.added},
                              inst.added))
        if inst.removed is not None and inst.removed > day:
            out.append(change("all", "list.removed",
                              {"institution": inst.name, "date": inst.removed}, inst.removed))
    return out


def _b_changes(facts: Facts, degree: Degree, day: dt.date, d: _Day, parts: _DegreeParts,
               changes: list[Change]) -> None:
    """B not met on work alone (the degree passes): when the applicant reaches work.threshold_months."""
    needed = d.needed
    grad_bounds = degree.graduation_bounds
    closed, ongoing_start = _split_ongoing(facts, day, d.counted_types)
    if ongoing_start is not None and grad_bounds:
        when = _date_reaching(tuple(closed), ongoing_start, needed, grad_bounds[1], day,
                              d.window_years)
        if when:
            changes.append(change("B", "b.reach_date", {"needed": needed, "date": when}, when))
    else:
        changes.append(change("B", "b.more_months",
                              {"missing": round(needed - parts.b_months.high, 1)}))


def _c_changes(facts: Facts, degree: Degree, day: dt.date, d: _Day, c_status: str,
               changes: list[Change]) -> None:
    """C's graduation window is met: the five-year window by year of graduation closes, and
    an eligible applicant's job still held reaches the work.threshold_months limit."""
    year = degree.graduation_year
    needed = d.needed
    grad_bounds = degree.graduation_bounds
    last_year = year + param("graduation.window_years", day)
    if last_year >= day.year:
        close = dt.date(last_year, 12, 31)
        changes.append(change("C", "c.window_closes", {"year": year, "date": close}, close))
    if grad_bounds and c_status == "eligible":
        closed, ongoing_start = _split_ongoing(facts, day, d.counted_types)
        if ongoing_start is not None:
            when = _date_reaching(tuple(closed), ongoing_start, needed, grad_bounds[0], day, None)
            if when and when <= dt.date(last_year, 12, 31):
                changes.append(change("C", "c.work_closes", {"limit": needed, "date": when},
                                      when))


# ---------------------------------------------------------------------------------------------
# Category A


def _category_a(facts: Facts, day: dt.date, conversions: list, person: list[Reason],
                person_ids: tuple[int, ...]) -> tuple[CategoryResult, Optional[Reason]]:
    """Category A (rules.rule_a_income after the conditions on the person) and its main
    condition (criteria.a), computed once for the same conversions (shared: rules._conversion),
    conditions on the person and day. Each entry holds its conversions and conditions, so no id
    in a key can be reused while it is here."""
    key = (None if facts.income is None else tuple(map(id, conversions)), person_ids, day)
    found = _INCOME.get(key)
    if found is None:
        reasons = rules.rule_a_income(facts, day, conversions)
        main = next((r for r in reasons if r.clause_id == "criteria.a" and r.kind == "condition"),
                    None)
        found = (_category_of([*person, *reasons]), main, tuple(conversions), tuple(person))
        _INCOME.put(key, found)
    return found[0], found[1]


# ---------------------------------------------------------------------------------------------


def assess(facts: Union[Facts, Mapping[str, Any]]) -> Assessment:
    """Assess the facts against the rules in force on the application date (default: today)."""
    if not isinstance(facts, Facts):
        facts = Facts.model_validate(facts)
    day = facts.application_date
    launch = _launch()
    if day < launch:
        raise InputError("application_date",
                         f"{day} is before the scheme opened on {launch}")
    reg = registry()
    d = _day(day, reg)
    changes: list[Change] = []

    nationality = rules.rule_nationality(facts, day)
    prc_overseas = rules.rule_prc_overseas(facts, day)
    # Conditions on the person, carried by every category: an excluded nationality (or a Hong
    # Kong permanent resident), and the overseas-Chinese condition where it applies.
    person = [r for r in (nationality, prc_overseas)
              if r is not None and (r.met is False or r.kind == "condition")]
    person_ids = tuple(map(id, person))
    conversions = rules.convert_income(facts.income, day) if facts.income else []
    a, a_main = _category_a(facts, day, conversions, person, person_ids)
    work_key = _work_key(facts)
    b, c, matches = _degree_routes(facts, day, person, changes, d, reg, work_key, person_ids)

    if a_main is not None:
        if a.status == "not_eligible" and a_main.code == "a.not_met":
            changes.insert(0, change("A", "a.shortfall", {
                "shortfall": a_main.values["shortfall"],
                "threshold": a_main.values["threshold"]}))
        elif a_main.code == "a.fx_straddle":
            changes.insert(0, change("A", "a.fx_evidence", {}))
    if len(changes) > 1:
        changes = sorted({(ch.category, ch.date, ch.message): ch for ch in changes}.values(),
                         key=lambda ch: (ch.date or dt.date.min, ch.category))
    conditions = d.conditions_of_stay
    return Assessment.model_validate({
        "application_date": day,
        "rules_version": d.rules_version,
        "list_version": d.list_version,
        "engine_version": __version__,
        "facts": facts.model_dump(mode="json", exclude_none=True),
        "categories": {"A": a, "B": b, "C": c},
        "eligible_categories": [k for k, r in (("A", a), ("B", b), ("C", c))
                                if r.status == "eligible"],
        "general": [nationality, *((prc_overseas,) if prc_overseas else ()), *d.general],
        # (the model's validation copies the dict: the assessment's own)
        "conditions_of_stay": {**conditions, "initial_stay_by_approval_date":
                               list(conditions["initial_stay_by_approval_date"])},
        "what_would_change": changes,
        "institutions": matches,
        "income": conversions,
        "work_months": _work_summary(facts, day, d, work_key),
        "caveat": d.caveat,
    })


def _caveat(day: dt.date) -> str:
    return caveat_text(param("contact.phone", day), param("contact.status_phone", day))


def caveat_text(phone: Any, status_phone: Any, lang: str = "en") -> str:
    """The caveat (conditions_of_stay's contact_phone and status_enquiry_phone fill it)."""
    return render("text", "caveat" if status_phone else "caveat_no_status_line",
                  {"phone": phone, "status_phone": status_phone}, lang)
