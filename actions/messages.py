"""Chat wording of a ttps_logic Assessment. It relays the engine's statuses, reasons, clauses and
dates; it decides nothing. Kept plain (bold, links, bullets) so it reads well in every channel."""
from __future__ import annotations

from typing import Any

from ttps_logic.models import Assessment
from ttps_logic.params import param
from ttps_logic.render import localize, preference
from ttps_logic.schemes import SchemesResult, render as _scheme_text
from ttps_logic.text import documents, templates

QUOTE_CHARS = 140


def _chat(lang: str) -> dict[str, str]:
    return templates(lang)["chat"]


def icon(status: str, lang: str = "en") -> str:
    return _chat(lang)[f"icon_{status}"]


def status_word(status: str, lang: str = "en") -> str:
    return _chat(lang)[f"status_{status}"]


def category_name(code: str, lang: str = "en") -> str:
    return _chat(lang)[f"name_{code}"]


def short_quote(text: str, lang: str = "en") -> str:
    """At most QUOTE_CHARS characters of a clause, cut at a word (a space; Chinese text, which
    has none, at the limit)."""
    text = " ".join(text.split())
    if len(text) <= QUOTE_CHARS:
        return text
    # our own summary's mark (at the end in Chinese) is never cut off
    mark = templates(lang)["text"]["clause_summary_mark"]
    if mark and text.endswith(mark):
        return short_quote(text[:-len(mark)], lang) + mark
    head = text[:QUOTE_CHARS]
    if " " in head and lang == "en":
        head = head.rsplit(" ", 1)[0]
    return head + _chat(lang)["ellipsis"]


def deciding_reason(result) -> Any:
    """The reason that decides a category's status: the engine's choice (``deciding``)."""
    return result.reasons[result.deciding]


def verdict_text(a: Assessment, lang: str = "en") -> str:
    a = localize(a, lang)
    t = _chat(lang)
    lines = [t["heading"].format(application_date=_day(a.application_date, lang))]
    for code in ("A", "B", "C"):
        result = a.categories[code]
        r = deciding_reason(result)
        lines.append(t["category_line"].format(
            icon=icon(result.status, lang), name=category_name(code, lang),
            status=status_word(result.status, lang), message=r.message))
        source = (t["source_link"].format(url=r.source.url) if r.source.url
                  else t["source_title"].format(title=r.source.title))
        lines.append(t["rule_line"].format(clause_id=r.clause_id,
                                           quote=short_quote(r.clause_text, lang), source=source))
    if a.eligible_categories:
        first = a.eligible_categories[0]
        stay = t["stay_or"].join(
            str(m) for m in a.conditions_of_stay["initial_stay_months_possible"][first])
        quota = t["apply_one_quota"] if first == "C" else ""
        if len(a.eligible_categories) == 1:
            lines.append(t["apply_one"].format(category=first, stay=stay, quota=quota))
        else:
            lines.append(t["apply_many"].format(
                categories=t["categories_or"].join(a.eligible_categories),
                preference=preference(a, lang)))
    else:
        lines.append(t["apply_none"])
    return "\n".join(lines)


def _day(day, lang: str) -> str:
    if lang == "en":
        return day.isoformat()
    return templates(lang)["formats"]["date"].format(y=day.year, m=day.month, d=day.day)


def details_text(a: Assessment, lang: str = "en") -> str:
    a = localize(a, lang)
    t = _chat(lang)
    day = a.application_date
    lines = []
    missing = list(dict.fromkeys(m for c in a.categories.values() for m in c.to_find_out))
    if missing:
        lines.append(t["to_find_out"])
        lines += [f"• {m}" for m in missing]
    if a.what_would_change:
        lines.append(t["changes"])
        lines += [f"• {c.message}" for c in a.what_would_change]
    stay_lines = [r.message for r in a.general
                  if r.code in ("gen.no_job_offer", "gen.initial_stay", "gen.extension", "gen.top_tier")]
    if stay_lines:
        lines.append(t["stay"].format(text=templates(lang)["formats"]["sentence_sep"].join(stay_lines)))
    if "C" in a.eligible_categories or a.categories["C"].status == "unknown":
        lines.append(t["quota"].format(quota=a.conditions_of_stay["category_c_annual_quota"]))
    if a.eligible_categories:
        docs = documents(day, lang)
        first = a.eligible_categories[0]
        needed = docs["all"] + docs[first]
        lines.append(t["next_steps"].format(url=param("apply.url", day), category=first,
                                            documents=t["documents_sep"].join(needed)))
    lines.append(f"_{a.caveat}_")
    lines.append(t["versions"].format(rules_version=a.rules_version, list_version=a.list_version))
    return "\n".join(lines)


def payload(a: Assessment, routes: SchemesResult | None = None, lang: str = "en") -> dict[str, Any]:
    """Custom payload for clients that draw a result card (works on REST and socketio): the
    assessment in ``lang`` (with its top-level ``lang`` and each category's ``deciding``); with
    the other schemes' pre-screen when there is one (made in the same language by the caller)."""
    data: dict[str, Any] = {"ttps_assessment": localize(a, lang).model_dump(mode="json")}
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


def differences(before: Assessment, after: Assessment, lang: str = "en") -> list[str]:
    after = localize(after, lang)
    out = []
    for code in ("A", "B", "C"):
        s0, s1 = before.categories[code].status, after.categories[code].status
        if s0 != s1:
            out.append(_chat(lang)["difference"].format(
                name=category_name(code, lang), before=status_word(s0, lang),
                after=status_word(s1, lang),
                message=deciding_reason(after.categories[code]).message))
    return out


def routes_to_show(a: Assessment, r: SchemesResult) -> list[str]:
    """Which of the pre-screen's suggestions to show: all of them (likely ones first, then the
    ones the facts point to) when no TTPS category is open; only the likely ones otherwise, so a
    person who can apply under TTPS is not sent to look at schemes we cannot judge."""
    if a.eligible_categories:
        return [code for code in r.suggested if r.schemes[code].status == "likely"]
    return list(r.suggested)


def other_routes_text(a: Assessment, r: SchemesResult, lang: str = "en") -> str | None:
    """The schemes to show, each with its attributes side by side; None when there are none.
    Relays ttps_logic.schemes (``r`` pre-screened in ``lang``: schemes.prescreen(facts, lang));
    decides nothing."""
    codes = routes_to_show(a, r)
    if not codes:
        return None

    def scheme_text(section: str, code: str, values: dict) -> str:
        return _scheme_text(section, code, values, lang)

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
