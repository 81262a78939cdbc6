"""Message templates (locales/<lang>.yaml) and the Reason factory that pairs text with a clause."""
from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

import yaml

from .models import Reason, SourceRef
from .params import clause, resolve_data_refs, segment_start

LOCALES = Path(__file__).parent / "locales"


@lru_cache(maxsize=8)
def templates(lang: str = "en") -> dict[str, dict[str, str]]:
    with open(LOCALES / f"{lang}.yaml", encoding="utf-8") as fh:
        return resolve_data_refs(yaml.safe_load(fh))


def render(section: str, code: str, values: dict[str, Any], lang: str = "en") -> str:
    return templates(lang)[section][code].format(**values)


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
