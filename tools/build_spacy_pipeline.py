#!/usr/bin/env python3
"""Build the project's own spaCy pipeline ``en_ttps_pipeline`` (no download, no network).

Official spaCy models cannot be fetched here, so the pipeline is a blank English
pipeline plus an ``entity_ruler`` whose patterns come from the project's data:

    university    every ``name`` and every ``;``-separated alias in
                  ttps_logic/data/institutions.csv (aliases under 2 characters skipped;
                  institutions that were removed from the list are still recognised --
                  eligibility is ttps_logic's job, not the entity extractor's)
    currency      ISO codes, symbols and words used with incomes (HKD, HK$, 元, ...)
    degree_level  bachelor ... PhD, 本科 ... 博士

The labels are the Rasa entity names produced by SpacyEntityExtractor.

Build and install (run from the repo root; both steps are offline):

    .venv-rasa/bin/python tools/build_spacy_pipeline.py
    .venv-rasa/bin/pip install --no-index --no-deps --no-build-isolation --force-reinstall .cache/spacy/package/en_ttps_pipeline-0.1.0

Then ``spacy.load("en_ttps_pipeline")`` works, and so does Rasa's
``SpacyNLP`` with ``model: en_ttps_pipeline``.

``--no-build-isolation`` is required: the package directory has a setup.py but no
pyproject.toml, so with build isolation pip would fetch setuptools from an index,
which needs the network. Without isolation it uses the venv's own setuptools. The
same build also leaves an sdist and a wheel in ``.../en_ttps_pipeline-0.1.0/dist/``
(built with the venv's setuptools through spaCy's packaging, no network); the wheel
installs with ``pip install --no-index --no-deps --force-reinstall <wheel>`` and
needs no build step at all. ``--force-reinstall`` is there because every rebuild
keeps version 0.1.0; the content hash in meta["description"] tells builds apart:

    .venv-rasa/bin/python -c "import spacy; print(spacy.load('en_ttps_pipeline').meta['description'])"

Matching is on the lower-cased form of the text (``phrase_matcher_attr: LOWER``),
except for the few short forms in CASE_SENSITIVE (``BIT``, ``HIT``, ``UM``, ``BA``,
...) whose lower-case form is an everyday word: they are token patterns on ``ORTH``
and only match as written ("BIT" yes, "a bit" no; "MA" yes, "ma" no). This works in
Rasa with the default SpacyNLP settings: SpacyEntityExtractor runs the pipeline on
the original message text, not on the lower-cased text SpacyNLP makes for
tokens/features when ``case_sensitive`` is false. Entity values keep the user's
spelling ("tsinghua university"); map them to a registry row case-insensitively.

The tokenizer (saved with the pipeline) is nlu_components/mixed_tokenizer.py, packed into
the package as its custom code: Chinese runs are segmented by jieba (on their Simplified
form), Latin/digit runs by spaCy's English tokenizer, and every token's lemma is its
Simplified lower-case form (what Rasa's CountVectorsFeaturizer reads). jieba's user
dictionary gets every Chinese institution name and alias from institutions.csv, in both
scripts and as Simplified, the Chinese degree and currency words and everyday Cantonese
words (CANTONESE), so "我在清華大學讀本科" -> 我 / 在 / 清華大學 / 讀 / 本科 and the ruler
matches. The English tokenizer inside it is adjusted so that the patterns can match where
English tokenisation would glue them to something else:
  * currency symbols/codes directly before a number: "HK$3M", "S$200k", "RMB3M";
  * ISO codes directly after a number: "3000000HKD".
``--plain-tokenizer`` keeps spaCy's default English tokenizer for everything (Chinese text
is then not segmented at all).

Usage:
    python tools/build_spacy_pipeline.py [--institutions PATH] [--out DIR] [--plain-tokenizer]

Writes OUT/model (nlp.to_disk) and OUT/package/en_ttps_pipeline-0.1.0 (spacy package,
with dist/*.tar.gz and dist/*.whl built by its setup.py). Runs in .venv-rasa: stdlib, spacy,
jieba and opencc-python-reimplemented.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

# spaCy's thinc imports TensorFlow when it is installed (it is, in .venv-rasa); keep its
# start-up chatter out of the build output.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import spacy  # noqa: E402
from spacy.util import compile_prefix_regex, compile_suffix_regex  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from nlu_components import mixed_tokenizer  # noqa: E402
from nlu_components.mixed_tokenizer import to_simplified  # noqa: E402

TOKENIZER_CODE = Path(mixed_tokenizer.__file__)
DEFAULT_INSTITUTIONS = REPO / "ttps_logic" / "data" / "institutions.csv"
DEFAULT_OUT = REPO / ".cache" / "spacy"

LANG = "en"
NAME = "ttps_pipeline"
VERSION = "0.1.0"
PACKAGE = f"{LANG}_{NAME}"  # what spacy.load() imports; spacy package prefixes the lang

MIN_ALIAS_LEN = 2

CURRENCY = [
    "HKD", "HK$", "USD", "US$", "RMB", "CNY", "yuan", "元", "港幣", "港币",
    "GBP", "£", "EUR", "€", "SGD", "S$", "JPY", "¥", "AUD", "A$", "CAD", "C$",
    "KRW", "CHF", "TWD", "NT$", "INR", "dollars", "pounds", "euros",
    # beyond the brief's list: the usual Chinese words for the same currencies
    "港元", "人民币", "人民幣", "美元",
]

DEGREE_LEVEL = [
    "bachelor", "bachelor's", "bachelors", "BA", "BSc", "BEng", "BBA", "LLB",
    "undergraduate", "master", "master's", "MSc", "MA", "MBA", "MPhil", "PhD",
    "doctorate", "doctoral", "本科", "学士", "學士", "硕士", "碩士", "博士",
    # beyond the brief's list: obvious spelling variants
    "masters", "bachelor’s", "master’s", "Ph.D", "Ph.D.",
]

# Short forms whose lower-case spelling is an ordinary word ("a bit", "um", "hit",
# "kit", "rug", "ba", "ma"...): matched case-sensitively (ORTH) instead of on LOWER.
CASE_SENSITIVE = {"BIT", "HIT", "KIT", "UM", "RUG", "TUM", "ETH", "Cal", "BA", "MA"}

ISO_CODES = ["HKD", "USD", "RMB", "CNY", "GBP", "EUR", "SGD", "JPY", "AUD", "CAD",
             "KRW", "CHF", "TWD", "INR"]
DOLLAR_PREFIXES = ["HK", "US", "NT", "S", "A", "C"]  # HK$, US$, NT$, S$, A$, C$
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")

# Everyday Cantonese (and a few Hong Kong) words jieba's Mandarin dictionary would cut up or
# glue to their neighbours; added to its user dictionary as typed and in Simplified form.
CANTONESE = [
    "唔知", "唔係", "唔使", "唔該", "唔好", "唔得", "唔清楚", "唔記得", "冇",
    "有冇", "係咪", "係唔係", "得唔得", "點樣", "點解", "乜嘢", "咩", "邊度",
    "邊間", "幾多", "幾耐", "而家", "咁", "嘅", "啲", "佢", "佢哋", "我哋", "你哋", "睇下",
    "睇吓", "做咗", "讀咗", "畢咗業", "搵", "畀", "攞", "人工", "份工", "返工", "多謝",
    "拜拜", "再見", "廣東話", "講", "嗰", "呢個", "嗰個", "喺", "咗", "冇問題",
    "好嘢", "得喇", "係呀", "係啊", "唔係呀", "繁體", "簡體", "繁体", "简体", "普通話",
    "同事", "真人", "職員", "高才通", "高才", "人才清單", "下年", "舊年", "琴日", "聽日",
]

# Where jieba must cut a run it would keep whole (Simplified: segmentation runs on the
# Simplified form), so that degree words and amounts end on a token boundary:
# 硕士学位 -> 硕士 / 学位, 300万能 -> 300 / 万 / 能, 我係 (我系 "my department") -> 我 / 係.
FORCED_SPLITS = [
    ("本科", "学历"), ("本科", "学位"), ("硕士", "学位"), ("博士", "学位"), ("学士", "学位"),
    ("硕士", "学历"), ("博士", "学历"), ("大", "学士"), ("万", "能"), ("万", "多"), ("我", "系"),
    ("你", "系"), ("我", "后"),
]


def read_institutions(path: Path) -> tuple[list[str], int, int, int]:
    """Return (terms, n_rows, n_names, n_aliases) from the registry CSV."""
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = {"name", "aliases"} - set(reader.fieldnames or [])
        if missing:
            sys.exit(f"error: {path} lacks column(s): {', '.join(sorted(missing))}")
        rows = list(reader)
    terms: list[str] = []
    n_names = n_aliases = 0
    for row in rows:
        name = (row.get("name") or "").strip()
        if name:
            terms.append(name)
            n_names += 1
        for alias in (row.get("aliases") or "").split(";"):
            alias = alias.strip()
            if len(alias) >= MIN_ALIAS_LEN:
                terms.append(alias)
                n_aliases += 1
    return terms, len(rows), n_names, n_aliases


def make_patterns(university: list[str]) -> tuple[list[dict], dict[str, dict[str, int]]]:
    """Entity-ruler patterns, deduplicated per label on the lower-cased text, sorted."""
    by_label = {"university": university, "currency": CURRENCY, "degree_level": DEGREE_LEVEL}
    seen: dict[str, str] = {}  # lowered text -> label
    patterns: list[dict] = []
    stats: dict[str, dict[str, int]] = {}
    for label, terms in by_label.items():
        st = stats.setdefault(label, {"terms": len(terms), "phrase": 0, "token": 0, "duplicate": 0})
        for term in terms:
            key = term if term in CASE_SENSITIVE else term.lower()
            if key in seen:
                if seen[key] != label:
                    sys.exit(f"error: {term!r} would be both {seen[key]} and {label}")
                st["duplicate"] += 1
                continue
            seen[key] = label
            if term in CASE_SENSITIVE:
                patterns.append({"label": label, "pattern": [{"ORTH": term}]})
                st["token"] += 1
            else:
                patterns.append({"label": label, "pattern": term})
                st["phrase"] += 1
    patterns.sort(key=lambda p: (p["label"], json.dumps(p["pattern"], ensure_ascii=False)))
    return patterns, stats


def jieba_words(patterns: list[dict]) -> list[str]:
    """jieba's user dictionary: every Chinese pattern (and its Simplified form), Cantonese words."""
    words = set()
    for term in [p["pattern"] for p in patterns if isinstance(p["pattern"], str)] + CANTONESE:
        if CJK.search(term):
            words.add(term)
            words.add(to_simplified(term))
    # whole words first, then the cuts (a cut tunes the frequencies the words have set)
    return sorted(words) + [" ".join(pair) for pair in FORCED_SPLITS]


