"""The conversation suite's machinery, shared by the pytest files here and tools/run_personas.py.

- start_servers(): the real action server and Rasa server via scripts/serve.sh, on free ports,
  with the tracker in a temporary SQLite file, the logs in their own directory and the clock
  fixed by TTPS_TODAY;
- Chat: one conversation over the REST channel, reading its tracker through Rasa's HTTP API;
- personas: load personas.yaml, run one persona, judge and report;
- fuzz: seeded random conversations from fuzz_pool.yaml.

No timing is asserted anywhere; durations are only printed.
"""
from __future__ import annotations

import contextlib
import json
import math
import os
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Optional

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
PERSONAS_FILE = HERE / "personas.yaml"
FUZZ_POOL_FILE = HERE / "fuzz_pool.yaml"
RESULTS = ROOT / "results" / "conversation"

TODAY = "2026-12-01"          # the application date every expectation is written for
CATEGORIES = ("A", "B", "C")
STATUSES = ("eligible", "not_eligible", "unknown")
MIN_PASS_RATE = 0.95          # issue 7: >= 95% of personas reach the right statuses
MAX_MEDIAN_TURNS = 8          # issue 7: with a median of <= 8 user turns
MAX_WORKERS = 2               # a 2-core machine shared with others
CIRCUIT_BREAKER = "Circuit breaker tripped"
LOCALES = ("en", "zh-Hans", "zh-Hant")


# ---------------------------------------------------------------------------------------------
# Servers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Rasa's HTTP API (trackers) answers only with the token scripts/serve.sh was given
# (RASA_AUTH_TOKEN) or made (.rasa/api-token); start_servers gives each run its own.
TOKEN_FILE = ROOT / ".rasa" / "api-token"
_TOKENS: dict[str, str] = {}          # base URL -> token, for the servers started here


def api_token(base: Optional[str] = None) -> Optional[str]:
    """The token for Rasa's HTTP API at `base`: that of servers started by start_servers, else
    $RASA_AUTH_TOKEN, else the file `make run` keeps (RASA_TOKEN_FILE, .rasa/api-token)."""
    if base and base.rstrip("/") in _TOKENS:
        return _TOKENS[base.rstrip("/")]
    if os.environ.get("RASA_AUTH_TOKEN"):
        return os.environ["RASA_AUTH_TOKEN"]
    path = Path(os.environ.get("RASA_TOKEN_FILE") or TOKEN_FILE)
    path = path if path.is_absolute() else ROOT / path
    return path.read_text().strip() if path.is_file() else None


@dataclass
class Servers:
    base: str
    log_dir: Path
    proc: subprocess.Popen
    output: list[str] = field(default_factory=list)   # what serve.sh printed
    token: str = ""                                   # for Rasa's HTTP API

    def alive(self) -> bool:
        """serve.sh still runs (it stops both servers when either one exits)."""
        return self.proc.poll() is None

    def state(self) -> str:
        if self.alive():
            return "running"
        return (f"serve.sh exited with code {self.proc.returncode} (last output: "
                f"{''.join(self.output[-3:]).strip()!r}; logs in {self.log_dir})")

    @property
    def rasa_log(self) -> Path:
        return self.log_dir / "rasa.log"

    @property
    def actions_log(self) -> Path:
        return self.log_dir / "actions.log"

    def log_count(self, needle: str, log: Optional[Path] = None) -> int:
        path = log or self.rasa_log
        if not path.exists():
            return 0
        return path.read_text(encoding="utf-8", errors="replace").count(needle)


@contextlib.contextmanager
def start_servers(model: str, work_dir: Path, today: str = TODAY,
                  startup_timeout: float = 900) -> Iterator[Servers]:
    """Start scripts/serve.sh MODEL and yield once it prints "Assistant ready" (it polls both
    servers' health URLs itself); stop its whole process group afterwards."""
    work_dir = Path(work_dir)
    log_dir = work_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    rasa_port, action_port = free_port(), free_port()
    token = secrets.token_urlsafe(24)
    env = dict(os.environ, RASA_PORT=str(rasa_port), ACTION_PORT=str(action_port),
               TRACKER_DB=str(work_dir / "tracker.db"), LOG_DIR=str(log_dir),
               TTPS_TODAY=today, RASA_ENABLE_API="1", RASA_AUTH_TOKEN=token)
    env.pop("WEB_PORT", None)
    proc = subprocess.Popen(["scripts/serve.sh", str(Path(model).resolve())], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    ready = threading.Event()
    output: list[str] = []

    def read() -> None:  # keeps the pipe drained for the whole run
        assert proc.stdout is not None
        for line in proc.stdout:
            output.append(line)
            if "Assistant ready" in line:
                ready.set()
        ready.set()  # EOF: serve.sh has exited

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        ready.wait(startup_timeout)
        if proc.poll() is not None or not any("Assistant ready" in l for l in output):
            tail = "".join(output[-20:])
            raise RuntimeError(f"servers did not start (see {log_dir}):\n{tail}")
        base = f"http://127.0.0.1:{rasa_port}"
        _TOKENS[base] = token
        yield Servers(base=base, log_dir=log_dir, proc=proc, output=output, token=token)
    finally:
        _TOKENS.pop(f"http://127.0.0.1:{rasa_port}", None)
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGINT)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)


