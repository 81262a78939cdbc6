// The widget's languages: how the starting locale is chosen, and the three string tables.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";

import { LOCALES, initialLocale, joinList, normalizeLocale, strings, t, translator } from "../src/i18n.js";

const SRC = new URL("../src/", import.meta.url);
const table = (code) => JSON.parse(readFileSync(new URL(`strings.${code}.json`, SRC), "utf8"));
const placeholders = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test("browser and config tags map to our three locales", () => {
  for (const tag of ["zh-CN", "zh-SG", "zh", "zh-Hans", "zh-Hans-HK", "zh_CN", "ZH-cn"]) {
    assert.equal(normalizeLocale(tag), "zh-Hans", tag);
  }
  for (const tag of ["zh-HK", "zh-TW", "zh-MO", "zh-Hant", "zh-Hant-CN", "yue", "yue-HK", "zh-hk"]) {
    assert.equal(normalizeLocale(tag), "zh-Hant", tag);
  }
  for (const tag of ["en", "en-GB", "en-US"]) assert.equal(normalizeLocale(tag), "en", tag);
  for (const tag of ["fr", "ja-JP", "", "  ", null, undefined, 42]) assert.equal(normalizeLocale(tag), null);
});

test("starting locale: saved choice, then the page's data-lang, then the browser, then English", () => {
  assert.equal(initialLocale({ saved: "zh-Hant", configured: "en", languages: ["zh-CN"] }), "zh-Hant");
  assert.equal(initialLocale({ saved: null, configured: "zh-HK", languages: ["en-US"] }), "zh-Hant");
  assert.equal(initialLocale({ languages: ["zh-CN", "en"] }), "zh-Hans");
  assert.equal(initialLocale({ languages: ["zh-TW"] }), "zh-Hant");
  assert.equal(initialLocale({ languages: ["zh-MO"] }), "zh-Hant");
  assert.equal(initialLocale({ languages: ["zh-SG"] }), "zh-Hans");
  assert.equal(initialLocale({ languages: ["en-GB", "zh-CN"] }), "en");
  // a language we don't have is skipped for the next one the person reads
  assert.equal(initialLocale({ languages: ["fr-FR", "zh-HK"] }), "zh-Hant");
  assert.equal(initialLocale({ languages: ["fr-FR", "de"] }), "en");
  assert.equal(initialLocale({ saved: "garbage", configured: "xx", languages: [] }), "en");
  assert.equal(initialLocale(), "en");
});

test("every key is in all three locales, non-empty, with the same placeholders", () => {
  const en = table("en");
  assert.ok(Object.keys(en).length > 50);
  for (const code of LOCALES) {
    const other = table(code);
    assert.deepEqual(Object.keys(other).sort(), Object.keys(en).sort(), code);
    for (const [key, value] of Object.entries(other)) {
      assert.equal(typeof value, "string", `${code} ${key}`);
      assert.ok(value.length > 0, `${code} ${key} is empty`);
      assert.deepEqual(placeholders(value), placeholders(en[key]), `${code} ${key}`);
    }
  }
  // the table files are the only ones of their kind
  const files = readdirSync(SRC).filter((f) => f.startsWith("strings."));
  assert.deepEqual(files.sort(), LOCALES.map((c) => `strings.${c}.json`).sort());
});

test("Chinese tables are Chinese, each in its own script", () => {
  const hans = table("zh-Hans");
  const hant = table("zh-Hant");
  // characters that differ between the scripts, as they occur in these tables
  const pairs = ["这這", "对對", "话話", "资資", "结結", "类類", "请請", "开開", "连連", "试試", "条條",
    "经經", "验驗", "业業", "学學", "处處", "决決", "还還", "时時", "间間", "网網", "额額"];
  const simplified = new RegExp(`[${pairs.map((p) => p[0]).join("")}]`);
  const traditional = new RegExp(`[${pairs.map((p) => p[1]).join("")}]`);
  for (const [key, value] of Object.entries(hans)) {
    assert.doesNotMatch(value, traditional, `zh-Hans ${key}: ${value}`);
  }
  for (const [key, value] of Object.entries(hant)) {
    assert.doesNotMatch(value, simplified, `zh-Hant ${key}: ${value}`);
  }
  // user-visible sentences are translated, not left in English
  for (const key of ["chat.placeholder", "chat.send", "chat.restart", "chat.offline", "card.title",
    "routes.title", "next.none"]) {
    assert.match(hans[key], /\p{Script=Han}/u, key);
    assert.match(hant[key], /\p{Script=Han}/u, key);
  }
  assert.equal(hans["card.status.eligible"], "符合资格");
  assert.equal(hant["card.status.eligible"], "符合資格");
});

test("every key the code names exists, and every key is used", () => {
  const en = table("en");
  const code = readdirSync(SRC).filter((f) => f.endsWith(".js"))
    .map((f) => readFileSync(new URL(f, SRC), "utf8")).join("\n");
  const named = new Set([...code.matchAll(/"((?:chat|card|next|routes|lang|list)\.[a-z_.]+)"/g)].map((m) => m[1]));
  for (const key of named) assert.ok(key in en, `the code names ${key}, which no table has`);
  // keys built from a value: `card.status.${status}`, `routes.quota.${quota}` …
  const prefixes = [...code.matchAll(/`((?:chat|card|next|routes|lang|list)\.[a-z_.]*)\$\{/g)].map((m) => m[1]);
  for (const key of Object.keys(en)) {
    assert.ok(named.has(key) || prefixes.some((p) => key.startsWith(p)), `${key} is never used`);
  }
});

test("t fills placeholders, falls back to English, and fails loudly on an unknown key", () => {
  assert.equal(t("en", "card.category", { code: "B" }), "Category B");
  assert.equal(t("zh-Hant", "card.category", { code: "B" }), "B類");
  assert.equal(t("zh-HK", "chat.send"), strings("zh-Hant")["chat.send"]);
  assert.equal(t("fr", "chat.send"), "Send");
  assert.equal(t("en", "card.for_date", {}), "For an application on {date}");
  assert.throws(() => t("en", "no.such.key"), /no UI string/);
  const tr = translator("zh-CN");
  assert.equal(tr.lang, "zh-Hans");
  assert.equal(tr("chat.restart"), "重新开始");
});

test("lists joined in each language", () => {
  assert.equal(joinList("en", ["Category A", "Category C"], "or"), "Category A or Category C");
  assert.equal(joinList("en", ["A", "B", "C"], "and"), "A, B and C");
  assert.equal(joinList("zh-Hans", ["A类", "C类"], "or"), "A类或C类");
  assert.equal(joinList("zh-Hant", ["A類", "B類", "C類"], "and"), "A類、B類及C類");
  assert.equal(joinList("zh-Hant", ["A類"], "and"), "A類");
});
