"""Message templates (locales/<lang>.yaml) and the Reason factory that pairs text with a clause."""
from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

import yaml

from .institutions import registry
from .models import Reason, SourceRef
from .params import (clause, clause_chinese, resolve_data_refs, segment_start,
                     source_titles_chinese, sources)

LOCALES = Path(__file__).parent / "locales"
# The locales every message exists in: English, Simplified Chinese, Traditional Chinese (Hong
# Kong usage). English is the rendering made at assess time; render.localize gives the others.
LANGS = ("en", "zh-Hans", "zh-Hant")


class UnknownLanguage(ValueError):
    def __init__(self, lang: Any):
        super().__init__(f"unknown language {lang!r}; use one of {', '.join(LANGS)}")
        self.lang = lang


def check_lang(lang: Any) -> str:
    if lang not in LANGS:
        raise UnknownLanguage(lang)
    return lang


def locale_file(name: str, lang: str) -> Path:
    """locales/<name>.<lang>.yaml (name "" : locales/<lang>.yaml)."""
    check_lang(lang)
    return LOCALES / (f"{name}.{lang}.yaml" if name else f"{lang}.yaml")


@lru_cache(maxsize=8)
def templates(lang: str = "en") -> dict[str, dict[str, str]]:
    with open(locale_file("", lang), encoding="utf-8") as fh:
        return resolve_data_refs(yaml.safe_load(fh))


def render(section: str, code: str, values: dict[str, Any], lang: str = "en") -> str:
    if lang != "en":
        values = local_values(values, lang)
    return templates(lang)[section][code].format(**values)


def documents(day: dt.date, lang: str = "en") -> dict[str, Any]:
    """The documents to upload (parameter apply.documents) in ``lang``: the data's own English
    list, or the locale's `documents` section, which gives each list item by item in the same
    order (tests/logic/test_locales.py checks the shapes match); the income threshold is filled
    from the data."""
    from .params import param
    docs = param("apply.documents", day)
    if lang == "en":
        return docs
    local = templates(lang)["documents"]
    values = {"threshold": param("income.threshold_hkd", day)}

    def fill(items: list[str]) -> list[str]:
        return [item.format(**values) for item in items]

    return {"all": fill(local["all"]), "A": fill(local["A"]), "B": fill(local["B"]),
            "C": fill(local["C"]),
            "by_residence": {k: fill(v) for k, v in local["by_residence"].items()}}


def word(name: str, code: str, lang: str = "en") -> str:
    """A word of the locale's `values` section (e.g. what a range of months depends on)."""
    return templates(lang)["values"][name][code]


# Values that are words, not numbers: a value ``K`` is written in another language from its
# code, ``K_code`` (or ``K`` itself when the locale's `values` section lists it), a list of
# country codes ``K_codes``, or a country's code (``country`` from ``country_code``). Dates are
# written the locale's way. English values are made in English at assess time: nothing to do.
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def local_values(values: dict[str, Any], lang: str) -> dict[str, Any]:
    vocab = templates(lang).get("values", {})
    out = dict(values)
    for key, value in values.items():
        if value.__class__ is str and _ISO_DAY.fullmatch(value):   # a date read back from JSON
            value = dt.date.fromisoformat(value)
        if isinstance(value, dt.date):
            out[key] = templates(lang)["formats"]["date"].format(
                y=value.year, m=value.month, d=value.day)
        elif key.endswith("_codes") and isinstance(value, str):
            out[key[:-6]] = join([country_name(c, lang) for c in value.split(",") if c], lang)
        elif key.endswith("_code") and key[:-5] in values:
            name = key[:-5]
            if name == "country":
                out[name] = country_name(value, lang)
            elif value in vocab.get(name, {}):
                out[name] = vocab[name][value]
    # institutions: a listed one's English name -> its Chinese name (registry.local_name)
    for key in _INSTITUTION_KEYS:
        value = values.get(key)
        if value.__class__ is str:
            out[key] = registry().local_name(value, lang)
    listed = values.get("candidates_list")
    if isinstance(listed, str) and listed:   # institutions "name<TAB>country code", one a line
        f = templates(lang)["formats"]
        out["candidates"] = f["or"].join(
            f["name_country"].format(name=registry().local_name(name, lang),
                                     country=country_name(code, lang))
            for name, _, code in (line.partition("\t") for line in listed.split("\n")))
    others = values.get("others")
    if isinstance(others, str) and others:
        out["others"] = _others(others, lang)
    for key, value in values.items():
        table = vocab.get(key)
        if table and isinstance(value, str) and value in table and f"{key}_code" not in values:
            out[key] = table[value]
    # a word from `values` may itself hold placeholders (e.g. a number of months)
    for key in out:
        if key in vocab and isinstance(out[key], str) and "{" in out[key]:
            out[key] = out[key].format(**{k: v for k, v in out.items() if k != key})
    return out