# ---------------------------------------------------------------------------------------------
# One conversation


@dataclass
class Turn:
    user: str
    http_status: int                 # 0 = no HTTP answer at all (connection failed, timeout)
    replies: list[dict[str, Any]]
    seconds: float
    error: str = ""

    @property
    def texts(self) -> list[str]:
        return [r["text"] for r in self.replies if isinstance(r.get("text"), str) and r["text"]]

    def problems(self) -> list[str]:
        """The per-turn invariants: HTTP 200, at least one message, no text twice in a reply."""
        out = []
        if self.http_status != 200:
            out.append(f"HTTP {self.http_status or 'no answer'} {self.error}".strip())
        if not self.replies:
            out.append("no message back")
        seen = set()
        for t in self.texts:
            if t in seen:
                out.append(f"text repeated in one reply: {t[:80]!r}")
                break
            seen.add(t)
        return out

    def as_dict(self) -> dict[str, Any]:
        return {"user": self.user, "http_status": self.http_status, "seconds": round(self.seconds, 3),
                "error": self.error, "bot": [_show_reply(r) for r in self.replies]}


def _show_reply(r: dict[str, Any]) -> str:
    if r.get("text"):
        text = r["text"]
        if r.get("buttons"):
            text += "  [" + " | ".join(str(b.get("title")) for b in r["buttons"]) + "]"
        return text
    if "custom" in r:
        custom = r["custom"]
        if isinstance(custom, dict) and "data" in custom and "ttps_assessment" in custom["data"]:
            cats = custom["data"]["ttps_assessment"].get("categories", {})
            routes = [x.get("scheme") for x in (custom["data"].get("other_schemes") or {}).get("schemes", [])]
            return ("<assessment " + " ".join(f"{k}={v.get('status')}" for k, v in cats.items())
                    + (f" routes={','.join(routes)}" if routes else "") + ">")
        return "<custom>"
    if r.get("image"):
        return "<image>"
    return json.dumps(r, ensure_ascii=False)[:200]


class Chat:
    """One conversation with the assistant over REST (/webhooks/rest/webhook); the tracker is
    read through Rasa's HTTP API (GET /conversations/<sender>/tracker, with the API token:
    `token`, else api_token(base))."""

    def __init__(self, base: str, sender: Optional[str] = None, timeout: float = 120,
                 token: Optional[str] = None):
        self.base = base.rstrip("/")
        self.sender = sender or f"conv-{uuid.uuid4().hex[:10]}"
        self.timeout = timeout
        self.token = token if token is not None else api_token(self.base)
        self.turns: list[Turn] = []

    def say(self, text: str) -> Turn:
        """Send one message; never raises for HTTP or connection errors (they are recorded)."""
        body = json.dumps({"sender": self.sender, "message": text}).encode()
        req = urllib.request.Request(f"{self.base}/webhooks/rest/webhook", data=body,
                                     headers={"Content-Type": "application/json"})
        start = time.monotonic()
        status, replies, error = 0, [], ""
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                status = resp.status
                data = json.loads(resp.read() or b"[]")
                replies = data if isinstance(data, list) else []
        except urllib.error.HTTPError as exc:
            status, error = exc.code, exc.read()[:300].decode(errors="replace")
        except (urllib.error.URLError, OSError, ValueError) as exc:
            error = f"{type(exc).__name__}: {exc}"
        turn = Turn(text, status, replies, time.monotonic() - start, error)
        self.turns.append(turn)
        return turn

    def tracker(self, events: str = "ALL") -> dict[str, Any]:
        """The conversation's tracker; events=NONE reads only the slots (cheaper)."""
        sender = urllib.parse.quote(self.sender, safe="")
        query = {"include_events": events, **({"token": self.token} if self.token else {})}
        url = f"{self.base}/conversations/{sender}/tracker?{urllib.parse.urlencode(query)}"
        with urllib.request.urlopen(url, timeout=self.timeout) as resp:
            return json.loads(resp.read())

    @staticmethod
    def assessment_of(tracker: dict[str, Any]) -> Optional[dict[str, Any]]:
        value = (tracker.get("slots") or {}).get("assessment")
        return value if isinstance(value, dict) else None

    @staticmethod
    def statuses_of(tracker: dict[str, Any]) -> Optional[dict[str, str]]:
        a = Chat.assessment_of(tracker)
        if not a:
            return None
        cats = a.get("categories") or {}
        return {c: (cats.get(c) or {}).get("status") for c in CATEGORIES}

    @staticmethod
    def user_turns_of(tracker: dict[str, Any]) -> int:
        return sum(1 for e in tracker.get("events") or [] if e.get("event") == "user")

    def statuses(self) -> Optional[dict[str, str]]:
        return self.statuses_of(self.tracker())

    def user_turns(self) -> int:
        return self.user_turns_of(self.tracker())


