"""The actions around the form: capture, confirmation, verdict, correction, what-if, fallback."""
from actions.actions import (ActionApplyCorrection, ActionAssess, ActionAskSlotIncome,
                             ActionCaptureFacts, ActionConfirmFacts, ActionFallback,
                             ActionHandoff, ActionWhatIf)
from conftest import make_tracker

C_APPLICANT = {"income": [{"amount": "600000", "currency": "HKD", "type": "salary"}],
               "has_degree": True, "university": "Tsinghua University",
               "graduation_date": "2024-07", "work_months": 14.0, "nationality": "CN"}


def slot_events(events):
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


async def test_verdict_carries_the_assessment_payload(dispatcher):
    events = await ActionAssess().run(dispatcher, make_tracker(slots=C_APPLICANT), {})
    payloads = [m["custom"] for m in dispatcher.messages if m.get("custom")]
    assert len(payloads) == 1
    a = payloads[0]["data"]["ttps_assessment"]
    assert a["eligible_categories"] == ["C"]
    assert a["categories"]["A"]["status"] == "not_eligible"
    text = " ".join(m["text"] or "" for m in dispatcher.messages)
    assert "Category C" in text and ("Rule note.4" in text or "Rule criteria." in text)
    assert "2868 3780" in text and "quota" in text
    assert slot_events(events)["assessment"]["eligible_categories"] == ["C"]


async def test_unknown_facts_lead_to_unknown_with_what_to_find_out(dispatcher):
    slots = dict(C_APPLICANT, graduation_date="unknown", income="unknown")
    await ActionAssess().run(dispatcher, make_tracker(slots=slots), {})
    a = dispatcher.messages[0]["custom"]["data"]["ttps_assessment"]
    assert a["categories"]["A"]["status"] == "unknown"
    assert a["categories"]["C"]["status"] == "unknown"
    assert "find out" in dispatcher.messages[1]["text"]


async def test_capture_facts_given_before_asked(dispatcher):
    tracker = make_tracker(text="I'm an MIT grad earning 3M HKD", intent="inform",
                           entities=[{"entity": "university", "value": "MIT"},
                                     {"entity": "income", "value": "3M HKD"}])
    updates = slot_events(await ActionCaptureFacts().run(dispatcher, tracker, {}))
    assert updates["university"] == "Massachusetts Institute of Technology"
    assert updates["has_degree"] is True
    assert updates["income"][0]["amount"] == "3000000"


async def test_confirmation_lists_the_facts(dispatcher):
    await ActionConfirmFacts().run(dispatcher, make_tracker(slots=C_APPLICANT), {})
    text = dispatcher.messages[0]["text"]
    assert "HKD 600,000" in text and "Tsinghua University" in text and "14 months" in text
    assert [b["payload"] for b in dispatcher.messages[0]["buttons"]] == ["/affirm", "/deny"]


async def test_correction_after_verdict_reassesses(dispatcher):
    first = make_tracker(slots=C_APPLICANT)
    events = await ActionAssess().run(dispatcher, first, {})
    slots = dict(C_APPLICANT, assessment=slot_events(events)["assessment"])
    tracker = make_tracker(slots=slots, text="actually my income was 2.7M HKD", intent="correct_fact",
                           entities=[{"entity": "income", "value": "2.7M HKD"}])
    d2 = type(dispatcher)()
    updates = slot_events(await ActionApplyCorrection().run(d2, tracker, {}))
    assert updates["income"][0]["amount"] == "2700000"
    assert updates["income"][0]["type"] == "salary"   # the corrected amount keeps its kind
    assert updates["assessment"]["eligible_categories"] == ["A", "C"]
    assert "eligible" in d2.messages[0]["text"]


async def test_correction_before_verdict_shows_summary_again(dispatcher):
    tracker = make_tracker(slots=C_APPLICANT, text="sorry, I graduated in 2022", intent="correct_fact",
                           entities=[{"entity": "graduation_date", "value": "2022"}])
    updates = slot_events(await ActionApplyCorrection().run(dispatcher, tracker, {}))
    assert updates == {"graduation_date": "2022"}
    assert "Graduated: 2022" in dispatcher.messages[0]["text"]


