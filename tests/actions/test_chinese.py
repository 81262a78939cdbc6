"""Chinese conversations at the action level: answers to every question in Simplified and
Traditional Chinese (Cantonese too) are understood, and every reply is in the person's script."""
import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions import i18n
from actions.actions import (ActionAssess, ActionConfirmFacts, ActionFallback, ActionHandoff,
                             ActionRestart, ActionStartOver, ActionSwitchLanguage, ASK_ACTIONS,
                             REPLY_ACTIONS, ValidateEligibilityForm)
from actions import facts as F
from actions.faq import ActionAnswerFaq, faq_text
from actions.language import analyse
from conftest import make_tracker

HANS, HANT = "zh-Hans", "zh-Hant"
INCOME = [{"amount": "2000000", "currency": "CNY", "type": None}]
GRADUATE = {"income": [{"amount": "600000", "currency": "HKD", "type": "salary"}], "has_degree": True,
            "university": "Tsinghua University", "graduation_date": "2019"}
HK_GRADUATE = dict(GRADUATE, university="The University of Hong Kong", work_months=30.0)


def slot_events(events):
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def texts(dispatcher):
    return [m["text"] for m in dispatcher.messages if m.get("text")]


def in_script(text, lang):
    found, certain = analyse(text)
    return found == lang or (found == HANS and not certain)


async def answer(slot, text, slots=None, language=None):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots=dict(slots or {}, language=language), text=text, intent="inform",
                           requested_slot=slot, active_loop="eligibility_form",
                           events=[{"event": "user", "text": text}])
    events = await ValidateEligibilityForm().run(dispatcher, tracker, {})
    return slot_events(events), dispatcher


