"""Counting work experience (Note 5): full-time or self-employment, after graduation.

Periods are half-open day ranges [start, end + 1 day). Overlapping periods are merged so no day
counts twice. A stretch is measured in whole calendar months plus leftover days (a day is
1/30.4375 of a month), so "2021-01-01 to 2023-12-31" is exactly three years of months.
"""
from __future__ import annotations

import datetime as dt
import math
from typing import Iterable

_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
DAYS_PER_MONTH = 30.4375  # 365.25 / 12
_ONE_DAY = dt.timedelta(days=1)
_NEAR = dt.timedelta(days=3)
Interval = tuple[dt.date, dt.date]  # [start, end) with end exclusive


def _days_in_month(year: int, month: int) -> int:
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        return 29
    return _DAYS_IN_MONTH[month - 1]


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole months, clamped to the month's end (31 Jan + 1 month = 28/29 Feb),
    the same convention as dateutil's relativedelta, without its overhead on the hot path."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return dt.date(year, month, min(day.day, _days_in_month(year, month)))


def add_years(day: dt.date, years: int) -> dt.date:
    return add_months(day, 12 * years)


def months_between(start: dt.date, end: dt.date) -> float:
    """Length of [start, end) in months: whole calendar months plus leftover days."""
    if end <= start:
        return 0.0
    whole = (end.year - start.year) * 12 + (end.month - start.month)
    # ``start`` moved by ``whole`` months lands in end's month, on start's day (clamped to the
    # month's end); when that is after ``end``, one month fewer has passed.
    day = min(start.day, _days_in_month(end.year, end.month))
    if day <= end.day:
        return whole + (end.day - day) / DAYS_PER_MONTH
    whole -= 1
    return whole + (end - add_months(start, whole)).days / DAYS_PER_MONTH


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, non-empty, non-overlapping intervals covering the same days (touching ones
    joined)."""
    items = sorted([(i[0], i[1]) for i in intervals if i[1] > i[0]])
    if len(items) < 2:
        return items
    merged = [items[0]]
    for s, e in items[1:]:
        last_s, last_e = merged[-1]
        if s <= last_e:
            if e > last_e:
                merged[-1] = (last_s, e)
        else:
            merged.append((s, e))
    return merged


def clip(intervals: Iterable[Interval], lo: dt.date, hi: dt.date) -> list[Interval]:
    return [(max(s, lo), min(e, hi)) for s, e in intervals if min(e, hi) > max(s, lo)]


def counted_months(intervals: list[Interval], lo: dt.date, hi: dt.date) -> float:
    """Months of merged ``intervals`` falling inside [lo, hi)."""
    total = 0   # as sum() of clip(intervals, lo, hi): 0 when nothing falls inside
    for s, e in intervals:
        if s < lo:
            s = lo
        if e > hi:
            e = hi
        if e > s:
            total += months_between(s, e)
    return round(total, 2)


def periods_to_intervals(periods, application_date: dt.date, counted_types) -> list[Interval]:
    """Counted periods as merged half-open intervals; an ongoing job runs up to the application date."""
    out = []
    for p in periods:
        if p.type not in counted_types:
            continue
        end = p.end
        if end is None:
            end = application_date
        else:
            end += _ONE_DAY
            if end > application_date:
                end = application_date
        out.append((p.start, end))
    if len(out) == 1:   # merge() of one interval: itself, if not empty
        return out if out[0][1] > out[0][0] else []
    return merge(out)


def date_reaching(closed: list[Interval], ongoing_start: dt.date, target: float,
                  graduation: dt.date, from_day: dt.date, window_years: int | None,
                  horizon_months: int = 72) -> dt.date | None:
    """First application date >= ``from_day`` on which the counted months reach ``target``,
    assuming the job held since ``ongoing_start`` continues. With ``window_years`` only the
    months inside the window before that date count. None if not within the horizon."""
    if closed:
        def months_on(day: dt.date) -> float:
            ivs = merge([*closed, (ongoing_start, day)])
            lo = graduation if window_years is None else max(add_years(day, -window_years),
                                                               graduation)
            return counted_months(ivs, lo, day)
    else:
        def months_on(day: dt.date) -> float:
            # counted_months(merge([(ongoing_start, day)]), lo, day), for the one interval
            lo = graduation if window_years is None else max(add_years(day, -window_years),
                                                               graduation)
            start = ongoing_start if ongoing_start > lo else lo
            return round(months_between(start, day), 2) if day > start else 0

    # With a job still running, the counted months never decrease from one day to the next
    # (the window loses at most the day the job gains), so a binary search over days is exact.
    horizon = add_months(from_day, horizon_months)
    if months_on(horizon) < target:
        return None
    lo_day, hi_day = from_day, horizon
    if not closed and target >= 0:
        # One job: the months are those from max(start, graduation) (the window only binds
        # once five years are counted, more than any target). Search only the few days around
        # the day they reach the target, when the months show that the first day is there.
        first = ongoing_start if ongoing_start > graduation else graduation
        whole = int(target)
        guess = add_months(first, whole) + dt.timedelta(
            days=math.ceil((target - whole) * DAYS_PER_MONTH))
        near_lo, near_hi = max(lo_day, guess - _NEAR), min(hi_day, guess + _NEAR)
        if (near_lo <= near_hi and months_on(near_hi) >= target
                and (near_lo == lo_day or months_on(near_lo - _ONE_DAY) < target)):
            lo_day, hi_day = near_lo, near_hi
    while lo_day < hi_day:
        mid = lo_day + (hi_day - lo_day) // 2
        if months_on(mid) >= target:
            hi_day = mid
        else:
            lo_day = mid + dt.timedelta(days=1)
    return lo_day
