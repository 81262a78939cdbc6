"""Which facts a message gives, whatever question is pending.

People answer in their own words, answer a different question than the one asked, give several
facts at once, or correct an earlier answer in passing. ``understand`` reads one message and
returns the raw value it found for each fact slot; the validators (actions/validation.py) then
check and normalise each one. Two kinds of evidence are used:

* the answer to the pending question: the whole message is read as that answer (unless the
  message is something else entirely: a greeting, a question about the scheme, "start over" …);
* facts given unprompted: only with clear evidence — an entity found by the NLU, or the words
  that go with a fact ("graduated in 2016", "7 years of work", "HK$3M", "I'm British").

No Rasa import here: this module is unit-tested on plain strings.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any, Optional

from ttps_logic.institutions import registry

from . import parsing

# Messages that are about something else: never read as the answer to the pending question.
# The words of a hypothetical. The NLU sometimes takes a plain statement of fact ("I earned about
# 3.2 million HKD, all salary") for a what-if; without one of these it is read as the fact it is.
_HYPOTHETICAL_CUE = re.compile(
    r"\b(what if|what about|how about|if (i|my|the|we|it)|suppose|supposing|imagine|hypothetical(ly)?|"
    r"assum(e|ing)|were|would|could|in case)\b|如果|假如|假设|假設|要是|若是", re.I)


# "start over" said inside an answer, when the NLU did not take the message for start_over
_RESTART_WORDS = r"(start (all )?over|restart|start again|start afresh|begin again|start from scratch|reset (everything|my answers|it all))"
_START_OVER = re.compile(
    r"\b(let'?s|let us|can we|could we|please|i want to|i'?d like to|wanna|want to|need to)\s+" + _RESTART_WORDS
    + r"\b|^\W*((ok|okay|wait|sorry|no|actually|hmm|um|oh)\W+)*" + _RESTART_WORDS + r"\b|重新开始|重新開始|重来一次|重來一次|"
    r"从头开始|從頭開始|从头再来|從頭再來|由头嚟过|由頭嚟過|由头开始|由頭開始|重新嚟过|重新嚟過|重头嚟过|重頭嚟過",
    re.I)


def wants_start_over(text: str) -> bool:
    """A request to start over, said in words the NLU did not take for one; not a story about
    starting again somewhere ("I had to start over at a new company")."""
    return bool(_START_OVER.search(text or ""))


def is_hypothetical(text: str) -> bool:
    return bool(_HYPOTHETICAL_CUE.search(text or ""))


CONTROL_INTENTS = {"what_if", "start_over", "stop", "human_handoff", "bot_challenge",
                   "switch_language"}
OTHER_INTENTS = {"greet", "goodbye", "thanks", "chitchat", "out_of_scope", "check_eligibility",
                 "faq"}

_QUESTION = re.compile(
    r"\?\s*$|？\s*$|^\s*(what|what's|whats|how|why|when|where|which|who|is|are|can|could|do|does|"
    r"did|will|would|should|may|must|tell me|explain)\b|吗\s*$|嗎\s*$|呢\s*$|係咪|有冇|點樣|怎么|怎麼|什么|甚麼|什麼",
    re.I)
_SEGMENTS = re.compile(r",(?!\d{3})|[;，；。]|\band\b|\bplus\b|\balso\b|以及|另外|还有|還有")
_GRAD_CUE = re.compile(
    r"graduat|\bgrad\b|class of|alum|bachelor|\bb\.?\s?(sc|a|eng|com|bus)\b|\bbs\b|degree|"
    r"finished (uni|university|college|school|my degree|my studies)|completed (my )?(degree|studies)|"
    r"毕业|畢業|本科|学士|學士|大学毕业|大學畢業", re.I)
SINCE_GRADUATING = re.compile(r"\b(ever since|since then|since (i )?graduat\w*|since my (graduation|degree)|"
                              r"since (leaving|finishing) (uni|university|college|school))\b|毕业后一直|畢業後一直|毕业以来|畢業以來", re.I)
_WORK_CUE = re.compile(
    r"\bwork|\bworked|\bworking|experience|\bjob\b|employ|career|full[- ]time|self[- ]employ|"
    r"same (company|firm|employer)|\b(at|with|joined) (a |the |my )?(company|firm|bank)\b|"
    r"freelanc|in industry|工作|经验|經驗|做咗|做了|返工|上班|打工", re.I)
_APPLY_CUE = re.compile(r"\b(?:apply|applying|application)\s+(?:in|on|by|around|from|at the (?:start|end) of)?\s*"
                        r"((?:next|this)\s+\w+|(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+)?"
                        r"(?:19|20)\d\d|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*)\b", re.I)
_DEGREE_YES = re.compile(
    r"\bbachelor|\bundergrad|\bb\.?\s?(sc|a|eng|com|bus|ba)\b|\bbs\b|first degree|"
    r"本科|学士|學士|^\s*(有|有的|有呀|係)\s*(degree|學位|学位)", re.I)
_DEGREE_NO = re.compile(
    r"\bno (bachelor|degree|university)|\bnever (went to|attended|finished) (uni|university|college)|"
    r"\bdidn'?t (go to|finish|attend) (uni|university|college)|\bonly (a |an |have )?(master|phd|"
    r"doctor|mba|diploma|associate|high school)|\bno bachelor|没有学位|沒有學位|冇學位|冇讀大學|"
    r"(没有|沒有|冇|无|無|未有)(读过|讀過|讀)?(学士|學士|本科|大学|大學)|(没|沒|冇)(读|讀)(过|過)?(大学|大學|本科)|"
    r"(只有|只係|淨係|仅有|僅有)(一个|一個|個)?(硕士|碩士|博士|大专|大專|文凭|文憑|副学士|副學士|高级文凭|高級文憑)|"
    r"(大专|大專|高中|中专|中專)(学历|學歷|毕业|畢業)", re.I)
_NONLOCAL_YES = re.compile(r"non[- ]?local|student visa|study visa|international student|overseas student|"
                           r"非本地|学生签证|學生簽證|读书签证|讀書簽證|學生簽|学签|學簽|留学签证|留學簽證|"
                           r"留学生|留學生|内地生|內地生|外地生", re.I)
_NONLOCAL_NO = re.compile(r"\b(was|as) a local student|\blocal student\b(?!.*non)|本地生|本地学生|本地學生", re.I)
# A Hong Kong job offer, said in passing ("I have an offer from a Hong Kong bank"): not asked for
# TTPS (which needs none), but ASMTP, GEP and late IANG applications turn on it.
_OFFER_NO = re.compile(
    r"\b(no|without( a| any)?|haven'?t (got |had |received )?(a|any)|don'?t (have|hold) (a|any)|"
    r"not (got|yet got|received)( a| any)?|never had( a| any)?)\s+(confirmed\s+)?(job\s+|employment\s+|work\s+)?offers?\b|"
    r"\bno offer of (a job|employment)|没有(香港的?)?(工作|公司)?(offer|录用|錄用|聘书|聘書)|"
    r"沒有(香港的?)?(工作|公司)?(offer|錄用|聘書)|冇(工作)?offer", re.I)
_OFFER_YES = re.compile(
    r"\b(have|got|had|received|accepted|hold|signed|with)\s+(a|an|the)\s+(confirmed\s+|firm\s+|written\s+)?"
    r"(job\s+|employment\s+|work\s+)?offer\b|"
    r"\b(i'?ve|i have|i)\s+been\s+offered\s+(a|an)\s+(job|position|role)|\boffered me (a|an) (job|position|role)|"
    r"\b(an?|the|my)\s+(job|employment|work)\s+offer\s+(from|in|with|at)\b|"
    r"\boffer\s+(from|of employment from)\s+(a|an|the)?\s*(hong kong|hk|company|bank|firm|employer)|"
    r"(拿到|收到|有)了?(香港的?)?(公司|工作)?的?(offer|录用通知|錄用通知|聘书|聘書)", re.I)


_HYPOTHETICAL = re.compile(r"\b(if|even if|without|whether|unless|in case|what if|suppose)\b[^,;.?!]*", re.I)


def find_job_offer(text: str) -> Optional[bool]:
    """True / False when the message says the person has / has no job offer; None otherwise (a
    question such as "do I need a job offer?" says neither)."""
    if not text:
        return None
    if is_question(text):
        # "can I apply without a job offer?", "what if I had an offer?" ask, they don't say
        text = _HYPOTHETICAL.sub(" ", text)
    if _OFFER_NO.search(text):
        return False
    if _OFFER_YES.search(text):
        return True
    return None


_NATIONALITY_CUE = re.compile(
    r"\b(i am|i'm|im|i’m)\s+(an?\s+)?(?P<a>[a-z][a-z\s-]{2,30}?)\s*(citizen|national|passport)?\s*(?:$|[,.;!])|"
    r"\b(?P<b>[a-z][a-z\s-]{2,30}?)\s+(citizen|national|passport( holder)?)\b|"
    r"\bnationality\s*(is|:)?\s*(?P<c>[a-z][a-z\s-]{2,30})|"
    r"(?:国籍|國籍)\s*(?:是|係|:|：)?\s*(?P<d>\S{1,10})|"
    r"(?:我是|我係|我系|本人是|本人係)\s*(?P<e>[\u4e00-\u9fff]{1,8}?(?:籍|人|公民))(?=$|[，,。.;；!！\s])",
    re.I)


_INLINE_FIX = re.compile(r"\b(?:sorry,?\s+)?(?:i meant|i mean|no,? wait|oops|make that|scratch that|"
                         r"correction:?)\b|不对|不對|唔係|讲错|講錯|说错|說錯", re.I)


def is_question(text: str) -> bool:
    return bool(_QUESTION.search(text or ""))


# The person says something about themself ("I'm an MIT grad", "我是香港城市大学的毕业生"), not
# only asks about a university or an amount ("does CityU count?", "城大算不算").
_OWN_FACTS = re.compile(
    r"\b(i'?m|i am|my|i have|i've|i earn|i make|i made|i graduated|i studied|i work|i worked|i hold|"
    r"i finished|with (?:a|an|my) (?:bachelor'?s? )?(?:degree|bachelor'?s?))\b|"
    r"我是|我係|我系|我的|我嘅|我在|我喺|我读|我讀|我毕业|我畢業|我有(?!冇|没|沒|無|无)|我年薪|我月薪|我年收入|"
    r"我收入|我人工|我拿|我做|本人", re.I)


def states_own_facts(text: str) -> bool:
    """Whether a message outside the check (a question, a greeting) states facts about the
    person, which are then kept; a hypothetical ("what if I earned 3M") states none."""
    return bool(_OWN_FACTS.search(text or "")) and not is_hypothetical(text or "")


def _segments(text: str) -> list[str]:
    out, pos = [], 0
    for m in _SEGMENTS.finditer(text):
        out.append(text[pos:m.start()])
        pos = m.end()
    out.append(text[pos:])
    return [s for s in out if s.strip()]


_DATE_LIKE = re.compile(r"(19|20)\d\d|\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b|"
                        r"\b(last|this) year\b|年", re.I)
_MONEY_CLAUSE = re.compile(r"\d\s*(k|m|million|thousand|万|萬)\b|hk\$|us\$|usd|hkd|rmb|salary|income|earn", re.I)


def _clause_of(text: str, span: str) -> str:
    return next((c for c in re.split(r",(?!\d{3})|[;，；。]", text) if span in c), span)


def find_graduation(text: str, entities: dict[str, list[str]], today: dt.date) -> Optional[str]:
    """'graduated in 2016', 'MIT bachelor 2016', 'class of 2019', '2020年6月毕业'."""
    for span in entities.get("graduation_date", []):
        clause = _clause_of(text, span)
        if not _DATE_LIKE.search(span) or parsing.parse_duration(span, today) is not None:
            continue   # "1 year" is how long, not when
        if _WORK_CUE.search(clause) and not _GRAD_CUE.search(clause):
            continue   # the years of a job ("worked from 2018 to 2023")
        if re.search(r"\b(since|from|to|until)\s+" + re.escape(span), clause, re.I):
            continue
        if _MONEY_CLAUSE.search(clause) and not _GRAD_CUE.search(clause):
            continue   # "I earned 3.1M last year": the income year
        return span
    universities = [u.lower() for u in entities.get("university", [])]
    for seg in _segments(text):
        has_uni = any(u in seg.lower() for u in universities)
        if not (_GRAD_CUE.search(seg) or has_uni) or _WORK_CUE.search(seg):
            continue
        if re.search(r"\bsince\b|\bfrom\s+(19|20)\d\d", seg, re.I):
            continue
        m = re.search(r"((?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+)?"
                      r"(?:19|20)\d\d(?:\s*年\s*\d{1,2}\s*月)?)", seg, re.I)
        if m and not re.match(r"\s*(years?|yrs?)", seg[m.end():], re.I):
            return m.group(1)
        m = re.search(r"\b(last year|this year|\d+ years? ago)\b", seg, re.I)
        if m and _GRAD_CUE.search(seg):
            return m.group(1)
    return None


def find_work(text: str, entities: dict[str, list[str]], today: dt.date) -> Optional[str]:
    """'7 years of work', 'I've worked since 2019', 'about eight years full time'."""
    clauses = [c for c in re.split(r",(?!\d{3})|[;，；。]", text) if c.strip()]
    for clause in clauses:   # a clause that says work, with a duration in it
        if _WORK_CUE.search(clause) and parsing.parse_duration(clause, today) is not None:
            return clause
    for span in entities.get("work_duration", []):
        # the NLU often marks only "8 years" in "8 and a half years" or "about 8 years": widen
        for clause in clauses:
            if span.lower() in clause.lower() and parsing.parse_duration(clause, today) is not None \
                    and not _GRAD_CUE.search(clause):
                return clause
        if parsing.parse_duration(span, today) is not None and not re.fullmatch(r"\s*(19|20)\d\d\s*", span):
            return span
    for seg in _segments(text):
        if _WORK_CUE.search(seg) and parsing.parse_duration(seg, today) is not None:
            return seg
    for clause in clauses:   # "… and I've been at the same company ever since"
        if _WORK_CUE.search(clause) and SINCE_GRADUATING.search(clause):
            return clause
    return None


