"""Locust: simulated people holding whole conversations with the assistant over REST.

Each simulated user takes the next conversation of a plan (a persona's user turns, in order, from
tests/conversation/personas.yaml) and says every turn through nginx, with a pause between turns,
then stops; the run ends when the last conversation is done. Every request carries a message_id
(`<sender>#<turn>`). A turn fails unless the answer is HTTP 200 with at least one bot message
that is not the apology (channels/guard.py's "can't check that right now": an answer, but not
the assistant's). Every request is also written to a JSON-lines file for the checks afterwards.

tests/cluster/loadtest.py (make test-cluster) writes the plan, starts the cluster and runs this
headless. By hand, against a running cluster (loopback only):

    LOADTEST_PLAN=plan.json LOADTEST_RESULTS=out.jsonl .venv-load/bin/locust \\
        -f tests/cluster/locustfile.py --headless -u 200 -r 50 --run-time 10m \\
        --host http://127.0.0.1:8088

Environment: LOADTEST_PLAN (JSON: [{"sender", "persona", "turns": [...]}, ...]; without it,
every persona once), LOADTEST_RESULTS (default results/cluster/requests.jsonl),
LOADTEST_THINK ("2,6": seconds between turns, uniform), LOADTEST_TIMEOUT (per request, 360;
nginx waits 300 s for Rasa).
"""
from __future__ import annotations

import json
import os
import random
import sys
import threading
import time
from pathlib import Path

import gevent
import yaml
from locust import HttpUser, events, task
from locust.exception import StopUser

sys.path.insert(0, str(Path(__file__).resolve().parent))
from plan import ROOT, personas_plan  # noqa: E402

APOLOGIES = {(yaml.safe_load(p.read_text(encoding="utf-8")) or {}).get("apology", "").strip()
             for p in (ROOT / "channels" / "locales").glob("*.yaml")} - {""}


_plan_file = os.environ.get("LOADTEST_PLAN")
PLAN = json.loads(Path(_plan_file).read_text()) if _plan_file else personas_plan()
RESULTS = Path(os.environ.get("LOADTEST_RESULTS", ROOT / "results" / "cluster" / "requests.jsonl"))
THINK = tuple(float(x) for x in os.environ.get("LOADTEST_THINK", "2,6").split(","))
TIMEOUT = float(os.environ.get("LOADTEST_TIMEOUT", "360"))

_lock = threading.Lock()
_next = 0
_done = 0
_active = 0
_peak = 0
_out = None


def _write(record: dict) -> None:
    global _out
    with _lock:
        if _out is None:
            RESULTS.parent.mkdir(parents=True, exist_ok=True)
            _out = RESULTS.open("a", encoding="utf-8")
        _out.write(json.dumps(record, ensure_ascii=False) + "\n")
        _out.flush()


@events.quitting.add_listener
def _close(environment, **_kw):
    _write({"kind": "summary", "conversations_done": _done, "peak_concurrent": _peak})


class Conversation(HttpUser):
    """One simulated person: one whole conversation, then stop."""

    def wait_time(self):
        return 0

    @task
    def converse(self):
        global _next, _done, _active, _peak
        with _lock:
            if _next >= len(PLAN):
                raise StopUser()
            conversation = PLAN[_next]
            _next += 1
            _active += 1
            _peak = max(_peak, _active)
        sender = conversation["sender"]
        try:
            for turn, text in enumerate(conversation["turns"], start=1):
                self._say(sender, turn, text)
                if turn < len(conversation["turns"]):
                    gevent.sleep(random.uniform(*THINK))
        finally:
            with _lock:
                _active -= 1
                _done += 1
                finished = _done >= len(PLAN)
            _write({"kind": "conversation", "sender": sender, "persona": conversation["persona"],
                    "turns": len(conversation["turns"])})
        if finished:
            self.environment.runner.quit()
        raise StopUser()

    def _say(self, sender: str, turn: int, text: str) -> None:
        message_id = f"{sender}#{turn}"
        body = {"sender": sender, "message": text, "message_id": message_id}
        start = time.time()
        record = {"kind": "request", "sender": sender, "turn": turn, "message_id": message_id,
                  "text": text, "start": start, "status": 0, "replies": 0, "apology": False,
                  "replayed": False, "error": ""}
        with self.client.post("/webhooks/rest/webhook", json=body, name="/webhooks/rest/webhook",
                              catch_response=True, timeout=TIMEOUT) as resp:
            record["status"] = resp.status_code or 0
            record["replayed"] = resp.headers.get("X-TTPS-Replayed") == "1"
            try:
                replies = resp.json() if resp.status_code == 200 else []
            except ValueError:
                replies = None
            if not isinstance(replies, list):
                record["error"] = "not a JSON list"
                replies = []
            record["replies"] = len(replies)
            texts = [r.get("text", "").strip() for r in replies if isinstance(r, dict)]
            record["apology"] = any(t in APOLOGIES for t in texts)
            if resp.status_code != 200:
                record["error"] = record["error"] or f"HTTP {resp.status_code or 'no answer'}: " \
                    f"{(resp.text or str(resp.error or ''))[:200]}"
                resp.failure(record["error"])
            elif not replies:
                record["error"] = "no bot message"
                resp.failure(record["error"])
            elif record["apology"]:
                record["error"] = "the apology instead of an answer"
                resp.failure(record["error"])
            else:
                resp.success()
        record["end"] = time.time()
        _write(record)
