// Turning what Rasa's socketio channel emits into the widget's own message items, and the
// small amount of interpretation the result card needs. Pure functions: no DOM, unit-tested
// with `npm test`.

import { OFFICIAL_PAGE } from "../dist/facts.js";
import { DEFAULT_LOCALE, joinList, normalizeLocale, t } from "./i18n.js";

/**
 * Find a ttps_assessment in a bot_uttered payload, whatever way it was wrapped.
 *
 * Rasa's SocketIOOutput.send_custom_json calls `sio.emit("bot_uttered", **json_message)`, so a
 * custom payload `{"data": {"ttps_assessment": ...}}` reaches the client as the emit's `data`
 * argument, i.e. `{"ttps_assessment": ...}`. Other set-ups (a proxy, a later Rasa, the REST
 * shape) deliver `{"data": {...}}` or `{"custom": {"data": {...}}}`; accept them all.
 */
export function findAssessment(payload) {
  return findWrapped(payload, "ttps_assessment", isAssessment);
}

/** payload[key], payload.data[key], payload.custom[key] or payload.custom.data[key]: the first that `accept`s. */
function findWrapped(payload, key, accept) {
  if (!isObject(payload)) return null;
  for (const where of [payload, payload.data, payload.custom, payload.custom?.data]) {
    const c = isObject(where) ? where[key] : undefined;
    if (accept(c)) return c;
  }
  return null;
}

/**
 * The other schemes' pre-screen that may come with an assessment (`other_schemes`: the
 * suggested schemes, each with its status, summary and attributes side by side), wrapped in
 * the same ways; null when there is none.
 */
export function findOtherSchemes(payload) {
  return findWrapped(payload, "other_schemes",
    (c) => isObject(c) && Array.isArray(c.schemes) && c.schemes.length > 0);
}

const SCHEME_STATUS_CLASSES = { likely: "likely", unlikely: "unlikely", unknown: "unknown" };

/** Label (in `lang`) and style of a scheme's pre-screen status (said in words, not only in colour). */
export function schemeStatusInfo(status, lang = DEFAULT_LOCALE) {
  const key = Object.prototype.hasOwnProperty.call(SCHEME_STATUS_CLASSES, status) ? status : "unknown";
  return { label: t(lang, `routes.status.${key}`), className: SCHEME_STATUS_CLASSES[key] };
}

const QUOTA_WORDS = ["quota_free", "none_stated", "suspended"];

/** The quota of a scheme in words (in `lang`), from the pre-screen's side-by-side value. */
export function quotaText(quota, lang = DEFAULT_LOCALE) {
  if (typeof quota === "number" && Number.isFinite(quota)) {
    return t(lang, "routes.quota_number", { n: quota.toLocaleString("en-US") });
  }
  return QUOTA_WORDS.includes(quota) ? t(lang, `routes.quota.${quota}`) : t(lang, "routes.not_stated");
}

function isObject(x) {
  return x !== null && typeof x === "object" && !Array.isArray(x);
}

function isAssessment(x) {
  return isObject(x) && isObject(x.categories);
}

/** What the widget sends the bot when the person picks a language (the bot's own buttons send the same). */
export function switchLanguageMessage(code) {
  return `/switch_language${JSON.stringify({ language: code })}`;
}

/**
 * The widget's first message: the bot's greeting, carrying the widget's language when it is not
 * English (the action server takes a payload's language as a hint while the conversation has
 * none of its own, so the greeting already comes in that language).
 */
export function greetMessage(code) {
  return code && code !== "en" ? `/greet${JSON.stringify({ language: code })}` : "/greet";
}

/** The locale a `/switch_language{"language": ...}` message asks for, or null for any other message. */
export function requestedLanguage(message) {
  const m = /^\/switch_language(\{.*\})$/s.exec(typeof message === "string" ? message.trim() : "");
  if (!m) return null;
  try {
    return normalizeLocale(JSON.parse(m[1])?.language);
  } catch {
    return null;
  }
}

/** Normalise quick replies / buttons to [{title, payload}] with string fields. */
export function quickRepliesOf(payload) {
  const list = payload?.quick_replies || payload?.buttons || [];
  if (!Array.isArray(list)) return [];
  return list
    .filter((b) => isObject(b) && (b.title != null || b.payload != null))
    .map((b) => ({
      title: String(b.title ?? b.payload),
      payload: String(b.payload ?? b.title),
    }));
}

/**
 * One bot_uttered payload → a list of items to show:
 *   {type: "text", text, quickReplies}  (text is Markdown)
 *   {type: "card", assessment, otherSchemes?}
 * Text and custom data may come together in one payload or in separate ones.
 */