# ---------------------------------------------------------------------------------------------
# Reply language
#
# A persona with `lang` expects its replies in one locale: `lang: zh-Hant` means every bot reply
# from the persona's first message with Chinese characters on is Traditional Chinese;
# `lang: {1: en, 4: zh-Hans}` gives the locale from each user turn on (a persona that switches
# language). A reply is judged by its text (with its buttons' titles) and, for the verdict, by
# the card payload's "lang".
#
# A text is Chinese when it has at least as many CJK characters as English words, a lowercase
# word counting 1, a capitalised one 1/2 and a code such as HKD or MIT nothing (URLs and e-mail
# addresses left out): "请看 https://www.immd.gov.hk" and "你讀的是 The University of Hong Kong
# 嗎" are Chinese, an English sentence that names 高才通 is not.
#
# Its script: no character that exists in the other script only. Traditional-only: a character
# that has a different Simplified form in OpenCC's table (ttps_logic/data/zh_t2s_chars.tsv) and
# that the Mainland character set GB2312 lacks; Simplified-only: the Simplified form of another
# character that the Traditional set Big5 lacks. So 台, 才, 里, 只 (Simplified forms of 臺, 纔,
# 裡, 隻 and ordinary Traditional characters too) count for neither script, while 这, 们, 说
# are Simplified and 這, 們, 說 Traditional.

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_LATIN_WORD = re.compile(r"[A-Za-z]+")
_LINK = re.compile(r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Each language offered under its own name (the language question, the switch buttons) is
# right in every locale: "English、简体中文或繁體中文" is not a mixed script.
_LANGUAGE_NAMES = re.compile(r"English|简体中文|繁體中文|简体|繁體")


def script_only_characters() -> tuple[frozenset[str], frozenset[str]]:
    """(Traditional-only characters, Simplified-only characters): the product's own table
    (actions/language.py, from OpenCC's characters minus those both GB2312 and Big5 hold), so
    the judge and the bot agree on what counts as the other script."""
    from actions.language import _script_sets
    return _script_sets()


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text or ""))


def _english_weight(word: str) -> float:
    """How much a Latin word says the text is English: a lowercase word fully, a capitalised one
    (a name, "The Hong Kong University of ...", or a sentence's first word) by half, a code or
    an abbreviation ("HKD", "MIT", "A") not at all."""
    if len(word) < 2 or word.isupper():
        return 0.0
    return 1.0 if word.islower() else 0.5


def text_language(text: str) -> Optional[str]:
    """"zh" or "en" for what a text is written in: Chinese when it has at least as many CJK
    characters as weighted English words; None when it has neither ("HK$3,000,000", "✓")."""
    text = _LINK.sub(" ", text or "")
    cjk = len(_CJK.findall(text))
    words = sum(_english_weight(w) for w in _LATIN_WORD.findall(text))
    if not cjk and not words:
        return None
    return "zh" if cjk >= words else "en"


def other_script_characters(text: str, lang: str) -> str:
    """The characters of `text` that exist only in the script other than `lang`'s, in order of
    first appearance ("" for en, and when there are none)."""
    traditional, simplified = script_only_characters()
    wrong = {"zh-Hans": traditional, "zh-Hant": simplified}.get(lang)
    if not wrong:
        return ""
    return "".join(dict.fromkeys(c for c in text or "" if c in wrong))


def reply_language_problem(reply: dict[str, Any], lang: str) -> Optional[str]:
    """Why one bot message is not in locale `lang`, or None when it is (or says nothing in
    words: an image, a custom payload without an assessment, a bare amount)."""
    if lang not in LOCALES:
        raise ValueError(f"unknown locale {lang!r}; one of {', '.join(LOCALES)}")
    custom = reply.get("custom")
    if isinstance(custom, dict):
        data = custom.get("data") if isinstance(custom.get("data"), dict) else custom
        card = data.get("ttps_assessment") if isinstance(data, dict) else None
        if isinstance(card, dict):
            got = card.get("lang", data.get("lang"))
            if got != lang:
                return f"verdict card has lang {got!r}, expected {lang!r}"
    text = reply.get("text") if isinstance(reply.get("text"), str) else ""
    titles = [str(b.get("title") or "") for b in reply.get("buttons") or [] if isinstance(b, dict)]
    shown = "\n".join([text, *titles]).strip()
    judged = _LANGUAGE_NAMES.sub(" ", shown)
    if not judged.strip():
        return None
    found = text_language(judged)
    want = "en" if lang == "en" else "zh"
    if found is not None and found != want:
        return f"reply in {'Chinese' if found == 'zh' else 'English'}, expected {lang}: {shown[:80]!r}"
    wrong = other_script_characters(judged, lang)
    if wrong:
        return f"reply has characters of the other script ({wrong[:10]}), expected {lang}: {shown[:80]!r}"
    return None


