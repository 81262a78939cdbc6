"""An Assessment in a language, and as a short human explanation (wording in
locales/<lang>.yaml).

``assess`` renders every message in English, from each message's code and values (reasons,
changes) or from the data (the caveat); ``localize`` renders the same assessment in another
language from the same codes and values, after the decision: nothing in it is decided again.
"""
from __future__ import annotations

from typing import Optional

from .engine import caveat_text, judge
from .models import Assessment, CategoryResult, Reason
from .text import (Memo, check_lang, english_reason, local_values, localize_reason, render,
                   templates)

# Category results in another language, by the identity of the English one (held in the entry).
_CATEGORIES = Memo(2048)


def localize(assessment: Assessment, lang: str) -> Assessment:
    """The assessment with every human string (reason messages and clause wording, category
    summaries, to_find_out, what_would_change, general reasons, caveat) in ``lang`` ("en",
    "zh-Hans", "zh-Hant"), and ``lang`` set. Statuses, reasons, their order and ``deciding``
    are the engine's, unchanged. Unknown lang: text.UnknownLanguage (a ValueError)."""
    check_lang(lang)
    if assessment.lang == lang:
        return assessment
    english = _english(assessment)
    if lang == "en":
        return english
    out = english.model_copy(update={
        "categories": {code: _category(c, lang) for code, c in english.categories.items()},
        "general": [localize_reason(r, lang) for r in english.general],
        "what_would_change": [
            ch.model_copy(update={"message": render("change", ch.code, ch.values, lang)})
            if ch.code else ch for ch in english.what_would_change],
        "caveat": caveat_text(english.conditions_of_stay.get("contact_phone"),
                              english.conditions_of_stay.get("status_enquiry_phone"), lang),
        "lang": lang})
    _ORIGINALS.put(id(out), (out, english))
    return out


# The English assessment each localized one was made from (by identity, held in the entry).
_ORIGINALS = Memo(1024)


def _english(a: Assessment) -> Assessment:
    if a.lang == "en":
        return a
    found = _ORIGINALS.get(id(a))
    if found is not None and found[0] is a:
        return found[1]
    # read back from JSON: render again in English from the codes and values
    day = a.application_date

    def back(r: Reason) -> Reason:
        return english_reason(r, day)

    cats = {}
    for code, c in a.categories.items():
        reasons = [back(r) for r in c.reasons]
        status, summary, missing, deciding = judge(reasons, c.status)
        cats[code] = c.model_copy(update={"reasons": reasons, "summary": summary,
                                          "to_find_out": missing, "deciding": deciding})
    return a.model_copy(update={
        "categories": cats, "general": [back(r) for r in a.general],
        "what_would_change": [
            ch.model_copy(update={"message": render("change", ch.code, ch.values)})
            if ch.code else ch for ch in a.what_would_change],
        "caveat": caveat_text(a.conditions_of_stay.get("contact_phone"),
                              a.conditions_of_stay.get("status_enquiry_phone")),
        "lang": "en"})


def _category(c: CategoryResult, lang: str) -> CategoryResult:
    key = (id(c), lang)
    found = _CATEGORIES.get(key)
    if found is not None and found[0] is c:
        return found[1]
    reasons = [localize_reason(r, lang) for r in c.reasons]
    _, summary, missing, _ = judge(reasons, c.status, templates(lang)["formats"]["sentence_sep"])
    local = c.model_copy(update={"reasons": reasons, "summary": summary, "to_find_out": missing})
    _CATEGORIES.put(key, (c, local))
    return local

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
        values = {"a_high": max(a), "a_low": min(a), "a_from": longer["approved_from"]}
        return t["preference_by_approval"].format(
            **(values if lang == "en" else local_values(values, lang)))
    return t["preference_same_stay"].format(b=max(b))


def explain(assessment: Assessment, lang: Optional[str] = None) -> str:
    """The assessment as text, in ``lang`` (default: the assessment's own language)."""
    assessment = localize(assessment, lang or assessment.lang)
    lang = assessment.lang
    t = templates(lang)
    day = {"application_date": assessment.application_date}
    lines = [t["text"]["heading"].format(**(day if lang == "en" else local_values(day, lang))),
             t["text"]["versions"].format(rules_version=assessment.rules_version,
                                          list_version=assessment.list_version), ""]
    for code, result in assessment.categories.items():
        lines.append(t["text"]["category_status"].format(
            category=t["category"][code], status=t["status"][result.status].upper()))
        for r in result.reasons:
            mark = "•" if r.kind == "info" else _MARK[r.met]
            lines.append(f"  {mark} {r.message} [{r.clause_id}]")
        lines.append("")
    if assessment.eligible_categories:
        lines.append(t["text"]["eligible"].format(
            categories=t["formats"]["list_sep"].join(assessment.eligible_categories)))
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