async def test_what_if_later_application_date(dispatcher):
    slots = dict(C_APPLICANT, graduation_date="2021-07")
    tracker = make_tracker(slots=slots, text="what if I apply in March 2027", intent="what_if",
                           entities=[{"entity": "application_date", "value": "March 2027"}])
    events = await ActionWhatIf().run(dispatcher, tracker, {})
    assert events == []  # the real facts stay as they are
    assert "application date" in dispatcher.messages[0]["text"]
    assert "Category C" in dispatcher.messages[0]["text"]  # 2021 graduate: C ends in 2027
    a = dispatcher.messages[0]["custom"]["data"]["ttps_assessment"]
    assert a["application_date"] == "2027-03-01"


async def test_what_if_income(dispatcher):
    tracker = make_tracker(slots=C_APPLICANT, text="what if my income were HK$3M", intent="what_if",
                           entities=[{"entity": "income", "value": "HK$3M"}])
    await ActionWhatIf().run(dispatcher, tracker, {})
    assert "Category A (high income): not eligible → **eligible**" in dispatcher.messages[0]["text"]


async def test_ask_shows_progress(dispatcher):
    await ActionAskSlotIncome().run(dispatcher, make_tracker(), {})
    assert dispatcher.messages[0]["text"].startswith("(1/")


def _user(intent):
    return {"event": "user", "text": "x", "parse_data": {"intent": {"name": intent}}}


async def test_fallback_offers_choices_then_a_person(dispatcher):
    await ActionFallback().run(dispatcher, make_tracker(events=[_user("nlu_fallback")]), {})
    assert len(dispatcher.messages[0]["buttons"]) == 3
    d2 = type(dispatcher)()
    events = await ActionFallback().run(
        d2, make_tracker(events=[_user("nlu_fallback")] * 3), {})
    assert "2868 3780" in d2.messages[0]["text"]
    # never leaves Rasa predicting again after a fallback (that loops to the circuit breaker)
    assert events == [{"event": "rewind", "timestamp": None}] or events[0]["event"] == "rewind"


async def test_fallback_in_the_form_hands_back_to_the_form(dispatcher):
    events = await ActionFallback().run(
        dispatcher, make_tracker(events=[_user("nlu_fallback")], active_loop="eligibility_form",
                                 requested_slot="income"), {})
    assert events == [{"event": "followup", "timestamp": None, "name": "eligibility_form"}]


async def test_handoff_summarises_what_was_asked(dispatcher):
    events = [{"event": "user", "text": "can my parents come with me?"}]
    await ActionHandoff().run(dispatcher, make_tracker(events=events, slots=C_APPLICANT), {})
    text = dispatcher.messages[0]["text"]
    assert "2868 3780" in text and "can my parents come with me?" in text and "Tsinghua" in text


def test_entity_pieces_of_one_value_are_joined():
    from actions.actions import entity_spans
    msg = {"text": "I'm a Tsinghua grad earning 1.5M RMB, can I apply?",
           "entities": [{"entity": "university", "start": 6, "end": 14, "value": "Tsinghua"},
                        {"entity": "income", "start": 28, "end": 32, "value": "1.5M"},
                        {"entity": "income", "start": 33, "end": 36, "value": "RMB"},
                        {"entity": "university", "start": 6, "end": 14, "value": "Tsinghua"}]}
    assert entity_spans(msg) == {"university": "Tsinghua", "income": "1.5M RMB"}


NONLOCAL_HKU = {"income": [{"amount": "300000", "currency": "HKD", "type": "salary"}],
                "has_degree": True, "university": "The University of Hong Kong",
                "graduation_date": "2026-07", "hk_nonlocal": True, "work_months": 3.0,
                "nationality": "IN"}
INVESTOR = {"income": [{"amount": "4000000", "currency": "HKD", "type": "investment"}],
            "has_degree": False, "nationality": "GB"}


