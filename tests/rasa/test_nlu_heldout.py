"""Held-out NLU evaluation (tests/nlu/heldout.yml, never used for training).

`make test` first runs `rasa test nlu` on the held-out set into results/nlu; this test reads its
reports, prints them, and fails below intent macro-F1 0.90."""
import json
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "results" / "nlu"
MIN_INTENT_MACRO_F1 = 0.90
MIN_RESPONSE_MACRO_F1 = 0.85


def _report(name):
    path = RESULTS / name
    if not path.exists():
        pytest.fail(f"{path} missing: run `rasa test nlu --nlu tests/nlu/heldout.yml` first (make test does)")
    return json.loads(path.read_text())


def _print(title, report):
    print(f"\n{title}")
    for label, row in sorted(report.items()):
        if isinstance(row, dict) and "f1-score" in row:
            print(f"  {label:32s} P={row['precision']:.3f} R={row['recall']:.3f} "
                  f"F1={row['f1-score']:.3f} n={row.get('support', '')}")


def _check(report_name, title, minimum):
    report = _report(report_name)
    _print(title, report)
    f1 = report["macro avg"]["f1-score"]
    print(f"{title}: macro-F1 = {f1:.3f} (minimum {minimum})")
    assert f1 >= minimum


def test_intent_macro_f1():
    _check("intent_report.json", "Intent classification on the held-out set (aim 0.95)",
           MIN_INTENT_MACRO_F1)


def test_faq_response_selection_macro_f1():
    _check("response_selection_report.json", "FAQ response selection on the held-out set",
           MIN_RESPONSE_MACRO_F1)


def _examples(path):
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out = set()
    for block in data.get("nlu", []):
        for line in (block.get("examples") or "").splitlines():
            text = line.strip().lstrip("-").strip()
            if text:
                out.add(" ".join(text.lower().split()))
    return out


def _strip_annotations(text):
    import re
    return re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", text)


def test_heldout_is_never_in_the_training_data():
    heldout = _examples(ROOT / "tests" / "nlu" / "heldout.yml")
    training = set()
    for f in (ROOT / "data" / "nlu").glob("*.yml"):
        training |= {_strip_annotations(t) for t in _examples(f)}
    assert len(heldout) >= 200
    assert not heldout & training, sorted(heldout & training)[:10]
