// Unit checks of the pure parts (no DOM): `npm test` (node --test).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

import {
  changesFor,
  findAssessment,
  findOtherSchemes,
  cardLang,
  categoryLabel,
  decidingReason,
  generalProblems,
  nextSteps,
  normalizeBotMessage,
  quickRepliesOf,
  quotaText,
  requestedLanguage,
  safeUrl,
  schemeStatusInfo,
  statusInfo,
  switchLanguageMessage,
  greetMessage,
} from "../src/messages.js";
import { cssUrlFor, normalizeServer, resolveConfig } from "../src/config.js";
import { ChatStore, MAX_HISTORY } from "../src/storage.js";

const load = (name) => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));
const AC = load("assessment-a-c.json"); // A eligible, B not eligible, C eligible
const NONE = load("assessment-none.json"); // an excluded nationality: no category, a warning
const UNKNOWN = load("assessment-unknown.json"); // A not eligible, B and C can't tell yet
// the same assessments as the bot sends them in Chinese (make_fixtures.py renders all three)
const AC_HANS = load("assessment-a-c.zh-Hans.json");
const UNKNOWN_HANT = load("assessment-unknown.zh-Hant.json");
// written by actions/messages.py payload() for a non-local HKU graduate (IANG likely, QMAS unknown)
const ROUTES = load("other-schemes-iang-qmas.json");

test("text with quick replies (Rasa socketio shape)", () => {
  const items = normalizeBotMessage({
    text: "(3/3) What is your nationality?",
    quick_replies: [
      { content_type: "text", title: "Chinese", payload: "Chinese" },
      { content_type: "text", title: "Skip", payload: "/dont_know" },
    ],
  });
  assert.deepEqual(items, [
    {
      type: "text",
      text: "(3/3) What is your nationality?",
      quickReplies: [
        { title: "Chinese", payload: "Chinese" },
        { title: "Skip", payload: "/dont_know" },
      ],
    },
  ]);
});

test("REST-style buttons are accepted too", () => {
  assert.deepEqual(quickRepliesOf({ buttons: [{ title: "Yes", payload: "/affirm" }] }), [
    { title: "Yes", payload: "/affirm" },
  ]);
  assert.deepEqual(quickRepliesOf({ quick_replies: "nonsense" }), []);
});

test("custom payload as Rasa 3.6 socketio emits it: the inner data object", () => {
  const items = normalizeBotMessage({ ttps_assessment: AC });
  assert.equal(items.length, 1);
  assert.equal(items[0].type, "card");
  assert.equal(items[0].assessment.categories.A.status, "eligible");
});

test("custom payload wrapped in data / custom.data, alone or with text", () => {
  assert.equal(findAssessment({ data: { ttps_assessment: AC } }), AC);
  assert.equal(findAssessment({ custom: { data: { ttps_assessment: AC } } }), AC);
  const both = normalizeBotMessage({ text: "**Your TTPS result**", data: { ttps_assessment: AC } });
  assert.deepEqual(both.map((i) => i.type), ["text", "card"]);
  assert.equal(findAssessment({ data: { ttps_assessment: { no: "categories" } } }), null);
  assert.deepEqual(normalizeBotMessage({ data: { something: "else" } }), []);
  assert.deepEqual(normalizeBotMessage(null), []);
});

test("image attachments become links, never media", () => {
  const [item] = normalizeBotMessage({ attachment: { type: "image", payload: { src: "https://x/y.png" } } });
  assert.equal(item.text, "[Image](https://x/y.png)");
});

test("the deciding reason is the one the engine names, looked up, never chosen here", () => {
  assert.equal(decidingReason(AC.categories.A).code, "a.met");
  assert.equal(decidingReason(AC.categories.B).code, "b.work_not_met");
  // whatever index the engine gives is drawn, even one the old rule of thumb would not pick
  const b = { ...AC.categories.B, deciding: 0 };
  assert.equal(decidingReason(b).code, "deg.listed");
  assert.equal(decidingReason(UNKNOWN.categories.B).met, null);
  assert.equal(decidingReason(NONE.categories.C).clause_id, "intro.nationals");
  // the same reason in every language
  assert.equal(decidingReason(AC_HANS.categories.B).code, "b.work_not_met");
  assert.match(decidingReason(AC_HANS.categories.B).message, /\p{Script=Han}/u);
});

test("a card stored before the engine named the deciding reason: none is singled out", () => {
  const { deciding, ...old } = AC.categories.B;
  assert.equal(deciding, 1);
  assert.equal(decidingReason(old), null);
  assert.equal(decidingReason({ ...old, deciding: 7 }), null); // out of range
  assert.equal(decidingReason({ ...old, deciding: "1" }), null); // not an int
  assert.equal(decidingReason({ ...old, deciding: -1 }), null);
  assert.equal(decidingReason({ status: "eligible", reasons: [], deciding: 0 }), null);
  assert.equal(decidingReason(null), null);
});