def find_nationality(text: str, entities: dict[str, list[str]]) -> Optional[str]:
    for span in entities.get("nationality", []):
        if parsing.parse_nationality(span) is not None or len(entities["nationality"]) == 1:
            return span
    m = _NATIONALITY_CUE.search(text or "")
    if m:
        word = next(g for g in (m.group("a"), m.group("b"), m.group("c"), m.group("d"), m.group("e")) if g)
        if parsing.parse_nationality(word) is not None:
            return word
    segments = _segments(text or "")
    for seg in segments[1:] if len(segments) > 1 else []:
        # a list of facts ending "…, 7 years of work, British": a short item that is a nationality
        if len(seg.split()) <= 2 and parsing.parse_nationality(seg.strip()) is not None:
            return seg.strip()
    return None


_NOT_NAMES = {"hi", "hello", "hey", "quick", "yes", "no", "ok", "thanks", "sorry", "i", "my"}
_NAME_WORD = re.compile(r"[A-Z][\w.&'’-]*|[\u3400-\u9fff]+")
_NAME_JOINER = {"of", "and", "de", "la", "du", "der", "für", "for", "in", "at", "&"}


def widen_name(text: str, span: str) -> str:
    """The NLU sometimes marks part of a name ("College" in "Boston College"): take the whole
    run of capitalised words (and the small words inside names) around it."""
    start = text.find(span)
    if start < 0:
        return span
    end = start + len(span)
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    inside = [i for i, (a, b) in enumerate(words) if b > start and a < end]
    if not inside:
        return span
    first, last = inside[0], inside[-1]

    def namey(i: int) -> bool:
        w = text[words[i][0]:words[i][1]].strip(",.;:!?()")
        return bool(_NAME_WORD.fullmatch(w)) and w.lower() not in ("i", "i'm", "my")

    while first > 0 and namey(first - 1):
        first -= 1
    while last + 1 < len(words):
        w = text[words[last + 1][0]:words[last + 1][1]].strip(",.;:!?()")
        if namey(last + 1) or (w.lower() in _NAME_JOINER and last + 2 < len(words) and namey(last + 2)
                               and w.lower() not in ("in", "at")):
            last += 1 if namey(last + 1) else 2
        else:
            break
    return text[words[first][0]:words[last][1]].strip(",.;:!?()")


