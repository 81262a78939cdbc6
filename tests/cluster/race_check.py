#!/usr/bin/env python3
"""The lock-store race between Rasa servers (RasaHQ/rasa#9213), checked on a real cluster.

Pairs of messages for the same conversation are sent at the same moment, one to each Rasa
server directly (their loopback ports, not nginx): both requests are written in full but their
last byte, and the two last bytes go out together. The conversation lock (Redis) must make one
wait for the other. Each tracker is then read (every event) and checked:

* lost: a message sent is not in the tracker;
* duplicated: a message is there twice, or the conversation's session was started twice;
* interleaved: a user message that does not follow an action_listen (the other message's turn
  was still running when it was recorded);
* failed: a request not answered 200 with at least one bot message (the apology counts: with
  Rasa's own lock store a lost ticket ends in LockError).

Part of make test-cluster (loadtest.py runs it on the cluster it tested). By hand:

    .venv-load/bin/python tests/cluster/race_check.py --model models/ttps-....tar.gz          # ours
    .venv-load/bin/python tests/cluster/race_check.py --model models/ttps-....tar.gz --stock  # Rasa's

--stock starts the cluster with Rasa's own "redis" lock store instead of
stores.redis_lock.AtomicRedisLockStore, to see the race itself. Standard library only.
"""
from __future__ import annotations

import argparse
import http.client
import json
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from clusterlib import ROOT, start_cluster  # noqa: E402

FIRST, SECOND = "hello", "what are the categories?"
HISTORY = "hi"
APOLOGY_START = ("Sorry, I can't check that right now", "抱歉", "抱歉，")


def _send_on_signal(port: int, body: dict, barrier: threading.Barrier) -> dict:
    data = json.dumps(body).encode()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    try:
        conn.putrequest("POST", "/webhooks/rest/webhook")
        conn.putheader("Content-Type", "application/json")
        conn.putheader("Content-Length", str(len(data)))
        conn.endheaders()
        conn.send(data[:-1])
        barrier.wait(timeout=30)
        start = time.time()
        conn.send(data[-1:])
        resp = conn.getresponse()
        raw = resp.read()
        end = time.time()
        replies = json.loads(raw) if resp.status == 200 else []
        return {"status": resp.status, "replies": replies, "start": start, "end": end}
    except Exception as exc:  # noqa: BLE001 - recorded as a failed request
        return {"status": 0, "replies": [], "start": time.time(), "end": time.time(),
                "error": repr(exc)}
    finally:
        conn.close()


def _say(port: int, sender: str, text: str) -> dict:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    try:
        conn.request("POST", "/webhooks/rest/webhook",
                     body=json.dumps({"sender": sender, "message": text}),
                     headers={"Content-Type": "application/json"})
        resp = conn.getresponse()
        return {"status": resp.status, "replies": json.loads(resp.read() or b"[]")}
    finally:
        conn.close()


def judge(events: list[dict], expected: list[str]) -> dict:
    users = [e for e in events if e.get("event") == "user"]
    texts = [e.get("text") for e in users]
    lost = [t for t in dict.fromkeys(expected) if texts.count(t) < expected.count(t)]
    duplicated = [t for t in dict.fromkeys(expected) if texts.count(t) > expected.count(t)]
    sessions = sum(1 for e in events if e.get("event") == "session_started")
    interleaved = 0
    last_action = None
    seen_user = False
    for e in events:
        if e.get("event") == "action":
            last_action = e.get("name")
        elif e.get("event") == "user":
            if seen_user and last_action != "action_listen":
                interleaved += 1
            seen_user = True
            last_action = None
    if last_action is not None and last_action != "action_listen":
        interleaved += 1       # the last turn did not end by listening
    return {"lost": lost, "duplicated": duplicated, "session_starts": sessions,
            "interleaved": interleaved}


