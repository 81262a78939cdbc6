"""Answers to the common questions about the scheme, for the day asked about.

Every figure, date, telephone number, address and link in an answer comes from the dated data
(``parameters.yaml`` through ``params.param``, ``scheme_parameters.yaml`` through
``schemes.sparam``, ``sources.yaml``); the wording is in ``locales/faq.<lang>.yaml`` (en, zh-Hans, zh-Hant). No Rasa import:
the chat's action only picks the topic and the day.

    answer("fees", dt.date(2025, 2, 25))   # the fees in force that day, and the change after it
    changes_during("fees", first, last)     # days within [first, last] on which the answer changes
"""
from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from typing import Any, Callable, Iterator, Optional

import yaml

from . import params as P
from . import schemes as S
from .nationality import nationality_name
from .text import check_lang, country_name, locale_file

# The language an answer is being written in (set by answer(), as_of_note(), fallback()).
_LANG: ContextVar[str] = ContextVar("ttps_faq_lang", default="en")


@contextmanager
def _in(lang: str) -> Iterator[None]:
    token = _LANG.set(check_lang(lang))
    try:
        yield
    finally:
        _LANG.reset(token)


@lru_cache(maxsize=4)
def _load(lang: str) -> dict[str, Any]:
    with open(locale_file("faq", lang), encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _texts() -> dict[str, Any]:
    return _load(_LANG.get())


def topics() -> list[str]:
    """The topics, in the order the fallback lists them (the sub-intents of ``faq``)."""
    return list(_load("en")["title"])


def title(key: str, lang: str = "en") -> str:
    return _load(check_lang(lang))["title"][key]


def _t(code: str, **values: Any) -> str:
    return _texts()["text"][code].format(**values)


# --- formatting (in the answer's language: the locale's `format` section) ----------------------
def day_text(day: dt.date) -> str:
    """'1 Jan 2030' (in Chinese '2030年1月1日')."""
    f = _texts().get("format")
    if f:
        return f["date"].format(y=day.year, m=day.month, d=day.day)
    return f"{day.day} {day:%b %Y}"


def hkd(amount: float) -> str:
    """'HK$4.5 million', 'HK$1,234' (amounts of a million or more in millions); in Chinese
    '港幣4,500,000元' (every amount in full)."""
    f = _texts().get("format")
    if f:
        return f["hkd"].format(amount=amount)
    if amount >= 1_000_000:
        millions = amount / 1_000_000
        return f"HK${millions:g} million"
    return f"HK${amount:,.0f}"


def months_text(months: int) -> str:
    """'18 months'; whole years of more than three years as years ('8 years')."""
    f = _texts().get("format")
    if months % 12 == 0 and months > 36:
        return f["years"].format(n=months // 12) if f else f"{months // 12} years"
    return f["months"].format(n=months) if f else f"{months} months"


def _names(codes) -> str:
    f = _texts().get("format")
    if f:
        names = [country_name(c, _LANG.get()) for c in codes]
        return names[0] if len(names) == 1 else (f["list_sep"].join(names[:-1]) + f["and"]
                                                   + names[-1])
    names = [nationality_name(c) for c in codes]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _word(value: str) -> str:
    """A value the data give in English words ("4 weeks", "11 a.m."), in the answer's language
    (the locale's `data_words`, keyed by the data's words)."""
    return _texts().get("data_words", {}).get(value, value)


def _link(label: str, url: Optional[str]) -> str:
    return f"[{label}]({url})" if url else label


# --- reading the data, remembering what was read (for changes_during) ---------------------------
class _Reader:
    def __init__(self, day: dt.date):
        self.day = day
        self.keys: set[tuple[str, str]] = set()

    def p(self, key: str) -> Any:
        self.keys.add(("ttps", key))
        return P.param(key, self.day)

    def s(self, key: str) -> Any:
        self.keys.add(("schemes", key))
        return S.sparam(key, self.day)

    def versions(self, key: str) -> tuple:
        """The versions of a TTPS parameter, in date order."""
        self.keys.add(("ttps", key))
        return tuple(sorted(P.parameter_table()[key][1], key=lambda v: v.start))

    def current(self, key: str):
        vs = self.versions(key)
        i = next(i for i, v in enumerate(vs) if v.covers(self.day))
        return (vs[i - 1] if i else None), vs[i], (vs[i + 1] if i + 1 < len(vs) else None)

    def source_url(self, key: str) -> Optional[str]:
        return P.sources()[key].url

    def scheme_url(self, scheme: str) -> Optional[str]:
        return P.sources()[S.MAIN_SOURCE[scheme]].url

    def ttps_page(self) -> str:
        return _link(_texts()["label"]["ttps_page"], self.p("contact.page"))


# --- one function per topic: the values of its template ----------------------------------------
def _job_offer(r: _Reader) -> str:
    code = "job_offer.needed" if r.p("stay.job_offer_required") else "job_offer"
    return _t(code, page=r.ttps_page())


def _stay_sentence(r: _Reader) -> str:
    prev, cur, nxt = r.current("stay.initial_months")
    a, b = cur.value["A"], cur.value["B"]
    if prev is not None and prev.value["A"] != a:
        return _t("part.stay_changed", a=months_text(a), b=months_text(b),
                  since=day_text(cur.start), before=months_text(prev.value["A"]))
    if nxt is not None and nxt.value["A"] != a:
        return _t("part.stay_will_change", a=months_text(a), b=months_text(b),
                  change=day_text(nxt.start), after=months_text(nxt.value["A"]))
    return _t("part.stay_same", a=months_text(a), b=months_text(b))


def _length_of_stay(r: _Reader) -> str:
    stay = r.p("stay.initial_months")
    pattern = r.p("stay.pattern")
    ext = r.p("stay.extension")
    top = r.p("stay.top_tier")
    once = _t("part.once") if r.p("stay.initial_once") else ""
    if pattern.get("B"):
        patterns = _t("part.pattern", pattern=pattern["B"], top=f"{stay['B'] // 12}+{top['extension_years']}")
    elif stay.get("B") and stay["B"] % 12 == 0 and ext.get("max_years"):
        # no pattern stated for the date: the one people quote ("2+3+3") follows from the first
        # stay and the longest extension, and is said as such
        first, longest = stay["B"] // 12, ext["max_years"]
        patterns = _t("part.pattern_derived", first=first, ext=longest,
                      pattern=f"{first}+{longest}+{longest}", years=top["extension_years"])
    else:
        patterns = _t("part.top_tier_years", years=top["extension_years"])
    return _t("length_of_stay", stay=_stay_sentence(r), once=once, max_years=ext["max_years"],
              patterns=patterns, page=r.ttps_page())


def _extension(r: _Reader) -> str:
    prev, cur, _ = r.current("extension.acceptance_window")
    if prev is not None:
        window = _t("part.window_since", since=day_text(cur.start), window=_word(cur.value),
                    usual=_word(prev.value))
    else:
        window = _t("part.window", window=_word(cur.value))
    ext = r.p("stay.extension")
    cap = _t("part.contract_cap") if ext["capped_by_contract"] else ""
    top = r.p("stay.top_tier")
    if top["min_years_under_scheme"] is not None and top["min_assessable_income_hkd"] is not None:
        top_tier = _t("part.top_tier_conditions", years=top["min_years_under_scheme"],
                      income=hkd(top["min_assessable_income_hkd"]), extension=top["extension_years"])
    else:
        top_tier = _t("part.top_tier_plain", extension=top["extension_years"])
    weeks = r.p("processing.extension_weeks")
    return _t("extension", window=window, max_years=ext["max_years"], cap=cap, top_tier=top_tier,
              weeks_min=weeks["min"], weeks_max=weeks["max"], page=r.ttps_page())


def _quota(r: _Reader) -> str:
    quota = r.p("quota.c_annual")
    src = P.param_version("quota.c_annual", r.day).source
    return _t("quota", quota=f"{quota:,}", announced=day_text(src.date), phone=r.p("contact.phone"),
              page=r.ttps_page())


def _income_counted(r: _Reader) -> str:
    rule = r.p("income.business_shareholding")
    shares = _t(f"part.shares_{rule}")
    faq = _link(_texts()["label"]["ttps_faq"], r.source_url("immd_ttps_faq"))
    return _t("income_counted", threshold=hkd(r.p("income.threshold_hkd")), shares=shares,
              phone=r.p("contact.phone"), faq=faq)


def _university_list(r: _Reader) -> str:
    count = r.p("list.institution_count")
    held = r.p("list.held")
    size = _t("part.list_count", count=count) if count else ""
    if not held:
        size = _t("part.list_not_held", year=r.day.year)
    page = P.sources()["immd_ttps_2026"]
    return _t("university_list", page_date=day_text(page.date), size=size,
              list=_link(_texts()["label"]["list"], r.p("list.url")))


def _nonlocal_iang(r: _Reader) -> str:
    return _t("nonlocal_iang", months=r.s("iang.recent_window_months"),
              stay=months_text(r.s("iang.first_stay_months")), phone=r.p("contact.phone"),
              page=_link(_texts()["label"]["IANG"], r.scheme_url("IANG")))


def _dependants(r: _Reader) -> str:
    return _t("dependants", page=r.ttps_page())


def _status_line(r: _Reader) -> str:
    phone = r.p("contact.status_phone")
    return _t("part.status_phone", phone=phone) if phone else _t("part.status_online")


def _processing_time(r: _Reader) -> str:
    weeks = r.p("processing.extension_weeks")
    return _t("processing_time", weeks=r.p("processing.weeks"), ext_min=weeks["min"],
              ext_max=weeks["max"], status=_status_line(r), page=r.ttps_page())


def _fee_sentence(fees: dict) -> str:
    if fees.get("application_fee"):
        return _t("part.fees_new", application=hkd(fees["application_fee"]),
                  over=hkd(fees["issuance_fee_over_180_days"]),
                  upto=hkd(fees["issuance_fee_up_to_180_days"]))
    return _t("part.fees_old", visa=hkd(fees["visa_fee"]))


def _fees(r: _Reader) -> str:
    prev, cur, nxt = r.current("fees.hkd")
    time = P.param("fees.commencement_time", cur.start)
    r.keys.add(("ttps", "fees.commencement_time"))
    at = _t("part.at_time", time=_word(time)) if time else ""
    if prev is not None:
        when = _t("part.fees_since", at=at, since=day_text(cur.start))
    else:
        when = _t("part.fees_on", day=day_text(r.day))
    extra = ""
    if prev is not None:
        extra = _t("part.fees_before", before=_fee_sentence(prev.value))
    elif nxt is not None:
        ntime = P.param("fees.commencement_time", nxt.start)
        nat = _t("part.at_time", time=_word(ntime)) if ntime else ""
        extra = _t("part.fees_after", at=nat, change=day_text(nxt.start),
                   after=_fee_sentence(nxt.value))
    page = _link(_texts()["label"]["fees"], r.source_url("immd_specified_schemes_fees"))
    return _t("fees", when=when, fees=_fee_sentence(cur.value), extra=extra, page=page)


def _how_to_apply(r: _Reader) -> str:
    fees = r.p("fees.hkd")
    pay = (_t("part.pay_application_fee", fee=hkd(fees["application_fee"]))
           if fees.get("application_fee") else _t("part.no_application_fee"))
    return _t("how_to_apply", pay=pay, weeks=r.p("processing.weeks"),
              apply=_link(_texts()["label"]["apply"], r.p("apply.url")), page=r.ttps_page())


def _documents(r: _Reader) -> str:
    from .text import documents
    docs = documents(r.day, _LANG.get())
    r.keys.add(("ttps", "apply.documents"))
    sep = _texts()["label"]["documents_sep"]
    english = P.param("apply.documents", r.day)["all"]
    everyone = [d for d, e in zip(docs["all"], english) if not e.startswith("for Mainland")]
    return _t("documents", all=sep.join(everyone), a=sep.join(docs["A"]),
              b=sep.join(docs["B"]), c=sep.join(docs["C"]),
              mainland=sep.join(docs["by_residence"]["CN-MAINLAND"]), page=r.ttps_page())


def _contact(r: _Reader) -> str:
    faq = _link(_texts()["label"]["ttps_faq"], r.source_url("immd_ttps_faq"))
    return _t("contact", phone=r.p("contact.phone"), email=r.p("contact.email"),
              status=_status_line(r), faq=faq, page=r.ttps_page())


def _categories(r: _Reader) -> str:
    work_years = r.p("work.threshold_months") / 12
    return _t("categories", threshold=hkd(r.p("income.threshold_hkd")), work_years=f"{work_years:g}",
              window=r.p("work.window_years"), grad_window=r.p("graduation.window_years"),
              page=r.ttps_page())


def _permanent_residence(r: _Reader) -> str:
    return _t("permanent_residence", years=r.p("residence.right_of_abode_years"), page=r.ttps_page())


def _nationality_restrictions(r: _Reader) -> str:
    prev, cur, nxt = r.current("nationality.excluded")
    change = ""
    if prev is not None and set(prev.value) - set(cur.value):
        change = _t("part.nationals_since", names=_names(sorted(set(prev.value) - set(cur.value))),
                    since=day_text(cur.start))
    elif nxt is not None and set(cur.value) - set(nxt.value):
        change = _t("part.nationals_from", names=_names(sorted(set(cur.value) - set(nxt.value))),
                    change=day_text(nxt.start))
    months = r.p("nationality.prc_overseas_min_months")
    overseas = _texts()["label"]["a_year"] if months == 12 else months_text(months)
    return _t("nationality_restrictions", excluded=_names(cur.value), change=change,
              overseas=overseas, page=r.ttps_page())


def _other_schemes(r: _Reader) -> str:
    invest = r.s("newcies.investment_hkd")
    newcies = (_t("part.newcies_open", amount=hkd(invest)) if invest
               else _t("part.newcies_opens", opens=day_text(S.first_day_of("newcies.open", True))))
    links = " · ".join(_link(_texts()["label"][code], r.scheme_url(code))
                       for code in ("GEP", "ASMTP", "QMAS", "IANG", "NEW_CIES"))
    return _t("other_schemes", newcies=newcies, links=links)


def _scheme_cies(r: _Reader) -> str:
    status = r.s("cies.status")
    opens = S.first_day_of("newcies.open", True)
    r.keys.add(("schemes", "newcies.open"))
    if r.s("newcies.open"):
        new = _t("part.newcies_detail", opened=day_text(opens),
                 assets=hkd(r.s("newcies.net_assets_hkd")), invest=hkd(r.s("newcies.investment_hkd")),
                 months=r.s("newcies.net_assets_period_months"), age=r.s("newcies.min_age"))
    else:
        new = _t("part.newcies_not_yet", opens=day_text(opens))
    return _t("scheme_cies", suspended=day_text(status["suspended_from"]), new=new,
              page=_link(_texts()["label"]["NEW_CIES"], r.scheme_url("NEW_CIES")))


def _quota_sentence(value: Any) -> str:
    if value in ("quota_free", "none_stated", "suspended"):
        return _t(f"part.quota_{value}")
    return _t("part.quota_number", quota=f"{value:,}")


def _scheme_asmtp(r: _Reader) -> str:
    return _t("scheme_asmtp", quota=_quota_sentence(r.s("asmtp.quota")),
              stay=months_text(r.s("asmtp.first_stay_months")),
              page=_link(_texts()["label"]["ASMTP"], r.scheme_url("ASMTP")))


def _scheme_qmas(r: _Reader) -> str:
    count, least = r.s("qmas.gpt_criteria_count"), r.s("qmas.gpt_min_criteria")
    gpt = (_t("part.gpt_criteria", least=least, count=count) if count and least
           else _t("part.gpt_score"))
    stays = r.s("qmas.first_stay_months")
    return _t("scheme_qmas", age=r.s("qmas.min_age"), gpt=gpt,
              quota=_quota_sentence(r.s("qmas.quota")),
              gpt_stay=months_text(stays["general_points_test"]),
              abpt_stay=months_text(stays["achievement_based_points_test"]),
              page=_link(_texts()["label"]["QMAS"], r.scheme_url("QMAS")))


def _scheme_gep(r: _Reader) -> str:
    return _t("scheme_gep", quota=_quota_sentence(r.s("gep.quota")),
              stay=months_text(r.s("gep.first_stay_months")),
              page=_link(_texts()["label"]["GEP"], r.scheme_url("GEP")))


def _scheme_iang(r: _Reader) -> str:
    nat = r.s("iang.nationals")
    nationals = _t("part.iang_excluded", excluded=_names(nat["excluded"])) if nat["excluded"] else ""
    if nat["restricted"]:
        nationals += " " + _t("part.iang_restricted", restricted=_names(nat["restricted"]))
    if nat["uncertain"]:
        nationals += " " + _t("part.iang_uncertain", uncertain=_names(nat["uncertain"]))
    return _t("scheme_iang", months=r.s("iang.recent_window_months"),
              stay=months_text(r.s("iang.first_stay_months")),
              quota=_quota_sentence(r.s("iang.quota")), nationals=nationals.strip(),
              page=_link(_texts()["label"]["IANG"], r.scheme_url("IANG")))


_TOPICS: dict[str, Callable[[_Reader], str]] = {
    "job_offer": _job_offer, "length_of_stay": _length_of_stay, "extension": _extension,
    "quota": _quota, "income_counted": _income_counted, "university_list": _university_list,
    "nonlocal_iang": _nonlocal_iang, "dependants": _dependants,
    "processing_time": _processing_time, "fees": _fees, "how_to_apply": _how_to_apply,
    "documents": _documents, "contact": _contact, "categories": _categories,
    "permanent_residence": _permanent_residence,
    "nationality_restrictions": _nationality_restrictions, "other_schemes": _other_schemes,
    "scheme_cies": _scheme_cies, "scheme_asmtp": _scheme_asmtp, "scheme_qmas": _scheme_qmas,
    "scheme_gep": _scheme_gep, "scheme_iang": _scheme_iang,
}


def _tidy(text: str) -> str:
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


def _render(key: str, day: dt.date) -> tuple[str, set[tuple[str, str]]]:
    if key not in _TOPICS:
        raise KeyError(f"unknown FAQ topic {key!r}")
    r = _Reader(day)
    return _tidy(_TOPICS[key](r)), r.keys


def answer(key: str, day: dt.date, lang: str = "en") -> str:
    """The answer to FAQ topic ``key`` (e.g. "fees" or "faq/fees") for ``day``, in ``lang``
    ("en", "zh-Hans", "zh-Hant")."""
    key = key.split("/", 1)[-1]
    with _in(lang):
        return _render(key, day)[0]


def changes_during(key: str, first: dt.date, last: dt.date) -> list[dt.date]:
    """The days in (first, last] on which a value the answer uses changes."""
    key = key.split("/", 1)[-1]
    _, keys = _render(key, first)
    days = set()
    for table, k in keys:
        versions = (P.parameter_table()[k][1] if table == "ttps" else S.parameter_table()[k][1])
        days.update(v.start for v in versions if first < v.start <= last)
    return sorted(days)


def as_of_note(day: dt.date, period: Optional[str] = None,
               changes: Optional[list[dt.date]] = None, lang: str = "en") -> str:
    """The line saying which day an answer is for (and, for a month or year asked about, the
    days within it on which the answer changed)."""
    with _in(lang):
        return _as_of_note(day, period, changes)


def _as_of_note(day: dt.date, period: Optional[str], changes: Optional[list[dt.date]]) -> str:
    if changes:
        return _t("as_of_changed", day=day_text(day), year=period,
                  changes=_texts()["label"]["list_sep"].join(
                      day_text(c) for c in changes)).strip()
    return _t("as_of", day=day_text(day)).strip()


def fallback(lang: str = "en") -> str:
    """What to say when the topic is not known: the topics one can ask about."""
    with _in(lang):
        return _t("fallback", topics="\n".join(f"- {title(k, lang)}" for k in topics()))
