"""Catala-style temporal coverage: on every day from the launch to the end of next year each
parameter and each clause resolves to exactly one version, and the list resolves; around every
boundary (a parameter's or a clause's) the day before, of and after are checked explicitly."""
import datetime as dt

import pytest

from ttps_logic import params
from ttps_logic.institutions import registry
from ttps_logic.params import (SOURCE_KINDS, clause, clause_table, launch_date, param,
                               parameter_table, sources, versions_on)

END = dt.date(dt.date.today().year + 1, 12, 31)
ONE = dt.timedelta(days=1)


def _every_day():
    day = launch_date()
    while day <= END:
        yield day
        day += ONE


DAYS = list(_every_day())
BOUNDARIES = sorted(set(params.change_dates()) | set(params.clause_change_dates())
                    | set(registry().change_dates))
AROUND = sorted({d for b in BOUNDARIES for d in (b - ONE, b, b + ONE)
                 if launch_date() <= d <= END})


def test_sweep_covers_every_day_and_every_boundary():
    assert len(DAYS) > 365 * 4
    # the boundaries the engine's dated facts depend on are among them
    for day in ("2023-10-25", "2024-10-16", "2024-11-01", "2025-02-26", "2026-01-01",
                "2027-01-01"):
        assert dt.date.fromisoformat(day) in BOUNDARIES, day


@pytest.mark.parametrize("key", sorted(parameter_table()))
def test_each_parameter_has_exactly_one_value_every_day(key):
    _, versions = parameter_table()[key]
    for day in DAYS:
        assert len(versions_on(versions, day)) == 1, (key, day)
    assert versions_on(versions, END + dt.timedelta(days=3650)), key


@pytest.mark.parametrize("cid", sorted(clause_table()))
def test_each_clause_has_exactly_one_version_every_day(cid):
    versions = clause_table()[cid]
    for day in DAYS:
        assert len(versions_on(versions, day)) == 1, (cid, day)
    assert versions_on(versions, END + dt.timedelta(days=3650)), cid


@pytest.mark.parametrize("cid", sorted(clause_table()))
def test_clause_boundaries_switch_versions_on_the_day(cid):
    """At each start of a version, the day before cites the previous version and the day of and
    after cite the new one (the cached lookup, not only the table)."""
    versions = sorted(clause_table()[cid], key=lambda v: v.start)
    for before, after in zip(versions, versions[1:]):
        assert before.end == after.start - ONE, (cid, before.end, after.start)
        assert clause(cid, after.start - ONE) == before
        assert clause(cid, after.start) == after
        assert clause(cid, after.start + ONE) == after


@pytest.mark.parametrize("key", sorted(parameter_table()))
def test_parameter_boundaries_switch_values_on_the_day(key):
    _, versions = parameter_table()[key]
    versions = sorted(versions, key=lambda v: v.start)
    for before, after in zip(versions, versions[1:]):
        assert before.end == after.start - ONE, (key, before.end, after.start)
        assert param(key, after.start - ONE) == before.value
        assert param(key, after.start) == after.value
        assert param(key, after.start + ONE) == after.value


def test_cached_lookups_agree_with_the_tables_around_every_boundary():
    for day in AROUND:
        for key, (_, versions) in parameter_table().items():
            assert param(key, day) == versions_on(versions, day)[0].value, (key, day)
        for cid, versions in clause_table().items():
            assert clause(cid, day) == versions_on(versions, day)[0], (cid, day)


def test_every_version_has_wording_or_a_summary():
    for cid, versions in clause_table().items():
        for v in versions:
            assert v.text or v.summary, (cid, v.start)
            if not v.text:
                assert v.quote.startswith("[official wording not available; summary]")


def test_the_2026_page_is_not_quoted_before_its_revision_date():
    """Wording of the page revised 1 Jan 2026 is quoted only from that day; earlier days get the
    text that was given to the project (up to 15 Oct 2024) or a marked summary."""
    revised = dt.date(2026, 1, 1)
    for cid, versions in clause_table().items():
        for v in versions:
            if v.text and v.source.key == "immd_ttps_2026":
                assert v.start >= revised, (cid, v.start)


def test_every_parameter_names_a_known_clause_and_a_labelled_source():
    clauses = clause_table()
    for key, (cid, versions) in parameter_table().items():
        assert cid is None or cid in clauses, key
        for v in versions:
            assert v.source.kind in SOURCE_KINDS, key
            assert v.source.url is None or v.source.url.startswith("http"), key


def test_sources_are_labelled_as_what_they_are():
    srcs = sources()
    seed = srcs["seed_scheme_page"]
    assert seed.kind == "project-given" and seed.url is None
    assert "given to this project" in seed.title and "not an Immigration Department page" in seed.title
    for s in srcs.values():
        assert s.url is None or s.url.startswith("http"), s.key
        if s.kind != "official" and s.url and "immd.gov.hk" in s.url:
            assert s.kind == "reconstruction", s.key   # only our rebuild of the list points there


def test_the_enquiry_number_rests_on_the_text_given_to_the_project():
    day = dt.date(2026, 6, 1)
    assert params.param_version("contact.phone", day).source.key == "seed_scheme_page"
    status = params.param_version("contact.status_phone", day)
    assert status.value == "(852) 3160 8663" and status.source.key == "immd_ttps_2026"


def test_list_resolves_on_every_day():
    reg = registry()
    for day in DAYS[::7] + AROUND:
        assert reg.list_version(day).startswith("aggregate-list-2")
        assert reg.listed(day)
    assert reg.list_version(dt.date(2026, 1, 1)) == "aggregate-list-2026-01-01"


def test_list_held_ends_the_day_before_the_next_annual_update():
    """list.held must be moved on when institutions.csv gains a new year's list: it ends on the
    31 December after the last list change the registry holds."""
    last_change = max(registry().change_dates)
    _, versions = parameter_table()["list.held"]
    held = [v for v in versions if v.value is True]
    assert held[-1].end == dt.date(last_change.year, 12, 31)
