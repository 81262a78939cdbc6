"""Seeded random conversations against the real servers (issue 7): at least 1,000 user turns
drawn from fuzz_pool.yaml over many conversations, two at a time.

Every turn must get HTTP 200, at least one message, and no text twice in one reply; at the end
no "Circuit breaker tripped" may be in the Rasa log of this run and every conversation must
still answer. The figures are printed and written to results/conversation/fuzz.{json,txt}."""
from __future__ import annotations

import time

import pytest

from convsuite import (CIRCUIT_BREAKER, fuzz_plan, fuzz_summary, load_fuzz_pool, run_fuzz,
                       write_fuzz_report)

POOL = load_fuzz_pool()


def test_plan_is_big_enough_and_reproducible():
    plan = fuzz_plan(POOL)
    assert sum(len(c) for c in plan) >= 1000
    assert len(plan) >= 30
    assert plan == fuzz_plan(POOL), "the plan must not depend on anything but the seed"
    used = {m for c in plan for m in c}
    assert len(used) >= 100, "the draw should reach most of the pool"
    assert any(len(m) >= 2000 for m in used)


@pytest.fixture(scope="module")
def fuzz_run(servers):
    start = time.monotonic()
    results = run_fuzz(servers.base, POOL)
    summary = fuzz_summary(results, servers)
    summary["seconds"] = round(time.monotonic() - start, 1)
    path = write_fuzz_report(results, summary)
    print(f"\nfuzz: {summary['turns']} turns in {summary['conversations']} conversations, "
          f"{summary['silent_turns']} silent turns, {summary['non_200_turns']} non-200, "
          f"{summary['repeated_text_turns']} with repeated text, "
          f"{summary['dead_conversations']} dead conversations, "
          f"{summary['circuit_breaker_trips']} circuit-breaker trips, "
          f"{summary['actions_log_tracebacks']} action-server tracebacks, "
          f"servers {summary['servers']} "
          f"({summary['seconds']} s; report {path})")
    return results, summary


def _examples(results, predicate, n=5):
    return [f"conv {r['conversation']} turn {p['turn']}: {p['user']!r}: {p['problem']}"
            for r in results for p in r["problems"] if predicate(p)][:n]


def test_every_turn_is_answered_with_http_200(fuzz_run):
    results, summary = fuzz_run
    assert summary["turns"] >= 1000
    assert summary["non_200_turns"] == 0, _examples(results, lambda p: p["problem"].startswith("HTTP"))


def test_no_silent_turns(fuzz_run):
    results, summary = fuzz_run
    assert summary["silent_turns"] == 0, _examples(results, lambda p: p["problem"] == "no message back")


def test_no_text_repeated_within_a_reply(fuzz_run):
    results, summary = fuzz_run
    assert summary["repeated_text_turns"] == 0, _examples(
        results, lambda p: p["problem"].startswith("text repeated"))


def test_no_circuit_breaker_in_the_rasa_log(fuzz_run, servers):
    assert servers.log_count(CIRCUIT_BREAKER) == 0, f"see {servers.rasa_log}"


def test_every_conversation_still_answers_at_the_end(fuzz_run, servers):
    results, summary = fuzz_run
    dead = [(r["conversation"], r["died_at_turn"]) for r in results if not r["alive_at_end"]]
    assert not dead, (f"{len(dead)} conversations dead (conversation, silent from turn): "
                      f"{dead[:10]}; servers: {servers.state()}")
