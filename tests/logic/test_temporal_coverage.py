"""Catala-style temporal coverage: on every date from the launch to the end of next year each
parameter and each clause resolves to exactly one version, and the list resolves."""
import datetime as dt

import pytest
from dateutil.relativedelta import relativedelta

from ttps_logic import params
from ttps_logic.institutions import registry
from ttps_logic.params import clause_table, launch_date, parameter_table, versions_on

END = dt.date(dt.date.today().year + 1, 12, 31)


def _dates():
    day = launch_date()
    while day <= END:
        yield day
        day += relativedelta(months=1)
    # plus the day before, of and after every change
    for change in params.change_dates() + registry().change_dates:
        for d in (change - dt.timedelta(days=1), change, change + dt.timedelta(days=1)):
            if launch_date() <= d <= END:
                yield d


DATES = sorted(set(_dates()))


def test_sweep_is_dense():
    assert len(DATES) > 60


@pytest.mark.parametrize("key", sorted(parameter_table()))
def test_each_parameter_has_exactly_one_value_every_day(key):
    _, versions = parameter_table()[key]
    for day in DATES:
        assert len(versions_on(versions, day)) == 1, (key, day)


@pytest.mark.parametrize("cid", sorted(clause_table()))
def test_each_clause_has_exactly_one_version_every_day(cid):
    for day in DATES:
        assert len(versions_on(clause_table()[cid], day)) == 1, (cid, day)


def test_every_parameter_names_a_known_clause_and_source():
    clauses = clause_table()
    for key, (cid, versions) in parameter_table().items():
        assert cid is None or cid in clauses, key
        for v in versions:
            assert v.source.url.startswith("http"), key


def test_list_resolves_on_every_day():
    reg = registry()
    for day in DATES:
        assert reg.list_version(day).startswith("aggregate-list-2")
        assert reg.listed(day)
    assert reg.list_version(dt.date(2026, 1, 1)) == "aggregate-list-2026-01-01"
