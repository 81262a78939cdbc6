#!/usr/bin/env python3
"""make test-cluster: the cluster under load, with one Rasa server killed in the middle.

1. Starts scripts/cluster.sh (nginx, 2 Rasa servers, 2 action servers, PostgreSQL, Redis; free
   loopback ports, a throwaway database, the clock fixed at TTPS_TODAY as the persona suite's).
2. Runs locust headless (tests/cluster/locustfile.py) through nginx: a fixed number of
   conversations (default 200, all under way at once), each a persona's user turns in order.
3. When a share of the messages has been answered (default 30 %), SIGKILLs one Rasa server.
   nginx sends the requests it was handling to the other one (each carries a message id, so a
   message the killed server had already saved is answered from the tracker, not handled again).
4. Afterwards, from every conversation's tracker (GET /conversations/<sender>/tracker on a Rasa
   server, with the API token): each message sent must be there exactly once and in order, and
   every request must have been answered 200 with at least one bot message (not the apology).
5. Prints conversations, messages, lost, duplicated, failed requests, messages/s in total and
   per Rasa server (from nginx's access log), what happened at the kill; writes
   results/cluster/loadtest.json. Then runs the lock-store race check (race_check.py) on the
   same two servers. Exits 1 when anything was lost, duplicated or failed.

Bounded: a fixed number of conversations, locust's --run-time and this script's --time-limit
(default 600 s), loopback addresses only.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import uuid
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from clusterlib import ROOT, start_cluster  # noqa: E402
from plan import personas_plan  # noqa: E402

TODAY = "2026-12-01"      # the application date the personas are written for


def read_jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            pass    # a line cut by the end of the run
    return out


def parse_access_log(path: Path, since: float) -> list[dict]:
    """nginx's lines for POST /webhooks/rest/webhook (log_format ttps)."""
    rows = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if '"POST /webhooks/rest/webhook ' not in line:
            continue
        t = float(line.split(" ", 1)[0])
        if t < since:
            continue
        status = int(line.split('" ', 1)[1].split(" ", 1)[0])
        upstreams = [u.strip() for u in line.split('upstream="', 1)[1].split('"', 1)[0].split(",")]
        ustatus = [u.strip() for u in line.split('ustatus="', 1)[1].split('"', 1)[0].split(",")]
        rtime = float(line.split('" ', 1)[1].split(" ")[2])
        replayed = line.rsplit("replayed=", 1)[1].strip() == "1"
        rows.append({"t": t, "status": status, "upstreams": upstreams, "ustatus": ustatus,
                     "request_time": rtime, "replayed": replayed})
    return rows


