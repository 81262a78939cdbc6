"""Inputs for the assessment snapshot, and the writer of tests/logic/snapshots/assessments.jsonl.

The snapshot pins what ``assess`` returns, byte for byte, for every row of cases.yaml and a few
hundred generated applicants (seeded, so the same inputs every run), plus inputs that must be
refused. test_snapshot.py compares against it, so an internal change (speed work, refactoring)
cannot change an answer unnoticed.

Regenerate only when an answer is MEANT to change (a rule, a data file, a wording), and review
the diff:  .venv-actions/bin/python tests/logic/snapshot_cases.py --write
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import sys
from pathlib import Path
from typing import Any, Iterator

import yaml

HERE = Path(__file__).resolve().parent
SNAPSHOT = HERE / "snapshots" / "assessments.jsonl"
DEFAULT_DATE = "2026-11-25"   # as in test_cases_table.py
SEED = 20261201
GENERATED = 400

UNIVERSITIES = [
    "Tsinghua", "Tsinghua University", "清华大学", "清華大學", "Peking University", "PKU", "HKU",
    "HKUST", "CUHK", "Hong Kong Polytechnic University SPEED", "City University of Hong Kong",
    "MIT", "Massachusets Institute of Technolgy", "University of Oxford", "oxfrod", "UCL",
    "University of London", "NUS", "NTU", "Nanyang Technologial", "Fudan", "Zhejiang University",
    "Shenzhen University", "University of Toronto", "Univeristy of Cambrdige", "Boston College",
    "Boston University", "CSU", "KSU", "Washington University", "University of Washington",
    "Harvard Extension School", "University of Nowhere", "Dartmouth College",
    "University of Göttingen", "Harbin Institute of Technology", "University of Vienna",
    "Imperial Colege London", "Tokyo University of Science", "University of Tokyo",
    "Beijing University of Technology", "Beijing Institute of Technology", "复旦大学",
]
NATIONALITIES = [None, "CN", "GB", "US", "IN", "VN", "AF", "CU", "Cuban", "India", "British",
                 "CN-MAINLAND", "CN-OVERSEAS", "HK", "MO", "TW", "Korean", "中国", "UK", "Macau"]
CURRENCIES = ["HKD", "HKD", "USD", "CNY", "EUR", "GBP", "SGD", "JPY", "AED", "THB", "AUD"]
INCOME_TYPES = ["salary", "salary", "allowance", "stock_options", "business_profit",
                "investment", "other", "unspecified"]
WORK_TYPES = ["full_time", "full_time", "self_employed", "part_time", "internship", "other"]
LEVELS = ["bachelor", "bachelor", "bachelor", "master", "doctorate", "other", None]


def _partial(rng: random.Random, day: dt.date) -> str:
    return day.isoformat()[:rng.choice([4, 7, 10, 10])]


def generated(n: int = GENERATED, seed: int = SEED) -> list[dict[str, Any]]:
    """Varied applicants over the scheme's whole life (and past the last list held)."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        day = dt.date(2022, 12, 28) + dt.timedelta(days=rng.randrange(0, 5 * 366))
        facts: dict[str, Any] = {"application_date": day.isoformat()}
        nat = rng.choice(NATIONALITIES)
        if nat is not None:
            facts["nationality"] = nat
        if nat in ("CN-OVERSEAS", "CN") and rng.random() < 0.5:
            o = {}
            for key, values in (("permanent_residence", [True, False, None]),
                                ("months_overseas", [3, 11.5, 12, 30, None]),
                                ("applying_from_overseas", [True, False, None])):
                v = rng.choice(values)
                if v is not None:
                    o[key] = v
            facts["overseas_residence"] = o
        if rng.random() < 0.7:
            items = []
            for _ in range(rng.choice([0, 1, 1, 1, 2, 3])):
                item: dict[str, Any] = {
                    "amount": rng.choice([rng.randrange(0, 8_000_000, 1000),
                                          rng.randrange(100_000, 500_000),
                                          round(rng.uniform(0, 4e6), 2)]),
                    "currency": rng.choice(CURRENCIES), "type": rng.choice(INCOME_TYPES)}
                if item["type"] == "business_profit" and rng.random() < 0.6:
                    item["held_shares_throughout"] = rng.random() < 0.7
                items.append(item)
            facts["income"] = items
        if rng.random() < 0.85:
            degrees = []
            for _ in range(rng.choice([0, 1, 1, 1, 1, 2, 3])):
                grad = day - dt.timedelta(days=rng.randrange(0, 9000))
                d: dict[str, Any] = {"university": rng.choice(UNIVERSITIES)}
                level = rng.choice(LEVELS)
                if level is not None:
                    d["level"] = level
                if rng.random() < 0.9:
                    d["graduation_date"] = _partial(rng, grad)
                if rng.random() < 0.05:
                    d["honorary"] = True
                if rng.random() < 0.3:
                    d["hk_nonlocal_fulltime_ug"] = rng.random() < 0.5
                degrees.append(d)
            facts["degrees"] = degrees
        mode = rng.choice(["none", "months", "periods", "periods", "periods"])
        if mode == "months":
            facts["work_experience_months"] = rng.choice([0, 12, 35.5, 36, 40, 90,
                                                          round(rng.uniform(0, 120), 1)])
        elif mode == "periods":
            periods = []
            for _ in range(rng.choice([0, 1, 1, 2, 3])):
                start = day - dt.timedelta(days=rng.randrange(0, 6000))
                p: dict[str, Any] = {"start": _partial(rng, start) if rng.random() < 0.3
                                     else start.isoformat(), "type": rng.choice(WORK_TYPES)}
                if rng.random() < 0.5:
                    end = start + dt.timedelta(days=rng.randrange(0, max(1, (day - start).days)))
                    p["end"] = end.isoformat()
                elif rng.random() < 0.5:
                    p["end"] = None
                periods.append(p)
            facts["work_periods"] = periods
        out.append(facts)
    return out