@pytest.mark.parametrize("slot, text, slots, expected, lang", [
    ("income", "年薪200万人民币", {}, [{"amount": "2000000", "currency": "CNY", "type": "salary"}], HANS),
    ("income", "月薪八万港币", {}, [{"amount": "960000", "currency": "HKD", "type": "salary"}], HANS),
    ("income", "年薪兩百萬港幣", {}, [{"amount": "2000000", "currency": "HKD", "type": "salary"}], HANT),
    ("income", "月入5万人民币", {}, [{"amount": "600000", "currency": "CNY", "type": None}], HANS),
    ("income", "年薪200萬蚊", {}, [{"amount": "2000000", "currency": "HKD", "type": "salary"}], HANT),
    ("income", "月人工八萬港紙", {}, [{"amount": "960000", "currency": "HKD", "type": "salary"}], HANT),
    ("income", "年薪1.5亿日元", {}, [{"amount": "150000000", "currency": "JPY", "type": "salary"}], HANS),
    ("income", "没有收入", {}, [{"amount": "0", "currency": "HKD", "type": "salary"}], HANS),
    ("income", "冇收入", {}, [{"amount": "0", "currency": "HKD", "type": "salary"}], HANT),
    ("income", "不知道", {}, "unknown", HANS),
    ("income", "唔知", {}, "unknown", HANT),
    ("income_currency", "人民币", {"income": [{"amount": "2000000", "currency": None, "type": None}]}, "CNY", HANS),
    ("income_currency", "港幣", {"income": [{"amount": "2000000", "currency": None, "type": None}]}, "HKD", HANT),
    ("income_type", "工资", {"income": INCOME}, "salary", HANS),
    ("income_type", "全部都係人工", {"income": INCOME}, "salary", HANT),
    ("income_type", "投資收入", {"income": INCOME}, "investment", HANT),
    ("income_shares", "是的", {"income": INCOME}, True, HANS),
    ("income_shares", "唔係", {"income": INCOME}, False, HANT),
    ("has_degree", "有", {}, True, HANS),
    ("has_degree", "冇", {}, False, HANT),
    ("has_degree", "係", {}, True, HANT),
    ("has_degree", "唔係", {}, False, HANT),
    ("has_degree", "是的", {}, True, HANS),
    ("has_degree", "没有", {}, False, HANS),
    ("has_degree", "只有硕士", {}, False, HANS),
    ("has_degree", "只有碩士", {}, False, HANT),
    ("university", "清华大学", {"has_degree": True}, "Tsinghua University", HANS),
    ("university", "清華大學", {"has_degree": True}, "Tsinghua University", HANT),
    ("university", "港科大", {"has_degree": True}, "The Hong Kong University of Science and Technology", HANS),
    ("university", "香港大學", {"has_degree": True}, "The University of Hong Kong", HANT),
    ("university", "不知道", {"has_degree": True}, "unknown", HANS),
    ("graduation_date", "2020年6月毕业", {"has_degree": True, "university": "Tsinghua University"}, "2020-06", HANS),
    ("graduation_date", "二零一九年毕业", {"has_degree": True, "university": "Tsinghua University"}, "2019", HANS),
    ("graduation_date", "一九年畢業", {"has_degree": True, "university": "Tsinghua University"}, "2019", HANT),
    ("graduation_date", "去年6月", {"has_degree": True, "university": "Tsinghua University"}, "2025-06", HANS),
    ("graduation_date", "唔知", {"has_degree": True, "university": "Tsinghua University"}, "unknown", HANT),
    ("graduation_date", "19年", {"has_degree": True, "university": "Tsinghua University"}, "2019", HANS),
    ("graduation_date", "2019年夏天", {"has_degree": True, "university": "Tsinghua University"}, "2019-07", HANS),
    ("work_months", "三年半", GRADUATE, 42.0, HANS),
    ("work_months", "做咗兩年", GRADUATE, 24.0, HANT),
    ("work_months", "18个月", GRADUATE, 18.0, HANS),
    ("work_months", "没有工作经验", GRADUATE, 0.0, HANS),
    ("work_months", "冇", GRADUATE, 0.0, HANT),
    ("work_months", "兩年多", GRADUATE, 25.0, HANT),
    ("work_months", "差唔多四年", GRADUATE, 48.0, HANT),
    ("work_months", "一年半", GRADUATE, 18.0, HANS),
    ("work_months", "兩年零三個月", GRADUATE, 27.0, HANT),
    ("hk_nonlocal", "是", HK_GRADUATE, True, HANS),
    ("hk_nonlocal", "不是", HK_GRADUATE, False, HANS),
    ("hk_nonlocal", "係", HK_GRADUATE, True, HANT),
    ("hk_nonlocal", "唔係，我係本地生", HK_GRADUATE, False, HANT),
    ("nationality", "中国", GRADUATE, "CN", HANS),
    ("nationality", "英国籍", GRADUATE, "GB", HANS),
    ("nationality", "我是中国人", GRADUATE, "CN", HANS),
    ("nationality", "美國", GRADUATE, "US", HANT),
    ("nationality", "跳過", GRADUATE, "skipped", HANT),
    # a Hong Kong permanent resident is told by the engine that the scheme is not for them;
    # the reader only records it ("中國籍香港居民", a Chinese citizen living in Hong Kong, is asked)
    ("nationality", "中國香港永久居民", GRADUATE, "HK", HANT),
])
async def test_chinese_answer_to_each_question(slot, text, slots, expected, lang):
    updates, dispatcher = await answer(slot, text, slots)
    assert updates[slot] == expected
    assert updates["language"] == lang
    for said in texts(dispatcher):   # a note on the answer, if any, is in the person's script
        assert in_script(said, lang), said


@pytest.mark.parametrize("slot, text, slots, key, lang", [
    ("income", "很多钱", {}, "check.income_no_amount", HANS),
    ("income", "好多錢", {}, "check.income_no_amount", HANT),
    ("has_degree", "我想想", {}, "check.has_degree", HANS),
    ("graduation_date", "很久以前", {"has_degree": True, "university": "Tsinghua University"},
     "check.graduation_no_date", HANS),
    ("graduation_date", "好耐之前", {"has_degree": True, "university": "Tsinghua University"},
     "check.graduation_no_date", HANT),
    ("work_months", "做咗好耐", GRADUATE, "check.work_not_understood", HANT),
    ("hk_nonlocal", "可能吧", HK_GRADUATE, "check.yes_no", HANS),
    ("nationality", "火星人", GRADUATE, "check.nationality_unknown", HANS),
])
async def test_a_chinese_answer_that_does_not_check_out_is_asked_again_in_chinese(slot, text, slots, key, lang):
    updates, dispatcher = await answer(slot, text, slots)
    assert updates.get(slot) is None and updates["language"] == lang
    assert texts(dispatcher) == [i18n.t(key, lang)]
    buttons = dispatcher.messages[0]["buttons"]
    assert buttons and all(in_script(b["title"], lang) or b["title"].isascii() for b in buttons)


