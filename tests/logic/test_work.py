import datetime as dt

import pytest

from ttps_logic.work import counted_months, merge, months_between

D = dt.date


@pytest.mark.parametrize("start,end,months", [
    (D(2021, 1, 1), D(2024, 1, 1), 36.0),
    (D(2020, 2, 29), D(2023, 2, 28), 36.0),    # the anniversary of 29 Feb is 28 Feb in a common year
    (D(2021, 1, 15), D(2021, 2, 15), 1.0),
    (D(2021, 1, 1), D(2021, 1, 1), 0.0),
    (D(2021, 1, 1), D(2021, 1, 31), 30 / 30.4375),
])
def test_months_between(start, end, months):
    assert months_between(start, end) == pytest.approx(months, abs=0.01)


def test_merge_counts_overlaps_once():
    ivs = merge([(D(2020, 1, 1), D(2021, 7, 1)), (D(2021, 1, 1), D(2022, 7, 1)),
                 (D(2023, 1, 1), D(2023, 2, 1))])
    assert ivs == [(D(2020, 1, 1), D(2022, 7, 1)), (D(2023, 1, 1), D(2023, 2, 1))]
    assert counted_months(ivs, D(2000, 1, 1), D(2030, 1, 1)) == pytest.approx(31.0)


def test_clipping_to_window():
    ivs = [(D(2015, 1, 1), D(2025, 1, 1))]
    assert counted_months(ivs, D(2020, 1, 1), D(2025, 1, 1)) == 60.0
