"""The assistant against a plain Rasa bot, side by side in one run (prints numbers; asserts nothing).

The baseline is the bot `rasa init` makes, built with the project's own Rasa environment and
kept in a cache keyed by that environment's pins (built once per machine: `rasa init` trains
it). Both are started the way their users start them — the project with scripts/serve.sh, as
`make run` does (SQLite tracker store, action server), the baseline with a plain `rasa run` —
and each is measured in turn while the other sits idle:

* latency: one client holds whole conversations one message after another (p50 / p95);
* throughput: four clients hold conversations at once (messages per second);
* memory: the resident set (VmRSS) of each Rasa process after the load, and its peak (VmHWM).

The rounds alternate (baseline, project, baseline, project …) so that drift of the machine
(another job, thermal state) falls on both; the medians of the rounds are compared. The
project's conversation is six messages to a verdict; the baseline's is six messages of its own
domain. The goals are those of issue 9: p50 at most 1.5x the baseline, throughput at least 0.8x,
Rasa's memory at most 1.5 GB.

    MODEL=models/ttps-....tar.gz .venv-actions/bin/python tools/bench_chat.py [--rounds 3]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
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
from typing import Callable, Optional

ROOT = Path(__file__).resolve().parent.parent
RASA_ENV = ROOT / ".venv-rasa"
CACHE = Path(os.environ.get("BASELINE_CACHE",
                            Path.home() / ".cache" / "ttps-assistant" / "baseline"))

# Six messages to a verdict: the facts come in the person's own words, several in one message.
PROJECT_SCRIPT = ["Hi, can I apply for the Top Talent Pass?",
                  "I earned HK$1.2 million last year, all of it salary",
                  "yes, a bachelor's from Peking University, graduated in July 2022",
                  "I've worked 2 years since then",
                  "Chinese",
                  "yes"]
# Six messages of the `rasa init` bot's domain (greet, mood, affirm/deny, bot challenge, goodbye).
BASELINE_SCRIPT = ["hello", "I am sad", "yes", "are you a bot?", "great, thanks", "bye"]

GOALS = {"p50": 1.5, "throughput": 0.8, "memory_mb": 1536}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_status(pid: int, field: str) -> float:
    """A VmRSS / VmHWM value of one process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def wait_until(check: Callable[[], bool], proc: subprocess.Popen, what: str,
               timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{what} exited while starting (code {proc.returncode})")
        if check():
            return
        time.sleep(0.25)
    raise SystemExit(f"{what} did not become ready in {timeout:.0f} s")


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except OSError:
        return False


# --- the baseline ----------------------------------------------------------------------------

def baseline_dir() -> Path:
    """The `rasa init` bot, built once per Rasa environment (its pins are the cache key)."""
    key = hashlib.sha256((ROOT / "requirements" / "rasa.txt").read_bytes()).hexdigest()[:16]
    target = CACHE / f"rasa-init-{key}"
    if list((target / "models").glob("*.tar.gz")):
        return target
    print(f"building the `rasa init` baseline in {target} (once per machine) …", flush=True)
    work = Path(tempfile.mkdtemp(prefix="rasa-init-", dir=CACHE.parent if CACHE.parent.exists() else None))
    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false")
    subprocess.run([str(RASA_ENV / "bin" / "rasa"), "init", "--no-prompt", "--init-dir", str(work)],
                   check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                   stdin=subprocess.DEVNULL)
    if not list((work / "models").glob("*.tar.gz")):
        raise SystemExit("`rasa init` trained no model")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(target, ignore_errors=True)
    shutil.move(str(work), str(target))
    return target


class Server:
    """A started bot: the Rasa process to measure and the process group to stop."""

    def __init__(self, name: str, proc: subprocess.Popen, port: int, script: list[str]) -> None:
        self.name, self.proc, self.port, self.script = name, proc, port, script
        self.base = f"http://127.0.0.1:{port}"

    def rasa_pid(self) -> int:
        if self.name == "baseline":
            return self.proc.pid
        for pid in subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True,
                                  text=True).stdout.split():
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
            if b"rasa" in cmd and b" run " in cmd.replace(b"\0", b" "):
                return int(pid)
        raise SystemExit("no Rasa process under scripts/serve.sh")

    def stop(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGINT)
            self.proc.wait(timeout=60)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.proc.pid, signal.SIGKILL)


def start_baseline(directory: Path, log: Path) -> Server:
    port = free_port()
    model = sorted((directory / "models").glob("*.tar.gz"))[-1]
    proc = subprocess.Popen([str(RASA_ENV / "bin" / "rasa"), "run", "--model", str(model),
                             "--port", str(port), "--interface", "127.0.0.1"],
                            cwd=directory, env=dict(os.environ, RASA_TELEMETRY_ENABLED="false"),
                            stdout=log.open("w"), stderr=subprocess.STDOUT,
                            start_new_session=True)
    server = Server("baseline", proc, port, BASELINE_SCRIPT)
    wait_until(lambda: answers(server.base + "/"), proc, "the baseline Rasa server")
    return server


def start_project(model: str, tracker: Path, log_dir: Path) -> Server:
    port, action_port = free_port(), free_port()
    env = dict(os.environ, RASA_PORT=str(port), ACTION_PORT=str(action_port),
               TRACKER_DB=str(tracker), LOG_DIR=str(log_dir))
    proc = subprocess.Popen(["scripts/serve.sh", model], cwd=ROOT, env=env, text=True,
                            stdout=(log_dir / "serve.out").open("w"), stderr=subprocess.STDOUT,
                            start_new_session=True)
    server = Server("project", proc, port, PROJECT_SCRIPT)
    wait_until(lambda: "Assistant ready" in (log_dir / "serve.out").read_text(), proc,
               "the project's servers")
    return server