def adjust_tokenizer(nlp, patterns: list[dict]) -> dict[str, object]:
    """Mixed-script tokenizer: jieba words, currency affixes for the English part."""
    codes = "|".join(c.lower() for c in ISO_CODES)
    dollars = "|".join(p.lower() for p in DOLLAR_PREFIXES)
    added = {
        "prefix": [rf"(?i:{dollars})\$", rf"(?i:{codes})(?=[0-9])"],
        "suffix": [rf"(?<=[0-9])(?i:{codes})"],
    }
    defaults = nlp.Defaults
    en = nlp.tokenizer.en
    en.prefix_search = compile_prefix_regex(added["prefix"] + list(defaults.prefixes)).search
    en.suffix_search = compile_suffix_regex(added["suffix"] + list(defaults.suffixes)).search
    nlp.tokenizer.words = jieba_words(patterns)
    out: dict[str, object] = {k: "|".join(v) for k, v in added.items()}
    out["jieba_words"] = nlp.tokenizer.words
    out["code_sha256"] = hashlib.sha256(TOKENIZER_CODE.read_bytes()).hexdigest()
    return out


def content_hash(patterns: list[dict], tokenizer: dict[str, object]) -> str:
    blob = json.dumps({"lang": LANG, "name": NAME, "version": VERSION, "spacy": spacy.__version__,
                       "patterns": patterns, "tokenizer": tokenizer},
                      ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--institutions", type=Path, default=DEFAULT_INSTITUTIONS,
                    help="institution registry CSV (default: %(default)s)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT,
                    help="output directory (default: %(default)s)")
    ap.add_argument("--plain-tokenizer", action="store_true",
                    help="keep spaCy's default English tokenizer (no currency/Chinese splitting)")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()

    if not args.institutions.is_file():
        sys.exit(f"error: institutions file not found: {args.institutions}")
    out = args.out.resolve()
    model_dir = out / "model"
    package_root = out / "package"
    package_dir = package_root / f"{PACKAGE}-{VERSION}"

    university, n_rows, n_names, n_aliases = read_institutions(args.institutions)
    patterns, stats = make_patterns(university)

    if args.plain_tokenizer:
        nlp = spacy.blank(LANG)
    else:
        nlp = spacy.blank(LANG, config={"nlp": {"tokenizer": {
            "@tokenizers": mixed_tokenizer.REGISTRY_NAME}}})
    tokenizer = {} if args.plain_tokenizer else adjust_tokenizer(nlp, patterns)
    # The tokenizer must be final before patterns are added: phrase patterns are tokenised now.
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER", "validate": True,
                                                 "overwrite_ents": True})
    ruler.add_patterns(patterns)

    digest = content_hash(patterns, tokenizer)
    csv_digest = hashlib.sha256(args.institutions.read_bytes()).hexdigest()
    nlp.meta.update({
        "name": NAME,
        "lang": LANG,
        "version": VERSION,
        "description": (f"TTPS entity ruler (university, currency, degree_level) built by "
                        f"tools/build_spacy_pipeline.py; content sha256:{digest[:16]}; "
                        f"institutions.csv sha256:{csv_digest[:16]}; "
                        f"tokenizer: {'plain' if args.plain_tokenizer else 'mixed (jieba + English, Simplified lemmas)'}"),
        "author": "TTPS chatbot project",
        "license": "proprietary",
    })

    # Only the two generated directories are replaced, never --out itself.
    if model_dir.exists():
        shutil.rmtree(model_dir)
    if package_dir.exists():
        shutil.rmtree(package_dir)
    model_dir.parent.mkdir(parents=True, exist_ok=True)
    package_root.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(model_dir)

    # Same as: python -m spacy package OUT/model OUT/package --name ttps_pipeline
    #          --version 0.1.0 --build sdist,wheel --force
    # except that setup.py runs here with its output captured (shown only on failure).
    from spacy.cli.package import package as spacy_package
    spacy_package(model_dir, package_root, name=NAME, version=VERSION,
                  code_paths=[] if args.plain_tokenizer else [TOKENIZER_CODE],
                  create_sdist=False, create_wheel=False, force=True, silent=True)
    proc = subprocess.run([sys.executable, "setup.py", "-q", "sdist", "bdist_wheel"],
                          cwd=package_dir, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        sys.exit(f"error: building the sdist/wheel in {package_dir} failed "
                 f"(the package directory itself is usable)")

    # Smoke test the saved model (tokenizer and patterns reloaded from disk).
    loaded = spacy.load(model_dir)
    probe = loaded("Graduated from HKU with a BSc, earning 3M HKD")
    got = [(e.text, e.label_) for e in probe.ents]
    want = [("HKU", "university"), ("BSc", "degree_level"), ("HKD", "currency")]
    if not args.plain_tokenizer:
        probe = loaded("我在清华大学读本科, earning HK$3M")
        got += [(e.text, e.label_) for e in probe.ents]
        want += [("清华大学", "university"), ("本科", "degree_level"), ("HK$", "currency")]
        probe = loaded("我喺香港科技大學讀碩士，做咗三年")
        got += [(e.text, e.label_) for e in probe.ents]
        want += [("香港科技大學", "university"), ("碩士", "degree_level")]
        probe = loaded("我想check一下TTPS eligibility")
        got += [(t.text, t.lemma_) for t in probe]
        want += [("我", "我"), ("想", "想"), ("check", "check"), ("一下", "一下"), ("TTPS", "ttps"),
                 ("eligibility", "eligibility")]
        probe = loaded("我有冇資格")
        got += [(t.text, t.lemma_) for t in probe][-1:]
        want += [("資格", "资格")]
    if got != want:
        sys.exit(f"error: smoke test on the saved model gave {got}, expected {want}")

    dist = sorted(p.name for p in (package_dir / "dist").glob("*"))
    print(f"built {PACKAGE} {VERSION} with spaCy {spacy.__version__} in {time.perf_counter() - t0:.1f}s")
    print(f"  institutions: {args.institutions} ({n_rows} rows, {n_names} names, "
          f"{n_aliases} aliases of >= {MIN_ALIAS_LEN} chars)")
    for label, st in stats.items():
        print(f"  {label:<13} {st['phrase'] + st['token']:>4} patterns "
              f"({st['phrase']} phrase on LOWER, {st['token']} case-sensitive token; "
              f"{st['duplicate']} duplicate terms dropped)")
    print(f"  total         {len(patterns):>4} patterns")
    print(f"  tokenizer: {'spaCy default' if args.plain_tokenizer else 'mixed: jieba (' + str(len(nlp.tokenizer.words)) + ' user words) + English with currency affixes; Simplified lemmas'}")
    print(f"  content sha256: {digest}")
    print(f"  model:   {model_dir}")
    print(f"  package: {package_dir}")
    for name in dist:
        print(f"           dist/{name}")
    print("install (offline):")
    print(f"  {Path(sys.executable).parent / 'pip'} install --no-index --no-deps --no-build-isolation "
          f"--force-reinstall {package_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
