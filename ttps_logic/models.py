"""The assessment model: the facts an applicant gives, and what the engine returns.

Input models validate strictly (unknown keys, wrong types, impossible values and dates after
the application date are errors that name the field). Output models are plain data: a reviewer
or a client can read every status next to its reasons, clause ids and sources.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from decimal import Decimal
from functools import lru_cache
from typing import Any, ClassVar, Literal, Optional

import pycountry
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

IncomeType = Literal["salary", "allowance", "stock_options", "business_profit", "investment",
                     "other", "unspecified"]
DegreeLevel = Literal["bachelor", "master", "doctorate", "other"]
WorkType = Literal["full_time", "self_employed", "part_time", "internship", "other"]
Status = Literal["eligible", "not_eligible", "unknown"]

MAX_AMOUNT = Decimal("1e13")          # in any currency unit (JPY and IDR amounts are large)
MAX_WORK_MONTHS = 600                 # fifty years
EARLIEST_DATE = dt.date(1940, 1, 1)   # nothing an applicant did before this is plausible

_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_MONTH = re.compile(r"^\d{4}-\d{2}$")
_ISO_YEAR = re.compile(r"^\d{4}$")


def _parse_partial(value: Any, *, end: bool) -> tuple[dt.date, str]:
    """Parse YYYY-MM-DD, YYYY-MM or YYYY; return the earliest (or latest) day and the precision."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value, "day"
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ValueError("must be a date written YYYY-MM-DD, YYYY-MM or YYYY")
    return _parse_text(value, end)


@lru_cache(maxsize=16384)
def _parse_text(value: str, end: bool) -> tuple[dt.date, str]:
    """_parse_partial for a string (the same few dates recur: cached; errors are not)."""
    text = value.strip()
    try:
        if _ISO_DAY.match(text):
            return dt.date.fromisoformat(text), "day"
        if _ISO_MONTH.match(text):
            y, m = int(text[:4]), int(text[5:])
            last = calendar.monthrange(y, m)[1]
            return dt.date(y, m, last if end else 1), "month"
        if _ISO_YEAR.match(text):
            y = int(text)
            return (dt.date(y, 12, 31) if end else dt.date(y, 1, 1)), "year"
    except ValueError:
        pass
    raise ValueError(f"{value!r} is not a date; write YYYY-MM-DD, YYYY-MM or YYYY")


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Money(_Input):
    """An amount of money in a currency (ISO 4217)."""
    amount: Decimal
    currency: str = "HKD"
    _too_large: ClassVar[str] = "is implausibly large"

    @field_validator("amount")
    @classmethod
    def _amount(cls, v: Decimal) -> Decimal:
        if not v.is_finite():
            raise ValueError("must be a finite number")
        if v < 0:
            raise ValueError("cannot be negative")
        if v > MAX_AMOUNT:
            raise ValueError(cls._too_large)
        return v

    @field_validator("currency")
    @classmethod
    def _currency(cls, v: str) -> str:
        code = v.upper()
        if not _is_currency(code):
            raise ValueError(f"{v!r} is not an ISO 4217 currency code (e.g. HKD, CNY, USD)")
        return code


class IncomeItem(Money):
    amount: Decimal = Field(description="Amount earned in the year before the application date")
    currency: str = Field("HKD", description="ISO 4217 code, e.g. HKD, CNY, USD")
    type: IncomeType = "unspecified"
    held_shares_throughout: Optional[bool] = Field(
        None, description="business_profit only: the applicant held the company's shares "
                          "throughout the tax assessment year before the application date (Note 1)")
    _too_large: ClassVar[str] = "is implausibly large; give the annual amount in the stated currency"

    @model_validator(mode="after")
    def _shares_only_for_business(self) -> "IncomeItem":
        if self.held_shares_throughout is not None and self.type != "business_profit":
            raise ValueError("held_shares_throughout is only for business_profit income")
        return self


@lru_cache(maxsize=1024)
def _is_currency(code: str) -> bool:
    return bool(re.fullmatch(r"[A-Z]{3}", code)) and pycountry.currencies.get(alpha_3=code) is not None


class Degree(_Input):
    university: str = Field(min_length=1, max_length=200)
    level: Optional[DegreeLevel] = None
    graduation_date: Optional[str] = Field(None, description="YYYY-MM-DD, YYYY-MM or YYYY")
    honorary: bool = False
    hk_nonlocal_fulltime_ug: Optional[bool] = Field(
        None, description="Studied this bachelor's in Hong Kong as a non-local student in a "
                          "full-time locally-accredited programme")

    @field_validator("graduation_date", mode="before")
    @classmethod
    def _grad(cls, v: Any) -> Optional[str]:
        if v is None:
            return None
        if isinstance(v, str):
            return _graduation_text(v)
        return _graduation(_parse_partial(v, end=False))

    @property
    def graduation_bounds(self) -> Optional[tuple[dt.date, dt.date]]:
        """Earliest and latest day the graduation can have been, given the precision."""
        return None if self.graduation_date is None else _bounds(self.graduation_date)

    @property
    def graduation_year(self) -> Optional[int]:
        return int(self.graduation_date[:4]) if self.graduation_date else None


