"""Compare NLU pipelines with and without each spaCy component on the held-out set.

Trains an NLU-only model per variant (same data, same seeds) and evaluates it on
tests/nlu/heldout.yml; prints intent and FAQ response-selection macro-F1 and training time.
Run with the Rasa environment:  .venv-rasa/bin/python tools/compare_nlu.py
(about five minutes per variant on two cores)."""
from __future__ import annotations

import copy
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
RASA = str(Path(sys.executable).parent / "rasa")


def variants(base: dict) -> dict[str, dict]:
    pipeline = base["pipeline"]
    names = [c["name"] for c in pipeline]

    def without(*drop, replace_tokenizer=False):
        cfg = copy.deepcopy(base)
        cfg["pipeline"] = [c for c in cfg["pipeline"] if c["name"] not in drop]
        if replace_tokenizer:
            cfg["pipeline"].insert(0, {"name": "WhitespaceTokenizer"})
        return cfg

    assert "SpacyNLP" in names
    return {
        "spaCy tokenizer + EntityRuler (config.yml)": copy.deepcopy(base),
        "spaCy tokenizer, no SpacyEntityExtractor": without("SpacyEntityExtractor"),
        "no spaCy (WhitespaceTokenizer)": without("SpacyNLP", "SpacyTokenizer",
                                                  "SpacyEntityExtractor", replace_tokenizer=True),
    }


def main() -> None:
    base = yaml.safe_load((ROOT / "config.yml").read_text())
    rows = []
    for name, cfg in variants(base).items():
        with tempfile.TemporaryDirectory() as tmp:
            cfg_path = Path(tmp) / "config.yml"
            cfg_path.write_text(yaml.safe_dump(cfg))
            t = time.perf_counter()
            subprocess.run([RASA, "train", "nlu", "--config", str(cfg_path), "--nlu", "data/nlu",
                            "--out", tmp, "--fixed-model-name", "m"], cwd=ROOT, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            seconds = time.perf_counter() - t
            out = Path(tmp) / "results"
            subprocess.run([RASA, "test", "nlu", "--model", f"{tmp}/m.tar.gz", "--nlu",
                            "tests/nlu/heldout.yml", "--out", str(out)], cwd=ROOT, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            intent = json.loads((out / "intent_report.json").read_text())["macro avg"]["f1-score"]
            resp = json.loads((out / "response_selection_report.json").read_text())["macro avg"]["f1-score"]
            ents = entity_scores(tmp)
            rows.append((name, intent, resp, ents, seconds))
            print(f"{name}: intent macro-F1 {intent:.3f}, FAQ macro-F1 {resp:.3f}, "
                  f"entities {ents}, train {seconds:.0f} s", flush=True)
    print("\n| pipeline | intent macro-F1 | FAQ response macro-F1 | entity micro-F1 (DIET) | "
          "university F1 (DIET / EntityRuler) | NLU training |")
    print("|---|---|---|---|---|---|")
    for name, intent, resp, ents, seconds in rows:
        ruler = f"{ents['ruler_university']:.3f}" if ents.get("ruler_university") is not None else "—"
        print(f"| {name} | {intent:.3f} | {resp:.3f} | {ents.get('diet_micro', float('nan')):.3f} | "
              f"{ents.get('diet_university', float('nan')):.3f} / {ruler} | {seconds:.0f} s |")


def entity_scores(model_dir: str) -> dict:
    """Entity extraction on the annotated held-out set (tests/nlu/heldout_entities.yml)."""
    data = ROOT / "tests" / "nlu" / "heldout_entities.yml"
    if not data.exists():
        return {}
    out = Path(model_dir) / "results-entities"
    subprocess.run([RASA, "test", "nlu", "--model", f"{model_dir}/m.tar.gz", "--nlu", str(data),
                    "--out", str(out)], cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    scores = {}
    diet = out / "DIETClassifier_report.json"
    if diet.exists():
        report = json.loads(diet.read_text())
        scores["diet_micro"] = report["micro avg"]["f1-score"]
        scores["diet_university"] = report.get("university", {}).get("f1-score")
    ruler = out / "SpacyEntityExtractor_report.json"
    if ruler.exists():
        scores["ruler_university"] = json.loads(ruler.read_text()).get("university", {}).get("f1-score")
    return scores


if __name__ == "__main__":
    main()
