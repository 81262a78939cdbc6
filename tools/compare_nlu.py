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
                  f"entities {ents}, train {seconds:.0f} s (cached components train faster)",
                  flush=True)
    print("\n| pipeline | intent macro-F1 | FAQ response macro-F1 | entity F1 (exact spans) | "
          "university F1 | NLU training |")
    print("|---|---|---|---|---|---|")
    for name, intent, resp, ents, seconds in rows:
        print(f"| {name} | {intent:.3f} | {resp:.3f} | {ents.get('micro', float('nan')):.3f} | "
              f"{ents.get('university', float('nan')):.3f} | {seconds:.0f} s |")


def entity_scores(model_dir: str) -> dict:
    """Entity extraction on the annotated held-out set (tests/nlu/heldout_entities.yml): exact
    span F1 per pipeline, counting what the actions receive (all extractors together; Rasa's own
    report leaves out pretrained extractors such as SpacyEntityExtractor)."""
    data = ROOT / "tests" / "nlu" / "heldout_entities.yml"
    if not data.exists():
        return {}
    import asyncio

    from rasa.core.agent import Agent
    from rasa.shared.nlu.training_data.loading import load_data

    agent = Agent.load(f"{model_dir}/m.tar.gz")
    examples = load_data(str(data)).training_examples
    tp = fp = fn = 0
    uni = [0, 0, 0]
    for ex in examples:
        gold = {(e["entity"], e["start"], e["end"]) for e in ex.get("entities", [])}
        parsed = asyncio.run(agent.parse_message(ex.get("text")))
        pred = {(e["entity"], e["start"], e["end"]) for e in parsed.get("entities", [])
                if e["entity"] in {g[0] for g in gold} | {"university", "income", "degree_level",
                                                          "graduation_date", "work_duration",
                                                          "application_date", "nationality"}}
        tp += len(gold & pred)
        fp += len(pred - gold)
        fn += len(gold - pred)
        g_u = {g for g in gold if g[0] == "university"}
        p_u = {p for p in pred if p[0] == "university"}
        uni[0] += len(g_u & p_u)
        uni[1] += len(p_u - g_u)
        uni[2] += len(g_u - p_u)

    def f1(t, f_p, f_n):
        return 2 * t / (2 * t + f_p + f_n) if t else 0.0

    return {"micro": f1(tp, fp, fn), "university": f1(*uni)}


if __name__ == "__main__":
    main()
