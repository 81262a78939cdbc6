"""Counting work experience (Note 5): full-time or self-employment, after graduation.

Periods are half-open day ranges [start, end + 1 day). Overlapping periods are merged so no day
counts twice. A stretch is measured in whole calendar months plus leftover days (a day is
1/30.4375 of a month), so "2021-01-01 to 2023-12-31" is exactly 36 months.
"""
from __future__ import annotations

import datetime as dt
from typing import Iterable

from dateutil.relativedelta import relativedelta

DAYS_PER_MONTH = 30.4375  # 365.25 / 12
Interval = tuple[dt.date, dt.date]  # [start, end) with end exclusive


def months_between(start: dt.date, end: dt.date) -> float:
    """Length of [start, end) in months: whole calendar months plus leftover days."""
    if end <= start:
        return 0.0
    delta = relativedelta(end, start)
    whole = delta.years * 12 + delta.months
    anchor = start + relativedelta(months=whole)
    return whole + (end - anchor).days / DAYS_PER_MONTH


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    merged: list[list[dt.date]] = []
    for s, e in sorted(i for i in intervals if i[1] > i[0]):
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return [(s, e) for s, e in merged]


def clip(intervals: Iterable[Interval], lo: dt.date, hi: dt.date) -> list[Interval]:
    return [(max(s, lo), min(e, hi)) for s, e in intervals if min(e, hi) > max(s, lo)]


def counted_months(intervals: list[Interval], lo: dt.date, hi: dt.date) -> float:
    """Months of merged ``intervals`` falling inside [lo, hi)."""
    return round(sum(months_between(s, e) for s, e in clip(intervals, lo, hi)), 2)


def periods_to_intervals(periods, application_date: dt.date, counted_types) -> list[Interval]:
    """Counted periods as merged half-open intervals; an ongoing job runs up to the application date."""
    out = []
    for p in periods:
        if p.type not in counted_types:
            continue
        end = application_date if p.end is None else min(p.end + dt.timedelta(days=1),
                                                          application_date)
        out.append((p.start, end))
    return merge(out)


def date_reaching(intervals: list[Interval], target: float, graduation: dt.date,
                  from_day: dt.date, window_years: int, ongoing: bool,
                  horizon_months: int = 72) -> dt.date | None:
    """First application date >= ``from_day`` on which counted months in the window reach
    ``target``, assuming ongoing work continues. None if not within the horizon."""
    def months_on(day: dt.date) -> float:
        ivs = intervals
        if ongoing:
            # the open-ended job keeps running up to `day`
            ivs = merge([*intervals[:-1], (intervals[-1][0], day)])
        lo = max(day - relativedelta(years=window_years), graduation)
        return counted_months(ivs, lo, day)

    prev = from_day
    for step in range(1, horizon_months + 1):
        day = from_day + relativedelta(months=step)
        if months_on(day) >= target:
            d = prev
            while d <= day:
                if months_on(d) >= target:
                    return d
                d += dt.timedelta(days=1)
            return day
        prev = day
    return None
