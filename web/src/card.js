// The result card: drawn from the engine's assessment JSON (the bot's custom payload
// {"data": {"ttps_assessment": ...}}). One row per category with a coloured status that also
// says its status in words, the reason, the cited clause (expandable to its wording and
// source), what would change, then next steps and the caveat. Built with DOM calls only: every
// string from the payload is set as text.
import { h } from "./dom.js";
import {
  CATEGORY_NAMES,
  changesFor,
  generalProblems,
  keyReason,
  nextSteps,
  quotaText,
  safeUrl,
  schemeStatusInfo,
  statusInfo,
} from "./messages.js";

function link(href, text) {
  const url = safeUrl(href);
  if (!url) return document.createTextNode(text);
  return h("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, text);
}

function clauseDetails(reason) {
  if (!reason?.clause_id) return null;
  const source = reason.source || {};
  const title = source.title || "Source";
  // Add the source's date unless its title already carries one.
  const sourceText = source.date && !/\b(19|20)\d\d\b/.test(title) ? `${title} (${source.date})` : title;
  return h(
    "details",
    { className: "ttps-clause" },
    h(
      "summary",
      {},
      h("span", { className: "ttps-clause-id" }, `Rule ${reason.clause_id}`),
      reason.clause_label ? ` — ${reason.clause_label}` : "",
    ),
    reason.clause_text ? h("blockquote", { className: "ttps-clause-text" }, reason.clause_text) : null,
    h("p", { className: "ttps-clause-source" }, "Source: ", link(source.url, sourceText)),
  );
}

function listOf(items, className) {
  if (!items.length) return null;
  return h("ul", { className }, items.map((text) => h("li", {}, text)));
}

function categoryRow(code, result, assessment) {
  const info = statusInfo(result?.status);
  const reason = keyReason(result);
  const changes = changesFor(assessment, code).map((c) => c.message).filter(Boolean);
  const summary = result?.summary || reason?.message || "";
  // What to find out, unless the summary already says it word for word.
  const toFind = (Array.isArray(result?.to_find_out) ? result.to_find_out : [])
    .filter((item) => !summary.includes(item));
  const headingId = `ttps-cat-${code}-${Math.random().toString(36).slice(2, 7)}`;
  return h(
    "li",
    {
      className: `ttps-row ttps-status-${info.className}`,
      "aria-labelledby": headingId,
      "data-category": code,
      "data-status": result?.status || "unknown",
    },
    h(
      "div",
      { className: "ttps-row-head", id: headingId },
      h("span", { className: "ttps-cat" }, `Category ${code}`),
      h("span", { className: "ttps-cat-name" }, CATEGORY_NAMES[code] || ""),
      h(
        "span",
        { className: "ttps-badge" },
        h("span", { className: "ttps-badge-icon", "aria-hidden": "true" }, info.icon),
        h("span", { className: "ttps-badge-label" }, info.label),
      ),
    ),
    h("p", { className: "ttps-summary" }, summary),
    clauseDetails(reason),
    toFind.length
      ? h("div", { className: "ttps-tofind" }, h("strong", {}, "To decide, find out:"),
        listOf(toFind, "ttps-list"))
      : null,
    changes.length
      ? h("div", { className: "ttps-change" }, h("strong", {}, "What would change:"),
        listOf(changes, "ttps-list"))
      : null,
  );
}

// The other schemes the pre-screen suggests, side by side: for each, whether it fits, why, and
// the same four attributes (job offer, first stay, quota, staying on), then the caveat.
function otherRoutes(other) {
  const schemes = Array.isArray(other?.schemes) ? other.schemes : [];
  if (!schemes.length) return null;
  const fact = (term, value) => [h("dt", {}, term), h("dd", {}, value || "Not stated")];
  return h(
    "section",
    { className: "ttps-routes" },
    h("h4", {}, "Other routes to look at"),
    h("ul", { className: "ttps-route-list" }, schemes.map((s) => {
      const info = schemeStatusInfo(s?.status);
      const side = s?.side_by_side || {};
      const stay = side.first_stay_months && !String(side.first_stay_note || "").includes(String(side.first_stay_months))
        ? `${side.first_stay_months} months. ${side.first_stay_note || ""}` : side.first_stay_note;
      return h(
        "li",
        { className: `ttps-route ttps-route-${info.className}`, "data-scheme": s?.scheme || "",
          "data-status": s?.status || "unknown" },
        h("div", { className: "ttps-route-head" },
          s?.url ? link(s.url, s?.name || s?.scheme || "") : h("span", {}, s?.name || s?.scheme || ""),
          h("span", { className: "ttps-badge" }, info.label)),
        s?.summary ? h("p", { className: "ttps-summary" }, s.summary) : null,
        h("dl", { className: "ttps-route-facts" },
          ...fact("Job offer", side.job_offer_note),
          ...fact("First stay", stay),
          ...fact("Quota", quotaText(side.quota)),
          ...fact("Staying on", side.extension_note)),
      );
    })),
    other?.caveat ? h("p", { className: "ttps-caveat" }, other.caveat) : null,
  );
}

export function buildResultCard(assessment, otherSchemes = null) {
  const titleId = `ttps-card-${Math.random().toString(36).slice(2, 7)}`;
  const categories = assessment?.categories || {};
  const problems = generalProblems(assessment);
  const otherChanges = changesFor(assessment, null).map((c) => c.message).filter(Boolean);
  const steps = nextSteps(assessment);
  const versions = [
    assessment?.rules_version ? `rules ${assessment.rules_version}` : "",
    assessment?.list_version ? `university list ${assessment.list_version}` : "",
  ].filter(Boolean).join(", ");

  return h(
    "article",
    { className: "ttps-card", "aria-labelledby": titleId },
    h(
      "header",
      { className: "ttps-card-head" },
      h("h3", { id: titleId, className: "ttps-card-title" }, "TTPS eligibility result"),
      assessment?.application_date
        ? h("p", { className: "ttps-card-sub" }, `For an application on ${assessment.application_date}`)
        : null,
    ),
    problems.length
      ? h("div", { className: "ttps-card-warning", role: "note" },
        problems.map((p) => h("p", {}, h("span", { "aria-hidden": "true" }, "⚠ "), p.message || "")))
      : null,
    h("ul", { className: "ttps-rows" },
      ["A", "B", "C"].filter((c) => categories[c]).map((c) => categoryRow(c, categories[c], assessment))),
    otherChanges.length
      ? h("div", { className: "ttps-change" }, h("strong", {}, "What would change:"),
        listOf(otherChanges, "ttps-list"))
      : null,
    h(
      "section",
      { className: "ttps-next" },
      h("h4", {}, "Next steps"),
      h("ul", { className: "ttps-list" },
        steps.map((s) => h("li", {}, s.href ? link(s.href, s.text) : s.text))),
    ),
    otherRoutes(otherSchemes),
    assessment?.caveat ? h("p", { className: "ttps-caveat" }, assessment.caveat) : null,
    versions ? h("p", { className: "ttps-versions" }, versions) : null,
  );
}
