"""work.date_reaching's shortcut for one job (search only the days around the first day the
target can be reached) gives what the plain binary search over the whole horizon gives."""
import datetime as dt
import random

from ttps_logic.work import add_months, add_years, counted_months, date_reaching, merge


def reference(closed, ongoing_start, target, graduation, from_day, window_years,
              horizon_months=72):
    def months_on(day):
        ivs = merge([*closed, (ongoing_start, day)])
        lo = graduation if window_years is None else max(add_years(day, -window_years),
                                                         graduation)
        return counted_months(ivs, lo, day)

    horizon = add_months(from_day, horizon_months)
    if months_on(horizon) < target:
        return None
    lo_day, hi_day = from_day, horizon
    while lo_day < hi_day:
        mid = lo_day + (hi_day - lo_day) // 2
        if months_on(mid) >= target:
            hi_day = mid
        else:
            lo_day = mid + dt.timedelta(days=1)
    return lo_day


SPECIAL = [dt.date(2020, 1, 31), dt.date(2020, 2, 29), dt.date(2021, 2, 28),
           dt.date(2020, 3, 31), dt.date(2020, 4, 30), dt.date(2019, 12, 31),
           dt.date(2016, 2, 29), dt.date(2018, 8, 31)]


def test_one_job_shortcut_equals_the_full_binary_search():
    rng = random.Random(12)
    cases = []
    for _ in range(6000):
        day = dt.date(2012, 1, 1) + dt.timedelta(days=rng.randrange(0, 6000))
        start = day - dt.timedelta(days=rng.randrange(0, 3000))
        grad = day - dt.timedelta(days=rng.randrange(0, 6000))
        cases.append((start, grad, day))
    for a in SPECIAL:
        for b in SPECIAL:
            for k in (0, 1, 30, 400, 1000):
                day = max(a, b) + dt.timedelta(days=k)
                cases.append((a, b, day))
    for start, grad, day in cases:
        target = rng.choice([36, 36.0, 12, 24, 35.5, 0, 1, 59, 60, 61,
                             round(rng.uniform(0, 70), 2)])
        window = rng.choice([None, 5, 3])
        assert (date_reaching([], start, target, grad, day, window)
                == reference([], start, target, grad, day, window)), (start, grad, day, target)


def test_with_ended_jobs_the_search_is_the_full_one():
    rng = random.Random(13)
    for _ in range(400):
        day = dt.date(2014, 1, 1) + dt.timedelta(days=rng.randrange(0, 4000))
        closed = []
        for _ in range(rng.randrange(1, 3)):
            s = day - dt.timedelta(days=rng.randrange(100, 4000))
            closed.append((s, s + dt.timedelta(days=rng.randrange(1, 900))))
        closed = merge(closed)
        start = day - dt.timedelta(days=rng.randrange(0, 1500))
        grad = day - dt.timedelta(days=rng.randrange(0, 6000))
        for window in (None, 5):
            assert (date_reaching(closed, start, 36, grad, day, window)
                    == reference(closed, start, 36, grad, day, window))