def expected_languages(lang_spec: Any, user_turns: list[str]) -> list[Optional[str]]:
    """The locale expected for the replies to each user turn (None: not judged).

    `lang_spec` is a locale (judged from the first user turn with Chinese characters on; for
    "en", from the first turn) or a mapping {first user turn (1-based): locale}."""
    n = len(user_turns)
    if lang_spec is None:
        return [None] * n
    if isinstance(lang_spec, str):
        if lang_spec == "en":
            start = 1
        else:
            start = next((i for i, t in enumerate(user_turns, start=1) if has_cjk(t)), n + 1)
        lang_spec = {start: lang_spec}
    if not isinstance(lang_spec, dict) or not lang_spec:
        raise ValueError(f"lang must be a locale or a mapping turn -> locale, not {lang_spec!r}")
    spec = {int(k): v for k, v in lang_spec.items()}
    for v in spec.values():
        if v not in LOCALES:
            raise ValueError(f"unknown locale {v!r}; one of {', '.join(LOCALES)}")
    out: list[Optional[str]] = []
    current: Optional[str] = None
    for i in range(1, n + 1):
        current = spec.get(i, current)
        out.append(current)
    return out


def is_chinese(persona: dict[str, Any]) -> bool:
    """A persona who expects Chinese replies at some point of the conversation."""
    spec = persona.get("lang")
    langs = spec.values() if isinstance(spec, dict) else [spec]
    return any(v in ("zh-Hans", "zh-Hant") for v in langs)


def language_problems(lang_spec: Any, turns: list["Turn"]) -> list[dict[str, Any]]:
    """Every bot message not in the locale the persona expects at its turn."""
    wanted = expected_languages(lang_spec, [t.user for t in turns])
    out = []
    for i, (turn, lang) in enumerate(zip(turns, wanted), start=1):
        if lang is None:
            continue
        for reply in turn.replies:
            problem = reply_language_problem(reply, lang)
            if problem:
                out.append({"turn": i, "user": turn.user, "problem": problem})
    return out


# ---------------------------------------------------------------------------------------------
# Personas