def _graduation(parsed: tuple[dt.date, str]) -> str:
    """A graduation date written at the precision it was given (YYYY-MM-DD, YYYY-MM, YYYY)."""
    day, precision = parsed
    if day < EARLIEST_DATE:
        raise ValueError(f"{day.year} is implausibly early")
    if precision == "day":
        return day.isoformat()
    return day.isoformat()[:7] if precision == "month" else str(day.year)


@lru_cache(maxsize=16384)
def _first_day(value: str) -> dt.date:
    return _parse_text(value, False)[0]


@lru_cache(maxsize=16384)
def _last_day(value: str) -> dt.date:
    return _parse_text(value, True)[0]


@lru_cache(maxsize=4096)
def _is_iso_day(value: str) -> bool:
    return bool(_ISO_DAY.match(value.strip()))


@lru_cache(maxsize=16384)
def _graduation_text(value: str) -> str:
    return _graduation(_parse_text(value, False))


@lru_cache(maxsize=16384)
def _bounds(graduation_date: str) -> tuple[dt.date, dt.date]:
    return (_parse_text(graduation_date, False)[0], _parse_text(graduation_date, True)[0])


class WorkPeriod(_Input):
    start: dt.date
    end: Optional[dt.date] = Field(None, description="Last day worked (inclusive); null = ongoing")
    type: WorkType

    @field_validator("start", mode="before")
    @classmethod
    def _start(cls, v: Any) -> dt.date:
        if v.__class__ is str:
            return _first_day(v)
        return _parse_partial(v, end=False)[0]

    @field_validator("end", mode="before")
    @classmethod
    def _end(cls, v: Any) -> Optional[dt.date]:
        if v.__class__ is str:
            return _last_day(v)
        return None if v is None else _parse_partial(v, end=True)[0]

    @model_validator(mode="after")
    def _order(self) -> "WorkPeriod":
        if self.start < EARLIEST_DATE:
            raise ValueError("start is implausibly early")
        if self.end is not None and self.end < self.start:
            raise ValueError("end is before start")
        return self


def normalise_nationality(value: str) -> str:
    """The code of a nationality given as an ISO code, a name or a demonym ('CN', 'CHN', 'China',
    'Cuban'), or one of the special residence codes of ttps_logic.nationality ('CN-MAINLAND').

    Delegates to ``nationality.resolve_nationality``; an ambiguous answer ("Korean"), a spelling
    correction that would need confirming, or an unknown word raises ValueError."""
    if isinstance(value, str):
        return _normalise_text(value.strip())
    from .nationality import normalise_code
    code = normalise_code(value)
    assert code is not None
    return code


@lru_cache(maxsize=4096)
def _normalise_text(value: str) -> str:
    """normalise_nationality for a string: the same few words recur (cached; errors are not)."""
    from .nationality import normalise_code
    code = normalise_code(value)
    assert code is not None
    return code


class OverseasResidence(_Input):
    """For a Chinese national holding a PRC passport who lives overseas (nationality CN-OVERSEAS):
    the facts of nationals.prc_overseas. "Overseas" means outside the Mainland, Hong Kong, Macao
    and Taiwan."""
    permanent_residence: Optional[bool] = Field(
        None, description="Holds permanent residence in a country or territory overseas")
    months_overseas: Optional[float] = Field(
        None, ge=0, le=MAX_WORK_MONTHS,
        description="Months of residence overseas immediately before the application")
    applying_from_overseas: Optional[bool] = Field(
        None, description="The application is submitted from overseas")


class Facts(_Input):
    """What an applicant tells us. Every field may be missing; missing facts lead to `unknown`."""

    application_date: dt.date = Field(default_factory=dt.date.today)
    nationality: Optional[str] = None
    income: Optional[list[IncomeItem]] = None
    degrees: Optional[list[Degree]] = None
    work_experience_months: Optional[float] = None
    work_periods: Optional[list[WorkPeriod]] = None
    overseas_residence: Optional[OverseasResidence] = Field(
        None, description="Only for nationality CN-OVERSEAS (or CN): overseas residence facts")

    @field_validator("application_date", mode="before")
    @classmethod
    def _app_date(cls, v: Any) -> Any:
        if v is None:
            return dt.date.today()
        if isinstance(v, str) and not _is_iso_day(v):
            raise ValueError(f"{v!r} is not a date written YYYY-MM-DD")
        return v

    @field_validator("nationality")
    @classmethod
    def _nationality(cls, v: Optional[str]) -> Optional[str]:
        return None if v in (None, "") else normalise_nationality(v)

    @field_validator("work_experience_months")
    @classmethod
    def _months(cls, v: Optional[float]) -> Optional[float]:
        if v is None:
            return v
        if v != v or v < 0:
            raise ValueError("cannot be negative")
        if v > MAX_WORK_MONTHS:
            raise ValueError(f"is implausibly large (more than {MAX_WORK_MONTHS} months)")
        return v

    @model_validator(mode="after")
    def _dates_not_after_application(self) -> "Facts":
        app = self.application_date
        for i, d in enumerate(self.degrees or ()):
            if d.graduation_date is not None and _bounds(d.graduation_date)[0] > app:
                raise ValueError(f"degrees[{i}].graduation_date {d.graduation_date} is after the "
                                 f"application date {app}")
        for i, p in enumerate(self.work_periods or ()):
            if p.start > app:
                raise ValueError(f"work_periods[{i}].start {p.start} is after the application "
                                 f"date {app}")
            if p.end is not None and p.end > app:
                raise ValueError(f"work_periods[{i}].end {p.end} is after the application date "
                                 f"{app}; leave end empty for a job you still hold")
        if self.work_periods is not None and self.work_experience_months is not None:
            raise ValueError("give either work_experience_months or work_periods, not both")
        if self.overseas_residence is not None:
            if self.nationality == "CN":
                self.nationality = "CN-OVERSEAS"
            elif self.nationality != "CN-OVERSEAS":
                raise ValueError("overseas_residence is only for Chinese nationals holding PRC "
                                 "passports who live overseas (nationality CN-OVERSEAS)")
        return self