@pytest.mark.parametrize("lang", [HANS, HANT, "en"])
@pytest.mark.parametrize("ask", ASK_ACTIONS, ids=lambda a: a.slot)
async def test_every_question_in_each_language(ask, lang):
    dispatcher = CollectingDispatcher()
    slots = dict(HK_GRADUATE, language=lang, income=INCOME)
    await ask().run(dispatcher, make_tracker(slots=slots, text="", active_loop="eligibility_form"), {})
    text = dispatcher.messages[0]["text"]
    if ask.slot not in ("income_currency", "income_type"):   # those name the amount
        assert i18n.t(f"form.ask.{ask.slot}", lang) in text
    if lang != "en":
        assert in_script(text, lang), text
        for b in dispatcher.messages[0]["buttons"]:
            assert b["title"].isascii() and len(b["title"]) <= 3 or in_script(b["title"], lang), b


async def test_a_latin_answer_keeps_the_chinese_conversation():
    updates, dispatcher = await answer("university", "MIT", {"has_degree": True}, language=HANT)
    assert updates["university"] == "Massachusetts Institute of Technology"
    assert "language" not in updates
    updates, _ = await answer("income", "HK$3M", {}, language=HANS)
    assert updates["income"][0]["amount"] == "3000000" and "language" not in updates


async def test_an_english_sentence_switches_to_english():
    updates, _ = await answer("income", "I earn about 3 million HKD a year", {}, language=HANS)
    assert updates["language"] == "en"


@pytest.mark.parametrize("text, lang", [("你好", HANS), ("你好，我想申請高才通", HANT), ("哈囉，我想問下", HANT),
                                        ("hello", "en")])
async def test_greeting_in_the_language_written(text, lang):
    dispatcher = CollectingDispatcher()
    greet = next(a for a in REPLY_ACTIONS if a.action == "action_greet")
    events = await greet().run(dispatcher, make_tracker(slots={"language": None}, text=text, intent="greet"), {})
    assert slot_events(events) == {"language": lang}
    assert dispatcher.messages[0]["text"] == i18n.t("greet.text", lang)
    payloads = [b["payload"] for b in dispatcher.messages[0]["buttons"]]
    assert "/check_eligibility" in payloads
    # the language choice: the two other languages, never the current one
    offered = {p.split('"')[-2] for p in payloads if p.startswith("/switch_language")}
    assert len(offered) == 2 and lang not in offered


@pytest.mark.parametrize("text, previous, lang", [
    ('/greet{"language":"zh-Hans"}', None, HANS),    # the WeChat channel's new follower
    ('/greet{"language":"zh-Hant"}', None, HANT),
    ('/greet{"language":"zh-Hant"}', "en", "en"),    # a conversation's own language wins
    ('/greet{"language":"fr"}', None, "en"),         # not a locale: no hint
])
async def test_a_payload_language_is_a_hint_before_the_conversation_has_one(text, previous, lang):
    dispatcher = CollectingDispatcher()
    greet = next(a for a in REPLY_ACTIONS if a.action == "action_greet")
    entities = [{"entity": "language", "value": text.split('"')[-2]}]
    tracker = make_tracker(slots={"language": previous}, text=text, intent="greet", entities=entities)
    events = await greet().run(dispatcher, tracker, {})
    assert slot_events(events).get("language", previous) == lang
    assert dispatcher.messages[0]["text"] == i18n.t("greet.text", lang)


async def test_a_language_said_in_typed_text_is_no_hint():
    """'I'm Chinese' may carry the entity language; only a payload is a channel's hint."""
    dispatcher = CollectingDispatcher()
    greet = next(a for a in REPLY_ACTIONS if a.action == "action_greet")
    tracker = make_tracker(slots={"language": None}, text="hello, I speak Chinese", intent="greet",
                           entities=[{"entity": "language", "value": "Chinese"}])
    events = await greet().run(dispatcher, tracker, {})
    assert slot_events(events) == {"language": "en"}