def load_personas(path: Path = PERSONAS_FILE) -> list[dict[str, Any]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    personas = data["personas"]
    for p in personas:
        typed = [t for t in p["turns"] if isinstance(t, bool) or t is None]
        if typed:  # YAML reads an unquoted yes / no / on / off / ~ as a bool or null
            raise ValueError(f"persona {p.get('id')}: quote the turns {typed} (YAML read them "
                             "as booleans or null, not as what the person types)")
        p["turns"] = [str(t) for t in p["turns"]]
        p["expect"] = {c: ([v] if isinstance(v, str) else list(v)) for c, v in p["expect"].items()}
        p.setdefault("max_turns", len(p["turns"]))
    return personas


def matches(statuses: Optional[dict[str, str]], expect: dict[str, list[str]]) -> bool:
    return statuses is not None and all(statuses.get(c) in expect[c] for c in CATEGORIES)


def turns_to_reach(after_turn: list[Optional[dict[str, str]]],
                   expect: dict[str, list[str]]) -> Optional[int]:
    """The first user turn from which the statuses are the expected ones and stay so to the
    end of the conversation (None: not right at the end)."""
    reached: Optional[int] = None
    for i in range(len(after_turn), 0, -1):
        if matches(after_turn[i - 1], expect):
            reached = i
        else:
            break
    return reached


def kept_after_start_over(before: dict[str, Any], after: dict[str, Any],
                          events: list[dict[str, Any]]) -> list[str]:
    """Slots that held a value before the start-over turn and still hold it after, with no
    reset in that turn (events: the tracker's, the turn's being those after its last user
    event). A value set again after a reset (a default, say) is not a value kept."""
    last_user = max((j for j, e in enumerate(events) if e.get("event") == "user"), default=-1)
    turn = events[last_user + 1:]
    if any(e.get("event") in ("restart", "reset_slots") for e in turn):
        return []
    unset = {e.get("name") for e in turn if e.get("event") == "slot" and e.get("value") is None}
    return sorted(name for name, value in before.items()
                  if value not in (None, "", [], {}) and name != "requested_slot"
                  and name not in unset and after.get(name) == value)


def routes_named(turns: list[Turn]) -> list[str]:
    """The scheme codes of the last verdict's other routes (its payload's other_schemes), each
    with a reason to show; [] when the last verdict named none."""
    for turn in reversed(turns):
        for r in reversed(turn.replies):
            data = (r.get("custom") or {}).get("data") if isinstance(r.get("custom"), dict) else None
            if isinstance(data, dict) and "ttps_assessment" in data:
                schemes = (data.get("other_schemes") or {}).get("schemes") or []
                return [s.get("scheme") for s in schemes if s.get("summary")]
    return []


def run_persona(base: str, persona: dict[str, Any]) -> dict[str, Any]:
    """Say every turn of the persona; after each, read the tracker. The persona passes when the
    final statuses are the expected ones and were reached by `max_turns` and kept from then on."""
    chat = Chat(base, sender=f"persona-{persona['id']}-{uuid.uuid4().hex[:6]}")
    after_turn: list[Optional[dict[str, str]]] = []
    slots_after: list[dict[str, Any]] = [{}]      # slots_after[i]: the slots after turn i
    cleared_tracker: dict[str, Any] = {}
    problems: list[dict[str, Any]] = []
    tracker: dict[str, Any] = {}
    for i, text in enumerate(persona["turns"], start=1):
        turn = chat.say(text)
        for p in turn.problems():
            problems.append({"turn": i, "user": text, "problem": p})
        try:
            full = i in (len(persona["turns"]), persona.get("cleared_after"))
            tracker = chat.tracker("ALL" if full else "NONE")
            if i == persona.get("cleared_after"):
                cleared_tracker = tracker
            after_turn.append(chat.statuses_of(tracker))
            slots_after.append(dict(tracker.get("slots") or {}))
        except (urllib.error.URLError, OSError, ValueError) as exc:
            problems.append({"turn": i, "user": text, "problem": f"tracker unreadable: {exc}"})
            after_turn.append(None)
            slots_after.append({})
    check_failures: list[dict[str, Any]] = []   # the persona's own checks (not per-turn invariants)
    k = persona.get("cleared_after")
    if k:
        # "start over": whatever the conversation held before that turn is gone after it
        kept = kept_after_start_over(slots_after[k - 1], slots_after[k],
                                     cleared_tracker.get("events") or [])
        if kept:
            check_failures.append({"turn": k, "user": persona["turns"][k - 1],
                                   "problem": f"start over kept what was said before: {', '.join(kept)}"})
    want = persona.get("routes")
    if want:
        # the other schemes the last verdict names (its card payload), with their reasons
        named = routes_named(chat.turns)
        missing = [code for code in want if code not in named]
        if missing:
            check_failures.append({"turn": len(persona["turns"]), "user": "",
                                   "problem": f"other routes named {named or 'none'}; expected "
                                              f"{', '.join(want)} among them"})
    wrong_language: list[dict[str, Any]] = []
    if persona.get("lang") is not None:
        # every reply in the locale the persona expects (see "Reply language" above)
        wrong_language = language_problems(persona["lang"], chat.turns)
        for p in wrong_language[:3]:
            check_failures.append(p)
        if len(wrong_language) > 3:
            check_failures.append({"turn": wrong_language[3]["turn"], "user": "",
                                   "problem": f"{len(wrong_language) - 3} more replies not in the "
                                              "expected language"})
    final = after_turn[-1] if after_turn else None
    expect = persona["expect"]
    reached = turns_to_reach(after_turn, expect)
    recorded = Chat.user_turns_of(tracker) if tracker.get("events") is not None else None
    if recorded is not None and recorded != len(persona["turns"]):
        problems.append({"turn": len(persona["turns"]), "user": "",
                         "problem": f"tracker has {recorded} user turns, {len(persona['turns'])} were sent"})
    checks_ok = not check_failures
    statuses_ok = matches(final, expect)
    turns_ok = reached is not None and reached <= persona["max_turns"]
    assessment = Chat.assessment_of(tracker) if tracker else None
    final_facts = (assessment or {}).get("facts")
    return {
        "id": persona["id"], "who": persona.get("who", ""), "tags": persona.get("tags", []),
        "lang": persona.get("lang"), "chinese": is_chinese(persona),
        "replies_in_wrong_language": len(wrong_language),
        "passed": statuses_ok and turns_ok and checks_ok, "statuses_ok": statuses_ok,
        "turns_ok": turns_ok, "checks_ok": checks_ok,
        "expect": expect, "final_statuses": final, "statuses_after_each_turn": after_turn,
        "turns_taken": reached, "max_turns": persona["max_turns"],
        "turns_sent": len(persona["turns"]), "user_turns_in_tracker": recorded,
        "final_facts": final_facts,
        "facts_differences": (facts_differences(persona["facts"], final_facts)
                              if "facts" in persona and final_facts is not None else []),
        "slots": {k: v for k, v in (tracker.get("slots") or {}).items()
                  if k != "assessment" and v is not None} if tracker else {},
        "problems": problems, "check_failures": check_failures,
        "transcript": [t.as_dict() for t in chat.turns],
    }


def _months_of(facts: dict[str, Any]) -> Optional[float]:
    """Months of work the facts state, whichever way they state them (a rough total)."""
    if facts.get("work_experience_months") is not None:
        return float(facts["work_experience_months"])
    periods = facts.get("work_periods")
    if periods is None:
        return None
    import datetime as dt
    app = dt.date.fromisoformat(str(facts.get("application_date") or TODAY))
    total = 0.0
    for p in periods:
        if p.get("type") not in ("full_time", "self_employed"):
            continue
        start = _day(p["start"], end=False)
        end = _day(p["end"], end=True) if p.get("end") else app
        total += max(0.0, (end - start).days / 30.44)
    return total


def _day(value: Any, end: bool):
    import calendar
    import datetime as dt
    text = str(value)
    if len(text) == 4:
        return dt.date(int(text), 12, 31) if end else dt.date(int(text), 1, 1)
    if len(text) == 7:
        y, m = int(text[:4]), int(text[5:])
        return dt.date(y, m, calendar.monthrange(y, m)[1] if end else 1)
    return dt.date.fromisoformat(text[:10])


def _institution(name: str) -> str:
    from ttps_logic.institutions import registry
    res = registry().resolve(name)
    return res.institution.id if res.status == "matched" and res.institution else name.casefold()


def facts_differences(meant: dict[str, Any], got: dict[str, Any]) -> list[str]:
    """Where the facts of the final assessment differ from the facts the persona means: a
    diagnostic for the report (a right verdict can rest on a wrongly heard fact)."""
    out = []
    if meant.get("nationality") != got.get("nationality"):
        out.append(f"nationality {got.get('nationality')!r}, meant {meant.get('nationality')!r}")

    def incomes(f):
        items = f.get("income")
        if items is None:
            return None
        return sorted((i.get("type", "unspecified"), i.get("currency", "HKD"), float(i["amount"]),
                       i.get("held_shares_throughout")) for i in items if float(i["amount"]) > 0)
    mi, gi = incomes(meant), incomes(got)
    if (mi is None) != (gi is None) or (mi and gi and (
            len(mi) != len(gi) or any(a[:2] != b[:2] or abs(a[2] - b[2]) > 0.01 * a[2]
                                      or (a[3] is not None and a[3] != b[3])
                                      for a, b in zip(mi, gi)))) or (mi == [] and gi):
        out.append(f"income {gi}, meant {mi}")

    def degrees(f):
        ds = f.get("degrees")
        if ds is None:
            return None
        return sorted((_institution(d["university"]), d.get("level"),
                       str(d.get("graduation_date") or "")[:4], d.get("hk_nonlocal_fulltime_ug"))
                      for d in ds if d.get("level") in (None, "bachelor"))
    md, gd = degrees(meant), degrees(got)
    if md is None or gd is None:
        if md != gd:
            out.append(f"degrees {gd}, meant {md}")
    elif len(md) != len(gd) or any(a[:3] != b[:3] or (a[3] is not None and a[3] != b[3])
                                   for a, b in zip(md, gd)):
        out.append(f"degrees {gd}, meant {md}")
    if md:  # work only matters with a degree
        mm, gm = _months_of(meant), _months_of(got)
        if (mm is None) != (gm is None) or (mm is not None and abs(mm - gm) > 3):
            out.append(f"work {gm if gm is None else round(gm, 1)} months, meant "
                       f"{mm if mm is None else round(mm, 1)}")
    return out


def run_personas(base: str, personas: list[dict[str, Any]],
                 workers: int = MAX_WORKERS) -> list[dict[str, Any]]:
    with ThreadPoolExecutor(max_workers=min(workers, MAX_WORKERS)) as pool:
        return list(pool.map(lambda p: run_persona(base, p), personas))


def persona_summary(results: list[dict[str, Any]]) -> dict[str, Any]:
    n = len(results)
    passed = sum(r["passed"] for r in results)
    # a persona that never reached the right statuses counts as needing infinitely many turns
    taken = [r["turns_taken"] if r["statuses_ok"] and r["turns_taken"] else math.inf
             for r in results]
    median = statistics.median(taken) if taken else math.inf
    ok_taken = [t for t in taken if t != math.inf]
    return {
        "personas": n, "passed": passed, "pass_rate": passed / n if n else 0.0,
        "statuses_right": sum(r["statuses_ok"] for r in results),
        "median_user_turns": median,
        "median_user_turns_of_passing": statistics.median(ok_taken) if ok_taken else None,
        "turns_sent": sum(r["turns_sent"] for r in results),
        "turn_problems": sum(len(r["problems"]) for r in results),
        "silent_turns": sum(1 for r in results for t in r["transcript"] if not t["bot"]),
        "failed": [r["id"] for r in results if not r["passed"]],
        "facts_differ": [r["id"] for r in results if r.get("facts_differences")],
        "chinese_personas": sum(1 for r in results if r.get("chinese")),
        "chinese_passed": sum(1 for r in results if r.get("chinese") and r["passed"]),
        "chinese_statuses_right": sum(1 for r in results if r.get("chinese") and r["statuses_ok"]),
        "replies_in_wrong_language": sum(r.get("replies_in_wrong_language", 0) for r in results),
        "min_pass_rate": MIN_PASS_RATE, "max_median_turns": MAX_MEDIAN_TURNS,
    }


def _fmt_statuses(s: Optional[dict[str, Any]]) -> str:
    if not s:
        return "(no assessment)"
    return " ".join(f"{c}={'/'.join(v) if isinstance(v, list) else v}" for c, v in s.items())


def write_persona_report(results: list[dict[str, Any]], summary: dict[str, Any],
                         out_dir: Path = RESULTS, extra: Optional[dict[str, Any]] = None) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "personas.json").write_text(json.dumps(
        {"summary": summary, **(extra or {}), "results": results}, indent=2, ensure_ascii=False,
        default=str), encoding="utf-8")
    lines = [f"Conversation personas, application date {TODAY}",
             f"{summary['passed']}/{summary['personas']} passed ({summary['pass_rate']:.1%}; "
             f"bar {MIN_PASS_RATE:.0%}); statuses right: {summary['statuses_right']}; "
             f"median user turns {summary['median_user_turns']} (bar <= {MAX_MEDIAN_TURNS}); "
             f"turn problems {summary['turn_problems']}; silent turns {summary['silent_turns']}",
             f"Chinese personas: {summary.get('chinese_passed', 0)}/"
             f"{summary.get('chinese_personas', 0)} passed, statuses right "
             f"{summary.get('chinese_statuses_right', 0)}; replies in the wrong language "
             f"{summary.get('replies_in_wrong_language', 0)}",
             ""]
    for r in results:
        mark = "PASS" if r["passed"] else "FAIL"
        lines.append(f"{mark} {r['id']}: expected {_fmt_statuses(r['expect'])}; got "
                     f"{_fmt_statuses(r['final_statuses'])}; turns {r['turns_taken']}/"
                     f"{r['max_turns']} (sent {r['turns_sent']})")
        for c in r.get("check_failures") or []:
            lines.append(f"     check failed at turn {c['turn']}: {c['problem']}")
        for d in r.get("facts_differences") or []:
            lines.append(f"     facts differ (diagnostic): {d}")
    for r in results:
        if r["passed"]:
            continue
        lines += ["", "=" * 100, f"{r['id']} — {r['who']}",
                  f"expected {_fmt_statuses(r['expect'])}   got {_fmt_statuses(r['final_statuses'])}"
                  f"   turns taken {r['turns_taken']} (max {r['max_turns']})"]
        for p in r["problems"] + r.get("check_failures", []):
            lines.append(f"  ! turn {p['turn']}: {p['problem']}")
        for i, (t, s) in enumerate(zip(r["transcript"], r["statuses_after_each_turn"]), start=1):
            lines.append(f"[{i}] USER: {t['user']}")
            if t["http_status"] != 200:
                lines.append(f"     (HTTP {t['http_status']} {t['error']})")
            for b in t["bot"] or ["(no reply)"]:
                lines.append("     BOT:  " + b.replace("\n", "\n           "))
            if s:
                lines.append(f"     -> assessment {_fmt_statuses(s)}")
        lines.append(f"slots at the end: {json.dumps(r['slots'], ensure_ascii=False, default=str)}")
    path = out_dir / "personas.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------------