def check_conversation(plan: dict, requests: list[dict], tracker: dict) -> dict:
    """Lost, duplicated and out-of-order messages of one conversation, from its tracker."""
    sent = [r for r in sorted(requests, key=lambda r: r["turn"])]
    sent_ids = [r["message_id"] for r in sent]
    users = [e for e in tracker.get("events") or [] if e.get("event") == "user"]
    recorded_ids = [e.get("message_id") for e in users]
    counts = Counter(recorded_ids)
    lost = [m for m in sent_ids if counts[m] == 0]
    duplicated = [m for m in sent_ids if counts[m] > 1]
    unexpected = [m for m in recorded_ids if m not in set(sent_ids)]
    in_order = [m for m in recorded_ids if m in set(sent_ids)]
    deduped = list(dict.fromkeys(in_order))
    order_ok = deduped == [m for m in sent_ids if counts[m] > 0]
    texts_ok = all(e.get("text") == r["text"].strip() for r in sent for e in users
                   if e.get("message_id") == r["message_id"])
    return {"sent": len(sent_ids), "recorded": len(recorded_ids), "lost": lost,
            "duplicated": duplicated, "unexpected": unexpected, "order_ok": order_ok,
            "texts_ok": texts_ok, "not_sent": len(plan["turns"]) - len(sent_ids)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", required=True)
    ap.add_argument("--conversations", type=int, default=200)
    ap.add_argument("--spawn-rate", type=float, default=50)
    ap.add_argument("--think", default="2,6", help="seconds between a person's turns (min,max)")
    ap.add_argument("--kill-after", type=float, default=0.3,
                    help="kill a Rasa server when this share of the messages is answered")
    ap.add_argument("--no-kill", action="store_true")
    ap.add_argument("--time-limit", type=float, default=600, help="seconds for the locust run")
    ap.add_argument("--out", type=Path, default=ROOT / "results" / "cluster")
    ap.add_argument("--work-dir", type=Path, default=None)
    ap.add_argument("--no-race-check", action="store_true")
    args = ap.parse_args(argv)

    run = uuid.uuid4().hex[:6]
    work = (args.work_dir or Path(os.environ.get("TMPDIR", "/tmp")) / f"ttps-loadtest-{run}").resolve()
    work.mkdir(parents=True, exist_ok=True)
    args.out.mkdir(parents=True, exist_ok=True)
    plan = personas_plan(args.conversations, run)
    plan_file, results_file = work / "plan.json", work / "requests.jsonl"
    plan_file.write_text(json.dumps(plan, ensure_ascii=False))
    total_messages = sum(len(p["turns"]) for p in plan)
    print(f"load test {run}: {len(plan)} conversations, {total_messages} messages; work dir {work}",
          flush=True)

    with start_cluster(args.model, work, env={"TTPS_TODAY": TODAY}) as cluster:
        print(f"cluster ready: nginx {cluster.public}, Rasa {cluster.rasa_ports}, "
              f"actions {cluster.action_ports}", flush=True)
        since = time.time()
        locust = subprocess.Popen(
            [str(ROOT / ".venv-load" / "bin" / "locust"), "-f", str(HERE / "locustfile.py"),
             "--headless", "-u", str(len(plan)), "-r", str(args.spawn_rate),
             "--run-time", f"{int(args.time_limit)}s", "--stop-timeout", "30",
             "--host", cluster.public, "--only-summary", "--loglevel", "WARNING",
             "--csv", str(work / "locust")],
            cwd=ROOT, env=dict(os.environ, LOADTEST_PLAN=str(plan_file),
                               LOADTEST_RESULTS=str(results_file), LOADTEST_THINK=args.think),
            stdout=open(work / "locust.log", "w"), stderr=subprocess.STDOUT,
            start_new_session=True)

        kill = {}
        victim = 0
        threshold = int(total_messages * args.kill_after)
        deadline = time.monotonic() + args.time_limit + 120
        while locust.poll() is None:
            if time.monotonic() > deadline:
                os.killpg(locust.pid, signal.SIGKILL)
                print("locust did not stop in time; killed it", flush=True)
                break
            if not kill and not args.no_kill:
                answered = sum(1 for r in read_jsonl(results_file) if r.get("kind") == "request")
                if answered >= threshold:
                    pid = cluster.rasa_pid(victim)
                    if pid:
                        os.kill(pid, signal.SIGKILL)
                        kill = {"time": time.time(), "pid": pid, "instance": victim + 1,
                                "port": cluster.rasa_ports[victim], "answered_before": answered}
                        print(f"SIGKILL Rasa server {victim + 1} (port {kill['port']}, pid {pid}) "
                              f"after {answered} of {total_messages} messages", flush=True)
            elif kill and "back_after_s" not in kill and cluster.rasa_ready(victim):
                kill["back_after_s"] = round(time.time() - kill["time"], 1)
                print(f"Rasa server {victim + 1} is serving again, {kill['back_after_s']} s "
                      "after the kill (restarted by scripts/cluster.sh)", flush=True)
            time.sleep(0.5)
        locust.wait()
        end = time.time()

        records = read_jsonl(results_file)
        requests = [r for r in records if r.get("kind") == "request"]
        summary = next((r for r in records if r.get("kind") == "summary"), {})
        by_sender = defaultdict(list)
        for r in requests:
            by_sender[r["sender"]].append(r)

        # the trackers, from a live Rasa server (the other one may still be restarting)
        checks = {}
        for p in plan:
            try:
                tracker = cluster.tracker(p["sender"])
            except (urllib.error.URLError, OSError, ValueError, IndexError) as exc:
                tracker = {"events": [], "error": str(exc)}
            checks[p["sender"]] = check_conversation(p, by_sender.get(p["sender"], []), tracker)

        rows = parse_access_log(cluster.log_dir / "nginx-access.log", since)
        released = sum(path.read_text(errors="replace").count("a server that is no longer alive")
                       for path in cluster.log_dir.glob("rasa-*.log"))
        race = None
        if not args.no_race_check:
            import race_check
            cluster.wait_until(lambda: len(cluster.live_rasa()) == len(cluster.rasa_ports), 600,
                               "the killed Rasa server to be back")
            if kill and "back_after_s" not in kill:
                kill["back_after_s"] = round(time.time() - kill["time"], 1)
            race = race_check.run(cluster)
        if kill:
            kill["dead_tickets_released"] = released

    report = summarise(plan, requests, checks, rows, kill, since, end, summary, cluster, race)
    (args.out / "loadtest.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print_report(report)
    bad = (report["lost"] or report["duplicated"] or report["failed_requests"]
           or report["out_of_order"] or report["unexpected"] or report["not_sent"]
           or report["peak_concurrent_conversations"] < min(200, len(plan))
           or (race and race["problems"]))
    print(f"\n{'FAILED' if bad else 'PASSED'} (details in {args.out / 'loadtest.json'}, "
          f"logs in {work / 'logs'})")
    return 1 if bad else 0


def summarise(plan, requests, checks, rows, kill, since, end, summary, cluster, race) -> dict:
    failed = [r for r in requests if r["status"] != 200 or r["replies"] == 0 or r["apology"]
              or r.get("error")]
    starts = [r["start"] for r in requests] or [since]
    ends = [r.get("end", r["start"]) for r in requests] or [end]
    window = max(ends) - min(starts)
    port_of = {f"127.0.0.1:{p}": i + 1 for i, p in enumerate(cluster.rasa_ports)}
    final = Counter(port_of.get(r["upstreams"][-1], r["upstreams"][-1]) for r in rows
                    if r["status"] == 200)
    before = Counter(port_of.get(r["upstreams"][-1]) for r in rows
                     if kill and r["t"] < kill["time"] and r["status"] == 200)
    after = Counter(port_of.get(r["upstreams"][-1]) for r in rows
                    if kill and r["t"] >= kill["time"] and r["status"] == 200)
    retried = [r for r in rows if len(r["upstreams"]) > 1]
    first, last = min(starts), max(ends)
    before_s = (kill["time"] - first) if kill else window
    after_s = (last - kill["time"]) if kill else 0

    def rate(n, seconds):
        return round(n / seconds, 2) if seconds > 0 else 0

    per_instance = {}
    for i in range(1, len(cluster.rasa_ports) + 1):
        per_instance[f"rasa-{i}"] = {
            "messages": final.get(i, 0),
            "messages_per_s": rate(final.get(i, 0), window),
            "before_kill": before.get(i, 0) if kill else None,
            "before_kill_per_s": rate(before.get(i, 0), before_s) if kill else None,
            "after_kill": after.get(i, 0) if kill else None,
            "after_kill_per_s": rate(after.get(i, 0), after_s) if kill else None}
    latencies = sorted(r.get("end", r["start"]) - r["start"] for r in requests)

    def pct(q):
        return round(latencies[min(len(latencies) - 1, int(q * len(latencies)))], 2) if latencies else None

    at_kill = {}
    if kill:
        killed = f"127.0.0.1:{kill['port']}"
        in_flight = [r for r in retried if r["upstreams"][0] == killed]
        at_kill = {
            **kill,
            "requests_in_flight_retried": len(in_flight),
            "answered_from_tracker": sum(1 for r in in_flight if r["replayed"]),
            "handled_by_the_other": sum(1 for r in in_flight if not r["replayed"]),
            "retried_statuses": dict(Counter(",".join(r["ustatus"]) for r in in_flight)),
            "retry_wait_s_max": round(max((r["request_time"] for r in in_flight), default=0), 2),
            "requests_failed_by_nginx": sum(1 for r in rows if r["status"] != 200),
        }
    return {
        "conversations": len(plan),
        "conversations_finished": sum(1 for c in checks.values() if c["not_sent"] == 0),
        "peak_concurrent_conversations": summary.get("peak_concurrent", 0),
        "messages": len(requests),
        "messages_planned": sum(len(p["turns"]) for p in plan),
        "lost": sum(len(c["lost"]) for c in checks.values()),
        "duplicated": sum(len(c["duplicated"]) for c in checks.values()),
        "out_of_order": sum(1 for c in checks.values() if not c["order_ok"]),
        "unexpected": sum(len(c["unexpected"]) for c in checks.values()),
        "not_sent": sum(c["not_sent"] for c in checks.values()),
        "failed_requests": len(failed),
        "failed_examples": [{k: r[k] for k in ("sender", "turn", "status", "error")} for r in failed[:10]],
        "apologies": sum(1 for r in requests if r["apology"]),
        "seconds": round(window, 1),
        "seconds_before_kill": round(before_s, 1) if kill else None,
        "seconds_after_kill": round(after_s, 1) if kill else None,
        "messages_per_s": round(len(requests) / window, 2) if window else 0,
        "latency_s": {"p50": pct(0.5), "p95": pct(0.95), "max": pct(1.0)},
        "per_instance": per_instance,
        "retried_by_nginx": len(retried),
        "at_kill": at_kill,
        "problems": {s: c for s, c in checks.items()
                     if c["lost"] or c["duplicated"] or not c["order_ok"] or c["unexpected"]},
        "race_check": race,
    }


def print_report(r: dict) -> None:
    print("\n=== cluster load test ===")
    print(f"conversations        {r['conversations']} (finished {r['conversations_finished']}, "
          f"peak concurrent {r['peak_concurrent_conversations']})")
    print(f"messages             {r['messages']} of {r['messages_planned']}")
    print(f"lost                 {r['lost']}")
    print(f"duplicated           {r['duplicated']}")
    print(f"out of order         {r['out_of_order']}")
    print(f"failed requests      {r['failed_requests']} (apologies {r['apologies']})")
    print(f"duration             {r['seconds']} s; latency p50 {r['latency_s']['p50']} s, "
          f"p95 {r['latency_s']['p95']} s, max {r['latency_s']['max']} s")
    print(f"messages/s           {r['messages_per_s']} in total")
    for name, v in r["per_instance"].items():
        extra = (f"; before the kill {v['before_kill']} ({v['before_kill_per_s']}/s over "
                 f"{r['seconds_before_kill']} s), after {v['after_kill']} ({v['after_kill_per_s']}/s "
                 f"over {r['seconds_after_kill']} s)" if v["before_kill"] is not None else "")
        print(f"  {name:18} {v['messages_per_s']} messages/s over the run, {v['messages']} "
              f"messages{extra}")
    if r["at_kill"]:
        k = r["at_kill"]
        print(f"kill                 Rasa server {k['instance']} (pid {k['pid']}) after "
              f"{k['answered_before']} messages: {k['requests_in_flight_retried']} requests in "
              f"flight sent to the other server by nginx ({k['answered_from_tracker']} answered "
              f"from the tracker, {k['handled_by_the_other']} handled there; upstream statuses "
              f"{k['retried_statuses']}; slowest {k['retry_wait_s_max']} s); locks of the dead "
              f"server released {k.get('dead_tickets_released')}; serving again after "
              f"{k.get('back_after_s', 'never')} s")
    if r["failed_examples"]:
        print("failed examples     ", r["failed_examples"][:5])
    if r.get("race_check"):
        rc = r["race_check"]
        print(f"lock-store race      {rc['pairs']} pairs of simultaneous messages to the two "
              f"servers: lost {rc['lost']}, duplicated {rc['duplicated']}, interleaved "
              f"{rc['interleaved']}, failed {rc['failed']} (overlapping in time: {rc['overlapping']})")


if __name__ == "__main__":
    sys.exit(main())
