"""Dated parameters, clauses and sources, loaded from the YAML files in ``data/``.

Every value is in force over an inclusive date range (``to: null`` = still in force). Lookups
are cached per (key, date) because an assessment asks for the same few values many times.
"""
from __future__ import annotations

import bisect
import datetime as dt
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

DATA_DIR = Path(os.environ.get("TTPS_DATA_DIR", Path(__file__).parent / "data"))


class DataError(RuntimeError):
    """The data files are inconsistent (a gap, an overlap, an unknown source)."""


SOURCE_KINDS = ("official", "official-copy", "news", "third-party", "project-given",
                "reconstruction", "data")


@dataclass(frozen=True)
class Source:
    key: str
    title: str
    url: str | None        # None: the source has no address of its own (text given to the project)
    date: dt.date | None
    kind: str = "official"

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "title": self.title, "url": self.url, "kind": self.kind,
                "date": self.date.isoformat() if self.date else None}


@dataclass(frozen=True)
class Version:
    start: dt.date
    end: dt.date | None
    value: Any
    source: Source
    note: str | None = None

    def covers(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class ClauseVersion:
    clause_id: str
    label: str
    start: dt.date
    end: dt.date | None
    text: str | None
    summary: str | None
    source: Source

    def covers(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)

    @property
    def quote(self) -> str:
        """The official wording, or our summary of it marked as such."""
        if self.text:
            return self.text
        return f"[official wording not available; summary] {self.summary}"


def _load_yaml(name: str) -> Any:
    with open(DATA_DIR / name, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@lru_cache(maxsize=1)
def sources() -> dict[str, Source]:
    raw = _load_yaml("sources.yaml")
    out = {}
    for k, v in raw.items():
        if v.get("kind") not in SOURCE_KINDS:
            raise DataError(f"source {k!r}: kind must be one of {', '.join(SOURCE_KINDS)}")
        out[k] = Source(k, v["title"], v.get("url"), v.get("date"), v["kind"])
    return out


@lru_cache(maxsize=1)
def source_titles_chinese() -> dict[str, dict[str, str]]:
    """{source key: {lang: title}} for the sources whose title sources.yaml gives in Chinese
    (`title_zh`: those without an address of their own, whose title is all a reader sees)."""
    return {k: v["title_zh"] for k, v in _load_yaml("sources.yaml").items() if v.get("title_zh")}


def _source(key: str, where: str) -> Source:
    try:
        return sources()[key]
    except KeyError:
        raise DataError(f"{where}: unknown source {key!r}") from None


def read_parameters(name: str) -> dict[str, tuple[str | None, tuple[Version, ...]]]:
    """A dated-parameters file (parameters.yaml, scheme_parameters.yaml): by key, its clause
    and its versions, each with its source."""
    table = {}
    for key, spec in _load_yaml(name).items():
        versions = tuple(
            Version(v["from"], v.get("to"), v["value"], _source(v["source"], key), v.get("note"))
            for v in spec["values"]
        )
        table[key] = (spec.get("clause"), versions)
    return table


def read_clauses(name: str) -> dict[str, tuple[ClauseVersion, ...]]:
    """A clauses file (clauses.yaml, scheme_clauses.yaml): by clause id, its versions."""
    table = {}
    for cid, spec in _load_yaml(name).items():
        table[cid] = tuple(
            ClauseVersion(cid, spec["label"], v["from"], v.get("to"), v.get("text"),
                          v.get("summary"), _source(v["source"], cid))
            for v in spec["versions"]
        )
    return table


@lru_cache(maxsize=1)
def parameter_table() -> dict[str, tuple[str | None, tuple[Version, ...]]]:
    return read_parameters("parameters.yaml")


@lru_cache(maxsize=1)
def clause_table() -> dict[str, tuple[ClauseVersion, ...]]:
    return read_clauses("clauses.yaml")


def versions_on(versions, day: dt.date) -> list:
    return [v for v in versions if v.covers(day)]


def param_versions_from(key: str, day: dt.date) -> tuple[Version, ...]:
    """The versions of a parameter in force on ``day`` or later, in date order (for values keyed
    on a later event than the application, e.g. the approval date of the initial stay)."""
    return _param_versions_from(key, segment_start(day))


@lru_cache(maxsize=1024)
def _param_versions_from(key: str, day: dt.date) -> tuple[Version, ...]:
    _, versions = parameter_table()[key]
    return tuple(sorted((v for v in versions if v.end is None or v.end >= day),
                        key=lambda v: v.start))


@lru_cache(maxsize=1)
def _boundaries() -> list[dt.date]:
    """Days on which any parameter or clause version starts or ends: nothing changes between."""
    days = set()
    for versions in [v for _, v in parameter_table().values()] + list(clause_table().values()):
        for v in versions:
            days.add(v.start)
            if v.end is not None:
                days.add(v.end + dt.timedelta(days=1))
    return sorted(days)


@lru_cache(maxsize=8192)
def segment_start(day: dt.date) -> dt.date:
    """The first day of the stretch of days (between two changes) that contains ``day``; every
    lookup is cached per stretch, not per day."""
    bounds = _boundaries()
    i = bisect.bisect_right(bounds, day)
    return bounds[i - 1] if i else dt.date.min


def param_version(key: str, day: dt.date) -> Version:
    return _param_version(key, segment_start(day))


@lru_cache(maxsize=4096)
def _param_version(key: str, day: dt.date) -> Version:
    try:
        _, versions = parameter_table()[key]
    except KeyError:
        raise DataError(f"unknown parameter {key!r}") from None
    found = versions_on(versions, day)
    if len(found) != 1:
        raise DataError(f"parameter {key!r} has {len(found)} values in force on {day}")
    return found[0]


@lru_cache(maxsize=65536)
def param(key: str, day: dt.date) -> Any:
    """The value in force on ``day`` (shared object: do not mutate)."""
    return _param_version(key, segment_start(day)).value


def clause(clause_id: str, day: dt.date) -> ClauseVersion:
    return _clause(clause_id, segment_start(day))


@lru_cache(maxsize=4096)
def _clause(clause_id: str, day: dt.date) -> ClauseVersion:
    try:
        versions = clause_table()[clause_id]
    except KeyError:
        raise DataError(f"unknown clause {clause_id!r}") from None
    found = versions_on(versions, day)
    if not found:
        # A clause that did not exist yet on that day: cite its earliest version.
        return min(versions, key=lambda v: v.start)
    if len(found) > 1:
        raise DataError(f"clause {clause_id!r} has {len(found)} versions in force on {day}")
    return found[0]


def rules_version(day: dt.date) -> str:
    return _rules_version(segment_start(day))


@lru_cache(maxsize=1024)
def _rules_version(day: dt.date) -> str:
    """Identify the rule set in force: the latest change among all parameters on that day."""
    latest = max(_param_version(key, day).start for key in parameter_table())
    return f"ttps-rules-{latest.isoformat()}"


def launch_date() -> dt.date:
    _, versions = parameter_table()["scheme.launch_date"]
    return versions[0].value


def _starts_and_ends(all_versions) -> list[dt.date]:
    days = set()
    for versions in all_versions:
        for v in versions:
            days.add(v.start)
            if v.end:
                days.add(v.end + dt.timedelta(days=1))
    return sorted(days)


def change_dates() -> list[dt.date]:
    """Every day on which some parameter changes (for boundary tests)."""
    return _starts_and_ends(v for _, v in parameter_table().values())


def clause_change_dates() -> list[dt.date]:
    """Every day on which some clause's wording changes (for boundary tests)."""
    return _starts_and_ends(clause_table().values())


_DATA_REF = re.compile(r"\[\[start:([\w.]+)#(\d+)\]\]")


def _day_text(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


def resolve_data_refs(value: Any, date_format: str | None = None) -> Any:
    """Fill the data references of a message template: ``[[start:KEY#N]]`` is the first day of
    the N-th version (in date order) of parameter KEY, as "1 Jan 2030" (or in ``date_format``,
    with fields y, m, d, e.g. "{y}年{m}月{d}日"), so that wording never writes a date of change
    by hand. Applied to every string of a loaded locale file."""
    if isinstance(value, dict):
        if date_format is None and isinstance(value.get("formats"), dict):
            date_format = value["formats"].get("date_text")
        return {k: resolve_data_refs(v, date_format) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve_data_refs(v, date_format) for v in value]
    if isinstance(value, str) and "[[" in value:
        def start(m: re.Match) -> str:
            _, versions = parameter_table()[m.group(1)]
            day = sorted(v.start for v in versions)[int(m.group(2)) - 1]
            if date_format:
                return date_format.format(y=day.year, m=day.month, d=day.day,
                                          mon=f"{day:%b}")
            return _day_text(day)
        return _DATA_REF.sub(start, value)
    return value


@lru_cache(maxsize=1)
def clause_chinese() -> dict[str, dict[str, Any]]:
    """The Chinese label and wording of each clause (clauses.yaml and scheme_clauses.yaml, key
    `chinese`): {clause_id: {"label": {lang: ...}, "summary": {lang: ...}} for our own summary,
    or "text" with "source" and "date" where an official Chinese source is quoted}."""
    out = {}
    for name in ("clauses.yaml", "scheme_clauses.yaml"):
        for cid, spec in _load_yaml(name).items():
            if spec.get("chinese"):
                out[cid] = spec["chinese"]
    return out


def clause_english(clause_id: str, source_key: str, day: dt.date) -> ClauseVersion:
    """The clause version an English reason cited: the version from that source in force on
    ``day`` (or the nearest one from it), else the version in force on ``day``."""
    table = {**clause_table()}
    if clause_id not in table:
        from .schemes import clause_table as scheme_clauses
        table = scheme_clauses()
    versions = table[clause_id]
    same = [v for v in versions if v.source.key == source_key]
    for v in same:
        if v.covers(day):
            return v
    if same:
        return min(same, key=lambda v: abs((v.start - day).days))
    return next((v for v in versions if v.covers(day)), versions[-1])
