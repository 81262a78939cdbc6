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
from ttps_logic.nationality import is_known_code, resolve_nationality
from ttps_logic.params import launch_date, param
from ttps_logic.work import months_between

from . import parsing, understanding
from .facts import SKIPPED, UNKNOWN, income_items

OFFICIAL_LIST = param("list.url", dt.date.today())  # the same address on every date held
LARGE_UNIT_CURRENCIES = {"JPY", "KRW", "IDR", "VND", "INR", "PHP", "THB", "HUF", "ISK", "CLP",
                         "COP", "TWD", "RUB"}
_DONT_KNOW = re.compile(r"^\s*/?dont_know\b|\b(don'?t know|do not know|not sure|no idea|skip|"
                        r"rather not|prefer not|unsure|dunno|idk|pass)\b|不知道|不清楚|跳过|跳過",
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
    words = len(text.split())
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
        return Verdict(message="Income can't be negative. What was your total income in the "
                               "12 months before applying?")
    items = parsing.parse_incomes(text)
    if not items:
        return Verdict(message="Sorry, I couldn't find an amount in that. Please give your income "
                               "for the last 12 months, for example “HK$2.6M”, “RMB 1.8 million” "
                               "or “USD 330k”.")
    out = []
    for money in items:
        currency = None if money.currency in ("USD?", "¥?") else money.currency
        limit = 1e12 if currency in LARGE_UNIT_CURRENCIES else 1e9
        if money.amount > limit:
            return Verdict(message=f"{money.amount:,.0f} looks far too large for a year's income. "
                                   "Could you check the amount (and the currency)?")
        item = {"amount": format(money.amount.normalize(), "f"), "currency": currency,
                "type": money.type}
        if money.held_shares is not None:
            item["held_shares_throughout"] = money.held_shares
        out.append(item)
    note = None
    if all(i["type"] == "investment" for i in out):
        note = ("Noted. Income from personal investments doesn't count for Category A. If you "
                "also had salary or business income, tell me that amount too.")
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
        return Verdict(message="Which currency is that in? Please give a currency such as HKD, RMB, "
                               "USD or GBP.",
                       buttons=[{"title": c, "payload": c} for c in ("HKD", "RMB", "USD", "GBP", "EUR")])
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
        return Verdict(message="Sorry, which kind of income is it: salary from a job, profit from "
                               "your own business, or investment income (dividends, interest, rent)?",
                       buttons=INCOME_TYPE_BUTTONS)
    items = [dict(i, type=i.get("type") or kind) for i in income_items(income)]
    note = None
    if kind == "other":
        note = ("OK. If part of it is salary or business income and part investments, you can tell "
                "me the amounts separately, e.g. “HK$1M salary and HK$1.5M dividends”.")
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
        return Verdict(message="Sorry — did you hold your company's shares throughout the tax year "
                               "before you apply? Please answer yes or no (or “not sure”).",
                       buttons=YES_NO_BUTTONS)
    return Verdict(held)


INCOME_TYPE_BUTTONS = [{"title": "Salary / employment", "payload": "salary"},
                       {"title": "My own business", "payload": "business profit"},
                       {"title": "Investments", "payload": "investment income"},
                       {"title": "A mix / not sure", "payload": "a mix"}]


def validate_has_degree(value: Any, intent: Optional[str] = None) -> Verdict:
    """A yes/no answer, plus two answers people give instead: "only a master's" (no) and the
    name of a university (yes, and that settles the next question too)."""
    text = _text(value)
    if not isinstance(value, bool) and value != UNKNOWN and not said_dont_know(text, intent):
        if re.search(r"\bonly (a |an |have )?(master|phd|doctor|mba|diploma|associate)|\bno bachelor|"
                     r"\bno degree|\bnever (went to|finished) (uni|university|college)", text, re.I):
            return Verdict(False)
        if re.search(r"\bbachelor|\bundergrad|\bb\.?\s?(sc|a|eng|com|ba)\b|\bbs\b|本科|学士|學士", text, re.I) \
                and not re.search(r"\b(no|not|never|don'?t|didn'?t)\b", text, re.I):
            return Verdict(True)
        if parsing.parse_yes_no(text) is None and registry().resolve(text).status in ("matched",
                                                                                   "excluded_arm"):
            return Verdict(True, also={"university": text})
    verdict = validate_yes_no_unknown(value, intent)
    if not verdict.ok:
        verdict.message = "Sorry — do you hold a bachelor's degree? Please answer yes or no."
    return verdict


def validate_university(value: Any, intent: Optional[str] = None) -> Verdict:
    text = _text(value).strip()
    if said_dont_know(text, intent):
        return Verdict(UNKNOWN)
    if not text:
        return Verdict(message="Which university awarded your bachelor's degree?")
    if parsing.parse_yes_no(text) is False and len(text) < 20:
        return Verdict(None, also={"has_degree": False})
    if parsing.parse_yes_no(text) is True and len(text.split()) <= 3:
        return Verdict(message="Which university awarded your bachelor's degree? Please give its "
                               "name, for example “Fudan University” or “University of Toronto”.")
    res = registry().resolve(text)
    if res.status == "matched":
        return Verdict(res.institution.name, also={"has_degree": True})
    if res.status == "excluded_arm" and res.arm is not None:
        # Note 4: kept as typed, so that ttps_logic recognises it again and answers with the note
        parent = f" of {res.arm.parent.name}" if res.arm.parent is not None else ""
        return Verdict(text, also={"has_degree": True},
                       message=f"Noted: “{text}” looks like {res.arm.name}{parent}, not the "
                               "university itself. Degrees awarded by a university's continuing-"
                               "education arm, extension or branch school don't count as degrees of "
                               "that university (Note 4) — the answer will explain. If your degree "
                               "was awarded by the university itself, tell me its name.")
    if res.status == "ambiguous":
        options = [c.name for c, _ in res.candidates[:4]]
        buttons = [{"title": n, "payload": n} for n in options]
        if res.others or len(options) > 1:
            buttons.append({"title": "Another institution", "payload": "/dont_know"})
        also_meant = list(res.others)[:3]
        more = f" It may also mean {', '.join(also_meant)}, which I don't have on the list." if also_meant else ""
        return Verdict(message=f"“{text}” could be more than one university.{more} Which one?",
                       buttons=buttons)
    if not _looks_like_a_name(text):
        return Verdict(message="Sorry, which university awarded your bachelor's degree? Please "
                               "give its name, for example “Fudan University” or “University of "
                               "Toronto”, or say “I don't know”.")
    return Verdict(text, also={"has_degree": True},
                   message=f"I can't find “{text}” on the eligible-university list I know. I'll "
                           "note it as given; for Categories B and C the answer will be "
                           f"“can't tell”. You can check the [official list]({OFFICIAL_LIST}) "
                           "or correct the name at any time.")


def _looks_like_a_name(text: str) -> bool:
    """An institution we don't know is kept as typed only if it reads like a name ("Sunway
    College", "Universidad de los Andes", "某某学院"), not like a sentence."""
    if re.search(r"[\u3400-\u9fff]", text):
        return len(text) <= 30
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
        return Verdict(message="Sorry, I didn't catch the date. When did you graduate? For "
                               "example “June 2021” or “2019”.")
    if date.earliest > today:
        return Verdict(message=f"{date.iso} is in the future. Only a degree you already hold "
                               "counts — when did (or will) you graduate? If it's still ahead, "
                               "you can ask “what if I apply next July?” after the check.")
    if date.year < 1950:
        return Verdict(message=f"{date.year} seems too early. When did you graduate?")
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
            return Verdict(message=f"Is that {n} months or {n} years?",
                           buttons=[{"title": f"{n} months", "payload": f"{n} months"},
                                    {"title": f"{n} years", "payload": f"{n} years"}])
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
            return Verdict(message="How long, roughly? For example “18 months”, “3.5 years” or "
                                   "“since 2021”. Only full-time or self-employed work counts.")
        if parsed is None:
            return Verdict(message="Sorry, I didn't get how long you have worked. For example "
                                   "“18 months”, “3.5 years”, “since 2021” or “none”.")
        months = parsed
    if months < 0 or months > 600:
        return Verdict(message="That doesn't look right. How many months or years of full-time "
                               "or self-employed work have you had since graduating?")
    if graduation and graduation not in (UNKNOWN,):
        grad = parsing.parse_date(graduation, today)
        if grad is not None:
            since = months_between(grad.earliest, today)
            if months > since + 1:
                return Verdict(message=f"You graduated in {graduation}, about {since:.0f} months "
                                       "ago, and only work after graduating counts. How much "
                                       "full-time or self-employed work have you done since then?")
    return Verdict(round(months, 1))


def validate_yes_no_unknown(value: Any, intent: Optional[str] = None) -> Verdict:
    if isinstance(value, bool) or value == UNKNOWN:
        return Verdict(value)
    text = _text(value)
    if said_dont_know(text, intent):
        return Verdict(UNKNOWN)
    answer = parsing.parse_yes_no(text)
    if answer is None and intent in ("affirm", "deny") and len(text.split()) <= 4:
        answer = intent == "affirm"   # "absolutely", "nope, never"
    if answer is None:
        return Verdict(message="Please answer yes or no (or “not sure”).", buttons=YES_NO_BUTTONS)
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
        names = [name for _, name in result.candidates[:5]]
        question = (f"Did you mean {names[0]}?" if len(names) == 1
                    else f"“{text.strip()}” could mean more than one country. Which one?")
        return Verdict(message=question,
                       buttons=[{"title": name, "payload": code} for code, name in result.candidates[:5]])
    return Verdict(message="Sorry, I don't recognise that nationality. Please give your "
                           "country of citizenship (e.g. “Chinese”, “British”), or say skip.")


def validate_application_date(value: Any, today: dt.date, intent: Optional[str] = None) -> Verdict:
    text = _text(value)
    if said_dont_know(text, intent):
        return Verdict(today.isoformat())
    date = parsing.parse_date(text, today, prefer="future")
    if date is None:
        return Verdict(message="When do you plan to apply? For example “next June” or "
                               "“March 2027”.")
    day = date.earliest
    if date.month is None and date.year == today.year:
        day = today
    if day < launch_date():
        return Verdict(message=f"The scheme opened on {launch_date().isoformat()}; please give "
                               "a date after that.")
    if day.year > today.year + 5:
        return Verdict(message="That is very far ahead; the rules may well change by then. "
                               "Please give a date within the next few years.")
    return Verdict(day.isoformat())


YES_NO_BUTTONS = [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"},
                  {"title": "Not sure", "payload": "/dont_know"}]
