"""Which language to answer in: English, Simplified Chinese (zh-Hans) or Traditional Chinese
(zh-Hant, Hong Kong usage).

Pure standard library: the channel connectors import it in the Rasa environment too.

- ``detect(text)`` says which locale a message clearly shows, or ``None`` when it shows none
  ("MIT", "2020", "yes", "HK$3M").
- ``choose(previous, text)`` is the locale to answer in: the conversation keeps its locale and
  changes only on a clear signal.
- ``normalise(value, previous)`` turns what a person calls a language ("中文", "简体", "繁體",
  "廣東話", "English", "zh_TW") into a locale code.

Telling the scripts apart: a character is Traditional-only when it has a different Simplified
form (``ttps_logic/data/zh_t2s_chars.tsv``, OpenCC's table) and is not in GB2312, the Mainland
character set; Simplified-only when it is the Simplified form of another character and is not
in Big5, the Traditional character set (台, 才, 里 … are the Simplified form of some characters
and ordinary Traditional characters as well: Big5 has them, so they do not count).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import FrozenSet, Optional, Tuple

EN = "en"
ZH_HANS = "zh-Hans"
ZH_HANT = "zh-Hant"
LOCALES = (EN, ZH_HANS, ZH_HANT)
DEFAULT = EN

_T2S = Path(__file__).resolve().parent.parent / "ttps_logic" / "data" / "zh_t2s_chars.tsv"

# Cantonese written forms: a message using them is Hong Kong Chinese, whatever the script.
_CANTONESE = (
    "咗", "冇", "嘅", "係", "唔", "喺", "咩", "啲", "佢", "嘢", "乜", "點解", "噉", "咁",
    "嗰", "哋", "囉", "嘞", "睇", "諗", "攞", "畀", "揾", "搵", "邊個", "幾多", "返工",
    "系咪", "好耐", "幾耐", "几耐", "點樣", "点样", "乜嘢", "咁樣",
)

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")
_PAYLOAD = re.compile(r"^\s*/[A-Za-z_][\w/]*(\{.*\})?\s*$", re.S)

# Words that make a run of Latin words an English sentence rather than a name or an
# abbreviation ("University of Hong Kong" and "Master of Science" are not a sentence).
_SENTENCE_WORDS = frozenset("""
i i'm im me my mine we our you your he she it it's they them is am are was were be been do does
did don't didn't have has had haven't can can't could would will won't should shall may might
what when where which who why how please thanks thank hello hi hey yes no not never want like
need know think tell speak talk help check if there this that these those and but or so
about just also still yet already here ok okay sorry sure got get going go let let's
""".split())

_LANGUAGE_NAMES = (
    # (words, locale or "zh" for Chinese whose script is told by the words or the conversation)
    (("简体", "簡體", "简体中文", "簡體中文", "简中", "zh-hans", "zh_hans", "zh-cn", "zh_cn",
      "simplified", "simplified chinese", "大陆", "内地", "普通话"), ZH_HANS),
    (("繁体", "繁體", "繁体中文", "繁體中文", "繁中", "zh-hant", "zh_hant", "zh-hk", "zh_hk",
      "zh-tw", "zh_tw", "traditional", "traditional chinese", "廣東話", "广东话", "粵語", "粤语",
      "廣東", "广东", "cantonese", "香港話", "香港话", "港式中文", "國語", "普通話"), ZH_HANT),
    (("english", "英文", "英語", "英语", "en", "en-us", "en-gb", "eng"), EN),
    (("中文", "chinese", "汉语", "漢語", "华语", "華語", "mandarin", "zh", "中", "唐話"), "zh"),
)


@lru_cache(maxsize=1)
def _script_sets() -> Tuple[FrozenSet[str], FrozenSet[str]]:
    """(Traditional-only characters, Simplified-only characters)."""
    traditional, simplified = set(), set()
    with _T2S.open(encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or "\t" not in line:
                continue
            t, s = line.rstrip("\n").split("\t")[:2]
            if t == s:
                continue
            if not _encodes(t, "gb2312"):
                traditional.add(t)
            if not _encodes(s, "big5"):
                simplified.add(s)
    return frozenset(traditional), frozenset(simplified)


def _encodes(char: str, codec: str) -> bool:
    try:
        char.encode(codec)
    except UnicodeEncodeError:
        return False
    return True


def analyse(text: str) -> Tuple[Optional[str], bool]:
    """(locale the text shows, whether that locale is certain).

    Chinese whose characters are common to both scripts gives (zh-Hans, False): it is Chinese,
    and Simplified is the script most applicants write, but a conversation in Traditional
    Chinese stays in it. Two English words ("thank you") give (en, False): a conversation in
    Chinese stays in it."""
    text = text or ""
    if _PAYLOAD.match(text):   # a button's intent ("/affirm", "/what_if{...}"): no language
        return None, False
    cjk = _CJK.findall(text)
    words = [w.lower() for w in _WORD.findall(text)]
    sentence_words = sum(1 for w in words if w in _SENTENCE_WORDS)
    if cjk and (len(cjk) >= len(words) or sentence_words == 0):
        if any(p in text for p in _CANTONESE):
            return ZH_HANT, True
        traditional, simplified = _script_sets()
        t = sum(1 for c in cjk if c in traditional)
        s = sum(1 for c in cjk if c in simplified)
        if t > s:
            return ZH_HANT, True
        if s > t:
            return ZH_HANS, True
        return ZH_HANS, False
    if sentence_words >= 2 or (sentence_words >= 1 and len(words) >= 3):
        # two words ("thank you", "OK thanks") are English, but not enough to leave Chinese
        return EN, len(words) >= 3
    return None, False


def detect(text: str) -> Optional[str]:
    """The locale the message clearly shows, or None ("MIT", "2020", "yes", "HK$3M").

    Chinese written only with characters common to both scripts ("我有") gives zh-Hans."""
    return analyse(text)[0]


def choose(previous: Optional[str], text: str) -> str:
    """The locale to answer ``text`` in, given the conversation's ``previous`` locale."""
    previous = previous if previous in LOCALES else None
    found, certain = analyse(text)
    if found is None:
        return previous or DEFAULT
    if not certain and previous in (ZH_HANS, ZH_HANT):
        return previous
    return found


