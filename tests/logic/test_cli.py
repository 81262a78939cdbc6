"""The CLI contract: python -m ttps_logic assess / explain / universities search."""
import json
import subprocess
import sys

import pytest

CLI = [sys.executable, "-m", "ttps_logic"]


def run(args, stdin=""):
    return subprocess.run(CLI + args, input=stdin, capture_output=True, text=True, timeout=120)


def test_assess_reads_one_object_and_writes_the_assessment():
    facts = {"application_date": "2026-11-25", "nationality": "China",
             "income": [{"amount": 3200000, "currency": "HKD", "type": "salary"}],
             "degrees": [{"university": "Tsinghua", "level": "bachelor", "graduation_date": "2021-07-01"}],
             "work_experience_months": 14}
    p = run(["assess"], json.dumps(facts))
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["application_date"] == "2026-11-25"
    assert out["rules_version"].startswith("ttps-rules-")
    assert set(out["categories"]) == {"A", "B", "C"}
    assert out["categories"]["A"]["status"] == "eligible"
    assert out["categories"]["B"]["status"] == "not_eligible"
    assert out["categories"]["C"]["status"] == "eligible"
    assert out["eligible_categories"] == ["A", "C"]
    for cat in out["categories"].values():
        for r in cat["reasons"]:
            assert r["clause_id"] and r["source"]["url"]


def test_jsonl_keeps_order_and_reports_bad_lines_in_band():
    lines = [json.dumps({"income": [{"amount": 3000000, "currency": "HKD", "type": "salary"}]}),
             "{not json",
             json.dumps({"income": [{"amount": -1, "currency": "HKD"}]}),
             json.dumps({"nationality": "AF", "income": [{"amount": 3000000, "currency": "HKD", "type": "salary"}]})]
    p = run(["assess", "--jsonl"], "\n".join(lines) + "\n")
    assert p.returncode == 0
    out = [json.loads(line) for line in p.stdout.splitlines()]
    assert len(out) == 4
    assert out[0]["categories"]["A"]["status"] == "eligible"
    assert out[1]["error"]["line"] == 2
    assert out[2]["error"] == {"line": 3, "field": "income[0].amount", "message": "cannot be negative"}
    assert out[3]["categories"]["A"]["status"] == "not_eligible"


@pytest.mark.parametrize("stdin,field", [
    ("not json", ""),
    ("[1, 2]", ""),
    ('{"income": [{"amount": -5, "currency": "HKD"}]}', "income[0].amount"),
    ('{"income": [{"amount": 1e20, "currency": "HKD"}]}', "income[0].amount"),
    ('{"income": [{"amount": 5, "currency": "XYZ"}]}', "income[0].currency"),
    ('{"income": "lots"}', "income"),
    ('{"work_experience_months": -3}', "work_experience_months"),
    ('{"work_experience_months": 5000}', "work_experience_months"),
    ('{"application_date": "2026-11-25", "degrees": [{"university": "HKU", "level": "bachelor", "graduation_date": "2030-01-01"}]}', "degrees[0].graduation_date"),
    ('{"application_date": "2026-11-25", "work_periods": [{"start": "2027-01-01", "type": "full_time"}]}', "work_periods[0].start"),
    ('{"work_periods": [{"start": "2021-01-01", "end": "2020-01-01", "type": "full_time"}]}', "work_periods[0]"),
    ('{"application_date": "2020-01-01"}', "application_date"),
    ('{"application_date": "tomorrow"}', "application_date"),
    ('{"nationality": "Narnia"}', "nationality"),
    ('{"salary": 5}', "salary"),
    ('{"degrees": [{"university": "MIT", "level": "diploma"}]}', "degrees[0].level"),
])
def test_bad_input_exits_2_with_one_clear_line(stdin, field):
    p = run(["assess"], stdin)
    assert p.returncode == 2
    assert p.stdout == ""
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), p.stderr
    assert "Traceback" not in p.stderr
    if field:
        assert lines[0].startswith(f"error: {field}: "), lines[0]


def test_explain_prints_human_text():
    p = run(["explain"], json.dumps({"application_date": "2026-11-25",
                                     "income": [{"amount": 2000000, "currency": "HKD", "type": "salary"}]}))
    assert p.returncode == 0, p.stderr
    assert "Category A" in p.stdout and "HK$500,000" in p.stdout and "[criteria.a]" in p.stdout


def test_explain_bad_input():
    p = run(["explain"], "{")
    assert p.returncode == 2 and p.stderr.startswith("error:")


def test_universities_search():
    p = run(["universities", "search", "HKUST", "--date", "2026-11-25", "--json"])
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["status"] == "matched"
    assert out["results"][0]["name"] == "The Hong Kong University of Science and Technology"
    assert out["results"][0]["listed"] is True


def test_universities_search_not_found_points_to_official_list():
    p = run(["universities", "search", "University", "of", "Nowhere"])
    assert p.returncode == 1
    assert "aggregate_list.pdf" in p.stdout


def test_universities_search_bad_date():
    p = run(["universities", "search", "MIT", "--date", "soon"])
    assert p.returncode == 2 and "--date" in p.stderr


def test_universities_search_names_a_continuing_education_arm_and_its_parent():
    # Note 4: HKU SPACE is not The University of Hong Kong, and is not "not found" either
    p = run(["universities", "search", "HKU", "SPACE", "--date", "2026-11-25", "--json"])
    assert p.returncode == 1, p.stderr
    out = json.loads(p.stdout)
    assert out["status"] == "excluded_arm"
    assert out["arm"]["parent"] == "The University of Hong Kong"
    assert out["arm"]["counts"] is False and out["arm"]["clause"] == "note.4"
    text = run(["universities", "search", "HKU", "SPACE"]).stdout
    assert "continuing-education arm of The University of Hong Kong" in text
    assert "do not count" in text and "No institution" not in text