def _routes(dispatcher):
    return next((m["text"] for m in dispatcher.messages
                 if (m.get("text") or "").startswith("**Other routes")), None)


async def test_verdict_names_other_routes_that_fit_side_by_side(dispatcher):
    # a non-local HKU graduate (Category C excludes them) is pointed to IANG, with its attributes
    await ActionAssess().run(dispatcher, make_tracker(slots=NONLOCAL_HKU), {})
    a = dispatcher.messages[0]["custom"]["data"]
    assert a["ttps_assessment"]["categories"]["C"]["status"] == "not_eligible"
    routes = _routes(dispatcher)
    assert routes and "Non-local Graduates (IANG)**: likely to fit" in routes
    assert "Job offer:" in routes and "First stay:" in routes and "Staying on:" in routes
    assert "not a decision" in routes
    card = a["other_schemes"]["schemes"]
    assert card[0]["scheme"] == "IANG" and card[0]["status"] == "likely"
    assert "parameters" not in card[0]["side_by_side"]


async def test_investor_is_pointed_to_new_cies(dispatcher):
    await ActionAssess().run(dispatcher, make_tracker(slots=INVESTOR), {})
    routes = _routes(dispatcher)
    assert routes and "(New CIES)**: can't tell yet" in routes and "net assets" in routes


async def test_no_other_routes_message_when_none_is_suggested(dispatcher):
    await ActionAssess().run(dispatcher, make_tracker(slots=dict(C_APPLICANT, income=[
        {"amount": "3200000", "currency": "HKD", "type": "salary"}])), {})
    assert _routes(dispatcher) is None
    assert "other_schemes" not in dispatcher.messages[0]["custom"]["data"]


async def test_a_mainland_engineer_with_a_job_offer_is_pointed_to_asmtp(dispatcher):
    slots = {"income": [{"amount": "400000", "currency": "CNY", "type": "salary"}],
             "has_degree": True, "university": "Henan University of Technology",
             "graduation_date": "2018-07", "work_months": 80.0,
             "nationality": "CN-MAINLAND", "hk_job_offer": True}
    await ActionAssess().run(dispatcher, make_tracker(slots=slots), {})
    routes = _routes(dispatcher)
    assert routes and "(ASMTP)**: likely to fit" in routes
    assert "(GEP)" not in routes.split("**: likely")[0]
    card = dispatcher.messages[0]["custom"]["data"]["other_schemes"]["schemes"]
    assert card[0]["scheme"] == "ASMTP"


async def test_summary_shows_a_job_offer_when_said(dispatcher):
    await ActionConfirmFacts().run(dispatcher, make_tracker(slots=dict(C_APPLICANT, hk_job_offer=True)), {})
    assert "Job offer in Hong Kong: yes" in dispatcher.messages[0]["text"]


async def test_why_the_income_question_gives_the_threshold_in_force(dispatcher):
    from actions.actions import ActionClarify
    tracker = make_tracker(requested_slot="income", active_loop="eligibility_form", text="why?")
    await ActionClarify().run(dispatcher, tracker, {})
    assert "HK$2.5 million or more" in dispatcher.messages[0]["text"]


# The NLU sometimes takes a plain statement for a what-if ("what_if" at 0.54 for the sentence below)
PLAIN = "I earned about 3.2 million HKD, all salary"


async def test_a_plain_statement_taken_for_a_what_if_is_left_to_the_form(dispatcher):
    from actions.actions import ValidateEligibilityForm, _fresh_message, facts_from_message
    events = [{"event": "user", "text": PLAIN}, {"event": "action", "name": "action_what_if"}]
    tracker = make_tracker(text=PLAIN, intent="what_if", requested_slot="income",
                           active_loop="eligibility_form", events=events)
    assert await ActionWhatIf().run(dispatcher, tracker, {}) == []
    assert dispatcher.messages == []
    assert _fresh_message(tracker)            # so the form, next by rule, reads the message
    updates, verdict = facts_from_message(tracker, dispatcher, {}, "income")
    assert verdict.ok and updates["income"][0]["amount"] == "3200000"
    assert updates["income"][0]["type"] == "salary"