# Values that hold an institution's name (the listed name, or what the person typed).
_INSTITUTION_KEYS = ("institution", "parent")
# "Name (US)" or "Name (CN/TW)": an unlisted institution that shares a short form (rules.py
# joins them with "; ", from institution_names.yaml's `others`).
_NAME_CODES = re.compile(r"(.+) \(([A-Z]{2}(?:/[A-Z]{2})*)\)")


def _others(text: str, lang: str) -> str:
    """The unlisted institutions of a shared short form, their countries in ``lang``
    ("University of Georgia（美國）"); the names stay as the data has them (in English)."""
    f = templates(lang)["formats"]
    items = []
    for item in text.split("; "):
        m = _NAME_CODES.fullmatch(item)
        items.append(f["name_country"].format(
            name=m.group(1),
            country=f["list_sep"].join(country_name(c, lang) for c in m.group(2).split("/")))
            if m else item)
    return join(items, lang)


def join(items: list[str], lang: str) -> str:
    """"A, B and C" the locale's way (formats list_sep, list_last)."""
    f = templates(lang)["formats"]
    if len(items) < 2:
        return "".join(items)
    return f["list_sep"].join(items[:-1]) + f["list_last"] + items[-1]


@lru_cache(maxsize=2048)
def country_name(code: str, lang: str) -> str:
    """A country's name in ``lang`` as it stands in a sentence ("nationals of {country}"): the
    locale's `country_names` for the regions whose display name carries a note (Hong Kong, Macao,
    Taiwan, the Chinese residence codes), otherwise nationality.nationality_name (the project's
    names, then pycountry's ISO 3166 translations); its own code when it has none."""
    own = templates(lang).get("country_names", {})
    if code in own:
        return own[code]
    if lang == "en":
        import pycountry
        c = pycountry.countries.get(alpha_2=code)
        return (getattr(c, "common_name", None) or c.name) if c else code
    from .nationality import nationality_name
    try:
        return nationality_name(code, lang)
    except ValueError:
        return code


@lru_cache(maxsize=4096)
def _citation(clause_id: str, seg: dt.date) -> tuple[str, str, str, SourceRef]:
    """The clause version in force over the stretch of days starting ``seg``, with its source."""
    cv = clause(clause_id, seg)
    src = cv.source
    return cv.clause_id, cv.label, cv.quote, SourceRef(key=src.key, title=src.title, url=src.url,
                                                       date=src.date)


class Memo:
    """A bounded cache for a pure computation that keeps a value only for a key asked for
    before. Facts seen once (most applicants, on their first assessment) leave nothing behind
    for the garbage collector to walk; facts seen again (a conversation re-assesses the same
    facts as it adds others; applicants share a day, an institution, a year) are answered from
    it. Emptied when full.

    ``get(key)``: the value, or None when there is none (values are never None; wrap one that
    can be). It raises TypeError for a key that cannot be hashed."""

    __slots__ = ("_values", "_seen", "_size", "get")

    def __init__(self, size: int):
        self._values: dict = {}
        self._seen: set[int] = set()   # hashes of keys asked for once (a collision only keeps
        self._size = size               # a value one request early)
        self.get = self._values.get

    def put(self, key: Any, value: Any) -> None:
        h = hash(key)
        if h in self._seen:
            if len(self._values) >= self._size:
                self._values.clear()
            self._values[key] = value
        else:
            if len(self._seen) >= 4 * self._size:
                self._seen.clear()
            self._seen.add(h)

    def clear(self) -> None:
        self._values.clear()
        self._seen.clear()