# Fuzz


def load_fuzz_pool(path: Path = FUZZ_POOL_FILE) -> dict[str, Any]:
    """The pool: groups of messages with weights; generated entries are built here (a message
    repeated up to a length)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    groups: dict[str, dict[str, Any]] = {}
    for name, group in data["groups"].items():
        messages = [str(m) for m in group.get("messages") or []]
        for gen in group.get("generated") or []:
            unit = str(gen["repeat"])
            length = int(gen["length"])
            messages.append((unit * (length // len(unit) + 1))[:length])
        groups[name] = {"weight": float(group["weight"]), "messages": messages}
    return {"seed": int(data["seed"]), "conversations": int(data["conversations"]),
            "turns_per_conversation": int(data["turns_per_conversation"]),
            "alive_probe": str(data.get("alive_probe", "hi")), "groups": groups}


def fuzz_messages(pool: dict[str, Any]) -> list[str]:
    return [m for g in pool["groups"].values() for m in g["messages"]]


def fuzz_plan(pool: dict[str, Any]) -> list[list[str]]:
    """Every conversation's messages, drawn with the pool's fixed seed (group by weight, then a
    message uniformly from the group)."""
    rng = random.Random(pool["seed"])
    names = sorted(pool["groups"])
    weights = [pool["groups"][n]["weight"] for n in names]
    plan = []
    for _ in range(pool["conversations"]):
        convo = []
        for _ in range(pool["turns_per_conversation"]):
            group = rng.choices(names, weights)[0]
            convo.append(rng.choice(pool["groups"][group]["messages"]))
        plan.append(convo)
    return plan


def run_fuzz_conversation(base: str, index: int, messages: list[str], probe: str) -> dict[str, Any]:
    chat = Chat(base, sender=f"fuzz-{index:03d}-{uuid.uuid4().hex[:6]}", timeout=120)
    problems = []
    for i, text in enumerate(messages, start=1):
        for p in chat.say(text).problems():
            problems.append({"turn": i, "user": text[:120], "problem": p})
    final = chat.say(probe)
    fuzz_turns = chat.turns[:-1]
    # silent from some turn to the end, including the probe: the conversation died there
    died_at = None
    for i in range(len(chat.turns), 0, -1):
        if chat.turns[i - 1].replies and chat.turns[i - 1].http_status == 200:
            break
        died_at = i
    return {
        "conversation": index, "sender": chat.sender, "turns": len(fuzz_turns),
        "silent_turns": sum(1 for t in fuzz_turns if not t.replies),
        "non_200": sum(1 for t in fuzz_turns if t.http_status != 200),
        "repeated_text_turns": sum(1 for t in fuzz_turns
                                   if any(p.startswith("text repeated") for p in t.problems())),
        "alive_at_end": bool(final.replies) and final.http_status == 200,
        "died_at_turn": died_at, "problems": problems,
        "transcript": [t.as_dict() for t in chat.turns],
    }


def run_fuzz(base: str, pool: dict[str, Any], workers: int = MAX_WORKERS) -> list[dict[str, Any]]:
    plan = fuzz_plan(pool)
    with ThreadPoolExecutor(max_workers=min(workers, MAX_WORKERS)) as ex:
        return list(ex.map(lambda ic: run_fuzz_conversation(base, ic[0], ic[1], pool["alive_probe"]),
                           enumerate(plan)))


def fuzz_summary(results: list[dict[str, Any]], servers: Optional[Servers] = None) -> dict[str, Any]:
    out = {
        "conversations": len(results),
        "turns": sum(r["turns"] for r in results),
        "silent_turns": sum(r["silent_turns"] for r in results),
        "non_200_turns": sum(r["non_200"] for r in results),
        "repeated_text_turns": sum(r["repeated_text_turns"] for r in results),
        "dead_conversations": sum(1 for r in results if not r["alive_at_end"]),
        "turns_with_problems": len({(r["conversation"], p["turn"]) for r in results
                                    for p in r["problems"]}),
    }
    if servers is not None:
        out["servers"] = servers.state()
        out["circuit_breaker_trips"] = servers.log_count(CIRCUIT_BREAKER)
        out["rasa_log_tracebacks"] = servers.log_count("Traceback")
        out["actions_log_tracebacks"] = servers.log_count("Traceback", servers.actions_log)
    return out


def write_fuzz_report(results: list[dict[str, Any]], summary: dict[str, Any],
                      out_dir: Path = RESULTS, max_transcripts: int = 8) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "fuzz.json").write_text(json.dumps({"summary": summary, "results": results},
                                                  indent=2, ensure_ascii=False), encoding="utf-8")
    lines = ["Random-conversation fuzz", json.dumps(summary), ""]
    bad = [r for r in results if r["problems"] or not r["alive_at_end"]]
    for r in bad[:max_transcripts]:
        lines += ["=" * 100, f"conversation {r['conversation']} ({r['sender']}): "
                  f"{r['silent_turns']} silent, alive at end: {r['alive_at_end']}, "
                  f"died at turn {r['died_at_turn']}"]
        for p in r["problems"]:
            lines.append(f"  ! turn {p['turn']}: {p['problem']}  <- {p['user']!r}")
        for i, t in enumerate(r["transcript"], start=1):
            user = t["user"] if len(t["user"]) <= 120 else t["user"][:117] + "..."
            lines.append(f"[{i}] USER: {user}")
            for b in t["bot"] or ["(no reply)"]:
                lines.append("     BOT:  " + b.replace("\n", "\n           "))
    path = out_dir / "fuzz.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def copy_logs(servers: Servers, out_dir: Path = RESULTS) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    for log in (servers.rasa_log, servers.actions_log):
        if log.exists():
            (out_dir / log.name).write_bytes(log.read_bytes())
