"""Understanding what people type: amounts of money, dates, durations, yes/no, nationalities.

No Rasa import here, so every parser is unit-tested on its own. Dates go through dateparser
(which also reads Chinese dates such as 2024年6月); institutions through ttps_logic's registry;
nationalities through pycountry plus a demonym table; spelled-out numbers through word2number.
Each parser returns None when it cannot understand the text, never a guess.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Optional

from dateparser.date import DateDataParser
from dateparser.search import search_dates
from word2number import w2n

from ttps_logic.models import normalise_nationality

# --------------------------------------------------------------------------------------------
# Money

# Currency markers people use, mapped to ISO 4217 codes. Longest first when matching.
CURRENCY_WORDS = {
    "hk$": "HKD", "hkd": "HKD", "hk dollars": "HKD", "hong kong dollars": "HKD", "港幣": "HKD",
    "港币": "HKD", "港元": "HKD", "港纸": "HKD",
    "us$": "USD", "usd": "USD", "us dollars": "USD", "美元": "USD", "美金": "USD",
    "rmb": "CNY", "cny": "CNY", "yuan": "CNY", "renminbi": "CNY", "人民币": "CNY", "人民幣": "CNY",
    "元": "CNY",
    "£": "GBP", "gbp": "GBP", "pounds": "GBP", "pound": "GBP", "英镑": "GBP", "英鎊": "GBP",
    "€": "EUR", "eur": "EUR", "euros": "EUR", "euro": "EUR", "欧元": "EUR", "歐元": "EUR",
    "s$": "SGD", "sgd": "SGD", "a$": "AUD", "aud": "AUD", "c$": "CAD", "cad": "CAD",
    "nt$": "TWD", "twd": "TWD", "jpy": "JPY", "yen": "JPY", "¥": "JPY", "日元": "JPY",
    "krw": "KRW", "won": "KRW", "chf": "CHF", "inr": "INR", "rupees": "INR", "myr": "MYR",
    "nzd": "NZD", "thb": "THB", "aed": "AED", "sar": "SAR", "idr": "IDR", "php": "PHP",
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
_INVESTMENT = re.compile(r"invest|dividend|rental|interest income|capital gain|股息|投资|投資", re.I)
_BUSINESS = re.compile(r"own (company|business)|business profit|profits? of my|my company|自己的公司|公司利润", re.I)
_MONTHLY = re.compile(r"per month|a month|monthly|/\s*mo(nth)?\b|月薪|每月|每個月|每个月", re.I)
_STOCK = re.compile(r"stock option|share option|rsu|esop|期权|期權", re.I)


@dataclass
class Money:
    amount: Decimal
    currency: Optional[str]   # None: no currency given; "USD?" bare "$"
    type: str                 # income type for ttps_logic


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


def income_type(text: str) -> str:
    if _INVESTMENT.search(text):
        return "investment"
    if _STOCK.search(text):
        return "stock_options"
    if _BUSINESS.search(text):
        return "business_profit"
    return "salary"


def parse_money(text: str) -> Optional[Money]:
    """'2.6M', 'HK$2,600,000', 'USD 330k', 'around 3 million HKD a year', '250萬港幣'."""
    if not text or not text.strip():
        return None
    amount = None
    for m in _NUMBER_RE.finditer(text):
        num = m.group("num").replace(",", "")
        # skip years and small ordinals that are not amounts ("in 2021", "3 years")
        rest = text[m.end():m.end() + 8].lower()
        if re.match(r"\s*(years?|yrs?|months?|年|个月|個月)", rest):
            continue
        if re.fullmatch(r"(19|20)\d\d", num) and not m.group("mult"):
            continue
        try:
            value = Decimal(num)
        except InvalidOperation:
            continue
        mult = (m.group("mult") or "").lower()
        if mult:
            value *= _MULTIPLIERS[mult]
        amount = value
        break
    if amount is None:
        amount = _spelled_number(text)
    if amount is None:
        return None
    if _MONTHLY.search(text):
        amount *= 12
    currency = None
    cm = _CURRENCY_RE.search(text)
    if cm:
        currency = CURRENCY_WORDS[cm.group(0).lower()]
    if currency == "USD?" and re.search(r"\bhk\b|hong kong", text, re.I):
        currency = "HKD"
    return Money(amount=amount, currency=currency, type=income_type(text))


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
_NONE = re.compile(r"\b(no|none|zero|nothing|never)\b.*\b(work|experience|job)|"
                   r"^\s*(no|none|zero|0|nil|n/a)\s*$|没有|沒有|无|無工作|fresh grad|just graduated|"
                   r"haven'?t worked|not worked|still (a )?student", re.I)


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


def parse_duration_months(text: str, today: dt.date) -> Optional[float]:
    """'18 months', 'three and a half years', 'since 2021', 'a bit over a year', '两年'."""
    if not text or not text.strip():
        return None
    t = text.strip().lower()
    if _NONE.search(t):
        return 0.0
    m = re.search(r"\b(since|from)\b\s+(.*)", t)
    if m:
        start = parse_date(m.group(2), today)
        if start is None:
            return None
        begin = start.earliest
        if begin > today:
            return None
        from ttps_logic.work import months_between
        return round(months_between(begin, today), 1)
    half = 0.5 if any(w in t for w in _WORD_FRACTIONS) else 0.0
    years = _number_before(t, r"(?:years?|yrs?|yr\b|年)")
    months = _number_before(t, r"(?:months?|mos?\b|个月|個月)")
    if years is None and months is None:
        cn = re.search(r"([一二两兩三四五六七八九十])\s*年", t)
        if cn:
            years = float("一二三四五六七八九十".find(cn.group(1).replace("两", "二").replace("兩", "二")) + 1)
        elif re.search(r"\b(a|one) year\b|\bover a year\b|\ba year\b", t):
            years = 1.0
        elif re.fullmatch(r"\d+(\.\d+)?", t):
            return None  # a bare number: months or years? ask again
    if years is None and months is None:
        return None
    total = (years or 0) * 12 + (months or 0) + (half * 12 if years is not None and half else 0)
    if years is None and half and months is not None:
        total = months + 0.5
    return round(total, 1)


# --------------------------------------------------------------------------------------------
# Yes / no and nationality

_YES = re.compile(r"^\s*(y|yes|yeah|yep|yup|sure|correct|right|i do|i did|i was|true|是|对|對|有)\b", re.I)
_NO = re.compile(r"^\s*(n|no|nope|nah|not really|i don'?t|i didn'?t|i wasn'?t|false|否|不是|没有|沒有)\b", re.I)


def parse_yes_no(text: str) -> Optional[bool]:
    if not text:
        return None
    if _NO.search(text):
        return False
    if _YES.search(text):
        return True
    return None


DEMONYMS = {
    "chinese": "CN", "mainland": "CN", "mainland china": "CN", "prc": "CN", "中国": "CN", "中國": "CN",
    "british": "GB", "uk": "GB", "english": "GB", "scottish": "GB", "welsh": "GB",
    "american": "US", "usa": "US", "us": "US", "canadian": "CA", "australian": "AU",
    "indian": "IN", "singaporean": "SG", "malaysian": "MY", "japanese": "JP", "korean": "KR",
    "south korean": "KR", "north korean": "KP", "dprk": "KP", "vietnamese": "VN",
    "laotian": "LA", "lao": "LA", "nepali": "NP", "nepalese": "NP", "afghan": "AF", "cuban": "CU",
    "french": "FR", "german": "DE", "italian": "IT", "spanish": "ES", "dutch": "NL",
    "irish": "IE", "swiss": "CH", "swedish": "SE", "russian": "RU", "filipino": "PH",
    "indonesian": "ID", "thai": "TH", "pakistani": "PK", "bangladeshi": "BD", "taiwanese": "TW",
    "new zealander": "NZ", "kiwi": "NZ", "brazilian": "BR", "mexican": "MX", "nigerian": "NG",
    "south african": "ZA", "israeli": "IL", "turkish": "TR", "egyptian": "EG", "iranian": "IR",
    "polish": "PL", "ukrainian": "UA", "portuguese": "PT", "greek": "GR", "belgian": "BE",
    "austrian": "AT", "danish": "DK", "norwegian": "NO", "finnish": "FI", "sri lankan": "LK",
    "macanese": "MO", "hongkonger": "HK", "hong konger": "HK",
}


def parse_nationality(text: str) -> Optional[str]:
    """ISO alpha-2 from 'Vietnamese', 'a British citizen', 'China', 'CN'."""
    if not text or not text.strip():
        return None
    t = re.sub(r"\b(i am|i'm|im|a|an|the|citizen|national|passport|holder|nationality|of|my|is)\b",
               " ", text.strip().lower())
    t = re.sub(r"[^\w\s\u4e00-\u9fff]", " ", t)
    t = re.sub(r"\s+", " ", t).strip()
    if not t:
        return None
    for key in sorted(DEMONYMS, key=len, reverse=True):
        if re.search(rf"(^|\s){re.escape(key)}($|\s)", t):
            return DEMONYMS[key]
    try:
        return normalise_nationality(t)
    except ValueError:
        return None