# Inputs that must be refused (the error message is part of the contract).
REFUSED = [
    {"application_date": "2022-12-27"},
    {"application_date": "2026-11-25", "nationality": "Narnia"},
    {"application_date": "2026-11-25", "nationality": "Korean"},
    {"application_date": "2026-11-25", "income": [{"amount": -1, "currency": "HKD"}]},
    {"application_date": "2026-11-25", "income": [{"amount": 1, "currency": "XYZ"}]},
    {"application_date": "2026-11-25", "degrees": [{"university": "HKU",
                                                    "graduation_date": "2027-01"}]},
    {"application_date": "2026-11-25", "work_periods": [{"start": "2020-01-01",
                                                         "end": "2019-01-01",
                                                         "type": "full_time"}]},
    {"application_date": "2026-11-25", "work_experience_months": 10, "work_periods": []},
    {"application_date": "2026-11-25", "colour": "blue"},
    {"application_date": "2026-11-25", "nationality": "GB",
     "overseas_residence": {"permanent_residence": True}},
]


def inputs() -> Iterator[tuple[str, dict[str, Any]]]:
    cases = yaml.safe_load((HERE / "cases.yaml").read_text(encoding="utf-8"))
    for case in cases:
        yield f"table: {case['name']}", {"application_date": DEFAULT_DATE, **case["facts"]}
    for i, facts in enumerate(generated()):
        yield f"generated {i}", facts
    for i, facts in enumerate(REFUSED):
        yield f"refused {i}", facts


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def summary(dump: dict[str, Any]) -> dict[str, Any]:
    """The statuses and reason codes of an assessment, to show at a glance what changed."""
    return {"eligible": dump["eligible_categories"],
            "categories": {k: [c["status"], [r["code"] for r in c["reasons"]]]
                           for k, c in dump["categories"].items()},
            "changes": [c["message"] for c in dump["what_would_change"]]}


def record(name: str, facts: dict[str, Any]) -> dict[str, Any]:
    """What the snapshot holds for one input: digests of the JSON dump (``model_dump(mode=
    "json")`` written with json.dumps, so key order and number formatting count), of the JSON
    text pydantic writes, of the Python-mode dump (types as well as values) and of explain();
    the dump itself in full for the table rows (a summary for the generated ones, to keep the
    file small)."""
    from ttps_logic import assess, explain
    from ttps_logic.__main__ import describe_error
    from ttps_logic.models import Facts

    try:
        a = assess(facts)
    except Exception as exc:  # the refusal is what is pinned
        return {"name": name, "facts": facts, "error": type(exc).__name__,
                "described": describe_error(exc)}
    again = assess(Facts.model_validate(facts))   # a Facts instance gives the same answer
    dump = a.model_dump(mode="json")
    return {"name": name, "facts": facts,
            **({"dump": dump} if name.startswith("table: ") else {"summary": summary(dump)}),
            "dump_sha": _sha(json.dumps(dump, ensure_ascii=False)),
            "json_sha": _sha(a.model_dump_json()),
            "python_sha": _sha(repr(a.model_dump())),
            "explain_sha": _sha(explain(a)),
            "same_from_model": again.model_dump_json() == a.model_dump_json()}


def dumps(rec: dict[str, Any]) -> str:
    return json.dumps(rec, ensure_ascii=False, separators=(",", ":"))


def main(argv: list[str]) -> int:
    if argv != ["--write"]:
        print(__doc__)
        return 2
    SNAPSHOT.parent.mkdir(exist_ok=True)
    with open(SNAPSHOT, "w", encoding="utf-8") as fh:
        for name, facts in inputs():
            fh.write(dumps(record(name, facts)) + "\n")
    print(f"wrote {SNAPSHOT}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent.parent))
    sys.exit(main(sys.argv[1:]))
