"""actions/i18n.py and the locale files: every sentence exists in every locale, with the same
values, and every key the code asks for exists."""
import re
from pathlib import Path

import pytest

from actions import actions as A
from actions import facts as F
from actions import i18n
from actions.language import LOCALES

ROOT = Path(__file__).resolve().parents[2]
# values a locale may use instead of another's ("2.5 million" / "250万"; "June 2024" / "2024年6月")
ALTERNATIVES = {"threshold", "threshold_wan", "month", "month_name"}


def _keys(lang):
    return set(i18n.catalogue(lang))


@pytest.mark.parametrize("lang", [l for l in LOCALES if l != "en"])
def test_every_key_in_every_locale(lang):
    assert _keys(lang) == _keys("en"), (
        f"missing in {lang}: {sorted(_keys('en') - _keys(lang))}; "
        f"only in {lang}: {sorted(_keys(lang) - _keys('en'))}")


def _placeholders(entry):
    if isinstance(entry, str):
        return i18n.placeholders(entry)
    if isinstance(entry, list):
        return set().union(*(i18n.placeholders(b["title"]) | (i18n.placeholders(b["payload"])
                                                                 if "{n}" in b["payload"] else set())
                             for b in entry)) if entry else set()
    return set()


@pytest.mark.parametrize("lang", [l for l in LOCALES if l != "en"])
def test_same_values_in_every_locale(lang):
    en, other = i18n.catalogue("en"), i18n.catalogue(lang)
    for key in en:
        a, b = _placeholders(en[key]) - ALTERNATIVES, _placeholders(other[key]) - ALTERNATIVES
        assert a == b, f"{key}: en {sorted(a)} vs {lang} {sorted(b)}"


@pytest.mark.parametrize("lang", LOCALES)
def test_buttons_are_buttons_and_language_payloads_are_codes(lang):
    for key, entry in i18n.catalogue(lang).items():
        if isinstance(entry, list):
            for b in entry:
                assert set(b) == {"title", "payload"}, key
                m = re.match(r'/switch_language\{"language":"([^"]+)"\}$', b["payload"])
                if b["payload"].startswith("/switch_language"):
                    assert m and m.group(1) in LOCALES, (key, b)


def test_every_key_the_code_uses_exists():
    code = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "actions").glob("*.py"))
    literal = set(re.findall(r'\b(?:t|buttons|raw)\(\s*"([a-z_][\w.]*)"', code))
    assert len(literal) > 60
    dynamic = {f"form.ask.{s}" for s in A.QUESTIONS} | {f"why.{s}" for s in A.QUESTIONS}
    dynamic |= {f"form.labels.{s}" for s in F.FACT_SLOTS} | {f"form.examples.{s}" for s in F.FORM_SLOTS}
    dynamic |= {f"summary.kinds.{k}" for k in F.KINDS}
    dynamic |= {f"form.buttons.{s}" for s in A.QUESTIONS
                if s not in ("income_currency", "income_type", "income_shares", "has_degree", "hk_nonlocal")}
    dynamic |= {a.key for a in A.REPLY_ACTIONS} | {a.buttons_key for a in A.REPLY_ACTIONS if a.buttons_key}
    missing = sorted(k for k in literal | dynamic if k not in i18n.catalogue("en"))
    assert not missing


def test_t_renders_values_and_falls_back_to_english(monkeypatch):
    assert i18n.t("form.position", "zh-Hant", position=2, total=5, question="Q") == "（2/5）Q"
    assert i18n.t("summary.months", "en", months="18") == "18 months"
    with pytest.raises(KeyError):
        i18n.t("form.position", "en", position=1)   # a value missing is a bug, not a blank
    real = i18n.catalogue
    broken = dict(real("zh-Hans"))
    del broken["replies.noted"]
    monkeypatch.setattr(i18n, "catalogue", lambda lang: broken if lang == "zh-Hans" else real(lang))
    assert i18n.t("replies.noted", "zh-Hans") == "Thanks, noted."


def test_turn_language_is_the_default_of_t():
    i18n.use("zh-Hans")
    assert i18n.t("replies.noted") == "谢谢，记下了。"
    i18n.use("xx")
    assert i18n.current() == "en"


@pytest.mark.parametrize("lang", ["zh-Hans", "zh-Hant"])
def test_chinese_locales_are_in_their_script(lang):
    """No sentence of the Simplified file shows Traditional characters, nor the reverse
    (language.detect judges every sentence; names of the other language are allowed)."""
    from actions.language import analyse
    allowed = {"简体中文", "繁體中文", "English"}
    for key, entry in i18n.catalogue(lang).items():
        texts = [entry] if isinstance(entry, str) else [b["title"] for b in entry] if isinstance(entry, list) else []
        for text in texts:
            for name in allowed:
                text = text.replace(name, "")
            text = re.sub(r"\{\w+\}", "", text)
            found, certain = analyse(text)
            # characters common to both scripts read as Simplified but "not certain"
            assert found in (lang, None) or not certain, (key, text, found)


@pytest.mark.parametrize("lang", LOCALES)
def test_no_dated_fact_written_by_hand_in_the_locale_files(lang):
    """The one-source check of tests/logic/test_one_source.py, on actions/locales: amounts,
    fees, stays, quota, dates, phones, emails and links come from ttps_logic's data."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("one_source", ROOT / "tests" / "logic" / "test_one_source.py")
    one_source = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(one_source)
    path = i18n.LOCALE_DIR / f"{lang}.yaml"
    found = one_source.hits_in(path.read_text(encoding="utf-8"), one_source.literals())
    assert not found, found
    planted = one_source.hits_in("call 2868 3780", one_source.literals())
    assert planted   # the check itself finds a planted literal
