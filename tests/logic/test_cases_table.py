"""Every row of cases.yaml: the status per category and the reason codes that must appear."""
from pathlib import Path

import pytest
import yaml

from ttps_logic import assess

CASES = yaml.safe_load((Path(__file__).parent / "cases.yaml").read_text(encoding="utf-8"))
DEFAULT_DATE = "2026-11-25"


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case(case):
    facts = {"application_date": DEFAULT_DATE, **case["facts"]}
    result = assess(facts)
    got = {k: result.categories[k].status for k in case["expect"]}
    assert got == case["expect"], result.model_dump_json(indent=1)
    codes = {r.code for cat in result.categories.values() for r in cat.reasons}
    codes |= {r.code for r in result.general}
    for code in case.get("codes", []):
        assert code in codes, f"{code} missing from {sorted(codes)}"
    assert result.eligible_categories == [k for k in "ABC" if result.categories[k].status == "eligible"]