export function normalizeBotMessage(payload, lang = DEFAULT_LOCALE) {
  if (typeof payload === "string") {
    return payload.trim() ? [{ type: "text", text: payload, quickReplies: [] }] : [];
  }
  if (!isObject(payload)) return [];
  const items = [];
  const quickReplies = quickRepliesOf(payload);
  let text = typeof payload.text === "string" ? payload.text : "";
  const attachment = payload.attachment;
  if (isObject(attachment)) {
    // Images and files are shown as links: bot messages never put media elements on the page.
    const src = attachment.payload?.src || attachment.payload?.url;
    if (typeof src === "string" && src) {
      const label = t(lang, attachment.type === "image" ? "chat.image" : "chat.attachment");
      text = (text ? text + "\n\n" : "") + `[${label}](${src})`;
    }
  }
  if (text.trim() || quickReplies.length) {
    items.push({ type: "text", text, quickReplies });
  }
  const assessment = findAssessment(payload);
  if (assessment) {
    const otherSchemes = findOtherSchemes(payload);
    items.push(otherSchemes ? { type: "card", assessment, otherSchemes } : { type: "card", assessment });
  }
  return items;
}

// --- the result card's interpretation -------------------------------------------------------

/**
 * The language of a card: the payload's own `lang` (the engine renders every message of the
 * assessment in it), so the card's labels match its sentences. A payload without one was
 * written before the engine rendered other languages, i.e. in English.
 */
export function cardLang(payload) {
  return normalizeLocale(payload?.lang) || DEFAULT_LOCALE;
}

const STATUS_STYLE = {
  eligible: { icon: "✓", className: "eligible" },
  not_eligible: { icon: "✗", className: "not-eligible" },
  unknown: { icon: "?", className: "unknown" },
};

/** Label (in `lang`), icon and style of a category's status. */
export function statusInfo(status, lang = DEFAULT_LOCALE) {
  const key = Object.prototype.hasOwnProperty.call(STATUS_STYLE, status) ? status : "unknown";
  return { label: t(lang, `card.status.${key}`), ...STATUS_STYLE[key] };
}

/** "Category A" / "A类" / "A類". */
export function categoryLabel(code, lang = DEFAULT_LOCALE) {
  return t(lang, "card.category", { code });
}

/**
 * The reason that decides a category: the engine names it (`deciding`, an index into the
 * category's `reasons`), the card only draws it. A card stored before the engine named it (an
 * old conversation restored from the browser's storage) has none: then no reason is singled
 * out and the card shows the category's summary alone, rather than guess.
 */
export function decidingReason(result) {
  const reasons = Array.isArray(result?.reasons) ? result.reasons : [];
  const i = result?.deciding;
  return Number.isInteger(i) && i >= 0 && i < reasons.length && isObject(reasons[i]) ? reasons[i] : null;
}

/** what_would_change entries for one category (or, with code null, those for none of A/B/C). */
export function changesFor(assessment, code) {
  const all = Array.isArray(assessment?.what_would_change) ? assessment.what_would_change : [];
  if (code == null) return all.filter((c) => !["A", "B", "C"].includes(c?.category));
  return all.filter((c) => c?.category === code);
}

/** Only http(s) links are made clickable. */
export function safeUrl(url) {
  if (typeof url !== "string") return null;
  try {
    const u = new URL(url);
    return u.protocol === "https:" || u.protocol === "http:" ? u.href : null;
  } catch {
    return null;
  }
}

// The official TTPS page, from ttps_logic/data/parameters.yaml (dist/facts.js, written by build.mjs).
const IMMD_TTPS = OFFICIAL_PAGE;

/** The "next steps" lines, as [{text, href?}], from the assessment alone, in `lang`. */
export function nextSteps(assessment, lang = DEFAULT_LOCALE) {
  const steps = [];
  const eligible = Array.isArray(assessment?.eligible_categories)
    ? assessment.eligible_categories
    : [];
  const stay = assessment?.conditions_of_stay || {};
  const names = (codes) => codes.map((c) => categoryLabel(c, lang));
  if (eligible.length) {
    const first = eligible[0];
    const months = stay.initial_stay_months?.[first];
    const quota = first === "C" && stay.category_c_annual_quota
      ? t(lang, "next.quota", { quota: stay.category_c_annual_quota.toLocaleString("en") })
      : "";
    steps.push({
      text: t(lang, eligible.length > 1 ? "next.eligible_many" : "next.eligible_one", {
        categories: joinList(lang, names(eligible), "or"),
        first: categoryLabel(first, lang),
        stay: months ? t(lang, "next.stay_months", { months }) : t(lang, "next.stay_generic"),
        quota,
      }),
    });
    steps.push({ text: t(lang, "next.apply_online"), href: IMMD_TTPS });
  } else {
    steps.push({ text: t(lang, "next.none") });
    const open = ["A", "B", "C"].filter((c) => assessment?.categories?.[c]?.status === "unknown");
    if (open.length) {
      steps.push({ text: t(lang, "next.missing", { categories: joinList(lang, names(open), "and") }) });
    }
  }
  if (stay.job_offer_required === false) {
    steps.push({ text: t(lang, "next.no_job_offer") });
  }
  if (stay.contact_phone) {
    steps.push({ text: t(lang, "next.enquiry", { phone: stay.contact_phone }) });
  }
  return steps;
}

/** General conditions that fail (e.g. an excluded nationality) — shown as a warning. */
export function generalProblems(assessment) {
  const general = Array.isArray(assessment?.general) ? assessment.general : [];
  return general.filter((r) => r && r.met === false);
}
