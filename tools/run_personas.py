"""Run the conversation suite outside pytest and print a report.

  .venv-actions/bin/python tools/run_personas.py MODEL [--only ID ...] [--fuzz] [--no-personas]
  .venv-actions/bin/python tools/run_personas.py --base http://127.0.0.1:5005 [...]

Starts the real servers (scripts/serve.sh, free ports, a temporary tracker, TTPS_TODAY=2026-12-01)
unless --base names a running Rasa server (its clock must then be 2026-12-01 too; its HTTP API
token is read from RASA_AUTH_TOKEN, else .rasa/api-token, the file `make run` keeps). Writes
results/conversation/personas.{json,txt} and, with --fuzz, fuzz.{json,txt}. Exit code 0 when the
bars of issue 7 are met, 1 otherwise. No timing is judged; durations are printed.
"""
from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "conversation"))

import convsuite as cs  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model", nargs="?", help="trained model (.tar.gz); not needed with --base")
    ap.add_argument("--base", help="URL of a running Rasa server instead of starting one")
    ap.add_argument("--only", nargs="*", default=None, help="persona ids to run")
    ap.add_argument("--chinese", action="store_true",
                    help="only the personas that expect Chinese replies (a zh-* lang)")
    ap.add_argument("--fuzz", action="store_true", help="also run the random-conversation fuzz")
    ap.add_argument("--no-personas", action="store_true", help="skip the personas")
    ap.add_argument("--workers", type=int, default=cs.MAX_WORKERS)
    ap.add_argument("--out", type=Path, default=cs.RESULTS)
    args = ap.parse_args(argv)
    if not args.base and not args.model:
        ap.error("give MODEL or --base")

    ok = True
    with contextlib.ExitStack() as stack:
        servers = None
        if args.base:
            base = args.base
        else:
            work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="ttps-conv-")))
            t0 = time.monotonic()
            servers = stack.enter_context(cs.start_servers(args.model, work))
            base = servers.base
            print(f"servers ready in {time.monotonic() - t0:.0f} s at {base} (logs {servers.log_dir})")

        if not args.no_personas:
            personas = cs.load_personas()
            if args.only:
                unknown = set(args.only) - {p["id"] for p in personas}
                if unknown:
                    ap.error(f"unknown persona ids: {sorted(unknown)}")
                personas = [p for p in personas if p["id"] in args.only]
            if args.chinese:
                personas = [p for p in personas if cs.is_chinese(p)]
            t0 = time.monotonic()
            results = cs.run_personas(base, personas, args.workers)
            summary = cs.persona_summary(results)
            summary["seconds"] = round(time.monotonic() - t0, 1)
            if servers:
                summary["circuit_breaker_trips"] = servers.log_count(cs.CIRCUIT_BREAKER)
            path = cs.write_persona_report(results, summary, args.out)
            for r in results:
                mark = "PASS" if r["passed"] else "FAIL"
                print(f"{mark} {r['id']:48s} got {cs._fmt_statuses(r['final_statuses'])}  "
                      f"turns {r['turns_taken']}/{r['max_turns']}"
                      + (f"  ({len(r['problems'])} turn problems)" if r["problems"] else ""))
            print(f"\npersonas: {summary['passed']}/{summary['personas']} passed "
                  f"({summary['pass_rate']:.1%}, bar {cs.MIN_PASS_RATE:.0%}); median user turns "
                  f"{summary['median_user_turns']} (bar <= {cs.MAX_MEDIAN_TURNS}); "
                  f"{summary['turn_problems']} turn problems; {summary['silent_turns']} silent "
                  f"turns; {summary['seconds']} s. Report: {path}")
            if summary["chinese_personas"]:
                print(f"Chinese personas: {summary['chinese_passed']}/{summary['chinese_personas']} "
                      f"passed, statuses right {summary['chinese_statuses_right']}; "
                      f"{summary['replies_in_wrong_language']} replies in the wrong language")
            ok &= (summary["pass_rate"] >= cs.MIN_PASS_RATE
                   and summary["median_user_turns"] <= cs.MAX_MEDIAN_TURNS
                   and summary["turn_problems"] == 0)

        if args.fuzz:
            pool = cs.load_fuzz_pool()
            t0 = time.monotonic()
            results = cs.run_fuzz(base, pool, args.workers)
            summary = cs.fuzz_summary(results, servers)
            summary["seconds"] = round(time.monotonic() - t0, 1)
            path = cs.write_fuzz_report(results, summary, args.out)
            print("\nfuzz: " + ", ".join(f"{k} {v}" for k, v in summary.items()) + f". Report: {path}")
            ok &= (summary["silent_turns"] == 0 and summary["non_200_turns"] == 0
                   and summary["repeated_text_turns"] == 0 and summary["dead_conversations"] == 0
                   and summary.get("circuit_breaker_trips", 0) == 0)
        if servers:
            cs.copy_logs(servers, args.out)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
