"""The suite's own judging, without servers: when a persona counts as reaching its statuses,
what counts as a start over that kept facts, how fact differences are found, what a turn's
invariants are."""
from __future__ import annotations

from convsuite import (Turn, facts_differences, kept_after_start_over, matches, routes_named,
                       turns_to_reach)

RIGHT = {"A": "eligible", "B": "not_eligible", "C": "not_eligible"}
WRONG = {"A": "unknown", "B": "not_eligible", "C": "not_eligible"}
EXPECT = {"A": ["eligible"], "B": ["not_eligible"], "C": ["not_eligible", "unknown"]}


def test_matches_needs_every_category():
    assert matches(RIGHT, EXPECT)
    assert not matches(WRONG, EXPECT)
    assert not matches(None, EXPECT)
    assert matches({**RIGHT, "C": "unknown"}, EXPECT)


def test_turns_to_reach_counts_from_where_the_statuses_stay_right():
    assert turns_to_reach([None, None, RIGHT], EXPECT) == 3
    assert turns_to_reach([None, RIGHT, RIGHT, RIGHT], EXPECT) == 2
    assert turns_to_reach([RIGHT, WRONG, RIGHT], EXPECT) == 3   # lost on the way: counted again
    assert turns_to_reach([None, RIGHT, WRONG], EXPECT) is None  # wrong at the end
    assert turns_to_reach([], EXPECT) is None


def test_start_over_that_keeps_facts_is_caught():
    before = {"income": {"amount": "1"}, "requested_slot": "university", "retries": {}}
    user = [{"event": "user", "text": "start over"}]
    assert kept_after_start_over(before, dict(before), user) == ["income"]
    reset = user + [{"event": "reset_slots"}, {"event": "slot", "name": "income", "value": {"amount": "1"}}]
    assert kept_after_start_over(before, dict(before), reset) == []
    unset = user + [{"event": "slot", "name": "income", "value": None},
                    {"event": "slot", "name": "income", "value": {"amount": "1"}}]
    assert kept_after_start_over(before, dict(before), unset) == []
    assert kept_after_start_over(before, {"income": None}, user) == []
    # events of earlier turns do not count
    old = [{"event": "reset_slots"}] + user
    assert kept_after_start_over(before, dict(before), old) == ["income"]


def test_turn_invariants():
    ok = Turn("hi", 200, [{"text": "Hello"}, {"custom": {}}], 0.1)
    assert ok.problems() == []
    assert Turn("hi", 200, [], 0.1).problems() == ["no message back"]
    assert any(p.startswith("HTTP 500") for p in Turn("hi", 500, [], 0.1).problems())
    twice = Turn("hi", 200, [{"text": "Sorry"}, {"text": "Sorry"}], 0.1)
    assert twice.problems() and twice.problems()[0].startswith("text repeated")


def test_facts_differences():
    meant = {"income": [{"amount": 3000000, "currency": "HKD", "type": "salary"}],
             "degrees": [{"university": "MIT", "level": "bachelor", "graduation_date": "2016"}],
             "work_experience_months": 84, "nationality": "GB"}
    same = {"income": [{"amount": "3000000", "currency": "HKD", "type": "salary"}],
            "degrees": [{"university": "Massachusetts Institute of Technology", "level": "bachelor",
                         "graduation_date": "2016", "honorary": False}],
            "work_periods": [{"start": "2019-12-01", "type": "full_time"}], "nationality": "GB",
            "application_date": "2026-12-01"}
    assert facts_differences(meant, same) == []
    wrong = dict(same, nationality="AO", income=[{"amount": "2400000", "currency": "HKD", "type": "salary"}])
    diffs = facts_differences(meant, wrong)
    assert any(d.startswith("nationality") for d in diffs) and any(d.startswith("income") for d in diffs)
    assert facts_differences(meant, dict(same, work_experience_months=12, work_periods=None))


def test_routes_named_reads_the_last_verdict():
    def verdict(*codes):
        schemes = [{"scheme": c, "summary": f"why {c}"} for c in codes]
        data = {"ttps_assessment": {"categories": {}}}
        if codes:
            data["other_schemes"] = {"schemes": schemes}
        return {"custom": {"data": data}}
    first = Turn("yes", 200, [{"text": "result"}, verdict("NEW_CIES", "QMAS")], 0.1)
    assert routes_named([first]) == ["NEW_CIES", "QMAS"]
    later = Turn("actually I have no investments", 200, [verdict()], 0.1)
    assert routes_named([first, later]) == []
    assert routes_named([Turn("hi", 200, [{"text": "hello"}], 0.1)]) == []
