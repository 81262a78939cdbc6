"""Benchmark of the running assistant over REST (prints numbers; asserts nothing).

Starts both servers with scripts/serve.sh (start-up time), holds scripted conversations
concurrently from a few clients, and prints p50/p95 latency per message, messages per second,
resident memory of both servers and the training time recorded in logs/train_seconds."""
from __future__ import annotations

import json
import os
import signal
import socket
import statistics
import subprocess
import tempfile
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ["hello", "can I apply for TTPS?", "about 1.2 million HKD", "yes", "Peking University",
          "July 2022", "2 years", "Chinese", "yes", "what if I apply next June?",
          "how long can I stay?", "thanks"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    total = 0
    for child in [pid] + [int(p) for p in subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()]:
        try:
            for line in Path(f"/proc/{child}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total / 1024


def conversation(base: str) -> list[float]:
    sender = f"bench-{uuid.uuid4().hex[:8]}"
    times = []
    for text in SCRIPT:
        req = urllib.request.Request(f"{base}/webhooks/rest/webhook",
                                     data=json.dumps({"sender": sender, "message": text}).encode(),
                                     headers={"Content-Type": "application/json"})
        t = time.perf_counter()
        with urllib.request.urlopen(req, timeout=120) as resp:
            resp.read()
        times.append(time.perf_counter() - t)
    return times


def main() -> None:
    model = os.environ["MODEL"]
    rasa_port, action_port = free_port(), free_port()
    tracker = Path(tempfile.mkdtemp(prefix="ttps-bench-")) / "tracker.db"
    env = dict(os.environ, RASA_PORT=str(rasa_port), ACTION_PORT=str(action_port),
               TRACKER_DB=str(tracker))
    t0 = time.perf_counter()
    proc = subprocess.Popen(["scripts/serve.sh", model], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    for line in proc.stdout:
        if "Assistant ready" in line:
            break
    startup = time.perf_counter() - t0
    base = f"http://127.0.0.1:{rasa_port}"
    try:
        conversation(base)  # warm-up
        clients, rounds = 4, 3
        t1 = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            results = list(pool.map(lambda _: conversation(base), range(clients * rounds)))
        elapsed = time.perf_counter() - t1
        latencies = sorted(x * 1000 for r in results for x in r)
        n = len(latencies)
        print(f"REST: {n} messages from {clients} concurrent clients in {elapsed:.1f} s -> "
              f"{n / elapsed:.1f} messages/s; latency p50 {statistics.median(latencies):.0f} ms, "
              f"p95 {latencies[int(n * 0.95)]:.0f} ms")
        print(f"start-up (both servers ready): {startup:.1f} s")
        pids = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True).stdout.split()
        for pid in pids:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            name = "action server" if "rasa_sdk" in cmd else "Rasa server"
            print(f"resident memory, {name}: {rss_mb(int(pid)):.0f} MB")
        train = ROOT / "logs" / "train_seconds"
        if train.exists():
            print(f"training time (last `make train`): {float(train.read_text()):.0f} s")
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=60)


if __name__ == "__main__":
    main()
