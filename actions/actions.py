"""Rasa custom actions: thin adapters between the conversation and ttps_logic.

They parse what the person said (actions/parsing.py, actions/validation.py), call
``ttps_logic.assess`` and turn the Assessment into messages (actions/messages.py). No rule of the
scheme is decided here.
"""
from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import (ActiveLoop, AllSlotsReset, EventType, FollowupAction, Restarted,
                             SlotSet, UserUtteranceReverted)
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from ttps_logic import InputError, assess
from ttps_logic.models import Assessment
from ttps_logic.institutions import registry
from ttps_logic.params import param
from ttps_logic.schemes import SchemesResult, prescreen

from . import facts as F
from . import i18n
from . import messages as M
from . import validation as V
from .i18n import t
from .language import normalise, requested
from .turn import begin_turn
from .understanding import answer_mode, is_hypothetical, states_own_facts, understand, wants_start_over

log = logging.getLogger(__name__)


def contact_text() -> str:
    """How to reach a person, from ttps_logic's dated contact parameters."""
    day = F.today()
    return t("contact", phone=param("contact.phone", day), email=param("contact.email", day),
             page=param("contact.page", day))


def _intent(tracker: Tracker) -> Optional[str]:
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    if intent == "what_if" and not is_hypothetical(tracker.latest_message.get("text") or ""):
        return "inform"   # "I earned about 3.2M HKD, all salary": a fact, not a what-if
    return intent


def _entities_of(message: dict) -> list[dict]:
    """The message's entities less a nationality found inside a university's name ("Singapore"
    in "National University of Singapore" is where the university is, not the person's
    nationality)."""
    entities = message.get("entities") or []
    names = [(e["start"], e["end"]) for e in entities
             if e.get("entity") == "university" and e.get("start") is not None]
    return [e for e in entities
            if not (e.get("entity") == "nationality" and e.get("start") is not None
                    and any(a <= e["start"] and e["end"] <= b for a, b in names))]


def entity_spans(message: dict) -> dict[str, str]:
    """The text of each entity type in a message. Adjacent pieces of one type are joined
    ("1.5M" + "RMB" -> "1.5M RMB") and duplicates from two extractors counted once; when a type
    occurs in separate places, the first one is used."""
    text = message.get("text") or ""
    by_type: dict[str, list[tuple[int, int, str]]] = {}
    for e in _entities_of(message):
        start, end = e.get("start"), e.get("end")
        if start is None or end is None:
            by_type.setdefault(e["entity"], []).append((10**9, 10**9, str(e.get("value"))))
            continue
        by_type.setdefault(e["entity"], []).append((start, end, text[start:end]))
    out: dict[str, str] = {}
    for entity, spans in by_type.items():
        spans = sorted(set(spans))
        start, end, value = spans[0]
        for s2, e2, v2 in spans[1:]:
            if s2 >= 10**9:
                break
            if s2 <= end + 2 and text[end:s2].strip() == "":
                end = max(end, e2)
                value = text[start:end]
            elif s2 < end:  # overlapping (two extractors)
                end = max(end, e2)
                value = text[start:end]
            else:
                break
        out[entity] = value
    return out


def entity_span_lists(message: dict) -> dict[str, list[str]]:
    """Every span of each entity type, in the order of the message, adjacent pieces of one type
    joined ("1.5M" + "RMB") and the same span from two extractors counted once. The reader
    picks among them: the NLU's first guess is not always the right one."""
    text = message.get("text") or ""
    by_type: dict[str, list[tuple[int, int]]] = {}
    loose: dict[str, list[str]] = {}   # entities without a position (tests, other extractors)
    for e in _entities_of(message):
        start, end = e.get("start"), e.get("end")
        if start is None or end is None:
            if e.get("value") is not None:
                loose.setdefault(e["entity"], []).append(str(e["value"]))
            continue
        by_type.setdefault(e["entity"], []).append((start, end))
    out: dict[str, list[str]] = {k: list(dict.fromkeys(v)) for k, v in loose.items()}
    for entity, spans in by_type.items():
        merged: list[list[int]] = []
        for start, end in sorted(set(spans)):
            if merged and (start < merged[-1][1] or
                           (start <= merged[-1][1] + 2 and text[merged[-1][1]:start].strip() == "")):
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        out[entity] = [text[a:b] for a, b in merged] + out.get(entity, [])
    return out


def _entities(tracker: Tracker) -> dict[str, str]:
    return entity_spans(tracker.latest_message)


def _slots(tracker: Tracker) -> dict[str, Any]:
    return {name: tracker.get_slot(name) for name in F.FACT_SLOTS}


