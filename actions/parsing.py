"""Understanding what people type: amounts of money, dates, durations, yes/no, nationalities.

No Rasa import here, so every parser is unit-tested on its own. Dates go through dateparser
(which also reads Chinese dates such as 2024年6月); institutions through ttps_logic's registry;
nationalities through ttps_logic's resolver; spelled-out numbers through word2number.
Each parser returns None when it cannot understand the text, never a guess.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from decimal import Decimal, InvalidOperation
from typing import Optional

from dateparser.date import DateDataParser
from dateparser.search import search_dates
from word2number import w2n
import warnings

import cn2an
from number_parser import parse as number_parse

from ttps_logic.nationality import resolve_nationality

# --------------------------------------------------------------------------------------------
# Money

# Currency markers people use, mapped to ISO 4217 codes. Longest first when matching.
CURRENCY_WORDS = {
    "hk$": "HKD", "hkd": "HKD", "hk dollars": "HKD", "hong kong dollars": "HKD", "港幣": "HKD",
    "港币": "HKD", "港元": "HKD", "港纸": "HKD", "港紙": "HKD", "蚊": "HKD",   # 蚊: Cantonese "dollars"
    "us$": "USD", "usd": "USD", "us dollars": "USD", "美元": "USD", "美金": "USD",
    "rmb": "CNY", "cny": "CNY", "yuan": "CNY", "renminbi": "CNY", "人民币": "CNY", "人民幣": "CNY",
    "元": "CNY", "块钱": "CNY", "塊錢": "CNY",
    "£": "GBP", "gbp": "GBP", "pounds": "GBP", "pound": "GBP", "英镑": "GBP", "英鎊": "GBP",
    "€": "EUR", "eur": "EUR", "euros": "EUR", "euro": "EUR", "欧元": "EUR", "歐元": "EUR",
    "s$": "SGD", "sgd": "SGD", "a$": "AUD", "aud": "AUD", "c$": "CAD", "cad": "CAD",
    "nt$": "TWD", "twd": "TWD", "jpy": "JPY", "yen": "JPY", "¥": "¥?", "￥": "¥?", "日元": "JPY",
    "krw": "KRW", "won": "KRW", "chf": "CHF", "inr": "INR", "rupees": "INR", "myr": "MYR",
    "nzd": "NZD", "thb": "THB", "aed": "AED", "sar": "SAR", "idr": "IDR", "php": "PHP",
    "马币": "MYR", "馬幣": "MYR", "令吉": "MYR", "新币": "SGD", "新幣": "SGD", "新加坡元": "SGD",
    "台币": "TWD", "台幣": "TWD", "新台币": "TWD", "新台幣": "TWD", "澳元": "AUD", "澳币": "AUD",
    "澳幣": "AUD", "加元": "CAD", "加币": "CAD", "加幣": "CAD", "日币": "JPY", "日幣": "JPY",
    "日圆": "JPY", "日圓": "JPY", "韩元": "KRW", "韓元": "KRW", "韩币": "KRW", "韓幣": "KRW",
    "澳门币": "MOP", "澳門幣": "MOP", "澳门元": "MOP", "澳門元": "MOP", "葡币": "MOP", "葡幣": "MOP",
    "欧罗": "EUR", "歐羅": "EUR", "瑞郎": "CHF", "泰铢": "THB", "泰銖": "THB", "卢比": "INR", "盧比": "INR",
    "$": "USD?",  # a bare dollar sign: ask, unless the context says HK
}
_CURRENCY_RE = re.compile(
    "|".join(re.escape(k) for k in sorted(CURRENCY_WORDS, key=len, reverse=True)), re.I)
_MULTIPLIERS = {
    "k": 1_000, "thousand": 1_000, "千": 1_000, "万": 10_000, "萬": 10_000, "w": 10_000,
    "m": 1_000_000, "mn": 1_000_000, "mil": 1_000_000, "mio": 1_000_000, "million": 1_000_000,
    "millions": 1_000_000, "百万": 1_000_000, "百萬": 1_000_000, "b": 1_000_000_000,
    "bn": 1_000_000_000, "billion": 1_000_000_000, "亿": 100_000_000, "億": 100_000_000,
}
_NUMBER_RE = re.compile(
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*"
    r"(?P<mult>thousand|millions?|mil|mio|mn|billion|bn|百万|百萬|[kmb](?![a-z])|w(?![a-z])|千|万|萬|亿|億)?",
    re.I)
_INVESTMENT = re.compile(r"invest|dividend|rental|rent\b|interest|capital gain|passive|portfolio|"
                         r"股息|分红|分紅|利息|租金|投资|投資|理财|理財", re.I)
_BUSINESS = re.compile(r"own (company|business|firm)|business|profit|self[- ]employ|freelanc|"
                       r"my (company|firm|startup)|自己的公司|公司利润|公司利潤|生意|经营|經營|做老板|做老闆", re.I)
_MONTHLY = re.compile(r"per month|a month|monthly|/\s*mo(nth)?\b|月薪|每月|每個月|每个月|月入|月收入|"
                      r"一个月|一個月|个月[赚賺收]|個月[赚賺收]|月人工|月糧|月粮", re.I)
_STOCK = re.compile(r"stock option|share option|rsu|esop|期权|期權", re.I)


@dataclass
class Money:
    amount: Decimal
    currency: Optional[str]   # None: no currency given; "USD?" bare "$"
    type: Optional[str]       # income type for ttps_logic; None: the words don't say
    held_shares: Optional[bool] = None   # business profit: shares held throughout (Note 1)
    strong: bool = True       # clearly an amount of money (currency, "M"/"k", income words)


def _spelled_number(text: str) -> Optional[Decimal]:
    words = re.sub(r"[^a-z\s-]", " ", text.lower())
    words = re.sub(r"\b(hk|hkd|usd|dollars?|a|year|per|annually|about|around|roughly|approximately|"
                   r"nearly|over|under|more|than|less|income|salary|my|was|is|i|earn|earned|made|"
                   r"make)\b", " ", words)
    if not re.search(r"\b(million|thousand|hundred|billion|one|two|three|four|five|six|seven|"
                     r"eight|nine|ten)\b", words):
        return None
    try:
        return Decimal(w2n.word_to_num(words))
    except ValueError:
        return None


_SALARY = re.compile(r"salar|wage|\bpay\b|paid|payroll|employ|bonus|remuneration|compensation|\bjobs?\b|"
                     r"工资|工資|薪|人工|月薪|年薪|收入来自工作", re.I)
_ALLOWANCE = re.compile(r"allowance|津贴|津貼", re.I)


def income_type(text: str) -> Optional[str]:
    """The kind of income the words say, or None when they don't say (then ask, or leave it
    to ttps_logic as of unknown type: never assume salary)."""
    if _INVESTMENT.search(text):
        return "investment"
    if _STOCK.search(text):
        return "stock_options"
    if _BUSINESS.search(text):
        return "business_profit"
    if _ALLOWANCE.search(text):
        return "allowance"
    if _SALARY.search(text):
        return "salary"
    return None


def _amounts(text: str) -> list[tuple[Decimal, bool, int, int]]:
    """Every amount in the text: (value, has a multiplier or thousands separator, start, end).
    Years ("in 2021") and durations ("3 years") are not amounts."""
    out = []
    for m in _NUMBER_RE.finditer(text):
        num = m.group("num").replace(",", "")
        rest = text[m.end():m.end() + 8].lower()
        if re.match(r"\s*(years?|yrs?|months?|mos?\b|weeks?|days?|年|个月|個月|月|日(?!元|圓|圆))", rest):
            continue
        if re.fullmatch(r"(19|20)\d\d", num) and not m.group("mult"):
            continue
        before = text[max(0, m.start() - 1):m.start()]
        if before.isalpha() and before.isascii() and before.lower() not in ("k", "m"):
            continue  # part of a word or code ("B2", "COVID19")
        after = text[m.end("num"):m.end("num") + 1]
        if after.isascii() and after.isalnum() and not m.group("mult"):
            continue  # "1e309", "3rd": not an amount
        try:
            value = Decimal(num)
        except InvalidOperation:
            continue
        mult = (m.group("mult") or "").lower()
        if mult:
            value *= _MULTIPLIERS[mult]
        out.append((value, bool(mult) or "," in m.group("num") or value >= 10_000,
                     m.start(), m.end()))
    return out


def _currency_in(text: str) -> Optional[str]:
    cm = _CURRENCY_RE.search(text)
    if not cm:
        return None
    currency = CURRENCY_WORDS[cm.group(0).lower()]
    if currency == "USD?" and re.search(r"\bhk\b|hong kong|港", text, re.I):
        currency = "HKD"
    return currency


_INCOME_WORDS = re.compile(r"earn|income|salar|made|make|paid|pay\b|profit|dividend|wage|"
                           r"收入|工资|工資|薪|人工|赚|賺|利润|利潤", re.I)
_SEGMENTS = re.compile(r",(?!\d{3})|[;，；。]|\band\b|\bplus\b|\+|\bas well as\b|\bwith\b|以及|另外|加上|还有|還有|同埋", re.I)


def parse_incomes(text: str) -> list[Money]:
    """Each amount of income in a message, with its kind when the words say it:
    "HK$1M salary plus HK$1.5M dividends" -> two items, salary and investment; "2.6M" -> one item
    of unknown type. Monthly amounts are made yearly."""
    if not text or not text.strip():
        return []
    norm = normalise_numbers(text)
    items: list[Money] = []
    pos = 0
    segments = []
    for m in _SEGMENTS.finditer(norm):
        segments.append(norm[pos:m.start()])
        pos = m.end()
    segments.append(norm[pos:])
    for seg in segments:
        found = _amounts(seg)
        if not found:
            continue
        value, strong, _, _ = found[0]
        if _MONTHLY.search(seg):
            value *= 12
        items.append(Money(amount=value, currency=_currency_in(seg), type=income_type(seg),
                           strong=strong or bool(_currency_in(seg)) or bool(_INCOME_WORDS.search(seg))))
    held = held_shares(norm)
    for item in items:
        if held is not None and (item.type == "business_profit" or item.type is None):
            item.held_shares = held
    if not items:
        value = _spelled_number(norm)
        if value is None:
            return []
        if _MONTHLY.search(norm):
            value *= 12
        items = [Money(amount=value, currency=_currency_in(norm), type=None, strong=True)]
    currencies = {c for c in (_currency_in(seg) for seg in segments) if c}
    kinds = {k for k in (income_type(seg) for seg in segments) if k}
    for item in items:
        if item.currency is None and len(currencies) == 1:
            item.currency = next(iter(currencies))
        if item.type is None and len(items) == 1 and len(kinds) == 1:
            item.type = next(iter(kinds))
    return items


_HELD_YES = re.compile(
    r"\b(own(ed)?|held|hold|have (held|owned))\s+(all|100\s*%|most|the majority|a majority|all of|the)\b.{0,20}\bshares?|"
    r"\b(sole|only) (owner|shareholder)|\b100\s*% (owner|of the shares)|\bwhole year\b.*\bshares|"
    r"\bshares?\b.{0,30}\b(throughout|the whole|all year|since (i )?found)|独资|獨資|全资|全資|一直持股", re.I)
_HELD_NO = re.compile(r"\b(sold|bought|acquired) (my |the )?shares\b.{0,30}\b(during|in the middle|halfway|part)|"
                      r"\bnot (held|owned)\b.{0,20}\bshares", re.I)


def held_shares(text: str) -> Optional[bool]:
    """Note 1's condition for a business's profit: did the person hold its shares throughout?"""
    if _HELD_NO.search(text):
        return False
    if _HELD_YES.search(text):
        return True
    return None


def parse_money(text: str) -> Optional[Money]:
    """The first amount in the text: '2.6M', 'HK$2,600,000', 'USD 330k', '260萬港幣'."""
    items = parse_incomes(text)
    return items[0] if items else None


_CJK = re.compile(r"[\u3400-\u9fff]")


_DIGIT_WORDS = {"zero": "0", "oh": "0", "one": "1", "two": "2", "three": "3", "four": "4",
                "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9"}
_POINT = re.compile(r"\b(\w+)\s+point\s+((?:(?:zero|one|two|three|four|five|six|seven|eight|nine)\s*)+)", re.I)


def _decimal_words(text: str) -> str:
    """'three point two million' -> '3.2 million' (number-parser reads "point" wrongly)."""
    def repl(m: re.Match) -> str:
        whole = m.group(1)
        if not whole.isdigit():
            try:
                whole = str(w2n.word_to_num(whole))
            except ValueError:
                return m.group(0)
        digits = "".join(_DIGIT_WORDS[w.lower()] for w in m.group(2).split())
        return f"{whole}.{digits} "
    return _POINT.sub(repl, text)


_NOT_NUMBERS = re.compile(
    r"一下|一些|一起|一直|一般|一定|一样|一樣|一点|一點|一边|一邊|一切|一共|一旦|一向|一致|一同|一齐|"
    r"一齊|一概|一律|一再|一面|一度|一啲|一齊|万一|萬一|统一|統一|唯一|第一|一一|一手|一心|一家|一生|"
    r"一路|一半(?!年)|一番|一阵|一陣|一会|一會|一早|一向|一起|一方面|不一|一模|一口|一对一|一對一")


def word_count(text: str) -> int:
    """Words in a message, Chinese characters counting two to a word (Chinese is written without
    spaces: "我不知道" is two words, not one)."""
    cjk = len(_CJK.findall(text or ""))
    latin = len(_CJK.sub(" ", text or "").split())
    return latin + (cjk + 1) // 2


@lru_cache(maxsize=4096)
def normalise_numbers(text: str) -> str:
    """Number words to digits ("eight and a half years" -> "8 and a half years", "三年半" ->
    "3年半", "三百万" -> "3000000"), with number-parser and cn2an.

    A pure function of the text, cached: the parsers of one message each call it on the same
    text. number-parser is told the language (English: the Latin-script language the assistant
    serves) instead of guessing it, which cost about 6 ms a call (it builds every language's
    tables to choose one)."""
    out = text
    if _CJK.search(out):
        # words written with a numeral that are not numbers ("查一下", "一直", "万一") are kept
        # away from cn2an, which would make "查1下" of them
        kept = []

        def keep(m: re.Match) -> str:
            kept.append(m.group(0))
            return f"\ue002{len(kept) - 1}\ue003"
        guarded = _NOT_NUMBERS.sub(keep, out)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                guarded = cn2an.transform(guarded, "cn2an")
        except Exception:  # cn2an raises on some mixed strings; keep the text as it is
            pass
        out = re.sub("\ue002(\\d+)\ue003", lambda m: kept[int(m.group(1))], guarded)
    out = _decimal_words(out)
    if re.search(r"[a-z]", out, re.I) and not re.search(r"\bpoint\b", out, re.I):
        # "4 million" is already a number: keep its multiplier away from number-parser
        kept: list[str] = []

        def keep(m: re.Match) -> str:
            kept.append(m.group(2))
            return f"{m.group(1)} \ue000{len(kept) - 1}\ue001"
        guarded = re.sub(r"\b(a|one) (million|thousand|billion)\b", r"1 \2", out, flags=re.I)
        guarded = re.sub(r"(\d)\s*(millions?|thousand|billion)\b", keep, guarded, flags=re.I)
        try:
            guarded = number_parse(guarded, language="en")
        except Exception:
            pass
        out = re.sub("\ue000(\\d+)\ue001", lambda m: kept[int(m.group(1))], guarded)
    return out


# --------------------------------------------------------------------------------------------
# Dates

_DDP = DateDataParser(languages=["en", "zh"], settings={"PREFER_DAY_OF_MONTH": "first"})
_SEASONS = {"spring": 4, "summer": 7, "autumn": 10, "fall": 10, "winter": 12}
_MONTHS = {m.lower(): i for i, m in enumerate(
    ["January", "February", "March", "April", "May", "June", "July", "August", "September",
     "October", "November", "December"], start=1)}
_MONTHS.update({k[:3]: v for k, v in list(_MONTHS.items())})


@dataclass
class PartialDate:
    """A date known to the day, the month or only the year."""
    year: int
    month: Optional[int] = None
    day: Optional[int] = None

    @property
    def iso(self) -> str:
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    @property
    def earliest(self) -> dt.date:
        return dt.date(self.year, self.month or 1, self.day or 1)


def parse_date(text: str, today: dt.date, prefer: str = "past") -> Optional[PartialDate]:
    """'June 2021', '2019', 'last year', '07/2022', 'summer 2023', 'next June', '2024年6月'."""
    if not text or not text.strip():
        return None
    if _CJK.search(text):
        # "二零一九年毕业" -> "2019年毕业"; "一九年毕业" (a two-digit year) -> "2019年毕业"
        text = normalise_numbers(text)
        text = re.sub(r"(?<![\d.])(\d\d)(年(?:\d{1,2}月)?)(?=\s*(?:毕业|畢業|畢咗業|毕的业|畢嘅業|[。！!]?\s*$))",
                      lambda m: f"{'20' if int(m.group(1)) <= today.year % 100 else '19'}{m.group(1)}{m.group(2)}", text)
        nearby = re.search(r"(上|下)(?:个|個)月", text)
        if nearby:
            month = today.month + (1 if nearby.group(1) == "下" else -1)
            year = today.year + (month - 1) // 12
            return PartialDate(year, (month - 1) % 12 + 1)
        season = re.search(r"((?:19|20)\d\d)年?\s*(春|夏|秋|冬)(?:天|季)", text)
        if season:
            return PartialDate(int(season.group(1)), {"春": 4, "夏": 7, "秋": 10, "冬": 12}[season.group(2)])
        relative = re.search(r"(去年|今年|明年|前年|後年|后年)(?:(\d{1,2})月)?", text)
        if relative:
            offset = {"去年": -1, "今年": 0, "明年": 1, "前年": -2, "後年": 2, "后年": 2}[relative.group(1)]
            month = int(relative.group(2)) if relative.group(2) else None
            if month is None or 1 <= month <= 12:
                return PartialDate(today.year + offset, month)
    t = text.strip().lower()
    m = re.search(r"\bnext (\w+)", t)
    if m and m.group(1) in _MONTHS:
        month = _MONTHS[m.group(1)]
        year = today.year + (1 if month <= today.month else 0)
        return PartialDate(year, month)
    if re.search(r"\bnext year\b", t):
        return PartialDate(today.year + 1)
    if re.search(r"\bthis year\b", t):
        return PartialDate(today.year)
    if re.search(r"\blast year\b", t):
        return PartialDate(today.year - 1)
    if re.search(r"\b(today|now|right away|immediately|asap)\b", t):
        return PartialDate(today.year, today.month, today.day)
    m = re.search(r"\b(spring|summer|autumn|fall|winter)\b\D*((?:19|20)\d\d)", t)
    if m:
        return PartialDate(int(m.group(2)), _SEASONS[m.group(1)])
    m = re.fullmatch(r"\D*((?:19|20)\d\d)\D*", t)
    if m and not any(name in t for name in _MONTHS) and "月" not in t:
        return PartialDate(int(m.group(1)))
    settings = {"RELATIVE_BASE": dt.datetime.combine(today, dt.time()),
                "PREFER_DATES_FROM": "future" if prefer == "future" else "past"}
    data = _DDP.get_date_data(text.strip())
    if data.date_obj is None:
        found = search_dates(text, languages=["en", "zh"], settings=settings)
        if not found:
            return None
        phrase = found[-1][0]
        data = _DDP.get_date_data(phrase)
        if data.date_obj is None:
            return None
    d = data.date_obj.date()
    if data.period == "year":
        return PartialDate(d.year)
    if data.period == "month":
        return PartialDate(d.year, d.month)
    return PartialDate(d.year, d.month, d.day)


# --------------------------------------------------------------------------------------------
# Durations of work

_WORD_FRACTIONS = {"and a half": 0.5, "and half": 0.5, "半": 0.5}
_NONE = re.compile(r"\b(no|none|zero|nothing|never)\b.*\b(work|experience|job)|^\s*(none|nil|zero|nothing)\b|"
                   r"^\s*(no|none|zero|0|nil|n/a)\s*$|没有|沒有|无|無工作|冇工作|冇做過|未做過|未做过|未工作过|"
                   r"未工作過|^\s*(冇|無|无|零)\s*[。!！]?\s*$|fresh grad|just graduated|"
                   r"haven'?t worked|not worked|still (a )?student|ha(ve|s)n'?t had an? ([\w-]+ )?job|"
                   r"not had a job|(no|haven'?t had any) (full[- ]time )?job|unemployed|not working|"
                   r"^\s*(only|just) (part[- ]time|internships?)|(only|just) (done )?(part[- ]time|internships?)|"
                   r"no full[- ]time|never (had a )?full[- ]time|兼职|兼職|实习|實習", re.I)


def _number_before(text: str, unit_pattern: str) -> Optional[float]:
    m = re.search(r"(\d+(?:\.\d+)?)\s*(?:\+\s*)?" + unit_pattern, text, re.I)
    if m:
        return float(m.group(1))
    m = re.search(r"([a-z][a-z\s-]*?)\s+" + unit_pattern, text, re.I)
    if m:
        words = m.group(1).split()
        for start in range(len(words)):
            chunk = " ".join(words[start:])
            chunk_clean = chunk.replace("a half", "").replace("and", "").strip()
            if chunk_clean in ("a", "an", "one"):
                return 1.0
            try:
                return float(w2n.word_to_num(chunk_clean))
            except ValueError:
                continue
    return None


_APPROX = re.compile(r"\b(about|around|roughly|approximately|approx|circa|some|~)\b|~|左右|大概|大约|大約|差不多|差唔多|"
                     r"大概|估计|估計|應該|应该", re.I)
_UNDER = re.compile(r"\b(almost|nearly|just under|not quite|less than|under|short of|shy of)\b|不到|未够|未夠", re.I)
_OVER = re.compile(r"\b(over|more than|just over|a bit over|a little over|slightly over|plus)\b|\d\s*\+|"
                   r"(?<!差不)(?<!差唔)多|幾(?!多|耐)|几(?!多)", re.I)
_NOW = re.compile(r"^\s*(now|present|today|currently|date|still)\b|至今|现在|現在|而家", re.I)


@dataclass
class Duration:
    months: float
    approximate: bool = False
    start: Optional[str] = None   # a dated period ("since 2019", "from 2018 to 2023"): its start
    end: Optional[str] = None     # ... and its end as said; None with a start: still working


def _month_after(d: PartialDate) -> dt.date:
    """The day after the period a partial date names ends ("2023" -> 2024-01-01)."""
    if d.month is None:
        return dt.date(d.year + 1, 1, 1)
    if d.day is None:
        return dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return d.earliest + dt.timedelta(days=1)


def parse_duration(text: str, today: dt.date) -> Optional[Duration]:
    """How long someone worked: '18 months', 'eight and a half years', 'about 8 years', 'a bit
    over a year', 'since 2019', 'from 2018 to 2023', '2018-2023', '三年半', '做咗5年'."""
    if not text or not text.strip():
        return None
    from ttps_logic.work import months_between
    t = normalise_numbers(text.strip()).lower()
    clauses = [c for c in re.split(r"[;；。]|,(?!\d{3})|\bbut\b", t) if c.strip()]
    kept = [c for c in clauses if not re.search(r"\bbefore (my|the|i|graduat|uni|college|the degree)|"
                                                 r"毕业前|畢業前|读书前|讀書前", c)]
    if kept and len(kept) < len(clauses):
        t = " ".join(kept)   # "about a year since graduating; before my degree I worked 4 years"
    if _NONE.search(t):
        return Duration(0.0)
    approx = bool(_APPROX.search(t))
    # a span of time: "from 2018 to 2023", "between June 2018 and May 2023", "2018-2023"
    date_ish = r"(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+)?(?:19|20)\d\d"
    m = (re.search(r"\b(?:from|between)\s+(" + date_ish + r")\s*(?:to|until|till|through|and|-|–)\s*(" + date_ish +
                   r"|now|present|today|the present|date)\b", t)
         or re.search(r"\b((?:19|20)\d\d)\s*(?:-|–|to)\s*((?:19|20)\d\d|now|present|today)\b", t)
         or re.search(r"((?:19|20)\d\d年?(?:\d{1,2}月)?)\s*(?:至|到|-|–)\s*((?:19|20)\d\d年?(?:\d{1,2}月)?|至今|现在|現在)", t))
    if m:
        start = parse_date(m.group(1), today)
        end_text = m.group(2).strip()
        end = None if _NOW.search(end_text) else parse_date(end_text, today)
        if start is not None and (end is not None or _NOW.search(end_text)):
            begin = start.earliest
            if end is None:
                stop = today
            elif end.month is None and start.month is None:
                stop = end.earliest          # "2018 to 2023": five years, as people count
            else:
                stop = min(_month_after(end), today)
            if begin <= stop <= today + dt.timedelta(days=1):
                return Duration(round(months_between(begin, stop), 1), approx, start.iso,
                                end.iso if end is not None else None)
            return None
    m = re.search(r"\b(since|from)\b\s+(.*)", t) or re.search(r"(?:自从|自從|从|從|自|由)?\s*((?:19|20)\d\d年?(?:\d{1,2}月)?)\s*(?:份)?\s*(?:起|开始|開始|以来|以來|到而家|至今|做到而家|做到现在|做到現在|到现在|到現在)", t)
    if m:
        since_text = m.group(m.lastindex)
        dated = re.match(r"\s*((early|late|mid|the (start|end|beginning) of)\s+)?((jan|feb|mar|apr|may|jun|jul|aug|"
                         r"sep|oct|nov|dec)[a-z]*\.?\s+)?((19|20)\d\d|last year)", since_text) or \
            re.match(r"\s*(19|20)\d\d", since_text)
        if not dated and m.group(1) == "since":   # "since finishing my PhD in 2019"
            later = re.match(r"[^,;.]{0,40}?\b(in|of)\s+(((jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+)?"
                             r"(19|20)\d\d)\b", since_text)
            if later:
                since_text, dated = later.group(2), later
        start = parse_date(since_text, today) if dated else None
        if start is not None and start.earliest <= today and start.year >= 1950:
            return Duration(round(months_between(start.earliest, today), 1), approx, start.iso, None)
        # "since then, about 8 years", "since graduating": the length follows
    years = months = None
    y = re.search(r"(\d+(?:\.\d+)?)\s*(?:\+\s*)?(?:years?|yrs?|yr\b|y\b|年)", t)
    mo = re.search(r"(\d+(?:\.\d+)?)\s*(?:\+\s*)?(?:months?|mos?\b|mths?\b|个月|個月|月)", t)
    half = re.search(r"(\d+)\s+and\s+(?:a\s+)?half\s+(?:years?|yrs?)", t)
    if half:
        years = float(half.group(1)) + 0.5
    elif y:
        years = float(y.group(1))
    if years is not None and years >= 1900:
        return None   # a year ("2020年"), not a duration
    if mo:
        months = float(mo.group(1))
    if years is None:
        if re.search(r"\bhalf (a|an) year\b|半年", t):
            months = (months or 0) + 6
        elif re.search(r"\b(a|an|one) (year|yr)\b|\bover a year\b|\ba year\b", t):
            years = 1.0
        elif re.search(r"\ba couple of years\b", t):
            years = 2.0
        elif re.search(r"\ba decade\b", t):
            years = 10.0
    if years is None and months is None:
        return None
    total = (years or 0) * 12 + (months or 0)
    if years is not None and not half and re.search(r"and (a )?half|年半", t):
        total += 6
    if _UNDER.search(t):
        total -= 1
    elif _OVER.search(t) and not mo:
        total += 1
    if total < 0:
        return None
    return Duration(round(total, 1), approx)


