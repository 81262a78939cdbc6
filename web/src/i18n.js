// The widget's own words in three locales. Every string the widget shows (its frame and the
// labels of the result card) lives in strings.<locale>.json next to this file; the bot's
// sentences and the assessment's messages come from the server, already in their language.
//
// Locale codes are the project's: "en", "zh-Hans", "zh-Hant".
import en from "./strings.en.json" with { type: "json" };
import zhHans from "./strings.zh-Hans.json" with { type: "json" };
import zhHant from "./strings.zh-Hant.json" with { type: "json" };

export const LOCALES = ["en", "zh-Hans", "zh-Hant"];
export const DEFAULT_LOCALE = "en";
const TABLES = { en, "zh-Hans": zhHans, "zh-Hant": zhHant };

// Region subtags that mean Traditional script (Hong Kong, Taiwan, Macao); any other Chinese
// region (CN, SG, none) means Simplified.
const HANT_REGIONS = new Set(["hk", "tw", "mo"]);

/**
 * A BCP 47 tag (a project code, a browser language, a config value) → one of LOCALES, or null
 * when it names none of them. "zh-CN", "zh-SG", "zh", "zh-Hans-HK" → zh-Hans; "zh-HK", "zh-TW",
 * "zh-MO", "zh-Hant-CN", "yue" → zh-Hant; "en", "en-GB" → en. An explicit script subtag wins
 * over the region.
 */
export function normalizeLocale(tag) {
  if (typeof tag !== "string") return null;
  const parts = tag.trim().replace(/_/g, "-").toLowerCase().split("-").filter(Boolean);
  if (!parts.length) return null;
  const [language, ...rest] = parts;
  if (language === "en") return "en";
  if (language === "yue") return "zh-Hant"; // Cantonese is written in Traditional characters
  if (language !== "zh") return null;
  if (rest.includes("hant")) return "zh-Hant";
  if (rest.includes("hans")) return "zh-Hans";
  return rest.some((p) => HANT_REGIONS.has(p)) ? "zh-Hant" : "zh-Hans";
}

/**
 * The locale the widget starts in: the person's saved choice, else the embedding page's
 * data-lang, else the first of the browser's languages that is one of ours, else English.
 */
export function initialLocale({ saved = null, configured = null, languages = [] } = {}) {
  for (const tag of [saved, configured]) {
    const code = normalizeLocale(tag);
    if (code) return code;
  }
  for (const tag of Array.isArray(languages) ? languages : []) {
    const code = normalizeLocale(tag);
    if (code) return code;
  }
  return DEFAULT_LOCALE;
}

const has = (obj, key) => Object.prototype.hasOwnProperty.call(obj, key);

/** The string table of a locale (English for anything unknown). */
export function strings(lang) {
  return TABLES[normalizeLocale(lang) || DEFAULT_LOCALE];
}

/**
 * The string `key` in `lang`, with {name} placeholders filled from `vars`. A key missing from
 * a locale falls back to English; a key missing everywhere throws (a programming error the
 * unit tests catch), never a blank on screen.
 */
export function t(lang, key, vars = {}) {
  const table = strings(lang);
  const template = has(table, key) ? table[key] : en[key];
  if (typeof template !== "string") throw new Error(`no UI string ${key}`);
  return template.replace(/\{(\w+)\}/g, (whole, name) =>
    has(vars, name) && vars[name] != null ? String(vars[name]) : whole);
}

/** A translator bound to one locale: const tr = translator("zh-Hant"); tr("chat.send"). */
export function translator(lang) {
  const code = normalizeLocale(lang) || DEFAULT_LOCALE;
  const tr = (key, vars) => t(code, key, vars);
  tr.lang = code;
  return tr;
}

/** "A, B or C"-style lists are short here (categories): joined with the locale's "or"/"and". */
export function joinList(lang, items, conjunction = "or") {
  const list = items.map(String);
  if (list.length <= 1) return list.join("");
  return list.slice(0, -1).join(t(lang, "list.sep")) + t(lang, `list.${conjunction}`) + list[list.length - 1];
}