@pytest.mark.parametrize("entity, text, previous, lang", [
    ("zh-Hant", '/switch_language{"language":"zh-Hant"}', "en", HANT),
    ("en", '/switch_language{"language":"en"}', HANS, "en"),
    ("繁體", "繁體", HANS, HANT),
    ("English", "English please", HANT, "en"),
    ("简体", "请用简体", HANT, HANS),
    ("廣東話", "講廣東話", "en", HANT),
    (None, "中文", "en", HANS),
    (None, "我想用英文", HANS, "en"),
    # several languages named: the one asked for, not the one described as weak
    ("英文", "不好意思 我英文不太好 能用中文跟我说吗", "en", HANS),
    ("英文", "我唔識英文 可唔可以講廣東話", "en", HANT),
    ("中文", "我中文不太好，可以用英文吗", HANS, "en"),
    ("Chinese", "my Chinese is poor, English please", HANT, "en"),
])
async def test_switch_language(entity, text, previous, lang):
    dispatcher = CollectingDispatcher()
    entities = [{"entity": "language", "value": entity}] if entity else []
    tracker = make_tracker(slots={"language": previous}, text=text, intent="switch_language", entities=entities)
    events = await ActionSwitchLanguage().run(dispatcher, tracker, {})
    assert slot_events(events) == {"language": lang}
    assert texts(dispatcher) == [i18n.t("language.switched", lang)]


async def test_switch_in_the_form_then_the_question_in_the_new_language():
    """The rule runs the form after the switch: it asks the pending question again in the new
    language, although the message ("请说英文") was written in Chinese."""
    tracker = make_tracker(slots={"language": "en"}, text="请说英文", intent="switch_language",
                           entities=[{"entity": "language", "value": "英文"}],
                           requested_slot="income", active_loop="eligibility_form")
    dispatcher = CollectingDispatcher()
    events = await ActionSwitchLanguage().run(dispatcher, tracker, {})
    assert slot_events(events) == {"language": "en"}
    tracker = make_tracker(slots={"language": "en"}, text="请说英文", intent="switch_language",
                           requested_slot="income", active_loop="eligibility_form")
    dispatcher = CollectingDispatcher()
    events = await ASK_ACTIONS[0]().run(dispatcher, tracker, {})
    assert "language" not in slot_events(events)
    assert i18n.t("form.ask.income", "en") in dispatcher.messages[0]["text"]


async def test_unknown_language_offers_the_three():
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots={"language": HANS}, text="换一种语言", intent="switch_language")
    events = await ActionSwitchLanguage().run(dispatcher, tracker, {})
    assert "language" not in slot_events(events)
    assert texts(dispatcher) == [i18n.t("language.which", HANS)]
    assert len(dispatcher.messages[0]["buttons"]) == 3


async def test_start_over_and_restart_keep_the_language():
    for action, key in ((ActionStartOver, "replies.restarted"), (ActionRestart, "replies.restart")):
        dispatcher = CollectingDispatcher()
        events = await action().run(dispatcher, make_tracker(slots=dict(GRADUATE, language=HANT),
                                                             text="重新開始", intent="start_over"), {})
        assert texts(dispatcher) == [i18n.t(key, HANT)]
        kinds = [e["event"] for e in events]
        reset = kinds.index("reset_slots") if "reset_slots" in kinds else kinds.index("restart")
        assert events[-1] == {"event": "slot", "name": "language", "value": HANT, "timestamp": None}
        assert reset < len(events) - 1


@pytest.mark.parametrize("lang", [HANS, HANT])
async def test_summary_and_verdict_in_chinese(lang):
    slots = dict(GRADUATE, work_months=14.0, nationality="CN", language=lang)
    dispatcher = CollectingDispatcher()
    await ActionConfirmFacts().run(dispatcher, make_tracker(slots=slots, text="", intent="inform"), {})
    summary = dispatcher.messages[0]["text"]
    assert in_script(summary, lang) and "600,000" in summary and "14" in summary
    assert [b["title"] for b in dispatcher.messages[0]["buttons"]] == \
        [b["title"] for b in i18n.buttons("summary.confirm_buttons", lang)]
    dispatcher = CollectingDispatcher()
    await ActionAssess().run(dispatcher, make_tracker(slots=slots, text="是", intent="affirm"), {})
    card = dispatcher.messages[0]["custom"]["data"]["ttps_assessment"]
    assert card["lang"] == lang
    for said in texts(dispatcher):
        assert in_script(said.replace("Tsinghua University", ""), lang), said