_INSTITUTION_WORD = re.compile(r"universit|college|institut|school|polytechnic|academy|大学|大學|学院|學院", re.I)


def find_university(text: str, entities: dict[str, list[str]]) -> Optional[str]:
    spans = entities.get("university", [])
    known = [s for s in spans if registry().resolve(s).status in ("matched", "excluded_arm")]
    for span in known or spans:
        if _CJK_RUN.match(span):
            # Chinese is written without spaces: widen only to the institution word that
            # follows ("清华" + "大学"), never to the whole sentence
            whole = _chinese_widened(text or "", span)
            if whole is not None:
                return whole
            if span in known or len(spans) == 1:
                return span
            continue
        # a Latin name inside Chinese ("喺UBC讀嘅", "本科是USTC 中科大") is widened over Latin
        # words only: Chinese written around it is not part of the name
        wide = widen_name(_CJK_RUN.sub(lambda m: " " * len(m.group(0)), text or ""), span)
        if wide != span and (registry().resolve(wide).status in ("matched", "excluded_arm", "ambiguous")
                             or _INSTITUTION_WORD.search(wide)):
            return wide
        if span in known or _INSTITUTION_WORD.search(span) or len(spans) == 1 and span[:1].isupper() \
                and span.lower() not in _NOT_NAMES:
            return span
    m = re.search(r"\b(?:from|at)\s+(?:the\s+)?((?:[A-Z][\w&.'-]*\s+)*(?:University|College|Institute|School|"
                  r"Polytechnic|Academy)(?:\s+(?:of|and|for|de|in)?\s*[A-Z][\w&.'-]*)*)", text or "")
    if m:
        return m.group(1).strip()
    m = re.search(r"\b(?:studied at|graduated from|degree from|bachelor'?s? (?:degree )?(?:from|at)|"
                  r"alumn(?:us|a|i) of|went to)\s+(?:the\s+)?([A-Z][\w&.'-]*(?:\s+(?:of|and|de|for|"
                  r"[A-Z][\w&.'-]*))*)", text or "")
    if m:
        return m.group(1).strip()
    return chinese_university(text or "")


