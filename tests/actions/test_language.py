"""actions/language.py: which locale a message shows, and which one the conversation keeps."""

import subprocess
import sys
from pathlib import Path

import pytest

from actions.language import EN, ZH_HANS, ZH_HANT, choose, detect, normalise

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("text, expected", [
    # Simplified
    ("你好，我想申请高才通", ZH_HANS),
    ("清华大学本科2020年毕业", ZH_HANS),
    ("年薪200万人民币", ZH_HANS),
    ("我想check一下TTPS eligibility", None),  # all characters common to both: see below
    ("没有", ZH_HANS),
    ("不知道", ZH_HANS),
    # Traditional
    ("你好，我想申請高才通", ZH_HANT),
    ("我喺香港大學讀書", ZH_HANT),
    ("請問我有沒有資格", ZH_HANT),
    ("月薪八萬港幣", ZH_HANT),
    # Cantonese particles, in either script
    ("做咗兩年", ZH_HANT),
    ("冇", ZH_HANT),
    ("唔知", ZH_HANT),
    ("我有冇资格", ZH_HANT),
    ("系咪要有job offer先", ZH_HANT),
    # English sentences
    ("I graduated from MIT in 2020", EN),
    ("can I apply for TTPS?", EN),
    ("I studied at 清华大学 in 2019 and I earn 3M", EN),
    ("what are the categories", EN),
    # nothing clear
    ("MIT", None),
    ("yes", None),
    ("HK$3M", None),
    ("2020", None),
    ("University of Hong Kong", None),
    ('/what_if{"application_date":"next year"}', None),   # a button's intent
    ('/switch_language{"language":"zh-Hant"}', None),
    ("/dont_know", None),
    ("好耐之前", ZH_HANT),
    ("Master of Science", None),
    ("", None),
    ("👍", None),
])
def test_detect(text, expected):
    if text == "我想check一下TTPS eligibility":
        # Chinese, but no character tells the script: Simplified unless the conversation says
        assert detect(text) == ZH_HANS
        assert choose(ZH_HANT, text) == ZH_HANT
        assert choose(EN, text) == ZH_HANS
        return
    assert detect(text) == expected


def test_script_sets_do_not_count_characters_common_to_both_scripts():
    # 台 才 里 后 面 系 只 干 are the Simplified form of some characters and ordinary
    # Traditional characters as well: a Traditional message using them stays Traditional.
    assert detect("我喺台灣讀完大學後面先嚟香港") == ZH_HANT
    assert detect("我在台湾读完大学后才来香港") == ZH_HANS
    assert detect("才") == ZH_HANS and choose(ZH_HANT, "才") == ZH_HANT


@pytest.mark.parametrize("previous, text, expected", [
    (None, "hi", EN),
    (None, "你好", ZH_HANS),
    (EN, "你好", ZH_HANS),
    (ZH_HANT, "你好", ZH_HANT),
    (ZH_HANS, "你好", ZH_HANS),
    (ZH_HANS, "MIT", ZH_HANS),
    (ZH_HANT, "HK$3M", ZH_HANT),
    (ZH_HANS, "2020", ZH_HANS),
    (ZH_HANS, "yes", ZH_HANS),
    (ZH_HANS, "University of Hong Kong", ZH_HANS),
    (ZH_HANS, "I want to continue in English please", EN),
    (ZH_HANS, "thank you", ZH_HANS),
    (ZH_HANT, "OK thanks", ZH_HANT),
    (None, "thank you", EN),
    (ZH_HANS, "yes I do", EN),
    (ZH_HANS, "我喺香港讀書", ZH_HANT),
    (ZH_HANT, "我在香港读书", ZH_HANS),
    (EN, "2020", EN),
    ("fr", "2020", EN),  # not a locale of ours
    (None, "", EN),
])
def test_choose(previous, text, expected):
    assert choose(previous, text) == expected


@pytest.mark.parametrize("value, previous, expected", [
    ("zh-Hant", None, ZH_HANT),
    ("zh-Hans", ZH_HANT, ZH_HANS),
    ("en", ZH_HANS, EN),
    ("English", ZH_HANS, EN),
    ("英文", ZH_HANS, EN),
    ("簡體", None, ZH_HANS),
    ("简体中文", ZH_HANT, ZH_HANS),
    ("繁體", None, ZH_HANT),
    ("繁体", ZH_HANS, ZH_HANT),
    ("廣東話", None, ZH_HANT),
    ("講廣東話", None, ZH_HANT),
    ("粤语", None, ZH_HANT),
    ("Cantonese", None, ZH_HANT),
    ("中文", None, ZH_HANS),
    ("中文", ZH_HANT, ZH_HANT),
    ("中文", EN, ZH_HANS),
    ("Chinese", ZH_HANT, ZH_HANT),
    ("漢語", None, ZH_HANT),
    ("普通话", None, ZH_HANS),
    ("zh_TW", None, ZH_HANT),
    ("Traditional Chinese", None, ZH_HANT),
    ("switch to English please", ZH_HANT, EN),
    ("chinese version", EN, ZH_HANS),
    ("French", None, None),
    ("", None, None),
    (None, None, None),
])
def test_normalise(value, previous, expected):
    assert normalise(value, previous) == expected


def test_pure_standard_library():
    """channels/ imports it in the Rasa environment: no rasa_sdk, no ttps_logic, no third party."""
    code = (
        f"import sys; sys.path.insert(0, {str(ROOT)!r}); import actions.language as l; "
        "bad = [m for m in ('rasa_sdk', 'ttps_logic', 'yaml', 'pydantic') if m in sys.modules]; "
        "assert not bad, bad; print(l.detect('請問'))"
    )
    out = subprocess.run([sys.executable, "-I", "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ZH_HANT
