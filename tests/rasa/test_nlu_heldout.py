"""Held-out NLU evaluation per language (never used for training).

English: tests/nlu/heldout.yml; Simplified and Traditional Chinese (Hong Kong usage, Cantonese
phrasing, code-mixed): tests/nlu/heldout.zh-Hans.yml and tests/nlu/heldout.zh-Hant.yml, written
separately from data/nlu. `make test` first runs tests/rasa/evaluate_heldout.py (Rasa's NLU
evaluation on each set, one model load) into results/nlu/<lang>/; this test reads its reports,
prints them, and fails when a language's intent macro-F1 is below 0.93 or more than 3 points
below English, or its FAQ response-selection macro-F1 below 0.85."""
import json
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "results" / "nlu"
LANGS = {
    "en": ROOT / "tests" / "nlu" / "heldout.yml",
    "zh-Hans": ROOT / "tests" / "nlu" / "heldout.zh-Hans.yml",
    "zh-Hant": ROOT / "tests" / "nlu" / "heldout.zh-Hant.yml",
}
MIN_INTENT_MACRO_F1 = 0.93
MAX_POINTS_BELOW_ENGLISH = 0.03
MIN_RESPONSE_MACRO_F1 = 0.85
MIN_HELDOUT_EXAMPLES = {"en": 200, "zh-Hans": 100, "zh-Hant": 100}


def _report(lang, name):
    path = RESULTS / lang / name
    if not path.exists():
        pytest.fail(f"{path} missing: run `tests/rasa/evaluate_heldout.py --model <model>` first "
                    f"(make test does)")
    return json.loads(path.read_text())


def _print(title, report):
    print(f"\n{title}")
    for label, row in sorted(report.items()):
        if isinstance(row, dict) and "f1-score" in row:
            print(f"  {label:32s} P={row['precision']:.3f} R={row['recall']:.3f} "
                  f"F1={row['f1-score']:.3f} n={row.get('support', '')}")


def _macro_f1(lang, name):
    return _report(lang, name)["macro avg"]["f1-score"]


@pytest.mark.parametrize("lang", list(LANGS))
def test_intent_macro_f1(lang):
    report = _report(lang, "intent_report.json")
    _print(f"Intent classification on the {lang} held-out set", report)
    f1 = report["macro avg"]["f1-score"]
    print(f"{lang}: intent macro-F1 = {f1:.3f} (minimum {MIN_INTENT_MACRO_F1})")
    assert f1 >= MIN_INTENT_MACRO_F1


@pytest.mark.parametrize("lang", [lang for lang in LANGS if lang != "en"])
def test_no_language_far_below_english(lang):
    en = _macro_f1("en", "intent_report.json")
    f1 = _macro_f1(lang, "intent_report.json")
    print(f"intent macro-F1: en {en:.3f}, {lang} {f1:.3f} ({(en - f1) * 100:+.1f} points below English)")
    assert en - f1 <= MAX_POINTS_BELOW_ENGLISH + 1e-9


@pytest.mark.parametrize("lang", list(LANGS))
def test_faq_response_selection_macro_f1(lang):
    report = _report(lang, "response_selection_report.json")
    _print(f"FAQ response selection on the {lang} held-out set", report)
    f1 = report["macro avg"]["f1-score"]
    print(f"{lang}: FAQ macro-F1 = {f1:.3f} (minimum {MIN_RESPONSE_MACRO_F1})")
    assert f1 >= MIN_RESPONSE_MACRO_F1


def _strip_annotations(text):
    return re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", text)


def _examples(path):
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out = set()
    for block in data.get("nlu", []):
        for line in (block.get("examples") or "").splitlines():
            text = _strip_annotations(line.strip().lstrip("-").strip())
            if text:
                out.add(" ".join(text.lower().split()))
    return out


@pytest.mark.parametrize("lang", list(LANGS))
def test_heldout_is_never_in_the_training_data(lang):
    heldout = _examples(LANGS[lang])
    training = set()
    for f in (ROOT / "data" / "nlu").glob("*.yml"):
        training |= _examples(f)
    assert len(heldout) >= MIN_HELDOUT_EXAMPLES[lang]
    overlap = heldout & training
    if overlap:  # count only: the sentences stay unread by whoever writes the training data
        pytest.fail(f"{len(overlap)} held-out sentence(s) of {lang} are in data/nlu "
                    f"(tests/nlu vs data/nlu: compare the files to find them)")


def test_overlap_check_can_fail(tmp_path):
    """The comparison above really matches: the same sentence, annotated or not, spaced or not."""
    held = tmp_path / "held.yml"
    held.write_text('version: "3.1"\nnlu:\n- intent: inform\n  examples: |\n    - 我係[港大](university)畢業\n',
                    encoding="utf-8")
    assert _examples(held) & {"我係港大畢業"}