_ZH_INSTITUTION_END = re.compile(r"大学|大學|学院|學院|书院|書院")
_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")


def _chinese_widened(text: str, span: str) -> Optional[str]:
    """"清华" in "清华大学本科": the longest name starting with the span that the registry
    matches ("清华大学"), else None."""
    at = text.find(span)
    if at < 0:
        return None
    for end in range(min(len(text), at + len(span) + 6), at + len(span), -1):
        candidate = text[at:end]
        if _CJK_RUN.fullmatch(candidate) and registry().resolve(candidate).status in ("matched", "excluded_arm"):
            return candidate
    return None


_ZH_GRADUATED = re.compile(r"大学本科|大學本科|本科|毕业|畢業|畢咗業|毕咗业")


def chinese_university(text: str) -> Optional[str]:
    """A university the registry knows, named inside a Chinese sentence: the longest run of
    Chinese characters ending in 大学 / 学院 … ("我读的是清华大学"), or just before 毕业 / 本科
    ("港大畢業", "清华本科"), that the registry matches."""
    def run_start(at: int) -> int:
        return next((r.start() for r in _CJK_RUN.finditer(text) if r.start() <= at < r.end()), at)

    for m in _ZH_INSTITUTION_END.finditer(text):
        for start in range(max(run_start(m.start()), m.end() - 16), m.start()):
            candidate = text[start:m.end()]
            if registry().resolve(candidate).status in ("matched", "excluded_arm"):
                return candidate
    for m in _ZH_GRADUATED.finditer(text):
        if m.start() < 2:
            continue
        for start in range(max(run_start(m.start() - 1), m.start() - 10), m.start() - 1):
            candidate = text[start:m.start()]
            if registry().resolve(candidate).status in ("matched", "excluded_arm"):
                return candidate
    if _CJK_RUN.search(text):
        # a Latin name or short form in a Chinese sentence ("喺UBC讀嘅", "本科是USTC"), or a
        # Chinese short form standing alone after a yes ("有 港大")
        for m in re.finditer(r"[A-Za-z][A-Za-z&.'’ -]*[A-Za-z.]", text):
            if registry().resolve(m.group(0).strip()).status in ("matched", "excluded_arm"):
                return m.group(0).strip()
        for m in _CJK_RUN.finditer(text):
            word = _ZH_FILLER.sub("", m.group(0))
            if 2 <= len(word) <= 12 and registry().resolve(word).status in ("matched", "excluded_arm"):
                return word
        # a name the registry does not know, with its institution word ("有 浙江工业大学"): kept
        # as said, so the answer can say it is not on the list
        for m in _ZH_INSTITUTION_END.finditer(text):
            start = run_start(m.start())
            word = _ZH_FILLER.sub("", text[start:m.end()])
            if len(word) >= 4 and not re.search(r"[我你的吗嗎呢吧啊呀咗嘅係唔冇不没沒在喺]", word):
                return word
    return None


