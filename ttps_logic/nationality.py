"""Nationality from what people type: names, demonyms, short forms, ISO codes, Chinese names.

``resolve_nationality(text)`` answers

- ``matched`` with a ``code`` when the words name one nationality (or one residence status the
  TTPS page treats on its own, see below);
- ``ambiguous`` with ``candidates`` when they name several ("Korean": South or North Korea;
  "Congolese"; "British and Irish"), or when only a spelling correction fits ("Vietnamse"): a
  fuzzy match is never accepted on its own, it is offered for confirmation;
- ``not_found`` otherwise.

Codes are ISO 3166-1 alpha-2, except the residence statuses that the TTPS page (revised
at the start of 2026) names separately, which need different documents or conditions:

====================  ===============================================================  ==========
code                  meaning                                                          clause
====================  ===============================================================  ==========
``CN``                Chinese national, residence not stated                           —
``CN-MAINLAND``       Chinese resident of the Mainland (letter of consent needed)      documents.mainland
``CN-OVERSEAS``       Chinese national holding a PRC passport, living overseas         nationals.prc_overseas
                      (overseas permanent residence, or ≥ 1 year overseas and the
                      application made from overseas)
``HK``                Hong Kong permanent resident (needs no visa to work in HK)       intro.visa_required
``MO``                Macao SAR resident (Macao identity card)                         documents.macao
``TW``                Chinese resident of Taiwan (household registration, Taiwan ID)   documents.taiwan
====================  ===============================================================  ==========

"Republic of China" is Taiwan and "Macao SAR" is Macao, never CN. ``note`` is a locale key
(section ``nationality`` of locales/<lang>.yaml) for the message the conversation shows; for a
matched ``CN`` the candidates list the residence statuses that refine it.

The words come from pycountry (ISO names and codes, with the zh_CN / zh_TW / zh_HK names of
Debian's iso-codes) and data/nationalities.yaml (demonyms, short forms, ambiguous words).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal, Optional, Union

import gettext
import pycountry
import yaml
from rapidfuzz import fuzz, process

from .params import DATA_DIR

Status = Literal["matched", "ambiguous", "not_found"]

FUZZY_MIN = 85.0        # a spelling correction must score at least this (rapidfuzz ratio, 0-100)
FUZZY_MIN_SHORT = 90.0  # ... or this for answers of five letters or fewer ("Arab" is not "Aruba")
FUZZY_LEAD = 8.0        # ... and be this far ahead of the next country to be offered alone
FUZZY_MIN_LENGTH = 4    # shorter answers must match exactly
FUZZY_MAX_LENGTH = 40   # longer answers are sentences: no spelling correction
_ZH_CATALOGUES = {"zh-Hans": "zh_CN", "zh-Hant": "zh_HK"}
_ZH_ALL = ("zh_CN", "zh_TW", "zh_HK")
# ISO codes that are also English words: as a code only when typed in capitals ("NO", not "no").
_CODE_WORDS = frozenset(
    "am as at be by do id in is it me my no so to ad ma pa pe re and are can per lie pan pry ton "
    "arm bra cod cog cub fin gab jam nor ben mus mac col dom gin tun nam sen".split())


@dataclass(frozen=True)
class NationalityResult:
    status: Status
    code: Optional[str] = None
    candidates: list[tuple[str, str]] = field(default_factory=list)
    note: Optional[str] = None


# ---------------------------------------------------------------------------------------------
# Normalisation

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_APOSTROPHES = re.compile(r"['’‘`ʼ]")
_NON_WORD = re.compile(r"[\W_]+")
_CJK_GAP = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")
_HAS_CJK = re.compile(rf"[{_CJK}]")


def normalise(text: str) -> str:
    """Case, width, accents and punctuation removed; words separated by one space."""
    t = unicodedata.normalize("NFKC", text).casefold()
    t = "".join(ch for ch in unicodedata.normalize("NFKD", t) if not unicodedata.combining(ch))
    t = unicodedata.normalize("NFC", t)
    t = _APOSTROPHES.sub("", t)
    t = _NON_WORD.sub(" ", t)
    t = _CJK_GAP.sub("", t)
    return " ".join(t.split())


def _reordered(name: str) -> list[str]:
    """ISO 'Korea, Republic of' -> also 'Republic of Korea'; a leading 'the' is dropped."""
    out = [name]
    if ", " in name:
        head, tail = name.split(", ", 1)
        out.append(f"{tail} {head}")
    return out


# ---------------------------------------------------------------------------------------------
# The tables


@dataclass(frozen=True)
class _Entry:
    codes: tuple[str, ...]           # one code = a match; several = ambiguous
    note: Optional[str] = None


@dataclass(frozen=True)
class _Tables:
    codes: dict[str, _Entry]         # ISO alpha-2 / alpha-3 and the special codes
    exact: dict[str, _Entry]         # whole normalised answer -> entry
    search: dict[str, _Entry]        # entries that may also be found inside a longer answer
    max_words: int
    max_cjk: int
    fuzzy_keys: tuple[str, ...]      # Latin keys offered for spelling correction
    fuzzy_entries: tuple[_Entry, ...]
    leading: tuple[str, ...]
    trailing: tuple[str, ...]
    special: dict[str, dict]
    names: dict[str, dict]


def _load() -> dict:
    with open(DATA_DIR / "nationalities.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@lru_cache(maxsize=4)
def _catalogue(locale: str) -> gettext.NullTranslations:
    try:
        return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[locale])
    except OSError:
        return gettext.NullTranslations()


def _iso_names(country) -> list[str]:
    names = []
    for attr in ("name", "official_name", "common_name"):
        value = getattr(country, attr, None)
        if value:
            names.append(value)
    return names


@lru_cache(maxsize=1)
def tables() -> _Tables:
    data = _load()
    special = data["special"]
    whole_only = {normalise(w) for w in data.get("whole_text_only") or []}
    codes: dict[str, _Entry] = {}
    exact: dict[str, _Entry] = {}
    search: dict[str, _Entry] = {}
    collisions: dict[str, set[str]] = {}

    def add(key: str, code: str, *, searchable: bool = True) -> None:
        k = normalise(key)
        if k.startswith("the "):
            add(k[4:], code, searchable=searchable)
        if not k:
            return
        collisions.setdefault(k, set()).add(code)
        exact[k] = _Entry((code,))
        if searchable and k not in whole_only:
            search[k] = exact[k]

    # 1. ISO names and codes (codes only as the whole answer), English and Chinese.
    for country in pycountry.countries:
        code = country.alpha_2
        codes[normalise(country.alpha_2)] = codes[normalise(country.alpha_3)] = _Entry((code,))
        for name in _iso_names(country):
            for variant in _reordered(name):
                add(variant, code)
            for locale in _ZH_ALL:
                add(_catalogue(locale).gettext(name), code)
    # Several ISO names in one script can coincide (e.g. a short Chinese name): ambiguous.
    for key, clash in collisions.items():
        if len(clash) > 1:
            exact[key] = _Entry(tuple(sorted(clash)))
            if key in search:
                search[key] = exact[key]
    # 2. The project's aliases override ISO names; the special codes match as themselves.
    for code in special:
        codes[normalise(code)] = _Entry((code,))
    for code, words in (data.get("aliases") or {}).items():
        for word in words or []:
            add(str(word), code)
    # 3. Words naming several codes override everything.
    notes = data.get("ambiguous_notes") or {}
    for word, options in (data.get("ambiguous") or {}).items():
        k = normalise(str(word))
        entry = _Entry(tuple(options), notes.get(word) or ("nat.which_country" if len(options) > 1
                                                             else "nat.did_you_mean"))
        exact[k] = entry
        if k not in whole_only:
            search[k] = entry

    latin = [k for k in exact if not _HAS_CJK.search(k) and len(k) >= FUZZY_MIN_LENGTH
             and not re.fullmatch(r"[a-z]{2,3}", k)]
    fillers = data.get("fillers") or {}
    return _Tables(
        codes=codes, exact=exact, search=search,
        max_words=max(len(k.split()) for k in search if not _HAS_CJK.search(k)),
        max_cjk=max(len(k) for k in search if _HAS_CJK.search(k)),
        fuzzy_keys=tuple(latin), fuzzy_entries=tuple(exact[k] for k in latin),
        leading=tuple(sorted({normalise(f) for f in fillers.get("leading", [])}, key=len,
                             reverse=True)),
        trailing=tuple(sorted({normalise(f) for f in fillers.get("trailing", [])}, key=len,
                              reverse=True)),
        special=special, names=data.get("names") or {})


# ---------------------------------------------------------------------------------------------
# Names


def _lang(lang: str) -> str:
    low = lang.replace("_", "-").lower()
    if low in ("zh-hant", "zh-tw", "zh-hk", "zh-mo", "yue"):
        return "zh-Hant"
    if low.startswith("zh"):
        return "zh-Hans"
    return "en"


def is_known_code(code: str) -> bool:
    return code in tables().special or pycountry.countries.get(alpha_2=code) is not None


def nationality_name(code: str, lang: str = "en") -> str:
    """Display name of a code from resolve_nationality, in English, zh-Hans or zh-Hant."""
    t = tables()
    lang = _lang(lang)
    if code in t.special:
        return t.special[code].get(lang) or t.special[code]["en"]
    override = t.names.get(code, {})
    if override.get(lang):
        return override[lang]
    country = pycountry.countries.get(alpha_2=code) if len(code) == 2 else None
    if country is None:
        raise ValueError(f"{code!r} is not a nationality code")
    english = getattr(country, "common_name", None) or country.name
    if lang == "en":
        return override.get("en") or english
    catalogue = _catalogue(_ZH_CATALOGUES[lang])
    for name in (getattr(country, "common_name", None), country.name):
        if name and catalogue.gettext(name) != name:
            return catalogue.gettext(name)
    return override.get("en") or english


def national_of(code: str) -> str:
    """The nationality that the excluded-nationals list is checked against ('CN-MAINLAND' -> CN)."""
    spec = tables().special.get(code)
    return spec["national_of"] if spec else code


def note_for(code: str) -> Optional[str]:
    spec = tables().special.get(code)
    return spec.get("note") if spec else None


def refinements(code: str) -> list[str]:
    spec = tables().special.get(code)
    return list(spec.get("refines") or []) if spec else []


# ---------------------------------------------------------------------------------------------
# Resolution


def _strip_fillers(t: str, fillers: tuple[str, ...], leading: bool) -> str:
    changed = True
    while changed and t:
        changed = False
        for f in fillers:
            cjk = bool(_HAS_CJK.search(f))
            if leading:
                if t.startswith(f + " ") or (cjk and t.startswith(f) and len(t) > len(f)):
                    t = t[len(f):].strip()
                    changed = True
                    break
            else:
                if t.endswith(" " + f) or (cjk and t.endswith(f) and len(t) > len(f)):
                    t = t[:-len(f)].strip()
                    changed = True
                    break
    return t


def _find(t: str, tables_: _Tables) -> list[_Entry]:
    """Every entry named inside the answer, longest first and not overlapping, in order."""
    found: list[tuple[int, _Entry]] = []
    words = t.split()
    used = [False] * len(words)
    for n in range(min(tables_.max_words, len(words)), 0, -1):
        for i in range(len(words) - n + 1):
            if any(used[i:i + n]):
                continue
            entry = tables_.search.get(" ".join(words[i:i + n]))
            if entry is not None:
                found.append((i * 1000, entry))
                for j in range(i, i + n):
                    used[j] = True
    for w_index, word in enumerate(words):
        if used[w_index] or not _HAS_CJK.search(word):
            continue
        i = 0
        while i < len(word):
            for n in range(min(tables_.max_cjk, len(word) - i), 0, -1):
                entry = tables_.search.get(word[i:i + n])
                if entry is not None:
                    found.append((w_index * 1000 + i, entry))
                    i += n
                    break
            else:
                i += 1
    return [e for _, e in sorted(found, key=lambda p: p[0])]


def _combine(entries: list[_Entry]) -> _Entry:
    singles: list[str] = []
    several: list[_Entry] = []
    for e in entries:
        if len(e.codes) == 1 and e.note is None:
            if e.codes[0] not in singles:
                singles.append(e.codes[0])
        else:
            several.append(e)
    # A plain "Chinese" next to "Mainland", "Hong Kong", "Taiwan"... is that residence status.
    for code in list(singles):
        if any(other in refinements(code) for other in singles if other != code):
            singles.remove(code)
    if len(singles) == 1 and all(singles[0] in e.codes for e in several):
        return _Entry((singles[0],))
    if not singles and len(several) == 1:
        return several[0]
    if not singles and several and all(e.codes == several[0].codes for e in several):
        return several[0]
    codes: list[str] = list(singles)
    for e in several:
        codes += [c for c in e.codes if c not in codes]
    return _Entry(tuple(codes), "nat.several_countries")


def _fuzzy(t: str, tables_: _Tables) -> Optional[_Entry]:
    if not (FUZZY_MIN_LENGTH <= len(t) <= FUZZY_MAX_LENGTH) or _HAS_CJK.search(t):
        return None
    best: dict[str, float] = {}
    for _, score, index in process.extract(t, tables_.fuzzy_keys, scorer=fuzz.ratio, limit=12,
                                           score_cutoff=FUZZY_MIN - FUZZY_LEAD):
        for code in tables_.fuzzy_entries[index].codes:
            best[code] = max(best.get(code, 0.0), score)
    if not best:
        return None
    ranked = sorted(best.items(), key=lambda kv: -kv[1])
    top = ranked[0][1]
    if top < (FUZZY_MIN_SHORT if len(t) <= 5 else FUZZY_MIN):
        return None
    close = [code for code, score in ranked if score > top - FUZZY_LEAD][:4]
    return _Entry(tuple(close), "nat.did_you_mean")


@lru_cache(maxsize=4096)
def _resolve(text: str) -> tuple[Status, Optional[str], tuple[str, ...], Optional[str]]:
    t_ = tables()
    t = normalise(text)
    if not t:
        return "not_found", None, (), None
    entry = t_.exact.get(t)
    if entry is None and (t not in _CODE_WORDS or text.strip().isupper()):
        entry = t_.codes.get(t)
    if entry is None:
        stripped = _strip_fillers(_strip_fillers(t, t_.leading, True), t_.trailing, False)
        entry = t_.exact.get(stripped)
        if entry is None:
            found = _find(stripped, t_)
            entry = _combine(found) if found else _fuzzy(stripped, t_)
    if entry is None:
        return "not_found", None, (), None
    if len(entry.codes) == 1 and entry.note is None:
        code = entry.codes[0]
        return "matched", code, tuple(refinements(code)), note_for(code)
    return "ambiguous", None, entry.codes, entry.note


def resolve_nationality(text: str) -> NationalityResult:
    """What a person typed as their nationality -> matched / ambiguous / not_found (see module)."""
    status, code, codes, note = _resolve(text if isinstance(text, str) else str(text))
    return NationalityResult(status=status, code=code,
                             candidates=[(c, nationality_name(c)) for c in codes], note=note)


def normalise_code(value: Union[str, None]) -> Optional[str]:
    """For engine input: the matched code, or ValueError naming the candidates."""
    if value is None:
        return None
    status, code, _, _ = _resolve(value if isinstance(value, str) else str(value))
    if status == "matched":
        return code
    result = resolve_nationality(value)
    if result.status == "ambiguous":
        options = "; ".join(f"{name} ({code})" for code, name in result.candidates)
        hint = "did you mean" if result.note == "nat.did_you_mean" else "it could be"
        raise ValueError(f"{value!r}: {hint} {options}? Give one of these codes")
    raise ValueError(f"{value!r} is not a country we know; give an ISO code such as CN or GB")
