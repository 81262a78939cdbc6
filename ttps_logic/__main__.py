"""Command line: the contract other tools rely on.

  python -m ttps_logic assess [--jsonl]      facts JSON on stdin -> assessment JSON on stdout
  python -m ttps_logic explain [--lang L]    facts JSON on stdin -> human explanation, in L
                                             (en, zh-Hans, zh-Hant; default en)
  python -m ttps_logic schemes [--lang L]    facts JSON on stdin -> other schemes (IANG, New CIES,
                                             CIES, ASMTP, GEP, QMAS) pre-screened, JSON
  python -m ttps_logic universities search NAME [--date YYYY-MM-DD] [--json]

Bad input exits with code 2 and one line on stderr naming the field. With --jsonl every input
line yields one output line, in order: the assessment, or {"error": {...}} for a bad line;
the exit code is then 0 (errors are reported in-band).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from typing import Any

from pydantic import ValidationError

from . import assess, explain
from .engine import InputError
from .institutions import registry
from .params import param
from .text import LANGS

EXIT_BAD_INPUT = 2
_FIELD_PATH = re.compile(r"^(degrees|work_periods|income)\[\d+\]\.[a-z_]+$")


def _loc(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("function-after", "function-before", "function-wrap") or "[" in str(part):
            continue
        else:
            out += ("." if out else "") + str(part)
    return out


def describe_error(exc: Exception) -> dict[str, str]:
    """One clear message naming the field, for any error a caller's input can cause."""
    if isinstance(exc, ValidationError):
        err = exc.errors(include_url=False)[0]
        field = _loc(tuple(err.get("loc", ())))
        msg = err.get("msg", "invalid value")
        msg = msg.removeprefix("Value error, ")
        if err.get("type") == "extra_forbidden":
            msg = "is not a known input key"
        if not field:
            # model-level checks start their message with the path of the field they concern
            head, _, rest = msg.partition(" ")
            if _FIELD_PATH.match(head) and rest:
                field, msg = head, rest
        return {"field": field, "message": msg}
    if isinstance(exc, InputError):
        return {"field": exc.field, "message": exc.message}
    if isinstance(exc, json.JSONDecodeError):
        return {"field": "", "message": f"input is not valid JSON ({exc.msg} at line {exc.lineno}, "
                                        f"column {exc.colno})"}
    return {"field": "", "message": str(exc)}


def _parse_object(text: str) -> dict[str, Any]:
    data = json.loads(text)
    if not isinstance(data, dict):
        raise InputError("", "input must be one JSON object with the facts")
    return data


def _assess_text(text: str) -> str:
    return assess(_parse_object(text)).model_dump_json()


def _fail(exc: Exception) -> int:
    err = describe_error(exc)
    where = f"{err['field']}: " if err["field"] else ""
    print(f"error: {where}{err['message']}", file=sys.stderr)
    return EXIT_BAD_INPUT


def cmd_assess(args: argparse.Namespace) -> int:
    if not args.jsonl:
        try:
            sys.stdout.write(_assess_text(sys.stdin.read()) + "\n")
        except (ValueError, ValidationError) as exc:
            return _fail(exc)
        return 0
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            out = _assess_text(line)
        except (ValueError, ValidationError) as exc:
            out = json.dumps({"error": {"line": number, **describe_error(exc)}},
                             ensure_ascii=False)
        sys.stdout.write(out + "\n")
        sys.stdout.flush()
    return 0


def _check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise InputError("--lang", f"{lang!r} is not a language we write; use one of "
                                   f"{', '.join(LANGS)}")


def cmd_explain(args: argparse.Namespace) -> int:
    try:
        _check_lang(args.lang)
        text = explain(assess(_parse_object(sys.stdin.read())), args.lang)
    except (ValueError, ValidationError) as exc:
        return _fail(exc)
    print(text)
    return 0


_ARM_WORDS = {"continuing_education": "continuing-education arm", "extension_school": "extension school",
              "branch_school": "branch school", "subsidiary_school": "subsidiary college",
              "campus": "campus"}


def cmd_schemes(args: argparse.Namespace) -> int:
    """The other schemes, pre-screened: likely / unlikely / unknown with reasons (schemes.py).
    Input: the assess facts plus hk_job_offer, net_assets and planned_investment."""
    from .schemes import prescreen
    try:
        _check_lang(args.lang)
        out = prescreen(_parse_object(sys.stdin.read()), lang=args.lang).model_dump_json()
    except (ValueError, ValidationError) as exc:
        return _fail(exc)
    sys.stdout.write(out + "\n")
    return 0