# Reasons already built, by everything they are made of. A reason is a pure function of its
# code, clause, day, met, kind and values; the same ones recur (the same day, institution, year,
# threshold), so each is built once and shared. Assessments are read-only results: a shared
# Reason is never changed.
_REASONS = Memo(4096)
# Value types for which equal values (of the same type: the types are part of the key) give
# identical output. Not Decimal (Decimal("1.0") == Decimal("1.00")); for float, 0.0 == -0.0, so
# a reason with a zero float value is not cached.
_EXACT = frozenset({str, int, float, bool, type(None), dt.date})


def reason(code: str, clause_id: str, day: dt.date, met: Optional[bool], *,
           kind: str = "condition", **values: Any) -> Reason:
    """A checked condition (or a piece of information) citing the clause in force on ``day``.

    The day enters only through the clause version cited, which is the same over the stretch of
    days from segment_start(day): reasons are keyed on that stretch, not the day (a value that
    is the day itself, such as application_date, is in the key as a value)."""
    seg = segment_start(day)
    vals = tuple(values.values())
    types = tuple(map(type, vals))
    key = (code, clause_id, seg, met, kind, tuple(values), vals, types)
    try:
        found = _REASONS.get(key)
    except TypeError:   # a value that cannot be part of a key (a list): built afresh
        return _build(code, clause_id, seg, met, kind, values)
    if found is not None:
        return found
    built = _build(code, clause_id, seg, met, kind, values)
    if _EXACT.issuperset(types) and not (float in types and 0.0 in vals):
        _REASONS.put(key, built)
    return built


def _build(code: str, clause_id: str, seg: dt.date, met: Optional[bool], kind: str,
           values: dict[str, Any]) -> Reason:
    cid, label, quote, source = _citation(clause_id, seg)
    return Reason.model_validate({
        "code": code, "kind": kind, "met": met, "clause_id": cid, "clause_label": label,
        "clause_text": quote, "source": source, "values": values,
        "message": templates("en")["reason"][code].format(**values)})


# Reasons in another language, by the identity of the English reason they render (each entry
# holds it, so no id in a key can be reused while it is here).
_LOCAL = Memo(8192)


def localize_reason(r: Reason, lang: str) -> Reason:
    """``r`` with its message, clause label and clause text in ``lang`` (the same reason for
    "en" when it was made in English: assess makes every reason in English)."""
    key = (id(r), lang)
    found = _LOCAL.get(key)
    if found is not None and found[0] is r:
        return found[1]
    update = {"message": render("reason", r.code, r.values, lang)}
    chinese = clause_chinese().get(r.clause_id)
    if lang != "en" and chinese:
        update["clause_label"] = chinese["label"][lang]
        if chinese.get("text"):     # official Chinese wording, quoted with its source
            update["clause_text"] = chinese["text"][lang]
        else:
            update["clause_text"] = chinese["summary"][lang] + templates(lang)["text"][
                "clause_summary_mark"]
    title = source_titles_chinese().get(r.source.key) if lang != "en" else None
    if title:
        update["source"] = r.source.model_copy(update={"title": title[lang]})
    local = r.model_copy(update=update)
    _LOCAL.put(key, (r, local))
    return local


def english_reason(r: Reason, day: dt.date) -> Reason:
    """A reason read back in another language (from JSON), in English again: its message from
    its code and values, its clause label and wording from the version it cites."""
    from .params import clause_english
    cv = clause_english(r.clause_id, r.source.key, day)
    return r.model_copy(update={"message": render("reason", r.code, r.values),
                                "clause_label": cv.label, "clause_text": cv.quote,
                                "source": r.source.model_copy(update={"title": sources()[r.source.key].title})})