def _say(dispatcher: CollectingDispatcher, verdict: V.Verdict) -> None:
    if verdict.message:
        dispatcher.utter_message(text=verdict.message, buttons=verdict.buttons or None)


def check_fact(slot: str, value: Any, slots: dict[str, Any], intent: Optional[str]) -> V.Verdict:
    """Validate one fact for a slot, whichever way it arrived (form answer, entity, correction)."""
    today = F.today()
    if slot == "income":
        return V.validate_income(value, intent)
    if slot == "income_currency":
        return V.validate_currency(value, intent, slots.get("income"))
    if slot == "income_type":
        return V.validate_income_type(value, intent, slots.get("income"))
    if slot == "income_shares":
        return V.validate_income_shares(value, intent)
    if slot == "has_degree":
        return V.validate_has_degree(value, intent)
    if slot == "university":
        return V.validate_university(value, intent)
    if slot == "graduation_date":
        return V.validate_graduation_date(value, today, intent)
    if slot == "work_months":
        return V.validate_work_months(value, today, slots.get("graduation_date"), intent)
    if slot == "hk_nonlocal":
        return V.validate_yes_no_unknown(value, intent)
    if slot == "nationality":
        return V.validate_nationality(value, intent)
    if slot == "application_date":
        return V.validate_application_date(value, today, intent)
    if slot == "hk_job_offer":   # read as True / False by understanding.find_job_offer
        return V.Verdict(value) if isinstance(value, bool) else V.Verdict()
    raise KeyError(slot)


ENTITY_SLOTS = {"income": "income", "university": "university",
                "graduation_date": "graduation_date", "work_duration": "work_months",
                "nationality": "nationality", "application_date": "application_date"}


def facts_from_message(tracker: Tracker, dispatcher: CollectingDispatcher,
                       slots: dict[str, Any], requested: Optional[str] = None, stated: bool = False
                       ) -> tuple[dict[str, Any], Optional[V.Verdict]]:
    """Slot updates for every fact in the latest message (see actions/understanding.py), and
    the verdict on the answer to the pending question when the message answered it.

    A fact given unprompted that does not check out is left out quietly (the old value stays);
    only the answer to the question asked is re-asked, by the caller."""
    intent = _intent(tracker)
    found = understand(tracker.latest_message.get("text") or "",
                       entity_span_lists(tracker.latest_message), intent,
                       requested, F.today(), stated=stated)
    updates: dict[str, Any] = {}
    current = dict(slots)
    answer: Optional[V.Verdict] = None
    # in form order: a new income clears the currency and kind answers of the old one first
    order = {slot: i for i, slot in enumerate(F.FACT_SLOTS)}
    for slot in sorted(found, key=lambda name: order.get(name, 99)):
        verdict = check_fact(slot, found[slot], current, intent if slot == requested else None)
        if slot == "income" and verdict.ok and current.get("income"):
            verdict.value = V.inherit_kind(verdict.value, current.get("income"))
        if slot == requested:
            answer = verdict
        if not verdict.ok:
            continue
        if slot != requested:
            _say(dispatcher, verdict)   # a note on a fact given unprompted
        updates[slot] = verdict.value
        current[slot] = verdict.value
        for k, v in verdict.also.items():
            if k in found and k != slot:
                continue   # the message itself says it; that wins
            updates[k] = v
            current[k] = v
    work = current.get("work_months")
    if "graduation_date" in updates and "work_months" not in found \
            and isinstance(work, (int, float)) and not isinstance(work, bool):
        # a new graduation date can make the work already given impossible ("60 months since
        # graduating" with a 2022 degree): check it again, and ask it again if it no longer fits
        recheck = check_fact("work_months", work, current, None)
        if not recheck.ok:
            _say(dispatcher, recheck)
            updates["work_months"] = current["work_months"] = None
    if found.get("has_degree") is False and "university" in updates:
        # "no, only a master's from Oxford": that university is not of a bachelor's degree
        updates.pop("university")
        updates.pop("graduation_date", None)
        updates["has_degree"] = current["has_degree"] = False
    elif current.get("has_degree") is None and (updates.get("graduation_date") or updates.get("work_months")
                                                 is not None and updates.get("university")):
        updates["has_degree"] = current["has_degree"] = True   # a graduation date means a degree
    if requested and not updates and (answer is None or not answer.ok):
        # nothing in it checked out as a fact (the NLU's entities are hints, and can be wrong:
        # "New" in "New Zealand" as a duration): read the whole message as the answer
        mode = answer_mode(tracker.latest_message.get("text") or "", intent, requested)
        text = tracker.latest_message.get("text") or ""
        if mode is not None and found.get(requested) != text:
            verdict = check_fact(requested, text, current, intent if mode == "answer" else None)
            if verdict.ok and (mode == "answer" or strictly_valid(requested, text)):
                answer = verdict
                updates[requested] = verdict.value
                updates.update({k: v for k, v in verdict.also.items()})
            elif mode == "answer" and not (answer is not None and answer.buttons):
                # a choice already offered for the part that named it ("中大": which one?)
                # says more than a failure of the whole message
                answer = verdict
    return updates, answer


