"""Chat wording of a ttps_logic Assessment. It relays the engine's statuses, reasons, clauses and
dates; it decides nothing. Kept plain (bold, links, bullets) so it reads well in every channel."""
from __future__ import annotations

from typing import Any

from ttps_logic.models import Assessment
from ttps_logic.params import param
from ttps_logic.render import preference

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


def payload(a: Assessment) -> dict[str, Any]:
    """Custom payload for clients that draw a result card (works on REST and socketio)."""
    return {"data": {"ttps_assessment": a.model_dump(mode="json")}}


def differences(before: Assessment, after: Assessment) -> list[str]:
    out = []
    for code in ("A", "B", "C"):
        s0, s1 = before.categories[code].status, after.categories[code].status
        if s0 != s1:
            out.append(f"{NAMES[code]}: {STATUS[s0]} → **{STATUS[s1]}** "
                       f"({_key_reason(after.categories[code]).message})")
    return out
