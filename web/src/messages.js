// Turning what Rasa's socketio channel emits into the widget's own message items, and the
// small amount of interpretation the result card needs. Pure functions: no DOM, unit-tested
// with `npm test`.

import { OFFICIAL_PAGE } from "../dist/facts.js";

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

const SCHEME_STATUS = {
  likely: { label: "Likely to fit", className: "likely" },
  unlikely: { label: "Unlikely to fit", className: "unlikely" },
  unknown: { label: "Can't tell yet", className: "unknown" },
};

/** Label and style of a scheme's pre-screen status (said in words, not only in colour). */
export function schemeStatusInfo(status) {
  return SCHEME_STATUS[status] || SCHEME_STATUS.unknown;
}

/** The quota of a scheme in words, from the pre-screen's side-by-side value. */
export function quotaText(quota) {
  if (typeof quota === "number" && Number.isFinite(quota)) return `${quota.toLocaleString("en-US")} a year`;
  return { quota_free: "None", none_stated: "None stated", suspended: "Suspended" }[quota] || "Not stated";
}

function isObject(x) {
  return x !== null && typeof x === "object" && !Array.isArray(x);
}

function isAssessment(x) {
  return isObject(x) && isObject(x.categories);
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
export function normalizeBotMessage(payload) {
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
      const label = attachment.type === "image" ? "Image" : "Attachment";
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

export const CATEGORY_NAMES = {
  A: "High income",
  B: "Graduate with 3+ years' work",
  C: "Recent graduate",
};

export const STATUS = {
  eligible: { label: "Eligible", icon: "✓", className: "eligible" },
  not_eligible: { label: "Not eligible", icon: "✗", className: "not-eligible" },
  unknown: { label: "Can't tell yet", icon: "?", className: "unknown" },
};

export function statusInfo(status) {
  return STATUS[status] || STATUS.unknown;
}

/**
 * The reason that decided a category (same choice as the bot's own wording in
 * actions/messages.py): the first unmet condition for "not eligible", the first undecided one
 * for "unknown", the last condition for "eligible".
 */
export function keyReason(result) {
  const reasons = Array.isArray(result?.reasons) ? result.reasons : [];
  const conditions = reasons.filter((r) => r && r.kind === "condition");
  let found;
  if (result?.status === "not_eligible") found = conditions.find((r) => r.met === false);
  else if (result?.status === "unknown") found = conditions.find((r) => r.met == null);
  else found = conditions[conditions.length - 1];
  return found || conditions[conditions.length - 1] || reasons[0] || null;
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

/** The "next steps" lines, as [{text, href?}], from the assessment alone. */
export function nextSteps(assessment) {
  const steps = [];
  const eligible = Array.isArray(assessment?.eligible_categories)
    ? assessment.eligible_categories
    : [];
  const stay = assessment?.conditions_of_stay || {};
  if (eligible.length) {
    const first = eligible[0];
    const months = stay.initial_stay_months?.[first];
    const stayText = months ? `${months} months' initial stay` : "an initial stay";
    let line = `You can apply under ${eligible.map((c) => `Category ${c}`).join(" or ")}. `;
    line += eligible.length > 1
      ? `Category ${first} is the better choice: ${stayText}`
      : `Category ${first} gives ${stayText}`;
    if (first === "C" && stay.category_c_annual_quota) {
      line += `, within the annual quota of ${stay.category_c_annual_quota.toLocaleString("en")} places`;
    }
    steps.push({ text: line + "." });
    steps.push({ text: "Apply online on the Immigration Department's TTPS page.", href: IMMD_TTPS });
  } else {
    steps.push({ text: "On these facts you can't apply under any category yet." });
    const open = ["A", "B", "C"].filter((c) => assessment?.categories?.[c]?.status === "unknown");
    if (open.length) {
      steps.push({
        text: `Tell the assistant what is still missing to decide ${open.map((c) => `Category ${c}`).join(" and ")}.`,
      });
    }
  }
  if (stay.job_offer_required === false) {
    steps.push({ text: "No job offer in Hong Kong is needed to apply." });
  }
  if (stay.contact_phone) {
    steps.push({ text: `Questions? The Immigration Department's enquiry line: ${stay.contact_phone}.` });
  }
  return steps;
}

/** General conditions that fail (e.g. an excluded nationality) — shown as a warning. */
export function generalProblems(assessment) {
  const general = Array.isArray(assessment?.general) ? assessment.general : [];
  return general.filter((r) => r && r.met === false);
}
