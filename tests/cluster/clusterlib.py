"""Start and stop scripts/cluster.sh for a test; talk to its servers. Standard library only (the
smoke test runs in .venv-rasa, the load test in .venv-load).

    with start_cluster(model, work_dir) as cluster:
        cluster.public            # http://127.0.0.1:<port> (nginx)
        cluster.rasa_ports        # each Rasa server's own loopback port (HTTP API with the token)
        cluster.tracker(sender)   # GET /conversations/<sender>/tracker on a live Rasa server

Each cluster gets free ports, its own PostgreSQL database (dropped afterwards) and its own log
and run directories under work_dir; it is stopped like Ctrl-C (SIGINT to its process group).
"""
from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Optional

ROOT = Path(__file__).resolve().parents[2]
RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def service_up(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex((host, port)) == 0


def _database(action: str, name: str) -> None:
    """CREATE or DROP a PostgreSQL database (psycopg2 from the Rasa environment)."""
    code = f"""
import psycopg2
from psycopg2 import sql
con = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres")
con.autocommit = True
cur = con.cursor()
q = {{"create": "CREATE DATABASE {{}}", "drop": "DROP DATABASE IF EXISTS {{}} WITH (FORCE)"}}[{action!r}]
cur.execute(sql.SQL(q).format(sql.Identifier({name!r})))
"""
    subprocess.run([str(RASA_PYTHON), "-c", code], check=True, capture_output=True, text=True)


def read_token() -> str:
    token = os.environ.get("RASA_AUTH_TOKEN")
    if token:
        return token
    return (ROOT / os.environ.get("RASA_TOKEN_FILE", ".rasa/api-token")).read_text().strip()


@dataclass
class Cluster:
    public: str
    rasa_ports: list[int]
    action_ports: list[int]
    action_lb_port: int
    log_dir: Path
    run_dir: Path
    db_name: str
    token: str
    proc: subprocess.Popen
    output: list[str] = field(default_factory=list)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def rasa_url(self, i: int) -> str:
        return f"http://127.0.0.1:{self.rasa_ports[i]}"

    def rasa_ready(self, i: int) -> bool:
        try:
            with urllib.request.urlopen(self.rasa_url(i) + "/", timeout=2) as r:
                return r.status == 200
        except OSError:
            return False

    def live_rasa(self) -> list[int]:
        return [i for i in range(len(self.rasa_ports)) if self.rasa_ready(i)]

    def tracker(self, sender: str, instance: Optional[int] = None, timeout: float = 60
                ) -> dict[str, Any]:
        """The conversation's whole tracker (every event), read from a Rasa server directly."""
        i = instance if instance is not None else self.live_rasa()[0]
        query = urllib.parse.urlencode({"include_events": "ALL", "token": self.token})
        url = f"{self.rasa_url(i)}/conversations/{urllib.parse.quote(sender, safe='')}/tracker?{query}"
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return json.loads(r.read())

    def rasa_pid(self, i: int) -> Optional[int]:
        """The pid of the `rasa run` process listening on Rasa server i's port."""
        port = self.rasa_ports[i]
        out = subprocess.run(["pgrep", "-f", f"bin/rasa run .*--port {port} "],
                             capture_output=True, text=True).stdout.split()
        return int(out[0]) if out else None

    def action_pid(self, i: int) -> Optional[int]:
        out = subprocess.run(["pgrep", "-f", f"rasa_sdk --actions actions --port {self.action_ports[i]}$"],
                             capture_output=True, text=True).stdout.split()
        return int(out[0]) if out else None

    def stop(self, timeout: float = 90) -> Optional[int]:
        """Stop it as Ctrl-C does; cluster.sh's exit code (130 after a clean stop), or None
        when it had to be killed."""
        return _stop(self.proc, timeout)

    def wait_until(self, predicate, timeout: float, what: str, step: float = 0.5) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            if not self.alive():
                raise RuntimeError(f"the cluster stopped while waiting for {what}: "
                                   + "".join(self.output[-10:]))
            time.sleep(step)
        raise TimeoutError(f"{what}: not within {timeout:.0f} s")


def _stop(proc: subprocess.Popen, timeout: float) -> Optional[int]:
    """SIGINT to the process group (what Ctrl-C in a terminal does), SIGKILL after `timeout`."""
    if proc.poll() is not None:
        return proc.returncode
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGINT)
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        return None


@contextlib.contextmanager
def start_cluster(model: str, work_dir: Path, rasa: int = 2, actions: int = 2,
                  env: Optional[dict[str, str]] = None, startup_timeout: float = 900,
                  keep_db: bool = False) -> Iterator[Cluster]:
    work_dir = Path(work_dir)
    log_dir, run_dir = work_dir / "logs", work_dir / "run"
    log_dir.mkdir(parents=True, exist_ok=True)
    rasa_ports = [free_port() for _ in range(rasa)]
    action_ports = [free_port() for _ in range(actions)]
    public_port, lb_port = free_port(), free_port()
    db_name = f"ttps_cluster_{uuid.uuid4().hex[:8]}"
    _database("create", db_name)
    full_env = dict(os.environ,
                    CLUSTER_RASA_PORTS=" ".join(map(str, rasa_ports)),
                    CLUSTER_ACTION_PORTS=" ".join(map(str, action_ports)),
                    CLUSTER_LISTEN=f"127.0.0.1:{public_port}", CLUSTER_ACTION_PORT=str(lb_port),
                    CLUSTER_LOG_DIR=str(log_dir), CLUSTER_RUN_DIR=str(run_dir),
                    DB_NAME=db_name, DB_HOST="127.0.0.1", DB_PORT="5432", DB_USER="postgres",
                    DB_PASSWORD="", REDIS_HOST="127.0.0.1", REDIS_PORT="6379",
                    **(env or {}))
    proc = subprocess.Popen(["scripts/cluster.sh", str(Path(model).resolve())], cwd=ROOT,
                            env=full_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)
    output: list[str] = []
    ready = threading.Event()

    def read() -> None:      # keeps the pipe drained for the whole run
        assert proc.stdout is not None
        for line in proc.stdout:
            output.append(line)
            if line.startswith("Cluster ready"):
                ready.set()
        ready.set()

    threading.Thread(target=read, daemon=True).start()
    try:
        ready.wait(startup_timeout)
        if proc.poll() is not None or not any(l.startswith("Cluster ready") for l in output):
            raise RuntimeError(f"the cluster did not start (logs in {log_dir}):\n"
                               + "".join(output[-20:]))
        token = full_env.get("RASA_AUTH_TOKEN") or read_token()
        cluster = Cluster(public=f"http://127.0.0.1:{public_port}", rasa_ports=rasa_ports,
                          action_ports=action_ports, action_lb_port=lb_port, log_dir=log_dir,
                          run_dir=run_dir, db_name=db_name, token=token, proc=proc,
                          output=output)
        yield cluster
    finally:
        _stop(proc, 90)
        if not keep_db:
            with contextlib.suppress(subprocess.CalledProcessError):
                _database("drop", db_name)
