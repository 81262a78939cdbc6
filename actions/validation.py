"""Checking and normalising one answer at a time. Each validator takes what the person said and
returns a Verdict: the normalised slot value (or None to ask again) and, when asking again, a
specific message saying why. No Rasa import: the form and the other actions share these."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Optional

import pycountry

from ttps_logic.institutions import registry
from ttps_logic.nationality import is_known_code, nationality_name, resolve_nationality
from ttps_logic.params import launch_date, param
from ttps_logic.work import months_between

from . import parsing, understanding
from .i18n import buttons as _buttons, current, t
from .facts import SKIPPED, UNKNOWN, income_items, university_name

OFFICIAL_LIST = param("list.url", dt.date.today())  # the same address on every date held
LARGE_UNIT_CURRENCIES = {"JPY", "KRW", "IDR", "VND", "INR", "PHP", "THB", "HUF", "ISK", "CLP",
                         "COP", "TWD", "RUB"}
_DONT_KNOW = re.compile(r"^\s*/?dont_know\b|\b(don'?t know|do not know|not sure|no idea|skip|"
                        r"rather not|prefer not|unsure|dunno|idk|pass)\b|不知道|不清楚|跳过|跳過|唔知|唔清楚|唔肯定|不(?:太|是很|大)(?:清楚|确定|確定|知道|记得|記得)|"
                        r"唔確定|不确定|不確定|不晓得|不曉得|不记得|不記得|唔記得|忘记了|忘記了|冇概念|"
                        r"没概念|沒概念|说不准|說不準|不想说|不想說|唔想講",
                        re.I)


@dataclass
class Verdict:
    value: Any = None                      # None: ask again
    message: Optional[str] = None          # why we ask again, or a note on the accepted value
    buttons: list[dict] = field(default_factory=list)
    also: dict[str, Any] = field(default_factory=dict)   # other slots this answer settles

    @property
    def ok(self) -> bool:
        return self.value is not None


def said_dont_know(text: Any, intent: Optional[str] = None) -> bool:
    """'I don't know', 'skip', 'not sure' as the answer itself, not somewhere in a long message
    ("… do I qualify for the Top Talent Pass?" is no "pass")."""
    if not isinstance(text, str):
        return intent == "dont_know"
    if re.match(r"\s*/dont_know\b", text):
        return True
    words = parsing.word_count(text)
    if words > 8:
        return False
    if intent == "dont_know" and words <= 6:
        return True
    found = _DONT_KNOW.search(text)
    if not found:
        return False
    if found.group(0).lower() == "pass":
        return words <= 2
    return True


def _text(value: Any) -> str:
    if isinstance(value, list):
        value = " ".join(str(v) for v in value)
    return "" if value is None else str(value)


def validate_income(value: Any, intent: Optional[str] = None) -> Verdict:
    """One or more amounts ("HK$1M salary plus HK$1.5M dividends"), each with its currency and
    kind when the person said them. A new income replaces the old one, with its currency and
    kind answers."""
    if isinstance(value, (dict, list)):  # already normalised
        return Verdict(value)
    text = _text(value)
    if said_dont_know(text, intent):
        return Verdict(UNKNOWN, also={"income_currency": None, "income_type": None, "income_shares": None})
    if re.search(r"\b(no income|none|nothing|zero|unemployed|no salary|not working|no earnings|"
                 r"(don'?t|do not|didn'?t) (have|earn|make|get) (any )?(income|salary|money)|"
                 r"career break|between jobs|full[- ]time student|not employed|no job)\b|"
                 r"没有收入|沒有收入|冇收入|无收入|無收入|冇人工|沒有工作|没有工作", text, re.I) \
            and not [m for m in parsing.parse_incomes(text) if m.strong]:
        return Verdict([{"amount": "0", "currency": "HKD", "type": "salary"}],
                       also={"income_currency": None, "income_type": None, "income_shares": None})
    if re.search(r"(^|\s)-\s*\d", text):
        return Verdict(message=t("check.income_negative"))
    items = parsing.parse_incomes(text)
    if not items:
        return Verdict(message=t("check.income_no_amount"))
    out = []
    for money in items:
        currency = None if money.currency in ("USD?", "¥?") else money.currency
        limit = 1e12 if currency in LARGE_UNIT_CURRENCIES else 1e9
        if money.amount > limit:
            return Verdict(message=t("check.income_too_large", amount=f"{money.amount:,.0f}"))
        item = {"amount": format(money.amount.normalize(), "f"), "currency": currency,
                "type": money.type}
        if money.held_shares is not None:
            item["held_shares_throughout"] = money.held_shares
        out.append(item)
    note = None
    if all(i["type"] == "investment" for i in out):
        note = t("check.income_investment_only")
    return Verdict(out, message=note, also={"income_currency": None, "income_type": None, "income_shares": None})


def validate_currency(value: Any, intent: Optional[str] = None,
                      income: Any = None) -> Verdict:
    """The currency of the amounts given without one; it is written into those items."""
    text = _text(value).strip()
    if said_dont_know(text, intent):
        return Verdict(UNKNOWN)
    code = None
    lowered = text.lower()
    for word, c in sorted(parsing.CURRENCY_WORDS.items(), key=lambda kv: -len(kv[0])):
        if word in lowered and c not in ("USD?", "¥?"):
            code = c
            break
    if code is None and re.fullmatch(r"[A-Za-z]{3}", text) and pycountry.currencies.get(alpha_3=text.upper()):
        code = text.upper()
    if code is None:
        return Verdict(message=t("check.currency"), buttons=_buttons("check.currency_buttons"))
    items = [dict(i, currency=i.get("currency") or code) for i in income_items(income)]
    return Verdict(code, also={"income": items} if items else {})


def inherit_kind(items: Any, previous: Any) -> Any:
    """A corrected or what-if amount said without its kind ("actually it was 2.7M") keeps the
    kind of the income it replaces, when that was a single kind."""
    new, old = income_items(items), income_items(previous)
    kinds = {i.get("type") for i in old}
    if new and old and len(kinds) == 1 and None not in kinds and all(not i.get("type") for i in new):
        return [dict(i, type=next(iter(kinds))) for i in new]
    return items


INCOME_KINDS = {"salary": "salary", "business_profit": "business_profit",
                "investment": "investment", "stock_options": "stock_options",
                "allowance": "allowance"}


def validate_income_type(value: Any, intent: Optional[str] = None, income: Any = None) -> Verdict:
    """The kind of the amounts given without one: salary (employment), own business, or
    investments. "A mix" or "not sure" leaves it to ttps_logic as of unknown kind."""
    text = _text(value)
    if said_dont_know(text, intent) or re.search(r"\b(mix|mixed|both|all of them|several)\b|都有|混合", text, re.I):
        kind = "other"
    else:
        kind = parsing.income_type(text)
        if kind is None and re.search(r"\b(job|work|employ|employer|company pays?)\b|打工|返工|上班", text, re.I):
            kind = "salary"
    if kind is None:
        return Verdict(message=t("check.income_type"), buttons=income_type_buttons())
    items = [dict(i, type=i.get("type") or kind) for i in income_items(income)]
    note = None
    if kind == "other":
        note = t("check.income_type_mix")
    return Verdict(kind, message=note, also={"income": items} if items else {})


def validate_income_shares(value: Any, intent: Optional[str] = None) -> Verdict:
    """Note 1: did the person hold their company's shares throughout the year? Yes / no /
    not sure (left to ttps_logic as not known)."""
    if isinstance(value, bool) or value == UNKNOWN:
        return Verdict(value)
    text = _text(value)
    if said_dont_know(text, intent):
        return Verdict(UNKNOWN)
    held = parsing.held_shares(text)
    if held is None:
        held = parsing.parse_yes_no(text)
    if held is None:
        return Verdict(message=t("check.income_shares"), buttons=yes_no_buttons())
    return Verdict(held)


def income_type_buttons() -> list[dict]:
    return _buttons("check.income_type_buttons")


def validate_has_degree(value: Any, intent: Optional[str] = None) -> Verdict:
    """A yes/no answer, plus two answers people give instead: "only a master's" (no) and the
    name of a university (yes, and that settles the next question too)."""
    text = _text(value)
    if not isinstance(value, bool) and value != UNKNOWN and not said_dont_know(text, intent):
        if re.search(r"\bonly (a |an |have )?(master|phd|doctor|mba|diploma|associate)|\bno bachelor|"
                     r"\bno degree|\bnever (went to|finished) (uni|university|college)|"
                     r"(只有|只係|淨係|仅有|僅有)(一个|一個|個)?(硕士|碩士|博士|MBA|文凭|文憑|副学士|副學士|大专|大專|高级文凭|高級文憑)|"
                     r"(没有|沒有|冇|无|無)(读过|讀過)?(学士|學士|本科|大学|大學|学位|學位)|"
                     r"(没|沒|冇)(读|讀)(过|過)?(大学|大學|本科)", text, re.I):
            return Verdict(False)
        if re.search(r"\bbachelor|\bundergrad|\bb\.?\s?(sc|a|eng|com|ba)\b|\bbs\b|本科|学士|學士", text, re.I) \
                and not re.search(r"\b(no|not|never|don'?t|didn'?t)\b|没|沒|冇|无|無|不是|唔係", text, re.I):
            return Verdict(True)
        if parsing.parse_yes_no(text) is None and registry().resolve(text).status in ("matched",
                                                                                   "excluded_arm"):
            return Verdict(True, also={"university": text})
    verdict = validate_yes_no_unknown(value, intent)
    if not verdict.ok:
        verdict.message = t("check.has_degree")
    return verdict


def validate_university(value: Any, intent: Optional[str] = None) -> Verdict:
    text = _text(value).strip()
    if said_dont_know(text, intent):
        return Verdict(UNKNOWN)
    if not text:
        return Verdict(message=t("check.university_ask"))
    if parsing.parse_yes_no(text) is False and len(text) < 20:
        return Verdict(None, also={"has_degree": False})
    if parsing.parse_yes_no(text) is True and len(text.split()) <= 3:
        return Verdict(message=t("check.university_name"))
    res = registry().resolve(text)
    if res.status == "matched":
        return Verdict(res.institution.name, also={"has_degree": True})
    if res.status == "excluded_arm" and res.arm is not None:
        # Note 4: kept as typed, so that ttps_logic recognises it again and answers with the note
        arm = (t("check.university_arm_of", arm=res.arm.name, parent=res.arm.parent.name)
               if res.arm.parent is not None else res.arm.name)
        return Verdict(text, also={"has_degree": True},
                       message=t("check.university_arm", text=text, arm=arm))
    if res.status == "ambiguous":
        options = [c.name for c, _ in res.candidates[:4]]
        buttons = [{"title": university_name(n), "payload": n} for n in options]
        if res.others or len(options) > 1:
            buttons.append({"title": t("check.university_another"), "payload": "/dont_know"})
        also_meant = list(res.others)[:3]
        more = t("check.university_also", names=", ".join(also_meant)) if also_meant else ""
        return Verdict(message=t("check.university_ambiguous", text=text, more=more),
                       buttons=buttons)
    if not _looks_like_a_name(text):
        return Verdict(message=t("check.university_not_a_name"))
    return Verdict(text, also={"has_degree": True},
                   message=t("check.university_unknown", text=text, url=OFFICIAL_LIST))


def _looks_like_a_name(text: str) -> bool:
    """An institution we don't know is kept as typed only if it reads like a name ("Sunway
    College", "Universidad de los Andes", "某某学院"), not like a sentence."""
    if re.search(r"[\u3400-\u9fff]", text):
        # a name ("某某学院"), not a sentence ("我也不太清楚"): an institution word, or short and
        # without the words of a sentence
        return len(text) <= 30 and bool(
            re.search(r"大学|大學|学院|學院|书院|書院|学校|學校|研究院|理工|universit|college|institut", text, re.I)
            and not re.search(r"\d|[年月]|毕业|畢業|工作", text)
            or len(text) <= 12 and re.search(r"[大学學院校所]", text)
            and not re.search(r"[\d年月我你他她的吗嗎了呢吧啊呀咗嘅係唔冇不没沒也太很]", text))
    words = text.split()
    if not words or len(words) > 10:
        return False
    if re.search(r"universit|college|institut|school|polytechnic|academy|conservato", text, re.I):
        return True
    capitalised = sum(1 for w in words if w[:1].isupper() or w.isupper())
    return capitalised >= max(1, (len(words) + 1) // 2) and not re.search(
        r"\b(i|i'm|my|we|you|was|were|wait|let's|please)\b", text, re.I)


