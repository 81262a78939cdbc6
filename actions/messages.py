"""Chat wording of a ttps_logic Assessment. It relays the engine's statuses, reasons, clauses and
dates; it decides nothing. Kept plain (bold, links, bullets) so it reads well in every channel."""
from __future__ import annotations

from typing import Any

from ttps_logic.models import Assessment
from ttps_logic.params import param
from ttps_logic.render import preference
from ttps_logic.schemes import SchemesResult, render as scheme_text

ICON = {"eligible": "✅", "not_eligible": "❌", "unknown": "❓"}
STATUS = {"eligible": "eligible", "not_eligible": "not eligible", "unknown": "can't tell yet"}
NAMES = {"A": "Category A (high income)", "B": "Category B (graduate, 3+ years' work)",
         "C": "Category C (recent graduate)"}
QUOTE_CHARS = 140


def short_quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_CHARS else text[:QUOTE_CHARS].rsplit(" ", 1)[0] + " …"


def _key_reason(result) -> Any:
    conditions = [r for r in result.reasons if r.kind == "condition"]
    if result.status == "not_eligible":
        return next(r for r in conditions if r.met is False)
    if result.status == "unknown":
        return next(r for r in conditions if r.met is None)
    return conditions[-1]


def verdict_text(a: Assessment) -> str:
    lines = [f"**Your TTPS result** for an application on {a.application_date.isoformat()}"]
    for code in ("A", "B", "C"):
        result = a.categories[code]
        r = _key_reason(result)
        lines.append(f"{ICON[result.status]} **{NAMES[code]}: {STATUS[result.status]}.** {r.message}")
        source = f" ([source]({r.source.url}))" if r.source.url else f" ({r.source.title})"
        lines.append(f"   _Rule {r.clause_id}: “{short_quote(r.clause_text)}”{source}_")
    if a.eligible_categories:
        first = a.eligible_categories[0]
        stay = " or ".join(str(m) for m in a.conditions_of_stay["initial_stay_months_possible"][first])
        quota = ", subject to the annual quota" if first == "C" else ""
        if len(a.eligible_categories) == 1:
            lines.append(f"👉 **You can apply under Category {first}** ({stay} months' initial "
                         f"stay{quota}).")
        else:
            lines.append(f"👉 **You can apply under {' or '.join(a.eligible_categories)}.** "
                         f"You apply under one category; {preference(a)}")
    else:
        lines.append("👉 On these facts you cannot apply under any category yet.")
    return "\n".join(lines)


def details_text(a: Assessment) -> str:
    day = a.application_date
    lines = []
    missing = list(dict.fromkeys(m for c in a.categories.values() for m in c.to_find_out))
    if missing:
        lines.append("**To decide, find out:**")
        lines += [f"• {m}" for m in missing]
    if a.what_would_change:
        lines.append("**What would change the outcome:**")
        lines += [f"• {c.message}" for c in a.what_would_change]
    stay_lines = [r.message for r in a.general
                  if r.code in ("gen.no_job_offer", "gen.initial_stay", "gen.extension", "gen.top_tier")]
    if stay_lines:
        lines.append("**Conditions of stay:** " + " ".join(stay_lines))
    if "C" in a.eligible_categories or a.categories["C"].status == "unknown":
        lines.append(f"**Category C quota:** {a.conditions_of_stay['category_c_annual_quota']:,} "
                     "places a year, first come, first served.")
    if a.eligible_categories:
        docs = param("apply.documents", day)
        first = a.eligible_categories[0]
        needed = docs["all"] + docs[first]
        lines.append(f"**Next steps:** apply online ([GovHK]({param('apply.url', day)})); for "
                     f"Category {first} upload: " + "; ".join(needed) + ".")
    lines.append(f"_{a.caveat}_")
    lines.append(f"_Rules {a.rules_version}, university list {a.list_version}._")
    return "\n".join(lines)


def payload(a: Assessment, routes: SchemesResult | None = None) -> dict[str, Any]:
    """Custom payload for clients that draw a result card (works on REST and socketio); with the
    other schemes' pre-screen when there is one."""
    data: dict[str, Any] = {"ttps_assessment": a.model_dump(mode="json")}
    codes = routes_to_show(a, routes) if routes is not None else []
    if codes:
        # only what a card shows: the suggested schemes and their attributes side by side
        data["other_schemes"] = {
            "application_date": routes.application_date.isoformat(), "caveat": routes.caveat,
            "rules_version": routes.rules_version,
            "schemes": [routes.schemes[code].model_dump(
                mode="json", include={"scheme", "name", "url", "status", "summary", "to_find_out",
                                      "side_by_side"},
                exclude={"side_by_side": {"parameters"}}) for code in codes]}
    return {"data": data}


def differences(before: Assessment, after: Assessment) -> list[str]:
    out = []
    for code in ("A", "B", "C"):
        s0, s1 = before.categories[code].status, after.categories[code].status
        if s0 != s1:
            out.append(f"{NAMES[code]}: {STATUS[s0]} → **{STATUS[s1]}** "
                       f"({_key_reason(after.categories[code]).message})")
    return out


def routes_to_show(a: Assessment, r: SchemesResult) -> list[str]:
    """Which of the pre-screen's suggestions to show: all of them (likely ones first, then the
    ones the facts point to) when no TTPS category is open; only the likely ones otherwise, so a
    person who can apply under TTPS is not sent to look at schemes we cannot judge."""
    if a.eligible_categories:
        return [code for code in r.suggested if r.schemes[code].status == "likely"]
    return list(r.suggested)


def other_routes_text(a: Assessment, r: SchemesResult) -> str | None:
    """The schemes to show, each with its attributes side by side; None when there are none.
    Relays ttps_logic.schemes; decides nothing."""
    codes = routes_to_show(a, r)
    if not codes:
        return None
    lines = [scheme_text("chat", "heading", {})]
    for code in codes:
        s = r.schemes[code]
        side = s.side_by_side
        quota = (scheme_text("chat", "quota_number", {"quota": side.quota}) if isinstance(side.quota, int)
                 else scheme_text("chat", side.quota, {}) if side.quota else "")
        lines.append(scheme_text("chat", "scheme", {
            "name": s.name, "status": scheme_text("chat", f"status_{s.status}", {}),
            "summary": s.summary}))
        first_stay = side.first_stay_note
        if side.first_stay_months and str(side.first_stay_months) not in first_stay:
            first_stay = scheme_text("chat", "months", {"months": side.first_stay_months}) + " " + first_stay
        lines.append(scheme_text("chat", "side", {
            "job_offer": side.job_offer_note, "first_stay": first_stay, "quota": quota,
            "extension": side.extension_note}))
        if s.url:
            lines.append(scheme_text("chat", "page", {"url": s.url}))
    lines.append(f"_{r.caveat}_")
    return "\n".join(lines)
