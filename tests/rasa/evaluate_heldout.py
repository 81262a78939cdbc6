"""Evaluate a trained model on the held-out NLU set of each language, loading it once.

    .venv-rasa/bin/python tests/rasa/evaluate_heldout.py --model models/ttps-<hash>.tar.gz

For each language this runs Rasa's own NLU evaluation (``rasa.nlu.test.run_evaluation``, what
``rasa test nlu`` runs) on its held-out file and writes the usual reports to
``results/nlu/<lang>/`` (intent_report.json, response_selection_report.json, errors), plus
``results/nlu/summary.json`` with the macro-F1 per language. One model load serves the three
sets: ``rasa test nlu`` three times would load the model (TensorFlow, spaCy, jieba) three times.
tests/rasa/test_nlu_heldout.py reads the reports and checks the thresholds.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# the model names the project's own components by module path (nlu_components.faq_topics),
# which `rasa` finds from the working directory and this script from the repository root
sys.path.insert(0, str(ROOT))
HELDOUT = {
    "en": ROOT / "tests" / "nlu" / "heldout.yml",
    "zh-Hans": ROOT / "tests" / "nlu" / "heldout.zh-Hans.yml",
    "zh-Hant": ROOT / "tests" / "nlu" / "heldout.zh-Hant.yml",
}


async def evaluate(model: Path, out: Path, langs: list[str]) -> dict:
    from rasa.core.agent import Agent
    from rasa.nlu.test import run_evaluation

    t0 = time.perf_counter()
    agent = Agent.load(model_path=str(model))
    summary: dict = {"model": model.name, "load_seconds": round(time.perf_counter() - t0, 1),
                     "languages": {}}
    for lang in langs:
        t1 = time.perf_counter()
        target = out / lang
        result = await run_evaluation(str(HELDOUT[lang]), agent.processor, output_directory=str(target),
                                      errors=True, disable_plotting=True,
                                      domain_path=str(ROOT / "domain.yml"))
        row = {"file": str(HELDOUT[lang].relative_to(ROOT))}
        intents = result.get("intent_evaluation") or {}
        responses = result.get("response_selection_evaluation") or {}
        if intents.get("report"):
            row["intent_macro_f1"] = round(intents["report"]["macro avg"]["f1-score"], 4)
            row["intent_examples"] = int(intents["report"]["macro avg"]["support"])
        if responses.get("report"):
            row["faq_macro_f1"] = round(responses["report"]["macro avg"]["f1-score"], 4)
            row["faq_examples"] = int(responses["report"]["macro avg"]["support"])
        row["seconds"] = round(time.perf_counter() - t1, 1)
        summary["languages"][lang] = row
    return summary


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", type=Path, required=True, help="trained model archive (.tar.gz)")
    ap.add_argument("--out", type=Path, default=ROOT / "results" / "nlu", help="report directory")
    ap.add_argument("--lang", action="append", choices=sorted(HELDOUT),
                    help="only this language (repeatable; default: all)")
    args = ap.parse_args(argv)
    if not args.model.is_file():
        print(f"error: model not found: {args.model} (make train builds it)", file=sys.stderr)
        return 2
    langs = args.lang or list(HELDOUT)
    missing = [str(HELDOUT[lang]) for lang in langs if not HELDOUT[lang].is_file()]
    if missing:
        print(f"error: held-out file(s) missing: {', '.join(missing)}", file=sys.stderr)
        return 2
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    # Warnings only: at debug level Rasa logs every parsed message (the held-out sentences).
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)
    args.out.mkdir(parents=True, exist_ok=True)
    summary = asyncio.run(evaluate(args.model, args.out, langs))
    (args.out / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n",
                                           encoding="utf-8")
    print(f"model {summary['model']} loaded in {summary['load_seconds']} s")
    for lang, row in summary["languages"].items():
        print(f"  {lang:8s} intent macro-F1 {row.get('intent_macro_f1', float('nan')):.3f} "
              f"(n={row.get('intent_examples', 0)})  FAQ macro-F1 {row.get('faq_macro_f1', float('nan')):.3f} "
              f"(n={row.get('faq_examples', 0)})  {row['seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