test("a card's language is its payload's lang; without one (an older payload) English", () => {
  assert.equal(cardLang(AC), "en");
  assert.equal(cardLang(AC_HANS), "zh-Hans");
  assert.equal(cardLang(UNKNOWN_HANT), "zh-Hant");
  assert.equal(cardLang({ ...AC, lang: "zh-Hant" }), "zh-Hant");
  assert.equal(cardLang({ ...AC, lang: "zh-CN" }), "zh-Hans");
  assert.equal(cardLang({ ...AC, lang: undefined }), "en");
  assert.equal(cardLang({ ...AC, lang: "fr" }), "en");
});

test("status labels are words, not just colours", () => {
  assert.equal(statusInfo("eligible").label, "Eligible");
  assert.equal(statusInfo("not_eligible").label, "Not eligible");
  assert.equal(statusInfo("unknown").label, "Can't tell yet");
  assert.equal(statusInfo("???").label, "Can't tell yet");
});

test("what would change, per category", () => {
  assert.deepEqual(changesFor(AC, "A"), []);
  assert.match(changesFor(AC, "B")[0].message, /24\.0 more months/);
  assert.match(changesFor(AC, "C")[0].message, /2028-12-31/);
  assert.deepEqual(changesFor(AC, null), []);
});

test("next steps: eligible", () => {
  const steps = nextSteps(AC).map((s) => s.text);
  assert.match(steps[0], /Category A or Category C\. Category A is the better choice: 36 months' initial stay\.$/);
  assert.ok(steps.some((s) => /No job offer/.test(s)));
  assert.ok(steps.some((s) => /2868 3780/.test(s)));
  assert.ok(nextSteps(AC).some((s) => s.href && s.href.startsWith("https://www.immd.gov.hk/")));
});

test("next steps: none eligible says what is open; nationality is flagged", () => {
  const steps = nextSteps(UNKNOWN).map((s) => s.text);
  assert.match(steps[0], /can't apply under any category yet/);
  assert.equal(steps[1], "Tell the assistant what is still missing to decide Category B and Category C.");
  assert.equal(generalProblems(NONE)[0].clause_id, "intro.nationals");
  // nothing is missing when the nationality rules every category out
  assert.equal(nextSteps(NONE).filter((s) => /Tell the assistant/.test(s.text)).length, 0);
  assert.deepEqual(generalProblems(AC), []);
});

test("only http(s) links", () => {
  assert.equal(safeUrl("javascript:alert(1)"), null);
  assert.equal(safeUrl("data:text/html,x"), null);
  assert.equal(safeUrl("not a url"), null);
  assert.equal(safeUrl("https://www.immd.gov.hk/x"), "https://www.immd.gov.hk/x");
});

test("config: data-server, ?server= only when allowed, bad URLs ignored", () => {
  assert.equal(resolveConfig({}, "").server, "http://localhost:5005");
  assert.equal(resolveConfig({ server: "https://bot.example.org/" }, "").server, "https://bot.example.org");
  assert.equal(resolveConfig({}, "?server=http://127.0.0.1:9999").server, "http://localhost:5005");
  assert.equal(
    resolveConfig({ allowServerParam: "" }, "?server=http://127.0.0.1:9999").server,
    "http://127.0.0.1:9999",
  );
  assert.equal(
    resolveConfig({ allowServerParam: "" }, "?server=javascript:alert(1)").server,
    "http://localhost:5005",
  );
  assert.equal(normalizeServer("ftp://x"), null);
  assert.equal(normalizeServer("http://h:1/rasa/"), "http://h:1/rasa");
  assert.equal(resolveConfig({}, "").container, "#ttps-chat");
});

test("css next to the script", () => {
  assert.equal(cssUrlFor("http://h/dist/ttps-widget.js?v=2"), "http://h/dist/ttps-widget.css");
  assert.equal(cssUrlFor(""), null);
});

test("store: session id kept, history capped, per server", () => {
  const map = new Map();
  const storage = {
    getItem: (k) => (map.has(k) ? map.get(k) : null),
    setItem: (k, v) => map.set(k, String(v)),
    removeItem: (k) => map.delete(k),
  };
  const a = new ChatStore("http://a", undefined, storage);
  const id = a.sessionId;
  assert.match(id, /^[0-9a-f]{32}$/);
  assert.equal(new ChatStore("http://a", undefined, storage).sessionId, id);
  assert.notEqual(new ChatStore("http://b", undefined, storage).sessionId, id);
  a.saveHistory(Array.from({ length: MAX_HISTORY + 5 }, (_, i) => ({ i })));
  const back = new ChatStore("http://a", undefined, storage).loadHistory();
  assert.equal(back.length, MAX_HISTORY);
  assert.equal(back[0].i, 5);
  map.set("ttps-chat:v1:http://a:history", "{broken");
  assert.deepEqual(a.loadHistory(), []);
});

test("other schemes come with the assessment, in the same wrappings", () => {
  const items = normalizeBotMessage({ ttps_assessment: NONE, other_schemes: ROUTES });
  assert.equal(items.length, 1);
  assert.equal(items[0].otherSchemes.schemes[0].scheme, "IANG");
  assert.equal(findOtherSchemes({ data: { other_schemes: ROUTES } }), ROUTES);
  assert.equal(findOtherSchemes({ custom: { data: { other_schemes: ROUTES } } }), ROUTES);
  assert.equal(findOtherSchemes({ other_schemes: { schemes: [] } }), null);
  assert.equal("otherSchemes" in normalizeBotMessage({ ttps_assessment: AC })[0], false);
});

test("status labels and category names in Chinese, by the card's language", () => {
  assert.equal(statusInfo("eligible", "zh-Hans").label, "符合资格");
  assert.equal(statusInfo("not_eligible", "zh-Hant").label, "不符合資格");
  assert.equal(statusInfo("unknown", "zh-Hant").label, "暫時未能判斷");
  assert.equal(statusInfo("eligible", "zh-Hant").icon, statusInfo("eligible", "en").icon);
  assert.equal(categoryLabel("A", "en"), "Category A");
  assert.equal(categoryLabel("B", "zh-Hans"), "B类");
  assert.equal(categoryLabel("C", "zh-Hant"), "C類");
});

test("next steps in Chinese: numbers and phone from the payload, wording from the locale", () => {
  const hans = nextSteps(AC_HANS, "zh-Hans").map((s) => s.text);
  assert.equal(hans[0], "您可以申请A类或C类。建议选择A类：首次可获准逗留" +
    `${AC.conditions_of_stay.initial_stay_months.A}个月。`);
  assert.ok(hans.some((s) => s.includes(AC.conditions_of_stay.contact_phone)));
  const hant = nextSteps(UNKNOWN_HANT, "zh-Hant").map((s) => s.text);
  assert.equal(hant[0], "按目前的資料，你暫時未能以任何類別申請。");
  assert.equal(hant[1], "請告訴助手尚欠的資料，以便判斷B類及C類。");
  for (const text of [...hans, ...hant]) assert.doesNotMatch(text, /Category|apply|\{/);
  // the official link is the same step in every language
  assert.deepEqual(nextSteps(AC, "zh-Hant").map((s) => s.href), nextSteps(AC).map((s) => s.href));
});

test("scheme statuses and quotas in words", () => {
  assert.equal(schemeStatusInfo("likely").label, "Likely to fit");
  assert.equal(schemeStatusInfo("nonsense").label, "Can't tell yet");
  assert.equal(quotaText("quota_free"), "None");
  assert.equal(quotaText(10000), "10,000 a year");
  assert.equal(quotaText(undefined), "Not stated");
  assert.equal(schemeStatusInfo("likely", "zh-Hans").label, "可能符合");
  assert.equal(schemeStatusInfo("unlikely", "zh-Hant").className, "unlikely");
  assert.equal(quotaText(10000, "zh-Hans"), "每年10,000个");
  assert.equal(quotaText("quota_free", "zh-Hant"), "不設名額");
  assert.equal(quotaText("???", "zh-Hant"), "未有說明");
});

test("the language switch message, and reading one back (the bot's buttons send the same)", () => {
  assert.equal(switchLanguageMessage("zh-Hant"), '/switch_language{"language":"zh-Hant"}');
  for (const code of ["en", "zh-Hans", "zh-Hant"]) {
    assert.equal(requestedLanguage(switchLanguageMessage(code)), code);
  }
  assert.equal(requestedLanguage('/switch_language{"language": "zh-HK"}'), "zh-Hant");
  assert.equal(requestedLanguage('/switch_language{"language":"fr"}'), null);
  assert.equal(requestedLanguage("/switch_language{broken"), null);
  assert.equal(requestedLanguage("/switch_language"), null);
  assert.equal(requestedLanguage("switch to 繁體"), null);
  assert.equal(requestedLanguage("/greet"), null);
  assert.equal(greetMessage("en"), "/greet");
  assert.equal(greetMessage("zh-Hant"), '/greet{"language":"zh-Hant"}');
  assert.equal(requestedLanguage(greetMessage("zh-Hans")), null); // a hint, not a switch
  assert.equal(requestedLanguage(null), null);
});
