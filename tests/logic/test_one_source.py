"""One source for every dated fact: no amount, fee, stay, quota, date of change, telephone
number, email address or official link held in the data files is written out by hand in the
dialogue, the actions, the engine's code and wording, or the web widget and demo page.

The literals are gathered from ttps_logic/data/parameters.yaml, scheme_parameters.yaml and
sources.yaml, in the ways people write them ("HK$2.5M", "2.5 million", "2,500,000", "16 Oct 2024",
"2024-10-16", "36 months", "2868 3780", "https://www.immd.gov.hk/..."), and looked for in:
domain.yml; data/**/*.yml without what users type (NLU examples, user turns, their entities and
slots; comments are read); actions/*.py; ttps_logic/*.py; ttps_logic/locales/*.yaml; web/src/*;
web/demo/*.html. A hit is fixed by rendering the value from the data instead.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, Iterable

import pytest
import yaml

from ttps_logic import params as P
from ttps_logic import schemes as S

ROOT = Path(__file__).resolve().parents[2]
USER_KEYS = {"user", "intent", "entities", "slot_was_set", "or"}


# --- the literals -------------------------------------------------------------------------------
def money_renderings(amount: float) -> set[str]:
    out = {f"HK${amount:,.0f}", f"HK$ {amount:,.0f}"}
    # in Chinese: 港幣2,500,000元 (the number alone is caught below), 港幣250萬, 250万
    out |= {f"港幣{amount:.0f}", f"港币{amount:.0f}", f"港幣{amount:,.0f}", f"港币{amount:,.0f}"}
    if amount >= 10_000:
        out |= {f"{amount / 10_000:g}萬", f"{amount / 10_000:g}万"}
    if amount >= 10_000:
        out |= {f"{amount:,.0f}", f"{amount:.0f}"}
    if amount >= 1_000_000:
        m = f"{amount / 1_000_000:g}"
        out |= {f"{m} million", f"HK${m} million", f"HK$ {m} million", f"HK${m}M", f"HK$ {m}M",
                f"${m}M", f"HK${m} M"}
    elif amount:
        out |= {f"HK${amount:.0f}", f"HK$ {amount:.0f}"}
    return out


def months_renderings(months: int) -> set[str]:
    return {f"{months} months", f"{months}-month", f"{months} month", f"{months}個月",
            f"{months}个月"}


def date_renderings(day: dt.date) -> set[str]:
    return {f"{day.day} {day:%b %Y}", f"{day.day} {day:%B %Y}", f"{day.day} {day:%b}. {day.year}",
            f"{day:%b} {day.day}, {day.year}", f"{day:%B} {day.day}, {day.year}", day.isoformat(),
            f"{day.day:02d} {day:%b %Y}", f"{day.year}年{day.month}月{day.day}日"}


def _walk(value: Any, path: tuple = ()) -> Iterable[tuple[tuple, Any]]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _walk(v, path + (str(k),))
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _walk(v, path)
    else:
        yield path, value


def gathered() -> dict[str, set[str]]:
    """{kind: renderings} of every dated value the data hold."""
    kinds: dict[str, set[str]] = {k: set() for k in
                                  ("money", "quota", "stay", "date", "phone", "email", "url")}
    tables = list(P.parameter_table().items()) + list(S.parameter_table().items())
    for key, (_, versions) in tables:
        for v in versions:
            kinds["date"] |= date_renderings(v.start)
            if v.end is not None:
                kinds["date"] |= date_renderings(v.end + dt.timedelta(days=1))
            for path, value in _walk(v.value):
                name = ".".join((key,) + path)
                if isinstance(value, bool) or value is None:
                    continue
                if isinstance(value, dt.date):
                    kinds["date"] |= date_renderings(value)
                elif isinstance(value, (int, float)):
                    if name.endswith("_hkd") or "_hkd." in name or "fee" in name:
                        if value:
                            kinds["money"] |= money_renderings(value)
                    elif "quota" in name:
                        kinds["quota"] |= {f"{value:,}", f"{value:,}".replace(",", " ")}
                    elif "stay.initial_months" in name or "first_stay_months" in name:
                        kinds["stay"] |= months_renderings(int(value))
                elif isinstance(value, str):
                    if value.startswith("http"):
                        kinds["url"].add(re.sub(r"^https?://", "", value))
                    elif "@" in value:
                        kinds["email"].add(value)
                    elif key.startswith("contact.") and re.search(r"\d{4} ?\d{4}", value):
                        digits = re.search(r"\d{4} ?\d{4}", value).group(0)
                        kinds["phone"] |= {value, digits, digits.replace(" ", "")}
    for src in P.sources().values():
        if src.kind == "official" and src.url:
            kinds["url"].add(re.sub(r"^https?://", "", src.url))
    return kinds


def literals() -> dict[str, str]:
    """{rendering: kind}."""
    return {r: kind for kind, rs in gathered().items() for r in rs}


# --- the places ---------------------------------------------------------------------------------
def _data_text(path: Path) -> str:
    """A data/ YAML file without what users type: the bot's side and the comments."""
    raw = path.read_text(encoding="utf-8")
    comments = [line for line in raw.splitlines() if line.lstrip().startswith("#")]
    doc = yaml.safe_load(raw) or {}
    doc.pop("nlu", None)

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in USER_KEYS}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value
    kept = [str(v) for _, v in _walk(strip(doc))]
    return "\n".join(comments + kept)