@pytest.mark.parametrize("lang, text, handoff", [(HANS, "你好吗？啊啊啊", "转人工"), (HANT, "咩嚟㗎？", "我想搵真人")])
async def test_fallback_and_handoff_in_chinese(lang, text, handoff):
    dispatcher = CollectingDispatcher()
    await ActionFallback().run(dispatcher, make_tracker(slots={"language": None}, text=text,
                                                        intent="nlu_fallback"), {})
    assert texts(dispatcher) == [i18n.t("fallback.outside", lang)]
    dispatcher = CollectingDispatcher()
    await ActionHandoff().run(dispatcher, make_tracker(slots=dict(GRADUATE, language=lang),
                                                       text=handoff, intent="human_handoff"), {})
    said = texts(dispatcher)[0]
    assert said.startswith(i18n.t("handoff.text", lang, contact="")[:4])
    assert i18n.t("handoff.facts", lang) in said


@pytest.mark.parametrize("lang, text", [(HANS, "申请费是多少？"), (HANT, "申請費係幾多？")])
async def test_faq_answer_in_chinese(lang, text):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots={"language": None}, text=text, intent="faq")
    tracker.latest_message["response_selector"] = {
        "faq": {"response": {"intent_response_key": "faq/fees", "confidence": 0.9}}}
    events = await ActionAnswerFaq().run(dispatcher, tracker, {})
    assert slot_events(events) == {"language": lang}
    assert in_script(texts(dispatcher)[0], lang)


@pytest.mark.parametrize("text, span, intent, active_loop, expected", [
    # the persona's first message: the model reads it as the non-local FAQ
    ("你好 我是香港城市大学的毕业生 想问能不能申请高才通", "香港城市大学", "faq", None,
     {"university": "City University of Hong Kong", "has_degree": True}),
    ("我係港大畢業嘅，想問申請費係幾多？", "港大", "faq", None,
     {"university": "The University of Hong Kong", "has_degree": True}),
    ("I'm an MIT grad, how much is the fee?", "MIT", "faq", None,
     {"university": "Massachusetts Institute of Technology", "has_degree": True}),
    ("hi, can I apply for the HK talent pass with a degree from Sunway College in Malaysia?", "Sunway", "faq",
     None, {"university": "Sunway College", "has_degree": True}),
    # asking about a university is no statement about the person; nor is a what-if
    ("城大算不算合资格大学", "城大", "faq", None, {}),
    ("does CityU count?", "CityU", "faq", None, {}),
    # inside the form the form reads the message itself
    ("我是香港城市大学的毕业生 想问能不能申请高才通", "香港城市大学", "faq", "eligibility_form", {}),
])
async def test_facts_stated_in_a_faq_question_are_kept_with_the_answer(text, span, intent, active_loop, expected):
    dispatcher = CollectingDispatcher()
    start = text.index(span)
    tracker = make_tracker(slots={"language": None}, text=text, intent=intent, active_loop=active_loop,
                           entities=[{"entity": "university", "value": span, "start": start, "end": start + len(span)}],
                           events=[{"event": "user", "text": text}])
    tracker.latest_message["response_selector"] = {
        "faq": {"response": {"intent_response_key": "faq/nonlocal_iang", "confidence": 0.9}}}
    updates = slot_events(await ActionAnswerFaq().run(dispatcher, tracker, {}))
    lang = updates.pop("language")
    assert updates == expected
    said = texts(dispatcher)
    assert said[0] == faq_text(tracker.latest_message, F.today(), lang)   # the answer stays
    assert (i18n.t("replies.noted", lang) in said) == bool(expected)