def validate_graduation_date(value: Any, today: dt.date, intent: Optional[str] = None) -> Verdict:
    text = _text(value)
    if said_dont_know(text, intent):
        return Verdict(UNKNOWN)
    date = parsing.parse_date(text, today, prefer="past")
    if date is None:
        return Verdict(message=t("check.graduation_no_date"))
    if date.earliest > today:
        return Verdict(message=t("check.graduation_future", date=date.iso))
    if date.year < 1950:
        return Verdict(message=t("check.graduation_too_early", year=date.year))
    return Verdict(date.iso)


def validate_work_months(value: Any, today: dt.date, graduation: Optional[str],
                         intent: Optional[str] = None) -> Verdict:
    if isinstance(value, dict) and value.get("start"):
        return Verdict(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        months = float(value)
    else:
        text = _text(value)
        if said_dont_know(text, intent):
            return Verdict(UNKNOWN)
        bare = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*", text)
        if bare:
            n = bare.group(1)
            return Verdict(message=t("check.work_months_or_years", n=n),
                           buttons=_buttons("check.work_months_or_years_buttons", n=n))
        duration = parsing.parse_duration(text, today)
        if duration is not None and duration.start is not None:
            # a dated period: ttps_logic counts the months after graduation in its window
            return Verdict({"start": duration.start, "end": duration.end,
                            "months": duration.months})
        parsed = None if duration is None else duration.months
        if parsed is None and graduation and graduation != UNKNOWN and \
                understanding.SINCE_GRADUATING.search(text):
            # "I've worked there ever since": a period from graduation until now
            grad = parsing.parse_date(graduation, today)
            if grad is not None and grad.earliest <= today:
                return Verdict({"start": grad.iso, "end": None,
                                "months": round(months_between(grad.earliest, today), 1)})
        if parsed is None and re.fullmatch(r"\s*(yes|yeah|yep|some|a few years|a while|many years|"
                                           r"several years|a long time)\s*[.!]*\s*", text, re.I):
            return Verdict(message=t("check.work_how_long"))
        if parsed is None:
            return Verdict(message=t("check.work_not_understood"))
        months = parsed
    if months < 0 or months > 600:
        return Verdict(message=t("check.work_implausible"))
    if graduation and graduation not in (UNKNOWN,):
        grad = parsing.parse_date(graduation, today)
        if grad is not None:
            since = months_between(grad.earliest, today)
            if months > since + 1:
                return Verdict(message=t("check.work_before_graduation", graduation=graduation,
                                         since=f"{since:.0f}"))
    return Verdict(round(months, 1))


def validate_yes_no_unknown(value: Any, intent: Optional[str] = None) -> Verdict:
    if isinstance(value, bool) or value == UNKNOWN:
        return Verdict(value)
    text = _text(value)
    if said_dont_know(text, intent):
        return Verdict(UNKNOWN)
    answer = parsing.parse_yes_no(text)
    if answer is None and intent in ("affirm", "deny") and parsing.word_count(text) <= 4:
        answer = intent == "affirm"   # "absolutely", "nope, never"
    if answer is None:
        return Verdict(message=t("check.yes_no"), buttons=yes_no_buttons())
    return Verdict(answer)


def validate_nationality(value: Any, intent: Optional[str] = None) -> Verdict:
    """A nationality from what people type; an ambiguous word ("Korean") or a spelling we can
    only guess at ("Brtish") is asked back with the candidates, never taken on a guess."""
    text = _text(value)
    if said_dont_know(text, intent) or value == SKIPPED:
        return Verdict(SKIPPED)
    if isinstance(value, str) and is_known_code(value):
        return Verdict(value)
    result = resolve_nationality(text)
    if result.status == "matched":
        return Verdict(result.code)
    if result.status == "ambiguous" and result.candidates:
        names = [_country(code, name) for code, name in result.candidates[:5]]
        question = (t("check.nationality_did_you_mean", name=names[0]) if len(names) == 1
                    else t("check.nationality_which", text=text.strip()))
        return Verdict(message=question,
                       buttons=[{"title": _country(code, name), "payload": code}
                                for code, name in result.candidates[:5]])
    return Verdict(message=t("check.nationality_unknown"))


def _country(code: str, name: str) -> str:
    """A candidate's name in this turn's language (the resolver gives English)."""
    try:
        return nationality_name(code, current())
    except (KeyError, ValueError):
        return name


def validate_application_date(value: Any, today: dt.date, intent: Optional[str] = None) -> Verdict:
    text = _text(value)
    if said_dont_know(text, intent):
        return Verdict(today.isoformat())
    date = parsing.parse_date(text, today, prefer="future")
    if date is None:
        return Verdict(message=t("check.application_ask"))
    day = date.earliest
    if date.month is None and date.year == today.year:
        day = today
    if day < launch_date():
        return Verdict(message=t("check.application_before_launch", date=launch_date().isoformat()))
    if day.year > today.year + 5:
        return Verdict(message=t("check.application_too_far"))
    return Verdict(day.isoformat())


def yes_no_buttons() -> list[dict]:
    return _buttons("check.yes_no_buttons")
