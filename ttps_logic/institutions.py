"""The eligible-institution registry (the "aggregate list", Note 4), with dated membership, and
the resolver that turns what a person typed into a listed institution -- or says it is not sure.

Data: ``data/institutions.csv`` (``TTPS_INSTITUTIONS_FILE`` overrides), ``data/institution_names
.yaml`` (shared short forms and Note 4 arms), ``data/place_words.txt`` and ``data/zh_t2s_chars.tsv``
(word lists). docs/institutions.md ("Resolution") explains the policy; in short:

* A name matches a listed one only when its words agree one for one. Kind words are compared,
  not dropped ("College" is not "University", "Institute" is not "University"), and so are
  "State", "of Technology", "of Science", "Normal", directions and places.
* Spelling mistakes are corrected only word by word, inside a name that otherwise agrees, and
  never by turning a real place name into another (Stamford is not Stanford).
* A short form that other institutions use too (CSU, UW, UM, ...) gives candidates, as does a
  name that is only part of a listed one ("City University", "Washington University").
* A continuing-education arm, extension school, branch school or subsidiary school of a listed
  institution (Note 4) is recognised and returned as such (status ``excluded_arm``), never as the
  institution itself.
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
from typing import Optional

import pycountry
import yaml
from rapidfuzz import process
from rapidfuzz.distance import OSA

from .params import DATA_DIR

MAX_CANDIDATES = 5


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


# Note 4's kinds of excluded body, and whether a degree from one is decided (False) or unclear.
ARM_KINDS = {"continuing_education": False, "extension_school": False, "branch_school": False,
             "subsidiary_school": False, "campus": None}


@dataclass(frozen=True)
class Arm:
    """A body attached to a listed institution that Note 4 speaks of (or may speak of)."""
    name: str                      # its name as we hold it, or the query for a generic marker
    kind: str                      # a key of ARM_KINDS
    parent: Institution
    via: str                       # listed (institution_names.yaml) | marker (a word such as "extension")

    @property
    def accepted(self) -> Optional[bool]:
        """False: Note 4 excludes it; None: unclear whether Note 4 applies."""
        return ARM_KINDS[self.kind]


@dataclass
class Resolution:
    query: str
    status: str                    # matched | ambiguous | not_found | excluded_arm
    method: str | None = None      # exact | alias | normalised | reordered | fuzzy | part | short_form | arm | ...
    score: float | None = None
    institution: Institution | None = None
    candidates: list[tuple[Institution, float]] = field(default_factory=list)
    arm: Arm | None = None         # set when status == "excluded_arm"
    others: tuple[str, ...] = ()   # unlisted institutions the query may also mean (short forms)


# ---------------------------------------------------------------------------------------------
# words

_TRANSLIT = {"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th",
             "ı": "i"}
# Words that name the same thing in other languages (or a plural), folded to one form.
_SAME = {
    "university": "university universitat universitaet universite universidad universidade "
                  "universita universiteit universitet universitetet universiti universitas "
                  "uniwersytet univerzita yliopisto universities",
    "institute": "institute institut instituto istituto institutet",
    "school": "school ecole escuela escola scuola",
    "polytechnic": "polytechnic polytechnique politecnico politecnica polytechnical",
    "technology": "technology technologie tecnologia teknologi technologies",
    "technical": "technical technische technischen technischer tekniska teknisk tecnica tecnico",
    "science": "science sciences",
    "national": "national nacional nationale nazionale",
    "catholic": "catholic catolica catholique katholieke cattolica",
    "pontifical": "pontifical pontificia",
    "free": "free freie vrije libre",
    "saint": "saint st ste sankt",
    "college": "college colleges",
}
_CANON = {w: canon for canon, words in _SAME.items() for w in words.split()}
# Kinds of institution: they must agree, but a name needs more than these to mean anything.
KIND_WORDS = frozenset({"university", "college", "institute", "school"})
_STOPWORDS = frozenset("the of at in and for de du des la le les di degli della del der zu van "
                       "von i y e da do dos das et und och og".split())
_ABBREV = {"univ": ["university"], "uni": ["university"], "unv": ["university"],
           "inst": ["institute"], "instit": ["institute"], "insti": ["institute"],
           "sci": ["science"], "natl": ["national"], "intl": ["international"],
           "mt": ["mount"], "coll": ["college"], "dept": ["department"],
           "polytech": ["polytechnic"], "hk": ["hong", "kong"], "techn": ["technology"]}
# Real words that are never "corrected" into another word, even when they are one letter away.
_PROTECTED = frozenset(
    "north south east west northern southern eastern western northeast northwest southeast "
    "southwest northeastern northwestern southeastern southwestern central state states "
    "national international technology technological technical science normal medical "
    "medicine city metropolitan open new free royal catholic christian baptist methodist "
    "lutheran applied agricultural pedagogical economics commerce finance foreign studies "
    "aeronautics astronautics aerospace petroleum mining forestry marine maritime ocean arts "
    "design music business management engineering education health nursing".split())
_SEP = "|"
# Words after a listed name that make the rest a part of it ("... School of Medicine",
# "Harvard Business School"); the rest must also name a unit (school, faculty, department).
_PART_HEADS = frozenset({"school", "faculty", "department", "graduate", "business", "law",
                         "medical", "medicine"})
_PART_HEADS_AFTER_ONE_WORD = frozenset({"graduate", "business", "law", "medical"})
_UNITS = frozenset({"school", "faculty", "department"})
# Words that name a Note 4 arm whatever institution they follow.
_MARKERS = [
    (("continuing",), "continuing_education"), (("professional", "studies"), "continuing_education"),
    (("professional", "education"), "continuing_education"), (("lifelong",), "continuing_education"),
    (("adult", "education"), "continuing_education"), (("extended", "learning"), "continuing_education"),
    (("extended", "studies"), "continuing_education"), (("distance", "learning"), "continuing_education"),
    (("distance", "education"), "continuing_education"), (("executive", "education"), "continuing_education"),
    (("extension",), "extension_school"), (("branch",), "branch_school"),
    (("satellite",), "branch_school"), (("community", "college"), "subsidiary_school"),
    (("pathway",), "subsidiary_school"), (("foundation", "studies"), "subsidiary_school"),
    (("campus",), "campus"),
]
_ARM_WORDS = frozenset(w for marker, _ in _MARKERS for w in marker) | {"studies", "college"}
_CJK_MARKERS = [
    ("继续教育", "continuing_education"), ("持续教育", "continuing_education"),
    ("成人教育", "continuing_education"), ("网络教育", "continuing_education"),
    ("远程教育", "continuing_education"), ("开放教育", "continuing_education"),
    ("自学考试", "continuing_education"), ("自考", "continuing_education"),
    ("函授", "continuing_education"), ("夜大", "continuing_education"),
    ("专业进修", "continuing_education"), ("进修学院", "continuing_education"),
    ("分校", "branch_school"), ("独立学院", "subsidiary_school"), ("社区学院", "subsidiary_school"),
    ("附属学院", "subsidiary_school"), ("校区", "campus"),
]
_CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_CJK_GENERIC = ("大学", "学院", "大学校")
_CJK_FACULTY_END = ("学院", "系", "学部", "医学部", "书院")
_CJK_FACULTY = ("经济", "管理", "法学", "法律", "医学", "药学", "计算机", "软件", "工程", "物理",
                "化学", "数学", "新闻", "外国语", "文学", "历史", "哲学", "信息", "电子", "机械",
                "土木", "建筑", "环境", "生命科学", "材料", "商学", "金融", "国际关系", "公共",
                "政府", "教育", "艺术", "美术", "音乐", "光华", "汇丰", "元培", "理学", "工学",
                "农学", "社会", "心理", "航空", "航天", "能源", "电气", "自动化", "通信", "生物",
                "统计", "会计", "传播", "人工智能", "集成电路", "数据")
# Words people add after a Chinese name that say nothing about the institution.
_CJK_TAIL = re.compile(r"(本科|学士学位|学士|学位|毕业|硕士|博士)+$")


def _ascii_fold(text: str) -> str:
    text = "".join(_TRANSLIT.get(ch, ch) for ch in text.casefold())
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def _raw_tokens(text: str) -> list[str]:
    """Folded words with ``|`` where the text had a separator (comma, parenthesis, spaced dash)."""
    text = _ascii_fold(text)
    text = re.sub(r"[’'`´]", "", text)
    text = text.replace("&", " and ")
    text = re.sub(r"\s[-–—]+\s|[–—]|[,;:()\[\]/|]", f" {_SEP} ", text)
    text = re.sub(r"[^\w|]+", " ", text)
    return text.split()


def _expand(tokens: list[str], query: bool = False) -> list[str]:
    """Abbreviations and other languages' words spelled out; "UC X" only in what people type
    (names in the data spell the campus out)."""
    out: list[str] = []
    for i, tok in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        prev = out[-1] if out else None
        if tok == "u" and nxt == "of":
            out.append("university")
        elif tok == "uc" and query and nxt not in (None, _SEP):
            out += ["university", "california"]
        elif tok == "tech" and prev in ("of", "institute", "inst"):
            out.append("technology")
        elif tok in _ABBREV:
            out += _ABBREV[tok]
        else:
            out.append(_CANON.get(tok, tok))
    return out


def normalise(text: str) -> str:
    """Case, accents, 'The', punctuation, languages' words for 'university' etc. and common
    abbreviations folded away: the key two spellings of one name share."""
    return " ".join(t for t in _expand(_raw_tokens(text), query=True)
                    if t != _SEP and t not in _STOPWORDS)


def _date(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _read_words(path: Path) -> frozenset[str]:
    if not path.exists():
        return frozenset()
    with open(path, encoding="utf-8") as fh:
        return frozenset(line.strip() for line in fh if line.strip() and not line.startswith("#"))


def _read_t2s(path: Path) -> dict[int, str]:
    table: dict[int, str] = {}
    if path.exists():
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("#") or "\t" not in line:
                    continue
                trad, simp = line.rstrip("\n").split("\t")
                table[ord(trad)] = simp
    return table


def _country_words() -> frozenset[str]:
    words = set()
    for c in pycountry.countries:
        for name in (c.name, getattr(c, "common_name", ""), getattr(c, "official_name", "")):
            words.update(w for w in re.split(r"[^a-z]+", _ascii_fold(name)) if len(w) >= 5)
    return frozenset(words)


@dataclass
class _Label:
    tokens: tuple[str, ...]
    inst: Institution
    bare: bool                     # one word that is an acronym or a place: no part/arm rules


@dataclass
class _Tok:
    options: list[tuple[str, int, bool]]   # (word, edits, weak) -- weak: a real word "corrected"
    raw: str

    @property
    def word(self) -> str:
        return self.options[0][0]


class Registry:
    def __init__(self, institutions: list[Institution], names: Optional[dict] = None,
                 place_words: frozenset[str] = frozenset(), t2s: Optional[dict[int, str]] = None):
        self.institutions = institutions
        self.by_id = {i.id: i for i in institutions}
        self._t2s = t2s or {}
        names = names or {}
        self._shared: dict[str, tuple[list[Institution], tuple[str, ...]]] = {}
        for entry in names.get("shared_short_forms", []):
            owners = [self.by_id[i] for i in entry["listed"]]
            self._shared[self._cjk(entry["form"]) if _CJK_RE.search(entry["form"])
                         else entry["form"].casefold()] = (owners, tuple(entry.get("others", ())))
        self._exact: dict[str, list[Institution]] = {}
        self._alias: dict[str, list[Institution]] = {}
        self._cjk_labels: dict[str, list[Institution]] = {}
        latin: list[tuple[str, Institution]] = []
        for inst in institutions:
            self._exact.setdefault(inst.name.casefold(), []).append(inst)
            extra = [f for f, (owners, _) in self._shared.items() if inst in owners]
            for alias in (*inst.aliases, *extra):
                if _CJK_RE.search(alias):
                    key = self._cjk(alias)
                    if inst not in self._cjk_labels.setdefault(key, []):
                        self._cjk_labels[key].append(inst)
                else:
                    bucket = self._alias.setdefault(alias.casefold(), [])
                    if inst not in bucket:
                        bucket.append(inst)
            latin += [(label, inst) for label in (inst.name, *inst.aliases, *extra)
                      if not _CJK_RE.search(label)]
        # vocabulary first (for joining "Jiao Tong" / splitting "Hongkong"), then the labels
        raw = [(self._words(_expand(_raw_tokens(label))), inst) for label, inst in latin]
        self._vocab = {w for words, _ in raw for w in words}
        self._pairs = {a + b: (a, b) for words, _ in raw for a, b in zip(words, words[1:])}
        self._labels: list[_Label] = []
        seen = set()
        for words, inst in raw:
            tokens = tuple(self._join(words))
            if tokens and (tokens, inst.id) not in seen:
                seen.add((tokens, inst.id))
                bare = len(tokens) == 1 and (len(tokens[0]) <= 5 or tokens[0] in place_words)
                self._labels.append(_Label(tokens, inst, bare))
        self._vocab |= {t for lab in self._labels for t in lab.tokens}
        self._by_word: dict[str, list[_Label]] = {}
        for lab in self._labels:
            for t in set(lab.tokens):
                self._by_word.setdefault(t, []).append(lab)
        self._by_initial: dict[str, list[str]] = {}
        for w in sorted(self._vocab):
            self._by_initial.setdefault(w[0], []).append(w)
        self._places = place_words | _country_words()
        self._protected = (self._places | _PROTECTED) - self._vocab
        # places that may follow a name ("... Beijing"); not words of multi-word city names
        # such as "College Station" or "North York"
        self._trailing_places = self._places - KIND_WORDS - _PROTECTED - _ARM_WORDS
        self._arms_exact: dict[tuple[str, ...], Arm] = {}
        self._arms_cjk: dict[str, Arm] = {}
        self._arms_of: dict[str, list[tuple[Arm, frozenset[str]]]] = {}
        self._marks: dict[str, dict[str, Arm]] = {}
        for entry in names.get("arms", []):
            parent = self.by_id[entry["parent"]]
            if entry["kind"] not in ARM_KINDS:
                raise ValueError(f"institution_names.yaml: unknown arm kind {entry['kind']!r}")
            arm = Arm(entry["names"][0], entry["kind"], parent, "listed")
            parent_words = {t for lab in self._labels if lab.inst is parent for t in lab.tokens}
            for name in entry["names"]:
                if _CJK_RE.search(name):
                    self._arms_cjk[self._cjk(name)] = arm
                    continue
                tokens = tuple(self._join(self._words(_expand(_raw_tokens(name)))))
                self._arms_exact[tokens] = arm
                # words only this arm's names have ("Ningbo", "Kunshan", "Dearborn")
                own = frozenset(tokens) - parent_words - self._vocab - _PROTECTED - _ARM_WORDS
                if own:
                    self._arms_of.setdefault(parent.id, []).append((arm, own))
            for mark in entry.get("marks", []):
                self._marks.setdefault(parent.id, {})[mark.casefold()] = arm
        self.change_dates = sorted({i.added for i in institutions}
                                   | {i.removed for i in institutions if i.removed})
        # names for people to read: the English name, or the Chinese one in each script
        self._by_name = {i.name: i for i in institutions}
        shared = {key for key, insts in self._cjk_labels.items() if len(insts) > 1}
        self._chinese: dict[str, dict[str, str]] = {}
        for inst in institutions:
            names = {lang: chinese_name(inst.aliases, lang, self._t2s, shared, self._cjk)
                     for lang in ("zh-Hans", "zh-Hant")}
            self._chinese[inst.id] = {lang: n for lang, n in names.items() if n}

    # -- construction ------------------------------------------------------------------------
    @classmethod
    def from_csv(cls, path: Path, data_dir: Path | None = None) -> "Registry":
        data_dir = data_dir or DATA_DIR
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
        names_file = data_dir / "institution_names.yaml"
        names = {}
        if names_file.exists():
            with open(names_file, encoding="utf-8") as fh:
                names = yaml.safe_load(fh) or {}
        ids = {i.id for i in institutions}
        names = {  # entries for institutions missing from a test registry are left out
            "shared_short_forms": [e for e in names.get("shared_short_forms", [])
                                   if all(i in ids for i in e["listed"])],
            "arms": [e for e in names.get("arms", []) if e["parent"] in ids],
        }
        return cls(institutions, names, _read_words(data_dir / "place_words.txt"),
                   _read_t2s(data_dir / "zh_t2s_chars.tsv"))

    def _words(self, tokens: list[str]) -> list[str]:
        return [t for t in tokens if t != _SEP and t not in _STOPWORDS]

    def _join(self, words: list[str]) -> list[str]:
        """Write compounds one way: "jiao tong" -> "jiaotong" when the data knows "jiaotong"."""
        out: list[str] = []
        i = 0
        while i < len(words):
            if i + 1 < len(words) and words[i] + words[i + 1] in self._vocab:
                out.append(words[i] + words[i + 1])
                i += 2
            else:
                out.append(words[i])
                i += 1
        return out

    def _cjk(self, text: str) -> str:
        text = unicodedata.normalize("NFKC", text).translate(self._t2s)
        return re.sub(r"[\s·・\-－—–\"“”'‘’]", "", text)

    # -- names for people --------------------------------------------------------------------
    def display_name(self, inst: Institution, lang: str = "en") -> str:
        """The institution's name in ``lang`` ("en", "zh-Hans", "zh-Hant"): its Chinese name in
        that script when the data has one (see chinese_name), otherwise its English name."""
        return self._chinese.get(inst.id, {}).get(lang, inst.name) if lang != "en" else inst.name

    def local_name(self, name: str, lang: str) -> str:
        """``name`` in ``lang`` when it is a listed institution's English name (as the engine
        writes it into a message's values); anything else (what a person typed) unchanged."""
        inst = self._by_name.get(name)
        return self.display_name(inst, lang) if inst is not None else name

    # -- dated list ----------------------------------------------------------------------------
    def list_version(self, day: dt.date) -> str:
        past = [d for d in self.change_dates if d <= day]
        return f"aggregate-list-{past[-1].isoformat()}" if past else "aggregate-list-none"

    def listed(self, day: dt.date) -> list[Institution]:
        return [i for i in self.institutions if i.listed_on(day)]

    # -- resolution ----------------------------------------------------------------------------
    def resolve(self, query: str) -> Resolution:
        return _resolve_cached(self, query.strip())

    def _resolve(self, query: str) -> Resolution:
        folded = query.casefold()
        if folded in self._shared:
            return self._shared_form(query, folded, "short_form")
        if not query:
            return Resolution(query, "not_found")
        for method, index in (("exact", self._exact), ("alias", self._alias)):
            hits = index.get(folded)
            if hits:
                return _pick(query, method, [(h, 100.0) for h in hits])
        if not _CJK_RE.search(query):
            return self._resolve_latin(query, query)
        latin = _CJK_RE.sub(" ", query)
        if not re.search(r"[a-z]{2}", latin, re.I):
            return self._resolve_cjk(query, query)
        return self._resolve_mixed(query, latin, "".join(_CJK_RE.findall(query)))

    def _resolve_mixed(self, query: str, latin: str, cjk: str) -> Resolution:
        """Both scripts in one answer ("HKU 香港大学"): each part is read on its own and they
        must agree; one part alone is only a candidate."""
        a, b = self._resolve_latin(query, latin), self._resolve_cjk(query, cjk)
        for res in (a, b):
            if res.status == "excluded_arm":
                return res
        matched = [r for r in (a, b) if r.status == "matched"]
        if len(matched) == 2 and a.institution is b.institution:
            return a
        if len(matched) == 1:
            inst = matched[0].institution
            words = set(_raw_tokens(latin))
            for marker, kind in _MARKERS:
                if set(marker) <= words:
                    return Resolution(query, "excluded_arm", "marker", 90.0,
                                      arm=Arm(query, kind, inst, "marker"))
            for marker, kind in _CJK_MARKERS:
                if marker in self._cjk(cjk):
                    return Resolution(query, "excluded_arm", "marker", 90.0,
                                      arm=Arm(query, kind, inst, "marker"))
        cands: dict[str, tuple[Institution, float]] = {}
        for res in (a, b):
            for inst, score in ([(res.institution, res.score or 0.0)] if res.institution
                                else res.candidates):
                cands.setdefault(inst.id, (inst, score))
        if not cands:
            return Resolution(query, "not_found")
        ranked = sorted(cands.values(), key=lambda t: (-t[1], t[0].name))
        return Resolution(query, "ambiguous", "mixed", ranked[0][1],
                          candidates=ranked[:MAX_CANDIDATES], others=a.others + b.others)

    def _shared_form(self, query: str, key: str, method: str) -> Resolution:
        owners, others = self._shared[key]
        return Resolution(query, "ambiguous", method, 100.0,
                          candidates=[(o, 100.0) for o in owners], others=others)

    # Latin script -----------------------------------------------------------------------------
    def _tokens(self, text: str) -> tuple[list[_Tok], set[int]]:
        """Query words with their spelling corrections, and the positions after a separator."""
        expanded = _expand(_raw_tokens(text), query=True)
        seps: set[int] = set()
        words: list[str] = []
        for t in expanded:
            if t == _SEP:
                seps.add(len(words))
            elif t not in _STOPWORDS:
                if t not in self._vocab and t in self._pairs:   # "hongkong" -> "hong kong"
                    words += self._pairs[t]
                else:
                    words.append(t)
        joined = self._join(words)
        return [self._correct(w) for w in joined], seps

    def _correct(self, word: str) -> _Tok:
        if word in self._vocab or not word.isalpha() or word in _PROTECTED:
            return _Tok([(word, 0, False)], word)
        options = [(word, 0, False)]
        weak = word in self._protected
        plural = word[:-1] if word.endswith("s") else word + "s"
        if len(word) >= 3 and plural in self._vocab:
            options.append((plural, 1, weak))
        if len(word) >= 5:
            limit = 1 if len(word) <= 7 else 2
            for cand, dist, _ in process.extract(word, self._by_initial.get(word[0], ()),
                                                 scorer=OSA.distance, score_cutoff=limit,
                                                 limit=None):
                if cand != plural and abs(len(cand) - len(word)) <= limit:
                    options.append((cand, int(dist), weak))
        return _Tok(options, word)

    def _resolve_latin(self, query: str, text: str) -> Resolution:
        toks, seps = self._tokens(text)
        if not toks:
            return Resolution(query, "not_found")
        key = tuple(t.word for t in toks)
        arm = self._arms_exact.get(key)
        if arm is not None:
            return Resolution(query, "excluded_arm", "arm", 100.0, arm=arm)
        # names sharing a distinctive word with the query (every name has "university" ...)
        labels = {id(lab): lab for t in toks for w, _, _ in t.options if w not in KIND_WORDS
                  for lab in self._by_word.get(w, ())}.values()
        full: dict[str, tuple[float, Institution, bool, bool]] = {}  # id -> (score, inst, weak, ordered)
        subset: dict[str, tuple[float, Institution]] = {}
        parts: list[tuple[_Label, int, int]] = []                # label, start, end in the query
        for lab in labels:
            n = len(lab.tokens)
            if n == len(toks):
                hit = _align(toks, lab.tokens) or _align_any_order(toks, lab.tokens)
                if hit is not None:
                    edits, weak, exact, ordered = hit
                    score = 100.0 - 4 * edits - (0 if ordered else 3)
                    # a real word taken for a misspelling: only when another word agrees exactly
                    weak = weak and exact == 0
                    prev = full.get(lab.inst.id)
                    if prev is None or prev[0] < score:
                        full[lab.inst.id] = (score, lab.inst, weak, ordered)
                    continue
            if n > len(toks) and any(t.word not in KIND_WORDS for t in toks):
                for k in range(n - len(toks) + 1):
                    hit = _align(toks, lab.tokens[k:k + len(toks)])
                    if hit is not None:
                        score = 90.0 - 10 * (n - len(toks)) / n - 4 * hit[0]
                        if lab.inst.id not in subset or subset[lab.inst.id][0] < score:
                            subset[lab.inst.id] = (score, lab.inst)
                        break
            elif n < len(toks):
                for k in range(len(toks) - n + 1):
                    hit = _align(toks[k:k + n], lab.tokens)
                    if hit is not None and hit[0] == 0:
                        parts.append((lab, k, k + n))
                        break
        arm = self._arm_from_parts(query, toks, parts)
        if arm is not None:
            return Resolution(query, "excluded_arm", "arm" if arm.via == "listed" else "marker",
                              100.0 if arm.via == "listed" else 90.0, arm=arm)
        if full:
            ranked = sorted(full.values(), key=lambda t: (-t[0], t[1].name))
            best_score, best, weak, ordered = ranked[0]
            # a listed name in another order is no better than a longer listed name that starts
            # the same way ("Washington University": University of Washington, or WashU?)
            rivals = [] if ordered else [
                (i, s) for i_id, (s, i) in subset.items() if i_id not in full]
            single_word_typo = len(toks) == 1 and best_score < 100
            if len(ranked) == 1 and not rivals and not weak and not single_word_typo:
                method = ("normalised" if best_score == 100 else
                          "reordered" if best_score == 97 and not ordered else "fuzzy")
                return Resolution(query, "matched", method, best_score, best)
            cands = [(i, s) for s, i, _, _ in ranked] + sorted(rivals, key=lambda t: -t[1])
            return Resolution(query, "ambiguous", "fuzzy" if best_score < 100 else "normalised",
                              best_score, candidates=cands[:MAX_CANDIDATES])
        part = self._part(query, toks, seps, parts)
        if part is not None:
            return part
        if subset:
            cands = sorted(((i, s) for s, i in subset.values()), key=lambda t: (-t[1], t[0].name))
            return Resolution(query, "ambiguous", "partial", cands[0][1],
                              candidates=cands[:MAX_CANDIDATES])
        return Resolution(query, "not_found")

    def _arm_from_parts(self, query: str, toks: list[_Tok],
                        parts: list[tuple[_Label, int, int]]) -> Optional[Arm]:
        generic: Optional[Arm] = None
        for lab, start, end in parts:
            rest = [t.raw for t in toks[:start] + toks[end:]]
            marks = self._marks.get(lab.inst.id, {})
            for w in rest:
                if w in marks:
                    return marks[w]
            # a branch named by the parent's name and a place after it ("NYU Shanghai")
            rest_words = {t.word for t in toks[end:]} | {t.raw for t in toks[end:]}
            best = None
            for arm, own in self._arms_of.get(lab.inst.id, ()) if rest_words and start == 0 else ():
                overlap = own & rest_words
                if overlap and rest_words <= own | KIND_WORDS | {"campus", "branch"}:
                    if best is None or len(overlap) > best[0]:
                        best = (len(overlap), arm)
            if best is not None:
                return best[1]
            if generic is None and not lab.bare:
                for marker, kind in _MARKERS:
                    if _has_run(rest, marker):
                        generic = Arm(query, kind, lab.inst, "marker")
                        break
        return generic

    def _part(self, query: str, toks: list[_Tok], seps: set[int],
              parts: list[tuple[_Label, int, int]]) -> Optional[Resolution]:
        """A listed name followed by a faculty ("Harvard Business School"): that university;
        followed by more words after a separator or by a place: a candidate only."""
        found: dict[str, tuple[Institution, bool]] = {}
        for lab, start, end in parts:
            if start != 0 or lab.bare:
                continue
            nxt = toks[end].word
            heads = _PART_HEADS if len(lab.tokens) > 1 else _PART_HEADS_AFTER_ONE_WORD
            if nxt in heads and not lab.bare and _UNITS & {t.word for t in toks[end:]}:
                found[lab.inst.id] = (lab.inst, True)
            elif not lab.bare and (end in seps or all(t.word in self._trailing_places
                                                      for t in toks[end:])):
                # "Sorbonne University, Paris", "Tsinghua University Beijing": probably the
                # university, but a place after a name can also be a branch school's
                found.setdefault(lab.inst.id, (lab.inst, False))
        if not found:
            return None
        if len(found) == 1:
            inst, sure = next(iter(found.values()))
            if sure:
                return Resolution(query, "matched", "part", 90.0, inst)
        return Resolution(query, "ambiguous", "part", 85.0,
                          candidates=[(i, 85.0) for i, _ in found.values()][:MAX_CANDIDATES])

    # Chinese script ---------------------------------------------------------------------------
    def _resolve_cjk(self, query: str, text: str) -> Resolution:
        key = self._cjk(text)
        key = _CJK_TAIL.sub("", key) or key
        if key in self._shared:
            return self._shared_form(query, key, "short_form")
        hits = self._cjk_labels.get(key)
        if hits:
            return _pick(query, "alias", [(h, 100.0) for h in hits])
        arm = self._arms_cjk.get(key)
        if arm is not None:
            return Resolution(query, "excluded_arm", "arm", 100.0, arm=arm)
        # a listed name followed by more
        heads = sorted(((label, insts) for label, insts in self._cjk_labels.items()
                        if key.startswith(label) and len(label) >= 2),
                       key=lambda t: -len(t[0]))
        if heads:
            label, insts = heads[0]
            rest = key[len(label):]
            for marker, kind in _CJK_MARKERS:
                if marker in rest:
                    return Resolution(query, "excluded_arm", "marker", 90.0,
                                      arm=Arm(query, kind, insts[0], "marker"))
            if re.fullmatch(r"\(.+\)", rest):
                return Resolution(query, "excluded_arm", "marker", 90.0,
                                  arm=Arm(query, "campus", insts[0], "marker"))
            if rest.endswith(_CJK_FACULTY_END) or rest.endswith("研究生院"):
                if len(insts) == 1 and any(w in rest for w in _CJK_FACULTY) \
                        and not rest.endswith("研究生院"):
                    return Resolution(query, "matched", "part", 90.0, insts[0])
                return Resolution(query, "ambiguous", "part", 85.0,
                                  candidates=[(i, 85.0) for i in insts])
            return Resolution(query, "not_found")
        # part of one or more listed names ("城市大学", "华盛顿大学")
        core = key
        for g in _CJK_GENERIC:
            core = core.replace(g, "")
        if len(core) >= 2:
            within: dict[str, tuple[Institution, float]] = {}
            for label, insts in self._cjk_labels.items():
                if key in label and len(label) > len(key):
                    for inst in insts:
                        within.setdefault(inst.id, (inst, round(90.0 * len(key) / len(label), 1)))
            if within:
                cands = sorted(within.values(), key=lambda t: (-t[1], t[0].name))
                return Resolution(query, "ambiguous", "partial", cands[0][1],
                                  candidates=cands[:MAX_CANDIDATES])
        return Resolution(query, "not_found")