def strictly_valid(slot: str, text: str) -> bool:
    """For a message the NLU took for something else: accept it as the answer only when it
    clearly is one (a university we know, not any name)."""
    if slot == "university":
        return registry().resolve(text).status == "matched"
    if slot == "income":   # an amount said as one ("HK$3M", "年薪50万"), not "查一下" read as 1
        return any(m.strong for m in V.parsing.parse_incomes(text))
    return True


def refused_fields(exc: Exception) -> str:
    """The input fields an error names, never its message: that quotes the person's facts
    (amounts, dates, the nationality as typed), which stay out of the logs."""
    if getattr(exc, "field", None):
        return str(exc.field)
    errors = getattr(exc, "errors", None)   # pydantic's ValidationError
    if callable(errors):
        try:
            return ", ".join(".".join(str(p) for p in e.get("loc", ())) for e in errors()) \
                or type(exc).__name__
        except Exception:  # noqa: BLE001 - only the log line depends on it
            pass
    return type(exc).__name__


def run_assessment(slots: dict[str, Any]) -> Optional[Assessment]:
    try:
        return assess(F.to_engine_input(slots))
    except (InputError, ValueError) as exc:  # facts that slipped past validation
        log.warning("assessment refused (%s)", refused_fields(exc))
        return None


def run_prescreen(slots: dict[str, Any]) -> Optional[SchemesResult]:
    """The other schemes pre-screened from the same facts (ttps_logic.schemes), in the
    language of the turn."""
    try:
        return prescreen(F.to_scheme_input(slots), i18n.current())
    except (InputError, ValueError) as exc:
        log.warning("pre-screen refused (%s)", refused_fields(exc))
        return None


def send_verdict(dispatcher: CollectingDispatcher, a: Assessment,
                 slots: Optional[dict[str, Any]] = None) -> None:
    lang = i18n.current()
    routes = run_prescreen(slots) if slots is not None else None
    dispatcher.utter_message(text=M.verdict_text(a, lang), json_message=M.payload(a, routes, lang))
    dispatcher.utter_message(text=M.details_text(a, lang))
    other = M.other_routes_text(a, routes, lang) if routes is not None else None
    if other:
        dispatcher.utter_message(text=other)
    dispatcher.utter_message(text=t("after_verdict.text"), buttons=i18n.buttons("after_verdict.buttons"))


# ---------------------------------------------------------------------------------------------
# The form