@pytest.mark.parametrize("text, span, lang, expected", [
    ("你好，我是清华大学毕业的", "清华大学", HANS, {"university": "Tsinghua University", "has_degree": True}),
    ("hi, I'm an MIT grad earning 3M HKD", "MIT", "en",
     {"university": "Massachusetts Institute of Technology", "has_degree": True}),
    ("你好", None, HANS, {}),
])
async def test_facts_stated_in_a_greeting_are_kept(text, span, lang, expected):
    dispatcher = CollectingDispatcher()
    entities = [{"entity": "university", "value": span, "start": text.index(span),
                 "end": text.index(span) + len(span)}] if span else []
    tracker = make_tracker(slots={"language": None}, text=text, intent="greet", entities=entities,
                           events=[{"event": "user", "text": text}])
    greet = next(a for a in REPLY_ACTIONS if a().name() == "action_greet")
    updates = slot_events(await greet().run(dispatcher, tracker, {}))
    assert updates.pop("language") == lang
    assert {k: updates.get(k) for k in expected} == expected
    if not expected:
        assert updates == {}
    said = texts(dispatcher)
    assert said[0] == i18n.t("greet.text", lang)
    assert (i18n.t("replies.noted", lang) in said) == bool(expected)


@pytest.mark.parametrize("text, day, said", [
    ("2024年的申请费是多少？", "2024-12-31", "2024"),
    ("2025年2月嘅申請費係幾多？", "2025-02-28", "2025年2月"),
    ("去年的费用是多少", "2025-12-31", "2025"),
    ("申请费是多少？", None, None),
])
def test_faq_date_asked_in_chinese(text, day, said):
    import datetime as dt
    from actions.faq import day_asked
    i18n.use(HANS)
    found = day_asked(text, dt.date(2026, 11, 25))
    if day is None:
        assert found is None
    else:
        assert found[0].isoformat() == day and found[3] == said


@pytest.mark.parametrize("lang, text, changed", [
    (HANS, "如果我明年6月申请呢？", "2027-06-01"),
    (HANT, "如果我2027年3月先申請呢？", "2027-03-01"),
])
async def test_what_if_in_chinese(lang, text, changed):
    from actions.actions import ActionWhatIf
    slots = dict(GRADUATE, work_months=14.0, nationality="CN", language=lang)
    dispatcher = CollectingDispatcher()
    await ActionWhatIf().run(dispatcher, make_tracker(slots=slots, text=text, intent="what_if"), {})
    card = dispatcher.messages[0]["custom"]["data"]["ttps_assessment"]
    assert card["application_date"] == changed and card["lang"] == lang
    assert all(in_script(said, lang) for said in texts(dispatcher))


@pytest.mark.parametrize("lang, text", [(HANS, "其实我是2022年毕业的"), (HANT, "其實我2022年先畢業")])
async def test_correction_in_chinese(lang, text):
    from actions.actions import ActionApplyCorrection
    slots = dict(GRADUATE, work_months=14.0, nationality="CN", language=lang)
    dispatcher = CollectingDispatcher()
    events = await ActionApplyCorrection().run(dispatcher, make_tracker(slots=slots, text=text,
                                                                         intent="correct_fact"), {})
    assert slot_events(events)["graduation_date"] == "2022"
    assert texts(dispatcher)[0].startswith(i18n.t("summary.confirm_now", lang, lines="")[:5])


@pytest.mark.parametrize("text", ["等等，我想重新开始", "唔該由頭嚟過"])
async def test_start_over_said_in_chinese_inside_the_form(text):
    updates, dispatcher = await answer("university", text, {"has_degree": True, "income": "unknown"})
    assert updates["income"] is None and updates["requested_slot"] == "income"


@pytest.mark.parametrize("text, nationality", [("Chinese", "CN"), ("English", "GB"), ("I'm Chinese", "CN")])
async def test_a_nationality_taken_for_a_language_is_the_answer(text, nationality):
    """At the nationality question, "Chinese" is a nationality even if the NLU reads a switch."""
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots=dict(GRADUATE, language="en"), text=text, intent="switch_language",
                           entities=[{"entity": "language", "value": text}],
                           requested_slot="nationality", active_loop="eligibility_form")
    events = slot_events(await ActionSwitchLanguage().run(dispatcher, tracker, {}))
    assert events["nationality"] == nationality and "language" not in events
    assert dispatcher.messages == []