# A Chinese alias that ends with one of these names the whole institution; short forms (清华,
# 港大, 北师大, 麻省理工) do not.
FULL_NAME_ENDS = ("大学", "大學", "学院", "學院", "分校", "学校", "學校", "科学技术院", "科學技術院")
_LATIN_OR_DIGIT = re.compile(r"[A-Za-z0-9]")


def chinese_name(aliases: tuple[str, ...], lang: str, t2s: dict[int, str],
                 shared: frozenset[str] | set[str], key=lambda a: a) -> Optional[str]:
    """The institution's full Chinese name in ``lang``'s script, from its aliases, or None.

    The rule: among the aliases written in Chinese characters only (no Latin letters or
    digits) that end with a word for an institution (FULL_NAME_ENDS) and are in the script of
    ``lang`` -- Traditional when the Traditional-to-Simplified table changes the alias,
    Simplified when it does not -- and that no other institution has (``shared``: the keys,
    given by ``key``, of aliases held by more than one institution, such as 阿德莱德大学 for the
    University of Adelaide and Adelaide University), the longest; of equally long ones, the
    first in the data. None when there is none: the English name is used."""
    want_traditional = lang == "zh-Hant"
    best: Optional[str] = None
    for alias in aliases:
        if (not alias.endswith(FULL_NAME_ENDS) or _LATIN_OR_DIGIT.search(alias)
                or (best is not None and len(alias) <= len(best))
                or (alias.translate(t2s) != alias) != want_traditional
                or key(alias) in shared):
            continue
        best = alias
    return best