def normalise(value: Optional[str], previous: Optional[str] = None) -> Optional[str]:
    """A locale code for what a person calls a language, or None when it names none.

    "中文" / "Chinese" keep the conversation's Chinese script, else the script the word is
    written in, else Simplified."""
    if not value:
        return None
    raw = str(value).strip()
    if raw in LOCALES:
        return raw
    key = re.sub(r"\s+", " ", raw.lower())
    key = re.sub(r"^(講|讲|說|说|用|睇|看|转|轉|換|换|切换到?|切換到?|switch to|speak|in)\s*", "", key)
    key = re.sub(r"(please|吧|啦|喇|呀|啊|，|,|。|!|！)+$", "", key).strip()
    for names, locale in _LANGUAGE_NAMES:
        if key in names:
            return _chinese(raw, previous) if locale == "zh" else locale
    for names, locale in _LANGUAGE_NAMES:  # a longer phrase naming one of them
        if any(_names_in(n, key) for n in names):
            return _chinese(raw, previous) if locale == "zh" else locale
    return None


# A language asked for: right after a word of asking for it ("用中文", "講廣東話", "in English").
_ASKED_BEFORE = re.compile(r"(?:用|以|说|說|讲|講|转|轉|转用|轉用|改|改用|换|換|換成|换成|切换到?|切換到?|"
                           r"想用|要|\bprefer|\bto|\bin|\bwith|\buse|\bspeak|\breply in|\banswer in)\s*$", re.I)
# A language described as weak or not understood ("我英文不太好", "唔識英文", "my English is bad").
_WEAK_AFTER = re.compile(r"^\s*(?:都|也|真係|真的|实在|實在|就)?\s*(?:不太好|不大好|不好|唔太好|唔好|麻麻|一般|"
                         r"好差|很差|差|弱|唔掂|不行|唔得|不太行|不灵光|不靈光|\bis(?:n'?t| not) (?:very |so |too )?"
                         r"(?:good|great)|\bis (?:very |so |too )?(?:bad|poor|weak|limited)|\bnot (?:so |very |too )?good|\bbad|\bpoor|\bweak)",
                         re.I)
_WEAK_BEFORE = re.compile(r"(?:不要|唔要|不用|唔使|唔用|别用|別用|\bnot|\bnot in|不会|不會|唔識|唔会|唔會|不懂|唔明|看不懂|睇唔明|睇唔明白|听不懂|聽不懂|不太会|"
                          r"不太會|不擅长|不擅長|can'?t (?:speak|read|understand)|don'?t (?:speak|read|understand)|"
                          r"\bnot good at|\bno)\s*$", re.I)


def _mentions(text: str):
    """Every language named in ``text``: (start, end, locale or "zh"), the longest name at a place."""
    low = text.lower()
    found = []
    for names, locale in _LANGUAGE_NAMES:
        for name in names:
            if (name.isascii() and len(name) <= 2) or (not name.isascii() and len(name) < 2):
                continue
            pattern = (r"(?<![a-z])" + re.escape(name) + r"(?![a-z])") if name.isascii() else re.escape(name)
            for m in re.finditer(pattern, low):
                if not name.isascii() and re.match(r"大学|大學", low[m.end():]):
                    continue   # 中文大學 is a university, not a language
                found.append((m.start(), m.end(), locale))
    found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
    out = []
    for f in found:
        if not out or f[0] >= out[-1][1]:
            out.append(f)
    return out


def requested(text: Optional[str], previous: Optional[str] = None) -> Optional[str]:
    """The locale a message asks for when it names several languages ("我英文不太好 能用中文跟我说吗":
    Chinese): the one asked for (after 用 / 講 / 轉 / "in" …), never one described as weak or not
    understood. None when the message names fewer than two languages, or asks for none of them."""
    text = str(text or "")
    mentions = _mentions(text)
    if len({m[2] for m in mentions}) < 2:
        return None
    best, best_score = None, None
    for start, end, locale in mentions:
        score = 0
        if _ASKED_BEFORE.search(text[max(0, start - 12):start]):
            score += 2
        if _WEAK_AFTER.search(text[end:end + 16]) or _WEAK_BEFORE.search(text[max(0, start - 16):start]):
            score -= 3
        if best_score is None or score >= best_score:   # a tie: the one named last
            best, best_score = locale, score
    if best is None or best_score < 0:
        return None
    return _chinese(text, previous) if best == "zh" else best


def _names_in(name: str, phrase: str) -> bool:
    if name.isascii():
        return len(name) > 2 and re.search(r"(?<![a-z])" + re.escape(name) + r"(?![a-z])", phrase) is not None
    return len(name) > 1 and name in phrase


def _chinese(word: str, previous: Optional[str]) -> str:
    if previous in (ZH_HANS, ZH_HANT):
        return previous
    found, certain = analyse(word)
    return found if certain and found in (ZH_HANS, ZH_HANT) else ZH_HANS