# --- load ------------------------------------------------------------------------------------

def say(base: str, sender: str, text: str) -> list:
    req = urllib.request.Request(f"{base}/webhooks/rest/webhook",
                                 data=json.dumps({"sender": sender, "message": text}).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=120) as resp:
        return json.loads(resp.read())


def conversation(server: Server) -> list[float]:
    sender = f"bench-{uuid.uuid4().hex[:10]}"
    times = []
    for text in server.script:
        t = time.perf_counter()
        replies = say(server.base, sender, text)
        times.append(time.perf_counter() - t)
        if not replies:
            raise SystemExit(f"{server.name}: no reply to {text!r}")
    return times


def latency_round(server: Server, conversations: int) -> list[float]:
    return [x * 1000 for _ in range(conversations) for x in conversation(server)]


def throughput_round(server: Server, clients: int, conversations: int) -> float:
    t = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        done = list(pool.map(lambda _: conversation(server), range(conversations)))
    return sum(len(r) for r in done) / (time.perf_counter() - t)


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main(argv: Optional[list[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per bot")
    parser.add_argument("--conversations", type=int, default=8,
                        help="one-client conversations per latency round")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--load-conversations", type=int, default=16,
                        help="conversations per throughput round")
    args = parser.parse_args(argv)
    model = os.environ.get("MODEL")
    if not model:
        raise SystemExit("set MODEL=<trained model> (make bench does)")

    base_dir = baseline_dir()
    work = Path(tempfile.mkdtemp(prefix="ttps-bench-"))
    (work / "logs").mkdir()
    servers: list[Server] = []
    try:
        t0 = time.perf_counter()
        servers.append(start_baseline(base_dir, work / "baseline.log"))
        startup = {"baseline": time.perf_counter() - t0}
        t0 = time.perf_counter()
        servers.append(start_project(model, work / "tracker.db", work / "logs"))
        startup["project"] = time.perf_counter() - t0
        for s in servers:                      # warm-up: first messages load lazily
            for _ in range(2):
                conversation(s)
        lat: dict[str, list[float]] = {s.name: [] for s in servers}
        p50s: dict[str, list[float]] = {s.name: [] for s in servers}
        rates: dict[str, list[float]] = {s.name: [] for s in servers}
        for r in range(args.rounds):
            for s in servers:
                one = latency_round(s, args.conversations)
                lat[s.name] += one
                p50s[s.name].append(statistics.median(one))
                rates[s.name].append(throughput_round(s, args.clients, args.load_conversations))
                print(f"round {r + 1} {s.name:8}: p50 {p50s[s.name][-1]:6.1f} ms, "
                      f"{rates[s.name][-1]:5.1f} messages/s", flush=True)
        mem = {s.name: (proc_status(s.rasa_pid(), "VmRSS"), proc_status(s.rasa_pid(), "VmHWM"))
               for s in servers}
        action_mem = None
        project = servers[1]
        for pid in subprocess.run(["pgrep", "-f", "rasa_sdk --actions actions"],
                                  capture_output=True, text=True).stdout.split():
            if Path(f"/proc/{pid}/environ").exists():
                env = Path(f"/proc/{pid}/environ").read_bytes()
                if f"RASA_PORT={project.port}".encode() in env:
                    action_mem = proc_status(int(pid), "VmRSS")

        def med(name: str, table: dict[str, list[float]]) -> float:
            return statistics.median(table[name])

        rows = [
            ("p50 per message, one client (ms)", med("project", p50s), med("baseline", p50s)),
            ("p95 per message, one client (ms)", percentile(lat["project"], .95),
             percentile(lat["baseline"], .95)),
            (f"throughput, {args.clients} clients (messages/s)", med("project", rates),
             med("baseline", rates)),
            ("resident memory, Rasa process (MB)", mem["project"][0], mem["baseline"][0]),
            ("peak resident memory, Rasa process (MB)", mem["project"][1], mem["baseline"][1]),
            ("start-up until ready (s)", startup["project"], startup["baseline"]),
        ]
        print()
        print(f"The assistant against `rasa init`, {args.rounds} alternating rounds "
              f"({len(lat['project'])} + {len(lat['baseline'])} one-client messages):")
        print(f"{'':42} {'project':>10} {'rasa init':>10} {'ratio':>7}")
        for label, ours, theirs in rows:
            print(f"{label:42} {ours:10.1f} {theirs:10.1f} {ours / theirs:6.2f}x")
        if action_mem is not None:
            print(f"{'resident memory, action server (MB)':42} {action_mem:10.1f}")
        p50_ratio = med("project", p50s) / med("baseline", p50s)
        rate_ratio = med("project", rates) / med("baseline", rates)
        verdicts = [
            (f"p50 ≤ {GOALS['p50']}x the baseline", p50_ratio <= GOALS["p50"], f"{p50_ratio:.2f}x"),
            (f"throughput ≥ {GOALS['throughput']}x the baseline", rate_ratio >= GOALS["throughput"],
             f"{rate_ratio:.2f}x"),
            (f"Rasa's memory ≤ {GOALS['memory_mb'] / 1024:.1f} GB", mem["project"][0] <= GOALS["memory_mb"],
             f"{mem['project'][0]:.0f} MB"),
        ]
        print()
        for goal, met, value in verdicts:
            print(f"goal {goal:34} {'met' if met else 'NOT met':8} ({value})")
        train = ROOT / "logs" / "train_seconds"
        if train.exists():
            print(f"training time (last `make train` that trained): {float(train.read_text()):.0f} s")
    finally:
        for s in servers:
            s.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