def _pick(query: str, method: str, hits: list[tuple[Institution, float]]) -> Resolution:
    if len(hits) == 1:
        return Resolution(query, "matched", method, 100.0, hits[0][0])
    return Resolution(query, "ambiguous", method, 100.0, candidates=hits)


def _align(toks: list[_Tok], words: tuple[str, ...]) -> Optional[tuple[int, bool, int, bool]]:
    """Query words against a name's words in order: (edits, any weak correction, number of
    distinctive words that agree exactly, True), or None."""
    edits, weak, exact = 0, False, 0
    for tok, word in zip(toks, words):
        for w, e, wk in tok.options:
            if w == word:
                edits += e
                weak |= wk
                exact += e == 0 and w not in KIND_WORDS
                break
        else:
            return None
    return edits, weak, exact, True


def _align_any_order(toks: list[_Tok],
                     words: tuple[str, ...]) -> Optional[tuple[int, bool, int, bool]]:
    """The same words in another order ("Tokyo University" for "University of Tokyo")."""
    if len(words) < 2:
        return None
    left = list(words)
    edits, weak, exact = 0, False, 0
    for tok in sorted(toks, key=lambda t: len(t.options)):
        for w, e, wk in tok.options:
            if w in left:
                left.remove(w)
                edits += e
                weak |= wk
                exact += e == 0 and w not in KIND_WORDS
                break
        else:
            return None
    return edits, weak, exact, False


def _has_run(words: list[str], run: tuple[str, ...]) -> bool:
    n = len(run)
    return any(tuple(words[i:i + n]) == run for i in range(len(words) - n + 1))


@lru_cache(maxsize=65536)
def _resolve_cached(registry: Registry, query: str) -> Resolution:
    return registry._resolve(query)


@lru_cache(maxsize=1)
def registry() -> Registry:
    path = Path(os.environ.get("TTPS_INSTITUTIONS_FILE", DATA_DIR / "institutions.csv"))
    return Registry.from_csv(path)