def parse_duration_months(text: str, today: dt.date) -> Optional[float]:
    """The number of months in a duration, or None (see parse_duration)."""
    d = parse_duration(text, today)
    return None if d is None else d.months


# --------------------------------------------------------------------------------------------
# Yes / no and nationality

# a button's payload ("/affirm", "/deny") is a yes or no too
# Chinese answers (Mandarin and Cantonese) are whole answers, or start one followed by a pause
# ("係，我係非本地生"): Chinese is written without spaces, and "是清华大学" or "无锡的江南大学"
# are not a yes or a no.
_ZH_END = r"(?=\s*(?:$|[,，。.!！~～、;；]))"
_YES = re.compile(r"^\s*(/affirm|y|yes|yeah|yep|yup|sure|correct|right|i do|i did|i was|true|是|对|對|有)\b|"
                  r"^\s*(是的?|对的?|對的?|係[呀啊嘅㗎]?|有[的啊呀㗎]?|嗯|好的?|没错|沒錯|冇錯|正确|正確|当然|當然|梗係)"
                  + _ZH_END, re.I)
_NO = re.compile(r"^\s*(/deny|n|no|nope|nah|not really|i don'?t|i didn'?t|i wasn'?t|false|否|不是|没有|沒有)\b|"
                 r"^\s*(不是的?|唔係[呀啊]?|唔是|冇[呀啊㗎]?|没有|沒有|没|沒|无|無|否|不对|不對|唔啱|唔有|并没有|並沒有)"
                 + _ZH_END + r"|^\s*(没有|沒有|冇|唔係|不是)", re.I)


def parse_yes_no(text: str) -> Optional[bool]:
    if not text:
        return None
    if _NO.search(text):
        return False
    if _YES.search(text):
        return True
    return None


def parse_nationality(text: str) -> Optional[str]:
    """The code of a nationality the words name without doubt ('Vietnamese', 'a British
    citizen', '中國', 'UK'), from ttps_logic's resolver; None when unknown or ambiguous."""
    if not text or not text.strip():
        return None
    result = resolve_nationality(text)
    return result.code if result.status == "matched" else None