# ---------------------------------------------------------------------------------------------
# Output


class SourceRef(BaseModel):
    key: str
    title: str
    url: Optional[str] = Field(description="Address of the source; null when it has none (the "
                                           "scheme text given to the project)")
    date: Optional[dt.date] = None


class Reason(BaseModel):
    """One condition checked (or one piece of information given), with the clause it rests on."""

    code: str = Field(description="Template key of the message, for translations")
    kind: Literal["condition", "info"] = "condition"
    met: Optional[bool] = Field(description="True/False; None = cannot be decided from the facts")
    clause_id: str
    clause_label: str
    clause_text: str
    source: SourceRef
    values: dict[str, Any] = Field(default_factory=dict)
    message: str = Field(description="The message of `code` filled with `values`, in the "
                                     "assessment's lang (render.localize)")


class CategoryResult(BaseModel):
    status: Status
    summary: str = Field(description="The messages of the reasons that decide the status, "
                                     "joined (rendered from the reasons, in the assessment's lang)")
    reasons: list[Reason]
    to_find_out: list[str] = Field(default_factory=list,
                                   description="Messages of the undecided conditions (status unknown)")
    deciding: int = Field(0, description="Index in `reasons` of THE reason that decides the "
                                         "status: the first unmet condition (not_eligible), the "
                                         "first undecided one (unknown), the last condition "
                                         "(eligible). Chosen by the engine; clients only draw it")


class Change(BaseModel):
    category: Literal["A", "B", "C", "all"]
    date: Optional[dt.date] = None
    code: str = Field("", description="Template key of the message (locales/<lang>.yaml, change)")
    values: dict[str, Any] = Field(default_factory=dict)
    message: str = Field(description="The message of `code` in the assessment's lang")


class InstitutionMatch(BaseModel):
    # Fields in the order the engine has always written them in its JSON.
    query: str
    status: Literal["matched", "ambiguous", "not_found", "excluded_arm"]
    method: Optional[str] = None
    score: Optional[float] = None
    candidates: list[dict[str, Any]] = Field(default_factory=list)
    id: Optional[str] = None
    name: Optional[str] = None
    country: Optional[str] = None
    country_code: Optional[str] = None
    provenance: Optional[str] = None
    confidence: Optional[str] = None
    added: Optional[dt.date] = None
    removed: Optional[dt.date] = None
    listed_on_application_date: Optional[bool] = None
    # status "excluded_arm" (Note 4): {name, kind, accepted, via, parent_id, parent_name}
    arm: Optional[dict[str, Any]] = None
    # unlisted institutions an ambiguous short form may also mean ("CSU": Colorado State, ...)
    others: list[str] = Field(default_factory=list)


class Conversion(BaseModel):
    amount: Decimal
    currency: str
    type: str
    counted: Optional[bool]
    rate_average: Optional[float] = None
    rate_low: Optional[float] = None
    rate_high: Optional[float] = None
    rate_first_day: Optional[dt.date] = None
    rate_last_day: Optional[dt.date] = None
    rate_days: int = 0
    hkd_average: Optional[float] = None
    hkd_low: Optional[float] = None
    hkd_high: Optional[float] = None


class Assessment(BaseModel):
    """The engine's answer. Read-only: its reasons, category results and institution matches are
    shared with other assessments of the same content (built once, see text.reason), and the
    parameter values under conditions_of_stay are the engine's own; only the top-level
    containers are this assessment's."""

    application_date: dt.date
    rules_version: str
    list_version: str
    engine_version: str
    facts: dict[str, Any]
    categories: dict[str, CategoryResult]
    eligible_categories: list[str]
    general: list[Reason]
    conditions_of_stay: dict[str, Any]
    what_would_change: list[Change]
    institutions: list[InstitutionMatch] = Field(default_factory=list)
    income: list[Conversion] = Field(default_factory=list)
    work_months: dict[str, Any] = Field(default_factory=dict)
    caveat: str
    lang: str = Field("en", description="Locale every human string is rendered in (en, zh-Hans, "
                                        "zh-Hant); ttps_logic.render.localize changes it")