def _failed(result: dict) -> bool:
    texts = [r.get("text", "") for r in result["replies"] if isinstance(r, dict)]
    return (result["status"] != 200 or not result["replies"]
            or any(t.startswith(APOLOGY_START) for t in texts))


def one_pair(cluster, k: int, with_history: bool) -> dict:
    sender = f"race-{uuid.uuid4().hex[:8]}-{k}"
    a, b = cluster.rasa_ports[0], cluster.rasa_ports[1]
    expected = []
    if with_history:
        _say(a if k % 2 else b, sender, HISTORY)
        expected.append(HISTORY)
    barrier = threading.Barrier(2)
    with ThreadPoolExecutor(2) as pool:
        fa = pool.submit(_send_on_signal, a, {"sender": sender, "message": FIRST}, barrier)
        fb = pool.submit(_send_on_signal, b, {"sender": sender, "message": SECOND}, barrier)
        ra, rb = fa.result(), fb.result()
    expected += [FIRST, SECOND]
    events = cluster.tracker(sender)["events"]
    verdict = judge(events, expected)
    verdict.update(sender=sender, history=with_history,
                   failed=[n for n, r in (("first", ra), ("second", rb)) if _failed(r)],
                   overlapping=ra["start"] < rb["end"] and rb["start"] < ra["end"],
                   seconds=[round(ra["end"] - ra["start"], 2), round(rb["end"] - rb["start"], 2)])
    return verdict


def run(cluster, pairs: int = 80, concurrency: int = 8) -> dict:
    """`pairs` conversations (half new, half with one message before), `concurrency` at once."""
    if len(cluster.rasa_ports) < 2:
        raise ValueError("the race check needs two Rasa servers")
    with ThreadPoolExecutor(concurrency) as pool:
        results = list(pool.map(lambda k: one_pair(cluster, k, with_history=k % 2 == 1),
                                range(pairs)))
    problems = [r for r in results if r["lost"] or r["duplicated"] or r["interleaved"]
                or r["session_starts"] != 1 or r["failed"]]
    summary = {
        "pairs": len(results),
        "overlapping": sum(1 for r in results if r["overlapping"]),
        "lost": sum(len(r["lost"]) for r in results),
        "duplicated": sum(len(r["duplicated"]) for r in results)
                      + sum(max(0, r["session_starts"] - 1) for r in results),
        "interleaved": sum(1 for r in results if r["interleaved"]),
        "failed": sum(len(r["failed"]) for r in results),
        "problems": problems[:20],
        "conversations_with_problems": len(problems),
    }
    return summary


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", required=True)
    ap.add_argument("--stock", action="store_true", help="Rasa's own RedisLockStore")
    ap.add_argument("--pairs", type=int, default=80)
    ap.add_argument("--out", type=Path, default=ROOT / "results" / "cluster")
    args = ap.parse_args(argv)
    work = Path("/tmp") / f"ttps-race-{uuid.uuid4().hex[:6]}"
    work.mkdir(parents=True)
    env = {}
    if args.stock:
        text = (ROOT / "endpoints.production.yml").read_text()
        text = text.replace("type: stores.redis_lock.AtomicRedisLockStore", 'type: "redis"')
        assert 'type: "redis"' in text
        (work / "endpoints.stock.yml").write_text(text)
        env["ENDPOINTS"] = str(work / "endpoints.stock.yml")
    with start_cluster(args.model, work, env=env) as cluster:
        summary = run(cluster, pairs=args.pairs)
    summary["lock_store"] = "RedisLockStore (Rasa's)" if args.stock else "AtomicRedisLockStore"
    args.out.mkdir(parents=True, exist_ok=True)
    name = "race_check_stock.json" if args.stock else "race_check.json"
    (args.out / name).write_text(json.dumps(summary, indent=2))
    print(json.dumps({k: v for k, v in summary.items() if k != "problems"}, indent=2))
    bad = summary["conversations_with_problems"]
    return 1 if bad and not args.stock else 0


if __name__ == "__main__":
    sys.exit(main())