def places() -> list[Path]:
    files = [ROOT / "domain.yml"]
    files += sorted((ROOT / "data").rglob("*.yml"))
    files += sorted((ROOT / "actions").glob("*.py"))
    files += sorted((ROOT / "ttps_logic").glob("*.py"))
    files += sorted((ROOT / "ttps_logic" / "locales").glob("*.yaml"))
    files += sorted(p for p in (ROOT / "web" / "src").glob("*") if p.is_file())
    files += sorted((ROOT / "web" / "demo").glob("*.html"))
    return files


def text_of(path: Path) -> str:
    if path.is_relative_to(ROOT / "data"):
        return _data_text(path)
    return path.read_text(encoding="utf-8")


def hits_in(text: str, lits: dict[str, str]) -> list[tuple[str, str, int]]:
    """(literal, kind, line number) of every literal in ``text`` not inside a longer number or
    word (of Latin letters and digits: Chinese text has no spaces, so a Chinese character next
    to a literal does not hide it)."""
    out = []
    low = text.lower()
    for lit, kind in lits.items():
        pattern = r"(?<![0-9a-z_.,])" + re.escape(lit.lower()) + r"(?![0-9a-z_]|[.,]\d)"
        for m in re.finditer(pattern, low):
            out.append((lit, kind, low.count("\n", 0, m.start()) + 1))
    return out


def test_the_literals_cover_every_kind():
    lits = literals()
    for expected in ["HK$2.5M", "2.5 million", "2,500,000", "HK$1,300", "HK$230", "10,000",
                     "36 months", "24 months", "16 Oct 2024", "26 Feb 2025", "25 Oct 2023",
                     "2024-10-16", "2868 3780", "3160 8663", "enquiry@immd.gov.hk",
                     "www.immd.gov.hk/eng/services/visas/TTPS.html",
                     "www.immd.gov.hk/pdf/aggregate_list.pdf", "HK$30M", "15 Jan 2015"]:
        assert expected in lits, expected
    assert {kind for kind in lits.values()} == {"money", "quota", "stay", "date", "phone",
                                                "email", "url"}


@pytest.mark.parametrize("path", places(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_dated_fact_written_by_hand(path):
    found = hits_in(text_of(path), literals())
    assert not found, "\n".join(f"{path.relative_to(ROOT)}:{line}: {kind} {lit!r}"
                                for lit, kind, line in sorted(found, key=lambda h: h[2]))


PLANTED = ["Category A needs HK$2.5M a year.", "That is 2.5 million dollars.",
           "income of 2,500,000 or more", "a quota of 10,000 places", "call 2868 3780",
           "the new fees from 26 Feb 2025", "since 16 October 2024", "visa fee HK$230",
           "a 36-month stay", "see https://www.immd.gov.hk/eng/services/visas/TTPS.html",
           "mail enquiry@immd.gov.hk", "(852) 3160 8663", "on 2024-10-16",
           "A類須年收入港幣250萬元", "年收入达港币2,500,000元", "首次逗留36個月", "首次逗留36个月",
           "自2024年10月16日起", "签证费港币230元", "致電2868 3780查詢"]


@pytest.mark.parametrize("sentence", PLANTED)
def test_the_check_catches_a_planted_literal(tmp_path, sentence):
    planted = tmp_path / "planted.py"
    planted.write_text(f'MESSAGE = "{sentence}"\n', encoding="utf-8")
    assert hits_in(planted.read_text(encoding="utf-8"), literals())


def test_the_check_reads_bot_turns_not_user_turns(tmp_path):
    stories = tmp_path / "data" / "stories.yml"
    stories.parent.mkdir()
    stories.write_text(yaml.safe_dump({"stories": [{"story": "s", "steps": [
        {"user": "my income is 2,500,000", "intent": "inform"},
        {"bot": "You need HK$2.5M."}]}]}), encoding="utf-8")
    text = _data_text(stories)
    assert [h[0] for h in hits_in(text, literals())] == ["HK$2.5M"]


def test_a_longer_number_is_not_a_hit():
    assert not hits_in("HK$12,500,000 and 110,000 and 136 months", literals())