class ValidateEligibilityForm(FormValidationAction):
    """Reads every message during the form for all the facts it gives, validates them and picks
    the next question. A message that gives no fact (a greeting, a question about the scheme)
    sets nothing, so Rasa rejects the form for that turn and the dialogue rules answer it; the
    form then asks its pending question again."""

    def name(self) -> Text:
        return "validate_eligibility_form"

    async def required_slots(self, domain_slots: List[Text], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> List[Text]:
        return F.required_slots(_slots(tracker))

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        return begin_turn(tracker) + await self._run(dispatcher, tracker)

    async def _run(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        slots = _slots(tracker)
        updates: dict[str, Any] = {}
        # Only a new message is read: when the form comes back after an interruption (or is
        # started by action_capture_facts, which has read the message), it just asks.
        if _fresh_message(tracker) and _intent(tracker) != "start_over" \
                and wants_start_over(tracker.latest_message.get("text") or ""):
            # "wait, let's start over, I was answering for my husband": clear every answer and
            # ask again from the first question
            dispatcher.utter_message(text=t("replies.start_over_in_form"))
            cleared = {name: None for name in F.FACT_SLOTS + ["retries", "assessment"]}
            first = next(name for name in F.required_slots(dict(cleared)))
            return [SlotSet(k, None) for k in cleared] + [SlotSet("requested_slot", first)]
        if _fresh_message(tracker):
            requested = tracker.get_slot("requested_slot")
            updates, answer = facts_from_message(tracker, dispatcher, slots, requested)
            if requested and answer is not None and not answer.ok:
                updates.update(self._failed(requested, answer, dispatcher, tracker))
            elif requested and (answer is not None or requested in updates):
                updates["retries"] = _reset_retries(tracker, requested)
            slots.update(updates)
        required = F.required_slots(slots)
        next_slot = next((name for name in required if slots.get(name) is None), None)
        return [SlotSet(k, v) for k, v in updates.items()] + [SlotSet("requested_slot", next_slot)]

    @staticmethod
    def _failed(slot: str, verdict: V.Verdict, dispatcher: CollectingDispatcher,
                tracker: Tracker) -> dict[str, Any]:
        """The answer to the pending question did not check out. The first time, say why and
        ask again; the second time, stop repeating: leave it as not known and move on."""
        retries = dict(tracker.get_slot("retries") or {})
        retries[slot] = retries.get(slot, 0) + 1
        if retries[slot] >= MAX_TRIES:
            retries.pop(slot)
            dispatcher.utter_message(
                text=t("form.give_up", label=t(f"form.labels.{slot}"), example=t(f"form.examples.{slot}")),
                buttons=i18n.buttons("form.give_up_buttons"))
            return {slot: F.UNKNOWN if slot != "nationality" else F.SKIPPED, "retries": retries}
        if verdict.message:
            buttons = verdict.buttons or i18n.buttons("form.help_buttons")
            dispatcher.utter_message(text=verdict.message, buttons=buttons)
        return {slot: None, "retries": retries}

    # One validator per slot, for answers that arrive already split out (tests, other actions).
    def _validate(self, slot: str, value: Any, dispatcher: CollectingDispatcher,
                  tracker: Tracker) -> Dict[Text, Any]:
        verdict = check_fact(slot, value, _slots(tracker), _intent(tracker))
        _say(dispatcher, verdict)
        return {slot: verdict.value, **verdict.also}

    def validate_income(self, value, dispatcher, tracker, domain):
        return self._validate("income", value, dispatcher, tracker)

    def validate_income_currency(self, value, dispatcher, tracker, domain):
        return self._validate("income_currency", value, dispatcher, tracker)

    def validate_income_type(self, value, dispatcher, tracker, domain):
        return self._validate("income_type", value, dispatcher, tracker)

    def validate_income_shares(self, value, dispatcher, tracker, domain):
        return self._validate("income_shares", value, dispatcher, tracker)

    def validate_has_degree(self, value, dispatcher, tracker, domain):
        return self._validate("has_degree", value, dispatcher, tracker)

    def validate_university(self, value, dispatcher, tracker, domain):
        return self._validate("university", value, dispatcher, tracker)

    def validate_graduation_date(self, value, dispatcher, tracker, domain):
        return self._validate("graduation_date", value, dispatcher, tracker)

    def validate_work_months(self, value, dispatcher, tracker, domain):
        return self._validate("work_months", value, dispatcher, tracker)

    def validate_hk_nonlocal(self, value, dispatcher, tracker, domain):
        return self._validate("hk_nonlocal", value, dispatcher, tracker)

    def validate_nationality(self, value, dispatcher, tracker, domain):
        return self._validate("nationality", value, dispatcher, tracker)

    def validate_application_date(self, value, dispatcher, tracker, domain):
        return self._validate("application_date", value, dispatcher, tracker)


MAX_TRIES = 2


def _fresh_message(tracker: Tracker) -> bool:
    """Has the latest user message not been handled yet? False when the form runs again after
    an interruption was answered (or after action_capture_facts read the message)."""
    said = False   # has the bot said anything since the message?
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            return True
        if kind == "bot":
            said = True
        if kind == "action_execution_rejected":
            return False
        if kind == "action" and event.get("name") == "action_what_if" and not said:
            continue   # a "what-if" that was a plain answer: left for the form to read
        if kind == "action" and event.get("name") not in ("action_listen", "action_extract_slots",
                                                          "eligibility_form"):
            return False
    return False
def _reset_retries(tracker: Tracker, slot: str) -> dict:
    retries = dict(tracker.get_slot("retries") or {})
    retries.pop(slot, None)
    return retries


# The questions of the form, in the order asked (their wording: form.ask.* in the locale files);
# the buttons of each: form.buttons.*, or the validators' yes / no / kind-of-income buttons.
QUESTIONS = ["income", "income_currency", "income_type", "income_shares", "has_degree",
             "university", "graduation_date", "work_months", "hk_nonlocal", "nationality"]


def question_buttons(slot: str) -> list[dict]:
    if slot == "income_currency":
        return i18n.buttons("check.currency_buttons")
    if slot == "income_type":
        return V.income_type_buttons()
    if slot in ("income_shares", "has_degree", "hk_nonlocal"):
        return V.yes_no_buttons()
    return i18n.buttons(f"form.buttons.{slot}")


class _AskSlot:
    """Asks for one slot with the question's position ("(2/5)") and its buttons."""
    slot = ""

    def name(self) -> Text:
        return f"action_ask_{self.slot}"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        events = begin_turn(tracker)
        required = F.required_slots(_slots(tracker))
        position = required.index(self.slot) + 1 if self.slot in required else len(required)
        question = t(f"form.ask.{self.slot}")
        items = F.income_items(tracker.get_slot("income"))
        if self.slot == "income_currency" and items:
            amounts = t("words.and").join(f"{float(i['amount']):,.0f}" for i in items if not i.get("currency"))
            question = t("form.currency_of", amounts=amounts)
        if self.slot == "income_type" and items:
            amounts = t("words.and").join(f"{i['currency']} {float(i['amount']):,.0f}" for i in items
                                            if not i.get("type"))
            question = t("form.kind_of", amounts=amounts, question=question)
        dispatcher.utter_message(text=t("form.position", position=position, total=len(required),
                                        question=question),
                                 buttons=question_buttons(self.slot))
        return events


def _ask_action(slot_name: str) -> type:
    camel = "".join(part.capitalize() for part in slot_name.split("_"))
    return type(f"ActionAskSlot{camel}", (_AskSlot, Action), {"slot": slot_name})


ASK_ACTIONS = [_ask_action(s) for s in QUESTIONS]
ActionAskSlotIncome = ASK_ACTIONS[0]


# ---------------------------------------------------------------------------------------------
# Around the form


class LocalisedAction:
    """Mixin for an action that speaks: it first chooses the language of the turn
    (begin_turn), then ``act`` says what it has to say in it. Not an Action itself: rasa_sdk
    registers every subclass of Action, and this one has no name."""

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        return begin_turn(tracker) + await self.act(dispatcher, tracker, domain)

    async def act(self, dispatcher, tracker, domain) -> List[EventType]:
        raise NotImplementedError


class _Reply(LocalisedAction):   # a mixin too: each reply is made an Action by _reply
    """One sentence from the locale files (replies.<key>), with the buttons it has."""
    action = ""
    key = ""
    buttons_key: Optional[str] = None

    def name(self) -> Text:
        return self.action

    async def act(self, dispatcher, tracker, domain) -> List[EventType]:
        buttons = i18n.buttons(self.buttons_key) if self.buttons_key else None
        dispatcher.utter_message(text=t(self.key), buttons=buttons)
        return []


def keep_stated_facts(tracker: Tracker, dispatcher: CollectingDispatcher) -> List[EventType]:
    """Outside the check, the facts a question or a greeting states about the person ("你好 我是
    香港城市大学的毕业生 想问…", "hi, I'm an MIT grad") are kept, so the check does not ask them
    again; said after the reply. Inside the form, the form reads them itself."""
    text = tracker.latest_message.get("text") or ""
    if (tracker.active_loop or {}).get("name") or text.startswith("/") or not states_own_facts(text):
        return []
    updates, _ = facts_from_message(tracker, dispatcher, _slots(tracker), stated=True)
    if updates:
        dispatcher.utter_message(text=t("replies.noted"))
    return [SlotSet(k, v) for k, v in updates.items()]


class _GreetReply(_Reply):
    """The greeting, then the facts the greeting states are kept."""

    async def act(self, dispatcher, tracker, domain) -> List[EventType]:
        return await super().act(dispatcher, tracker, domain) + keep_stated_facts(tracker, dispatcher)


def _reply(action: str, key: str, buttons_key: Optional[str] = None, base: type = _Reply) -> type:
    camel = "".join(part.capitalize() for part in action.split("_"))
    return type(camel, (base, Action), {"action": action, "key": key, "buttons_key": buttons_key})


REPLY_ACTIONS = [
    _reply("action_greet", "greet.text", "greet.buttons", _GreetReply),
    _reply("action_goodbye", "replies.goodbye"),
    _reply("action_you_are_welcome", "replies.you_are_welcome"),
    _reply("action_iamabot", "replies.iamabot"),
    _reply("action_ask_what_to_change", "replies.ask_what_to_change"),
    _reply("action_greet_in_form", "replies.greet_in_form"),
    _reply("action_welcome_in_form", "replies.welcome_in_form"),
    _reply("action_chitchat", "replies.chitchat"),
    _reply("action_out_of_scope_in_form", "replies.out_of_scope_in_form"),
    _reply("action_goodbye_in_form", "replies.goodbye_in_form"),
    _reply("action_already_checking", "replies.already_checking"),
    _reply("action_not_in_form", "replies.not_in_form"),
]


def requested_language(tracker: Tracker) -> Optional[str]:
    """The locale a switch_language message asks for: its entity `language` (a button sends
    the code; text channels say "English", "中文", "繁體", "講廣東話"), else its words."""
    previous = tracker.get_slot("language")
    text = tracker.latest_message.get("text") or ""
    several = requested(text, previous)   # "我英文不太好 能用中文跟我说吗": the one asked for
    if several:
        return several
    for e in tracker.latest_message.get("entities") or []:
        if e.get("entity") == "language":
            found = normalise(str(e.get("value") or ""), previous)
            if found:
                return found
    return normalise(tracker.latest_message.get("text") or "", previous)


# words of a request for a language ("in English please"), not of a nationality ("English")
_LANGUAGE_REQUEST = re.compile(r"\b(speak|speaking|switch|change|in|use|language|please|reply|answer|talk|"
                               r"version|write|chat)\b", re.I)


def _nationality_answer_of(text: str) -> Optional[str]:
    """The nationality a short Latin answer names ("Chinese", "I'm English"), when it asks for
    no language; None otherwise."""
    if not text.isascii() or len(text.split()) > 4 or _LANGUAGE_REQUEST.search(text):
        return None
    verdict = V.validate_nationality(text)
    return verdict.value if verdict.ok and verdict.value != F.SKIPPED else None


def _nationality_pending(tracker: Tracker) -> bool:
    return bool((tracker.active_loop or {}).get("name")) and tracker.get_slot("requested_slot") == "nationality"


class ActionSwitchLanguage(Action):
    """Answer in another language from now on: said in that language. Inside the form the rule
    runs the form next, which asks the pending question again, in the new language."""

    def name(self) -> Text:
        return "action_switch_language"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        answer = _nationality_answer_of(tracker.latest_message.get("text") or "") \
            if _nationality_pending(tracker) else None
        if answer is not None:
            # "Chinese" / "English" answering the nationality question: an answer, not a switch
            events = begin_turn(tracker)
            return events + [SlotSet("nationality", answer), SlotSet("retries", _reset_retries(tracker, "nationality"))]
        lang = requested_language(tracker)
        if lang is None:   # "another language" without saying which: offer the three
            events = begin_turn(tracker)
            dispatcher.utter_message(text=t("language.which"), buttons=i18n.buttons("language.buttons"))
            return events
        i18n.use(lang)
        dispatcher.utter_message(text=t("language.switched"))
        return [SlotSet("language", lang)]


class ActionRestart(Action):
    """Rasa's /restart (it replaces the default action_restart, which would utter a reply
    from the domain): clears the conversation and says so in its language, which is kept."""

    def name(self) -> Text:
        return "action_restart"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        begin_turn(tracker)
        lang = i18n.current()
        dispatcher.utter_message(text=t("replies.restart"), buttons=i18n.buttons("start_buttons"))
        return [Restarted(), SlotSet("language", lang)]


class ActionClarify(LocalisedAction, Action):
    """"What do you mean?": say why the pending question matters, then it is asked again."""

    def name(self) -> Text:
        return "action_clarify"

    async def act(self, dispatcher, tracker, domain) -> List[EventType]:
        slot = tracker.get_slot("requested_slot")
        if (tracker.active_loop or {}).get("name") and slot in QUESTIONS:
            # the threshold in force today (read from the data when asked, not at start-up)
            threshold = param("income.threshold_hkd", F.today())
            why = t(f"why.{slot}", threshold=f"{threshold / 1e6:g}", threshold_wan=f"{threshold / 1e4:g}") \
                if slot == "income" else t(f"why.{slot}")
            dispatcher.utter_message(text=t("clarify.in_form", why=why))
        else:
            dispatcher.utter_message(text=t("clarify.outside"), buttons=i18n.buttons("clarify.buttons"))
        return []


class ActionCaptureFacts(LocalisedAction, Action):
    """Facts given before they were asked ("I'm an MIT grad earning 3M HKD")."""

    def name(self) -> Text:
        return "action_capture_facts"

    async def act(self, dispatcher, tracker, domain) -> List[EventType]:
        updates, _ = facts_from_message(tracker, dispatcher, _slots(tracker))
        if updates and _intent(tracker) != "check_eligibility":
            dispatcher.utter_message(text=t("replies.noted"))
        elif _intent(tracker) == "check_eligibility":
            dispatcher.utter_message(text=t("replies.lets_check"))
        return [SlotSet(k, v) for k, v in updates.items()]


def _confirm(dispatcher: CollectingDispatcher, slots: dict[str, Any], key: str) -> None:
    dispatcher.utter_message(text=t(key, lines="\n".join(F.summary_lines(slots))),
                             buttons=i18n.buttons("summary.confirm_buttons"))


class ActionConfirmFacts(LocalisedAction, Action):
    def name(self) -> Text:
        return "action_confirm_facts"

    async def act(self, dispatcher, tracker, domain) -> List[EventType]:
        _confirm(dispatcher, _slots(tracker), "summary.confirm")
        return []


class ActionAssess(LocalisedAction, Action):
    def name(self) -> Text:
        return "action_assess"

    async def act(self, dispatcher, tracker, domain) -> List[EventType]:
        a = run_assessment(_slots(tracker))
        if a is None:
            dispatcher.utter_message(text=t("replies.assess_failed"))
            return []
        send_verdict(dispatcher, a, _slots(tracker))
        return [SlotSet("assessment", a.model_dump(mode="json"))]


class ActionApplyCorrection(LocalisedAction, Action):
    """'Actually my income was 2.7M': change the fact, then redo what depends on it."""

    def name(self) -> Text:
        return "action_apply_correction"

    async def act(self, dispatcher, tracker, domain) -> List[EventType]:
        slots = _slots(tracker)
        updates, _ = facts_from_message(tracker, dispatcher, slots)
        if not updates:
            dispatcher.utter_message(text=t("correction.ask"))
            return []
        slots.update(updates)
        events: List[EventType] = [SlotSet(k, v) for k, v in updates.items()]
        if any(slots.get(name) is None for name in F.required_slots(slots)):
            # the change needs another answer (e.g. the currency of a new amount): ask it
            dispatcher.utter_message(text=t("correction.changed"))
            return events + [FollowupAction("eligibility_form")]
        if tracker.get_slot("assessment"):
            before = Assessment.model_validate(tracker.get_slot("assessment"))
            after = run_assessment(slots)
            if after is None:
                return events
            diff = M.differences(before, after, i18n.current())
            dispatcher.utter_message(text=t("correction.updated", diff="\n".join(diff)) if diff
                                     else t("correction.same"))
            send_verdict(dispatcher, after, slots)
            events.append(SlotSet("assessment", after.model_dump(mode="json")))
        else:
            _confirm(dispatcher, slots, "summary.confirm_now")
        return events


_APPLY_WORDS = re.compile(r"apply|申请|申請|递交|遞交|入申请|入申請", re.I)
_WORK_WORDS = re.compile(r"experience|worked|work|year|month|工作|经验|經驗|做咗|做了|年|个月|個月", re.I)


def guess_what_if_entities(text: str) -> dict[str, str]:
    """When NLU found no entity in a what-if, look for the one thing the sentence changes."""
    today = F.today()
    if _APPLY_WORDS.search(text) and V.parsing.parse_date(text, today, prefer="future"):
        return {"application_date": text}
    if V.parsing.parse_duration_months(text, today) is not None and _WORK_WORDS.search(text):
        return {"work_duration": text}
    if V.parsing.parse_money(text) is not None:
        return {"income": text}
    return {}


class ActionWhatIf(LocalisedAction, Action):
    """'What if I apply next June?': re-run with the change, keep the real facts as they are."""

    def name(self) -> Text:
        return "action_what_if"

    async def act(self, dispatcher, tracker, domain) -> List[EventType]:
        slots = _slots(tracker)
        changed = dict(slots)
        text = tracker.latest_message.get("text") or ""
        if not is_hypothetical(text) and not text.startswith("/what_if"):
            # the NLU's "what if" on a plain statement ("I earned about 3.2M HKD, all salary"):
            # in the form, the form reads it next (say nothing here); after a verdict it is a
            # correction; before any check it starts one with these facts
            if (tracker.active_loop or {}).get("name"):
                return []
            if tracker.get_slot("assessment"):
                return [FollowupAction("action_apply_correction")]
            events = await ActionCaptureFacts().act(dispatcher, tracker, domain)
            return events + [FollowupAction("eligibility_form")]
        entities = _entities(tracker)
        if not entities:
            entities = guess_what_if_entities(text)
        notes = []
        for entity, value in entities.items():
            slot = ENTITY_SLOTS.get(entity)
            if slot is None:
                continue
            verdict = check_fact(slot, value, changed, None)
            if slot == "income" and verdict.ok:
                verdict.value = V.inherit_kind(verdict.value, slots.get("income"))
                verdict.also = {}
            if verdict.ok:
                changed[slot] = verdict.value
                changed.update({k: v for k, v in verdict.also.items() if v is not None})
                notes.append(slot)
            elif verdict.message:
                dispatcher.utter_message(text=verdict.message)
                return []
        if not notes:
            dispatcher.utter_message(text=t("what_if.ask"))
            return []
        before, after = run_assessment(slots), run_assessment(changed)
        if before is None or after is None:
            dispatcher.utter_message(text=t("what_if.failed"))
            return []
        lang = i18n.current()
        diff = M.differences(before, after, lang)
        if "application_date" in notes and isinstance(changed.get("work_months"), (int, float)):
            diff.append(t("what_if.work_note", months=f"{float(changed['work_months']):g}"))
        what = t("words.and").join(t(f"form.labels.{s}") for s in notes)
        dispatcher.utter_message(
            text=t("what_if.heading", what=what, date=after.application_date.isoformat(),
                   diff="\n".join(diff) if diff else t("what_if.no_change")),
            json_message=M.payload(after, None, lang))
        dispatcher.utter_message(text=M.verdict_text(after, lang))
        return []


# ---------------------------------------------------------------------------------------------
# Control and help


class ActionStartOver(LocalisedAction, Action):
    """'Start over': clears every answer (the language stays) and says so."""

    def name(self) -> Text:
        return "action_start_over"

    async def act(self, dispatcher, tracker, domain) -> List[EventType]:
        dispatcher.utter_message(text=t("replies.restarted"), buttons=i18n.buttons("start_buttons"))
        return [ActiveLoop(None), AllSlotsReset(), SlotSet("language", i18n.current())]


class ActionStop(LocalisedAction, Action):
    def name(self) -> Text:
        return "action_stop"

    async def act(self, dispatcher, tracker, domain) -> List[EventType]:
        dispatcher.utter_message(text=t("replies.stopped"))
        return [ActiveLoop(None), SlotSet("requested_slot", None)]


def _recent_questions(tracker: Tracker, n: int = 3) -> list[str]:
    texts = [e.get("text") for e in tracker.events if e.get("event") == "user" and e.get("text")]
    return [t for t in texts if not t.startswith("/")][-n:]


class ActionHandoff(LocalisedAction, Action):
    def name(self) -> Text:
        return "action_handoff"

    async def act(self, dispatcher, tracker, domain) -> List[EventType]:
        asked = _recent_questions(tracker)
        summary = "\n".join(t("handoff.asked_item", text=q) for q in asked)
        facts = F.summary_lines(_slots(tracker), given_only=True)
        text = t("handoff.text", contact=contact_text())
        if summary:
            text += "\n" + t("handoff.asked") + "\n" + summary
        if facts and any(tracker.get_slot(s) is not None for s in F.FORM_SLOTS):
            text += "\n" + t("handoff.facts") + "\n" + "\n".join(facts)
        dispatcher.utter_message(text=text)
        return []


class ActionFallback(LocalisedAction, Action):
    """Not understood: say so, with choices; the second time in a row, offer a person.

    It never leaves the dialogue waiting for another prediction (which is how a custom
    fallback makes Rasa loop until its circuit breaker trips): in the form it hands back to the
    form, which asks its pending question again; elsewhere it reverts the message, as Rasa's
    own default fallback does, so the conversation is as it was before the message (the
    language chosen for it is set again after the revert)."""

    def name(self) -> Text:
        return "action_fallback"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        language = begin_turn(tracker)
        streak = 0   # messages in a row that were not understood, this one included
        for event in reversed(tracker.events):
            if event.get("event") != "user":
                continue
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            if intent not in ("nlu_fallback", "out_of_scope"):
                break
            streak += 1
        in_form = bool((tracker.active_loop or {}).get("name"))
        if streak >= 3:
            await ActionHandoff().act(dispatcher, tracker, domain)
        elif in_form:
            dispatcher.utter_message(text=t("fallback.in_form"), buttons=i18n.buttons("form.help_buttons"))
        else:
            dispatcher.utter_message(text=t("fallback.outside"), buttons=i18n.buttons("fallback.buttons"))
        if in_form:
            return language + [FollowupAction("eligibility_form")]
        return [UserUtteranceReverted()] + language