async def test_a_language_request_at_the_nationality_question_switches():
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots=dict(GRADUATE, language="en"), text="Chinese please", intent="switch_language",
                           entities=[{"entity": "language", "value": "Chinese"}],
                           requested_slot="nationality", active_loop="eligibility_form")
    events = slot_events(await ActionSwitchLanguage().run(dispatcher, tracker, {}))
    assert events == {"language": HANS}


async def test_ambiguous_university_asked_back_with_chinese_names():
    updates, dispatcher = await answer("university", "交通大学", {"has_degree": True})
    assert updates.get("university") is None and updates["language"] == HANS
    titles = [b["title"] for b in dispatcher.messages[0]["buttons"]]
    assert "上海交通大学" in titles and "西安交通大学" in titles
    # choosing one sends the registry's name, which keeps the conversation in Chinese
    payload = next(b["payload"] for b in dispatcher.messages[0]["buttons"] if b["title"] == "上海交通大学")
    updates, _ = await answer("university", payload, {"has_degree": True}, language=HANS)
    assert updates["university"] == "Shanghai Jiao Tong University" and "language" not in updates


@pytest.mark.parametrize("text, expected", [
    ("我也不太清楚", "unknown"),
    ("唔知呀", "unknown"),
    ("我不知道我的大学在不在名单上，我读的是清华大学", "Tsinghua University"),
])
async def test_dont_know_in_chinese_is_the_whole_answer_not_a_word_in_a_long_one(text, expected):
    updates, _ = await answer("university", text, {"has_degree": True})
    assert updates["university"] == expected


@pytest.mark.parametrize("slot, text, expected", [
    ("university", "清华大学本科2020年毕业", {"university": "Tsinghua University", "graduation_date": "2020"}),
    ("income", "我年薪200万人民币，清华大学2019年毕业，工作了五年，中国籍",
     {"university": "Tsinghua University", "graduation_date": "2019", "work_months": 60.0, "nationality": "CN"}),
    ("income", "月薪八萬港幣，港大畢業，做咗兩年",
     {"university": "The University of Hong Kong", "work_months": 24.0}),
    ("has_degree", "有，復旦大學2018年畢業", {"university": "Fudan University", "graduation_date": "2018"}),
    ("income", "我是英国籍，年收入300万港币", {"nationality": "GB"}),
])
async def test_several_facts_in_one_chinese_message(slot, text, expected):
    """The issue's "清华大学本科2020年毕业": the graduation year is not asked again."""
    updates, dispatcher = await answer(slot, text)
    assert {k: updates.get(k) for k in expected} == expected
    if "graduation_date" in expected:
        assert updates["requested_slot"] != "graduation_date"


@pytest.mark.parametrize("slot, text, spans, expected", [
    # the entities the model gives for these answers: the Latin short form, with Chinese around it
    ("has_degree", "有degree 喺UBC讀嘅", ["UBC"], "University of British Columbia"),
    ("has_degree", "本科是USTC 中科大", ["USTC", "中科大"], "University of Science and Technology of China"),
    ("university", "本科是USTC 中科大", ["USTC", "中科大"], "University of Science and Technology of China"),
])
async def test_a_latin_university_entity_in_chinese_is_not_widened_over_the_chinese(slot, text, spans, expected):
    """"喺UBC讀嘅" is not a university name: the name is UBC, and the question is not asked again."""
    dispatcher = CollectingDispatcher()
    entities = [{"entity": "university", "value": s, "start": text.index(s), "end": text.index(s) + len(s)}
                for s in spans]
    slots = {"has_degree": True} if slot == "university" else {}
    tracker = make_tracker(slots=dict(slots, language=None), text=text, intent="inform", entities=entities,
                           requested_slot=slot, active_loop="eligibility_form",
                           events=[{"event": "user", "text": text}])
    updates = slot_events(await ValidateEligibilityForm().run(dispatcher, tracker, {}))
    assert updates["university"] == expected
    assert updates["requested_slot"] not in ("university", "has_degree")
    assert dispatcher.messages == []


