"""The eligible-institution registry (the "aggregate list", Note 4), with dated membership.

Data: ``data/institutions.csv`` (see docs/institutions.md; ``TTPS_INSTITUTIONS_FILE`` overrides).
Resolution of what a person typed goes exact name -> alias -> normalised form -> fuzzy match,
and returns candidates instead of guessing when two institutions fit about equally well.
"""
from __future__ import annotations

import csv
import datetime as dt
import os
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz, process

from .params import DATA_DIR

FUZZY_ACCEPT = 85.0      # a single best fuzzy match at or above this is accepted (with its score)
FUZZY_CANDIDATE = 75.0   # matches at or above this are offered as candidates
AMBIGUITY_MARGIN = 4.0   # two institutions within this many points of each other: ambiguous
MIN_FUZZY_LENGTH = 4     # shorter queries (e.g. "MIT") must match exactly or as an alias


@dataclass(frozen=True)
class Institution:
    id: str
    name: str
    country: str
    country_code: str
    aliases: tuple[str, ...]
    added: dt.date
    removed: dt.date | None
    provenance: str        # official | derived
    confidence: str        # confirmed | high | low
    note: str
    evidence: str

    def listed_on(self, day: dt.date) -> bool:
        return self.added <= day and (self.removed is None or day < self.removed)

    @property
    def is_hong_kong(self) -> bool:
        return self.country_code == "HK"


@dataclass
class Resolution:
    query: str
    status: str                    # matched | ambiguous | not_found
    method: str | None = None      # exact | alias | normalised | fuzzy
    score: float | None = None
    institution: Institution | None = None
    candidates: list[tuple[Institution, float]] = field(default_factory=list)


_ABBREVIATIONS = [
    (re.compile(r"\buniv\b\.?"), "university"),
    (re.compile(r"\buni\b"), "university"),
    (re.compile(r"\binst\b\.?"), "institute"),
    (re.compile(r"\btech\b\.?"), "technology"),
    (re.compile(r"\bst\b\.?"), "saint"),
    (re.compile(r"&"), " and "),
]
_STOPWORDS = {"the", "of", "at", "in", "de", "du", "la", "le", "di", "der", "and"}
# Words nearly every name shares; fuzzy matching ignores them so that "University of Nowhere"
# does not look like every other university.
_GENERIC = {"university", "universitat", "universite", "universidad", "universidade",
            "universita", "universiteit", "college", "institute", "school", "sciences"}


def _is_generic(word: str) -> bool:
    # also catches misspellings such as "univeristy" or "insitute"
    return word in _GENERIC or (len(word) >= 6 and any(fuzz.ratio(word, g) >= 80 for g in _GENERIC))


def _distinctive(key: str) -> str:
    return " ".join(w for w in key.split() if not _is_generic(w))


def normalise(text: str) -> str:
    """Case, accents, 'The', punctuation and common abbreviations folded away."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    for pattern, repl in _ABBREVIATIONS:
        text = pattern.sub(repl, text)
    text = re.sub(r"[^\w\s]", " ", text)
    words = [w for w in text.split() if w not in _STOPWORDS]
    return " ".join(words)


def _date(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


class Registry:
    def __init__(self, institutions: list[Institution]):
        self.institutions = institutions
        self.by_id = {i.id: i for i in institutions}
        self._exact: dict[str, list[Institution]] = {}
        self._alias: dict[str, list[Institution]] = {}
        self._norm: dict[str, list[Institution]] = {}
        for inst in institutions:
            self._exact.setdefault(inst.name.casefold(), []).append(inst)
            for alias in inst.aliases:
                self._alias.setdefault(alias.casefold(), []).append(inst)
            for label in (inst.name, *inst.aliases):
                key = normalise(label)
                if key and inst not in self._norm.setdefault(key, []):
                    self._norm[key].append(inst)
        self._fuzzy: dict[str, list[Institution]] = {}
        for key, insts in self._norm.items():
            short = _distinctive(key)
            if short:
                bucket = self._fuzzy.setdefault(short, [])
                bucket.extend(i for i in insts if i not in bucket)
        self._choices = list(self._fuzzy)
        self.change_dates = sorted({i.added for i in institutions}
                                   | {i.removed for i in institutions if i.removed})

    @classmethod
    def from_csv(cls, path: Path) -> "Registry":
        with open(path, encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        institutions = [
            Institution(
                id=r["id"], name=r["name"], country=r["country"], country_code=r["country_code"],
                aliases=tuple(a.strip() for a in r["aliases"].split(";") if a.strip()),
                added=_date(r["added"]), removed=_date(r["removed"]),
                provenance=r["provenance"], confidence=r["confidence"], note=r.get("note", ""),
                evidence=r.get("evidence", ""),
            )
            for r in rows
        ]
        return cls(institutions)

    def list_version(self, day: dt.date) -> str:
        past = [d for d in self.change_dates if d <= day]
        return f"aggregate-list-{past[-1].isoformat()}" if past else "aggregate-list-none"

    def listed(self, day: dt.date) -> list[Institution]:
        return [i for i in self.institutions if i.listed_on(day)]

    def resolve(self, query: str) -> Resolution:
        return _resolve_cached(self, query.strip())

    def _resolve(self, query: str) -> Resolution:
        folded = query.casefold()
        for method, index, key in (("exact", self._exact, folded), ("alias", self._alias, folded),
                                   ("normalised", self._norm, normalise(query))):
            hits = index.get(key)
            if hits:
                if len(hits) == 1:
                    return Resolution(query, "matched", method, 100.0, hits[0])
                return Resolution(query, "ambiguous", method, 100.0,
                                  candidates=[(h, 100.0) for h in hits])
        key = _distinctive(normalise(query))
        if len(key.replace(" ", "")) < MIN_FUZZY_LENGTH:
            return Resolution(query, "not_found")
        scored: dict[str, tuple[Institution, float]] = {}
        for choice, score, _ in process.extract(key, self._choices, scorer=fuzz.ratio,
                                                score_cutoff=FUZZY_CANDIDATE, limit=10):
            for inst in self._fuzzy[choice]:
                if inst.id not in scored or scored[inst.id][1] < score:
                    scored[inst.id] = (inst, float(score))
        ranked = sorted(scored.values(), key=lambda t: (-t[1], t[0].name))
        if not ranked:
            return Resolution(query, "not_found")
        best_inst, best = ranked[0]
        close = [t for t in ranked if best - t[1] < AMBIGUITY_MARGIN]
        if best >= FUZZY_ACCEPT and len(close) == 1:
            return Resolution(query, "matched", "fuzzy", round(best, 1), best_inst)
        return Resolution(query, "ambiguous", "fuzzy", round(best, 1), candidates=ranked[:5])


@lru_cache(maxsize=65536)
def _resolve_cached(registry: Registry, query: str) -> Resolution:
    return registry._resolve(query)


@lru_cache(maxsize=1)
def registry() -> Registry:
    path = Path(os.environ.get("TTPS_INSTITUTIONS_FILE", DATA_DIR / "institutions.csv"))
    return Registry.from_csv(path)
