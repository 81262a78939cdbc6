"""The personas and the fuzz pool are written apart from the NLU data: no message of theirs is a
training example (data/**/*.yml: NLU examples, synonyms and lookups, and user turns of stories
and rules) or a held-out example (tests/nlu/*.yml), after normalisation (lowercase, whitespace
collapsed, trailing punctuation stripped, entity annotations removed).

Closed-class messages are exempt: messages of one or two words ("hi", "yes", "skip", "HKU",
"Chinese"; Chinese characters count two to a word: "不知道", "2020年"), which every assistant is trained on and the issue asks the fuzz to use, and a
message that is exactly the name or alias of an institution in ttps_logic's registry ("University
of Oxford" can only be typed one way). The test prints how many exempt messages occur in the
NLU data. Everything else must not."""
from __future__ import annotations

import re
from pathlib import Path

import yaml

from convsuite import ROOT, fuzz_messages, load_fuzz_pool, load_personas

from ttps_logic.institutions import registry

MAX_EXEMPT_WORDS = 2
_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")
_TRAILING = " \t\r\n.,!?;:…。，！？；：~"
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def normalise(text: str) -> str:
    text = _ANNOTATION.sub(r"\1", text)
    return " ".join(text.lower().split()).rstrip(_TRAILING).strip()


def _walk(node, out: set[str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "examples" and isinstance(value, str):
                for line in value.splitlines():
                    line = line.strip()
                    if line.startswith("-"):
                        out.add(normalise(line[1:]))
            elif key == "user" and isinstance(value, str):
                out.add(normalise(value))
            else:
                _walk(value, out)
    elif isinstance(node, list):
        for item in node:
            _walk(item, out)


def examples_in(files) -> set[str]:
    out: set[str] = set()
    for f in files:
        _walk(yaml.safe_load(Path(f).read_text(encoding="utf-8")), out)
    out.discard("")
    return out


def training_examples() -> set[str]:
    return examples_in(sorted((ROOT / "data").rglob("*.yml")))


def heldout_examples() -> set[str]:
    return examples_in(sorted((ROOT / "tests" / "nlu").glob("*.yml")))


def our_messages() -> dict[str, str]:
    """normalised message -> where it comes from"""
    out = {}
    for p in load_personas():
        for i, t in enumerate(p["turns"], start=1):
            out.setdefault(normalise(t), f"persona {p['id']} turn {i}")
    for m in fuzz_messages(load_fuzz_pool()):
        out.setdefault(normalise(m), "fuzz pool")
    out.pop("", None)
    return out


def institution_names() -> set[str]:
    return {normalise(label) for inst in registry().institutions
            for label in (inst.name, *inst.aliases)}


def words_in(message: str) -> int:
    """Words of a message; Chinese is written without spaces, so its characters count two to a
    word ("不知道" is two words, "我在清华读的本科" four)."""
    cjk = len(_CJK.findall(message))
    return len(_CJK.sub(" ", message).split()) + (cjk + 1) // 2


def exempt(message: str, names: set[str]) -> bool:
    return words_in(message) <= MAX_EXEMPT_WORDS or message in names


def _check(examples: set[str], name: str) -> None:
    __tracebackhide__ = True  # a failure must show our messages, never the NLU examples
    ours = our_messages()
    assert len(examples) >= 200, f"too few {name} examples found ({len(examples)}); wrong paths?"
    names = institution_names()
    closed = {m for m in ours if exempt(m, names)}
    print(f"\n{name}: {len(examples)} examples; ours: {len(ours)} messages, {len(closed)} "
          f"closed-class (exempt), {len(closed & examples)} of those also in the {name}")
    assert len(closed) < len(ours) / 2, "most of our messages must be open-class"
    overlap = sorted((set(ours) - closed) & examples)
    assert not overlap, f"{len(overlap)} messages also in the {name}: " + "; ".join(
        f"{m!r} ({ours[m]})" for m in overlap[:15])


def test_exemptions_are_narrow():
    names = institution_names()
    assert exempt("hku", names) and exempt("university of oxford", names)
    assert not exempt("i studied at the university of oxford", names)
    assert not exempt("i don't know exactly", names)
    assert exempt("你好", names) and exempt("不知道", names) and exempt("2020年", names)
    assert not exempt("我在清华读的本科", names) and not exempt("我想check下ttps", names)


def test_normalisation():
    assert normalise("  Hello   THERE!! ") == "hello there"
    assert normalise("I studied at [HKU](university).") == "i studied at hku"
    assert normalise('[3M HKD]{"entity": "income"} salary?') == "3m hkd salary"


def test_no_overlap_with_the_training_data():
    _check(training_examples(), "training data")


def test_no_overlap_with_the_heldout_sets():
    _check(heldout_examples(), "held-out sets")