@pytest.mark.parametrize("text, span, expected", [
    ("清华大学本科2020年毕业", "清华", "Tsinghua University"),
    ("我喺港大讀書", "港大", "The University of Hong Kong"),
])
async def test_nlu_university_entity_in_chinese_is_not_widened_to_the_sentence(text, span, expected):
    dispatcher = CollectingDispatcher()
    start = text.index(span)
    tracker = make_tracker(slots={"has_degree": True, "language": None}, text=text, intent="inform",
                           entities=[{"entity": "university", "value": span, "start": start, "end": start + len(span)}],
                           requested_slot="university", active_loop="eligibility_form",
                           events=[{"event": "user", "text": text}])
    updates = slot_events(await ValidateEligibilityForm().run(dispatcher, tracker, {}))
    assert updates["university"] == expected


async def test_an_ambiguous_chinese_short_form_is_asked_back():
    dispatcher = CollectingDispatcher()
    text = "我係中大畢業嘅"
    tracker = make_tracker(slots={"has_degree": True, "language": None}, text=text, intent="inform",
                           entities=[{"entity": "university", "value": "中大", "start": 2, "end": 4}],
                           requested_slot="university", active_loop="eligibility_form",
                           events=[{"event": "user", "text": text}])
    updates = slot_events(await ValidateEligibilityForm().run(dispatcher, tracker, {}))
    assert updates.get("university") is None and updates["language"] == HANT
    titles = [b["title"] for b in dispatcher.messages[0]["buttons"]]
    assert "香港中文大學" in titles


@pytest.mark.parametrize("slot, text, slots, expected", [
    ("has_degree", "没有本科学历", {}, {"has_degree": False}),
    ("has_degree", "冇本科 得個大專", {}, {"has_degree": False}),
    ("has_degree", "没有本科，只有大专", {}, {"has_degree": False}),
    ("has_degree", "有 港科大", {}, {"has_degree": True, "university": "The Hong Kong University of Science and Technology"}),
    ("has_degree", "有degree 喺NUS讀", {}, {"has_degree": True, "university": "National University of Singapore"}),
    ("has_degree", "本科读的是USTC", {}, {"has_degree": True, "university": "University of Science and Technology of China"}),
    ("has_degree", "有 浙江工业大学", {}, {"has_degree": True, "university": "浙江工业大学"}),
    ("income", "年薪大约马币四十万", {}, {"income": [{"amount": "400000", "currency": "MYR", "type": "salary"}]}),
    ("income", "一年大概新幣二十萬", {}, {"income": [{"amount": "200000", "currency": "SGD", "type": None}]}),
    ("hk_nonlocal", "係呀 我用讀書簽證嚟香港讀", HK_GRADUATE, {"hk_nonlocal": True}),
    ("hk_nonlocal", "是的，我拿学签来的", HK_GRADUATE, {"hk_nonlocal": True}),
])
async def test_chinese_answers_that_carry_more(slot, text, slots, expected):
    updates, _ = await answer(slot, text, slots)
    assert {k: updates.get(k) for k in expected} == expected


@pytest.mark.parametrize("text", ["中国内地", "2015年", "22年毕业"])
async def test_not_a_university_name(text):
    """A place or a date given at the university question is not kept as an unknown name."""
    updates, dispatcher = await answer("university", text, {"has_degree": True})
    assert updates.get("university") in (None,)


async def test_chinese_citizen_resident_in_hong_kong_is_asked_which():
    updates, dispatcher = await answer("nationality", "中國籍香港居民", GRADUATE)
    assert updates.get("nationality") is None
    titles = [b["title"] for b in dispatcher.messages[0]["buttons"]]
    assert titles == ["中國", "香港（永久性居民）"]


@pytest.mark.parametrize("text", ["查一下我的资格", "帮我看一下", "我一直想申请"])
async def test_words_with_a_numeral_are_not_an_amount(text):
    """"查一下" is not an income of 1 (cn2an would make "查1下" of it)."""
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots={"language": None}, text=text, intent="check_eligibility",
                           requested_slot="income", active_loop="eligibility_form",
                           events=[{"event": "user", "text": text}])
    updates = slot_events(await ValidateEligibilityForm().run(dispatcher, tracker, {}))
    assert updates.get("income") is None and dispatcher.messages == []
