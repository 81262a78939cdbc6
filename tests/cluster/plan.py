"""The load test's conversations: the conversation suite's personas (tests/conversation/
personas.yaml), each a person's user turns in order, cycled to the number wanted."""
from __future__ import annotations

import uuid
from pathlib import Path
from typing import Optional

import yaml

ROOT = Path(__file__).resolve().parents[2]
PERSONAS = ROOT / "tests" / "conversation" / "personas.yaml"


def personas_plan(count: Optional[int] = None, run: Optional[str] = None) -> list[dict]:
    """`count` conversations (default: every persona once), personas in file order, repeated as
    needed; each with its own sender id `load-<run>-<n>-<persona>`."""
    personas = yaml.safe_load(PERSONAS.read_text(encoding="utf-8"))["personas"]
    run = run or uuid.uuid4().hex[:6]
    n = count or len(personas)
    plan = []
    for i in range(n):
        p = personas[i % len(personas)]
        plan.append({"sender": f"load-{run}-{i:03d}-{p['id']}"[:120], "persona": p["id"],
                     "turns": [str(t) for t in p["turns"]]})
    return plan