def cmd_universities(args: argparse.Namespace) -> int:
    try:
        day = dt.date.fromisoformat(args.date) if args.date else dt.date.today()
    except ValueError:
        return _fail(InputError("--date", f"{args.date!r} is not a date written YYYY-MM-DD"))
    reg = registry()
    res = reg.resolve(" ".join(args.name))
    if res.status == "matched":
        found = [(res.institution, res.score)]
    elif res.status == "excluded_arm":
        found = [(res.arm.parent, res.score)]
    else:
        found = res.candidates
    rows = [{
        "id": inst.id, "name": inst.name, "country": inst.country, "score": score,
        "listed": inst.listed_on(day), "added": inst.added.isoformat(),
        "removed": inst.removed.isoformat() if inst.removed else None,
        "provenance": inst.provenance, "confidence": inst.confidence,
    } for inst, score in found]
    arm = None
    if res.arm is not None:
        # Note 4: a continuing-education arm, extension school, branch or subsidiary college of a
        # listed institution is not that institution; a campus may or may not be
        arm = {"name": res.arm.name, "kind": res.arm.kind, "parent_id": res.arm.parent.id,
               "parent": res.arm.parent.name, "counts": res.arm.accepted, "clause": "note.4"}
    if args.json:
        print(json.dumps({"query": res.query, "status": res.status, "method": res.method,
                          "date": day.isoformat(), "list_version": reg.list_version(day),
                          "results": rows, "arm": arm, "others": list(res.others)},
                         ensure_ascii=False))
        return 0 if rows and arm is None else 1
    if arm is not None:
        kind = _ARM_WORDS.get(arm["kind"], arm["kind"].replace("_", " "))
        verdict = ("its degrees do not count as the parent's under Note 4" if arm["counts"] is False
                   else "whether its degrees count as the parent's under Note 4 is not clear: "
                        "check with the Immigration Department")
        print(f"{res.query!r} is read as {arm['name']!r}, {'an' if kind[0] in 'aeiou' else 'a'} {kind} of {arm['parent']} "
              f"({rows[0]['country']}, {'on' if rows[0]['listed'] else 'NOT on'} the list on {day}); "
              f"{verdict}.")
        return 1
    if not rows:
        print(f"No institution on the list matches {res.query!r}. Check the official list: "
              f"{param('list.url', day)}")
        return 1
    head = "Match" if res.status == "matched" else "Did you mean"
    print(f"{head} ({res.method}, list {reg.list_version(day)}):")
    for r in rows:
        state = "on the list" if r["listed"] else "NOT on the list"
        extra = f", removed {r['removed']}" if r["removed"] else ""
        print(f"  {r['name']} ({r['country']}) — {state} on {day} "
              f"[added {r['added']}{extra}; {r['provenance']}, {r['confidence']}; "
              f"score {r['score']}]")
    if res.others:
        print("  It may also mean an institution not on the list: " + "; ".join(res.others))
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m ttps_logic",
                                description="Top Talent Pass Scheme eligibility engine")
    sub = p.add_subparsers(dest="command", required=True)
    a = sub.add_parser("assess", help="facts JSON on stdin -> assessment JSON")
    a.add_argument("--jsonl", action="store_true", help="one JSON object per line")
    a.set_defaults(func=cmd_assess)
    e = sub.add_parser("explain", help="facts JSON on stdin -> human explanation")
    e.add_argument("--lang", default="en", help="en, zh-Hans or zh-Hant (default en)")
    e.set_defaults(func=cmd_explain)
    sc = sub.add_parser("schemes", help="facts JSON on stdin -> other schemes pre-screened, JSON")
    sc.add_argument("--lang", default="en", help="en, zh-Hans or zh-Hant (default en)")
    sc.set_defaults(func=cmd_schemes)
    u = sub.add_parser("universities", help="eligible-institution registry")
    usub = u.add_subparsers(dest="action", required=True)
    s = usub.add_parser("search", help="find an institution by name, alias or typo")
    s.add_argument("name", nargs="+")
    s.add_argument("--date", help="list in force on this date (default today)")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_universities)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