async def test_a_plain_statement_after_the_verdict_is_a_correction(dispatcher):
    tracker = make_tracker(slots=dict(C_APPLICANT, assessment={"x": 1}), text=PLAIN, intent="what_if")
    events = await ActionWhatIf().run(dispatcher, tracker, {})
    assert events == [{"event": "followup", "timestamp": None, "name": "action_apply_correction"}]


async def test_a_plain_statement_before_any_check_starts_one(dispatcher):
    tracker = make_tracker(text=PLAIN, intent="what_if")
    events = await ActionWhatIf().run(dispatcher, tracker, {})
    assert slot_events(events)["income"][0]["amount"] == "3200000"
    assert events[-1]["name"] == "eligibility_form"


async def test_a_real_what_if_in_the_form_still_answers(dispatcher):
    from actions.actions import _fresh_message
    events = [{"event": "user", "text": "what if I apply next June?"},
              {"event": "action", "name": "action_what_if"}, {"event": "bot", "text": "What if"}]
    tracker = make_tracker(slots=C_APPLICANT, text="what if I apply next June?", intent="what_if",
                           active_loop="eligibility_form", requested_slot="nationality", events=events)
    await ActionWhatIf().run(dispatcher, tracker, {})
    assert "What if" in dispatcher.messages[0]["text"]
    assert not _fresh_message(tracker)        # answered: the form does not read it again


async def test_start_over_said_inside_an_answer_clears_the_answers(dispatcher):
    # the NLU took it for an answer (inform); the words still ask to start over
    from actions.actions import ValidateEligibilityForm
    text = "wait, let's start over, I was answering for my husband"
    events = [{"event": "user", "text": text}]
    tracker = make_tracker(slots={"income": [{"amount": "300000", "currency": "HKD", "type": "salary"}],
                                  "has_degree": True},
                           text=text, intent="inform", requested_slot="university",
                           active_loop="eligibility_form", events=events)
    out = slot_events(await ValidateEligibilityForm().run(dispatcher, tracker, {}))
    assert out["income"] is None and out["has_degree"] is None and out["university"] is None
    assert out["requested_slot"] == "income"
    assert "start again" in dispatcher.messages[0]["text"]


async def test_starting_again_somewhere_else_is_an_answer_not_a_restart(dispatcher):
    from actions.actions import ValidateEligibilityForm
    text = "I had to start again at a new company, about 2 years now"
    tracker = make_tracker(slots={"has_degree": True, "university": "Fudan University",
                                  "graduation_date": "2022"},
                           text=text, intent="inform", requested_slot="work_months",
                           active_loop="eligibility_form", events=[{"event": "user", "text": text}])
    out = slot_events(await ValidateEligibilityForm().run(dispatcher, tracker, {}))
    assert out.get("university", "kept") == "kept" and out["work_months"] is not None


async def test_a_later_graduation_date_rechecks_the_work_already_given(dispatcher):
    # 60 months "since graduating" cannot follow a 2022 degree: the work question comes back
    slots = dict(C_APPLICANT, graduation_date="2019", work_months=60.0)
    tracker = make_tracker(slots=slots, text="wait, sorry, I actually graduated in 2022, not 2019",
                           intent="correct_fact")
    events = await ActionApplyCorrection().run(dispatcher, tracker, {})
    updates = slot_events(events)
    assert updates["graduation_date"] == "2022" and updates["work_months"] is None
    assert "only work after graduating counts" in dispatcher.messages[0]["text"]
    assert events[-1]["name"] == "eligibility_form"


async def test_a_graduation_date_that_still_fits_keeps_the_work(dispatcher):
    slots = dict(C_APPLICANT, graduation_date="2019", work_months=20.0)
    tracker = make_tracker(slots=slots, text="actually I graduated in 2022", intent="correct_fact")
    updates = slot_events(await ActionApplyCorrection().run(dispatcher, tracker, {}))
    assert updates["graduation_date"] == "2022" and "work_months" not in updates
