"""Every input of snapshot_cases.py gives, byte for byte, the assessment in the snapshot.

``a.model_dump(mode="json")`` is compared as JSON text (key order and number formatting count:
in full for the table rows, by digest for all), and so are pydantic's own JSON, the Python-mode
dump (value types) and explain() (by digest). See snapshot_cases.py for when and how to regenerate the snapshot."""
import json

import pytest

from snapshot_cases import SNAPSHOT, dumps, record

RECORDS = [json.loads(line) for line in SNAPSHOT.read_text(encoding="utf-8").splitlines()]


def test_snapshot_covers_the_table_and_generated_cases():
    names = [r["name"] for r in RECORDS]
    assert len(names) == len(set(names))
    assert sum(n.startswith("table: ") for n in names) >= 90
    assert sum(n.startswith("generated ") for n in names) >= 400
    assert sum("error" in r for r in RECORDS) >= 10
    # the generated inputs reach every status of every category
    seen = {(k, c[0]) for r in RECORDS if "summary" in r
            for k, c in r["summary"]["categories"].items()}
    assert seen == {(k, s) for k in "ABC" for s in ("eligible", "not_eligible", "unknown")}


@pytest.mark.parametrize("rec", RECORDS, ids=[r["name"] for r in RECORDS])
def test_same_assessment_as_snapshot(rec):
    got = record(rec["name"], rec["facts"])
    for part in ("dump", "summary"):   # the readable parts first, for a readable failure
        if part in rec:
            assert part in got, got
            assert json.dumps(got[part], ensure_ascii=False) == json.dumps(rec[part],
                                                                           ensure_ascii=False)
    assert dumps(got) == dumps(rec)
