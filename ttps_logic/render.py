"""Turn an Assessment into a short human explanation (wording in locales/<lang>.yaml)."""
from __future__ import annotations

from .models import Assessment
from .text import templates

_MARK = {True: "✓", False: "✗", None: "?"}


def preference(assessment: Assessment, lang: str = "en") -> str:
    """Why A comes before B and B before C, as on the application date: C has a quota, and
    Category A's longer initial stay exists only for approvals from the day in stay.initial_months."""
    t = templates(lang)["text"]
    stay = assessment.conditions_of_stay
    possible = stay["initial_stay_months_possible"]
    a, b = possible["A"], possible["B"]
    if min(a) > max(b):
        return t["preference"].format(a=min(a), b=max(b))
    if max(a) > max(b):
        longer = next(p for p in stay["initial_stay_by_approval_date"] if p["months"]["A"] == max(a))
        return t["preference_by_approval"].format(a_high=max(a), a_low=min(a),
                                                  a_from=longer["approved_from"])
    return t["preference_same_stay"].format(b=max(b))


def explain(assessment: Assessment, lang: str = "en") -> str:
    t = templates(lang)
    lines = [t["text"]["heading"].format(application_date=assessment.application_date),
             t["text"]["versions"].format(rules_version=assessment.rules_version,
                                          list_version=assessment.list_version), ""]
    for code, result in assessment.categories.items():
        lines.append(f"{t['category'][code]}: {t['status'][result.status].upper()}")
        for r in result.reasons:
            mark = "•" if r.kind == "info" else _MARK[r.met]
            lines.append(f"  {mark} {r.message} [{r.clause_id}]")
        lines.append("")
    if assessment.eligible_categories:
        lines.append(t["text"]["eligible"].format(
            categories=", ".join(assessment.eligible_categories)))
        if len(assessment.eligible_categories) > 1:
            lines.append(preference(assessment, lang))
    else:
        lines.append(t["text"]["none"])
    missing = [m for r in assessment.categories.values() for m in r.to_find_out]
    if missing:
        lines += ["", t["text"]["to_find_out"]]
        lines += [f"  - {m}" for m in dict.fromkeys(missing)]
    if assessment.what_would_change:
        lines += ["", t["text"]["changes"]]
        lines += [f"  - {c.message}" for c in assessment.what_would_change]
    lines += ["", t["text"]["general"]]
    lines += [f"  - {r.message} [{r.clause_id}]" for r in assessment.general]
    lines += ["", assessment.caveat]
    return "\n".join(lines)