# words around a name in a Chinese answer: "有", "是", "我读的是", "喺 … 讀嘅", "本科"
_ZH_FILLER = re.compile(r"^(?:有的|有呀|有|是的|是|係|我|本科|学士|學士|毕业于|畢業於|就读于|就讀於|读的是|讀嘅係|"
                        r"读|讀|在|喺|于|於)+|(?:本科|毕业|畢業|读的|讀嘅|的|嘅|读|讀|大学本科)+$")


def understand(text: str, entities: dict[str, Any], intent: Optional[str],
               requested: Optional[str], today: dt.date, stated: bool = False) -> dict[str, Any]:
    """Raw values, by slot, that this message gives. An empty result means the message gives
    no fact (then the form lets the dialogue rules answer it). ``stated``: the message states
    facts about the person (see states_own_facts), so they are read from a question too."""
    text = text or ""
    if intent in CONTROL_INTENTS or text.startswith("/") and intent not in ("dont_know", "affirm", "deny"):
        return {}
    entities = {k: ([v] if isinstance(v, str) else list(v)) for k, v in (entities or {}).items() if v}
    fix = _INLINE_FIX.search(text)
    if fix and text[fix.end():].strip(" ,.:;!-"):
        text = text[fix.end():]   # "2019, sorry I meant 2021": the answer is what follows
        entities = {k: [v for v in vs if v in text] for k, vs in entities.items()}
        entities = {k: vs for k, vs in entities.items() if vs}
    question = is_question(text)
    if intent in ("faq", "out_of_scope", "nlu_fallback", None) and question and not stated:
        return {}   # a question about something else: let the rules answer it
    # a greeting, thanks or "check me" may carry facts, but is not the answer to the question
    answers_pending = requested is not None and intent not in OTHER_INTENTS
    if intent == "faq" and requested is not None:
        answers_pending = True   # "around 4M HKD, all dividends" reads like a question about income
    found: dict[str, Any] = {}
    if any(m.strong for m in parsing.parse_incomes(text)):   # an NLU "income" alone is not enough
        found["income"] = text   # the validator reads every amount in it, with its kind
    grad = find_graduation(text, entities, today)
    if grad:
        found["graduation_date"] = grad
    work = find_work(text, entities, today)
    if work:
        found["work_months"] = work
    uni = find_university(text, entities)
    if uni:
        found["university"] = uni
    nat = find_nationality(text, entities)
    if nat:
        found["nationality"] = nat
    offer = find_job_offer(text)
    if offer is not None:
        found["hk_job_offer"] = offer
    apply = _APPLY_CUE.search(text)
    if apply and parsing.parse_date(apply.group(1), today, "future"):
        found["application_date"] = apply.group(1)
    if _DEGREE_NO.search(text):
        found["has_degree"] = False
    elif _DEGREE_YES.search(text):
        found["has_degree"] = True
    if _NONLOCAL_YES.search(text) and not re.search(r"\bnot\b|\bwasn'?t\b", text, re.I):
        found["hk_nonlocal"] = True
    elif _NONLOCAL_NO.search(text):
        found["hk_nonlocal"] = False

    if answers_pending and not found:
        found[requested] = text   # nothing else in it: it is the answer to the question asked
    elif answers_pending and requested in ("has_degree", "hk_nonlocal", "income_shares") \
            and requested not in found \
            and intent in ("affirm", "deny", "dont_know"):
        found[requested] = text
    return found


def answer_mode(text: str, intent: Optional[str], requested: Optional[str]) -> Optional[str]:
    """May the whole message still be read as the answer to the pending question, when nothing
    in it checked out as a fact? "answer": yes (a failed answer is re-asked); "if_valid": only if
    it checks out (a short message the NLU took for a greeting or "check me": "Irish");
    None: no."""
    if requested is None or intent in CONTROL_INTENTS or (text or "").startswith("/"):
        return None
    if intent in OTHER_INTENTS or is_question(text):
        return "if_valid" if parsing.word_count(text) <= 4 and not is_question(text) else None
    return "answer"


