// The result card: drawn from the engine's assessment JSON (the bot's custom payload
// {"data": {"ttps_assessment": ...}}). One row per category with a coloured status that also
// says its status in words, the reason the engine names as deciding it (`deciding`), the cited
// clause (expandable to its wording and source), what would change, then next steps and the
// caveat. The card is in the payload's language (`lang`): its sentences come rendered by the
// engine, its labels from strings.<lang>.json. Built with DOM calls only: every string from
// the payload is set as text.
import { h } from "./dom.js";
import { translator } from "./i18n.js";
import {
  cardLang,
  categoryLabel,
  changesFor,
  decidingReason,
  generalProblems,
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

function clauseDetails(reason, tr) {
  if (!reason?.clause_id) return null;
  const source = reason.source || {};
  const title = source.title || tr("card.source_default");
  // Add the source's date unless its title already carries one.
  const sourceText = source.date && !/\b(19|20)\d\d\b/.test(title)
    ? tr("card.source_dated", { title, date: source.date }) : title;
  // "Deciding rule: {id}": the locale places the clause's id (and the spacing around it).
  const [before, after = ""] = tr("card.deciding_rule").split("{id}");
  return h(
    "details",
    { className: "ttps-clause" },
    h(
      "summary",
      { title: tr("card.clause_expand") },
      h("span", { className: "ttps-clause-kind" }, before),
      h("span", { className: "ttps-clause-id" }, reason.clause_id),
      after,
      reason.clause_label ? ` — ${reason.clause_label}` : "",
      h("span", { className: "ttps-sr-only" }, ` (${tr("card.clause_expand")})`),
    ),
    reason.clause_text ? h("blockquote", { className: "ttps-clause-text" }, reason.clause_text) : null,
    h("p", { className: "ttps-clause-source" }, tr("card.source"), link(source.url, sourceText)),
  );
}

function listOf(items, className) {
  if (!items.length) return null;
  return h("ul", { className }, items.map((text) => h("li", {}, text)));
}

function categoryRow(code, result, assessment, tr) {
  const info = statusInfo(result?.status, tr.lang);
  const reason = decidingReason(result);
  const changes = changesFor(assessment, code).map((c) => c.message).filter(Boolean);
  const summary = result?.summary || reason?.message || "";
  // The deciding reason in its own words, unless the summary already says it.
  const deciding = reason?.message && !summary.includes(reason.message) ? reason.message : "";
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
      h("span", { className: "ttps-cat" }, categoryLabel(code, tr.lang)),
      h("span", { className: "ttps-cat-name" }, ["A", "B", "C"].includes(code) ? tr(`card.name.${code}`) : ""),
      h(
        "span",
        { className: "ttps-badge" },
        h("span", { className: "ttps-badge-icon", "aria-hidden": "true" }, info.icon),
        h("span", { className: "ttps-badge-label" }, info.label),
      ),
    ),
    h("p", { className: "ttps-summary" }, summary),
    deciding
      ? h("p", { className: "ttps-deciding" }, h("strong", {}, tr("card.deciding")), " ", deciding)
      : null,
    clauseDetails(reason, tr),
    toFind.length
      ? h("div", { className: "ttps-tofind" }, h("strong", {}, tr("card.to_find")),
        listOf(toFind, "ttps-list"))
      : null,
    changes.length
      ? h("div", { className: "ttps-change" }, h("strong", {}, tr("card.changes")),
        listOf(changes, "ttps-list"))
      : null,
  );
}

// The other schemes the pre-screen suggests, side by side: for each, whether it fits, why, and
// the same four attributes (job offer, first stay, quota, staying on), then the caveat.
function otherRoutes(other, tr) {
  const schemes = Array.isArray(other?.schemes) ? other.schemes : [];
  if (!schemes.length) return null;
  const fact = (term, value) => [h("dt", {}, tr(term)), h("dd", {}, value || tr("routes.not_stated"))];
  return h(
    "section",
    { className: "ttps-routes" },
    h("h4", {}, tr("routes.title")),
    h("ul", { className: "ttps-route-list" }, schemes.map((s) => {
      const info = schemeStatusInfo(s?.status, tr.lang);
      const side = s?.side_by_side || {};
      const stay = side.first_stay_months && !String(side.first_stay_note || "").includes(String(side.first_stay_months))
        ? tr("routes.stay_months", { months: side.first_stay_months, note: side.first_stay_note || "" }).trim()
        : side.first_stay_note;
      return h(
        "li",
        { className: `ttps-route ttps-route-${info.className}`, "data-scheme": s?.scheme || "",
          "data-status": s?.status || "unknown" },
        h("div", { className: "ttps-route-head" },
          s?.url ? link(s.url, s?.name || s?.scheme || "") : h("span", {}, s?.name || s?.scheme || ""),
          h("span", { className: "ttps-badge" }, info.label)),
        s?.summary ? h("p", { className: "ttps-summary" }, s.summary) : null,
        h("dl", { className: "ttps-route-facts" },
          ...fact("routes.job_offer", side.job_offer_note),
          ...fact("routes.first_stay", stay),
          ...fact("routes.quota", quotaText(side.quota, tr.lang)),
          ...fact("routes.staying_on", side.extension_note)),
      );
    })),
    other?.caveat ? h("p", { className: "ttps-caveat" }, other.caveat) : null,
  );
}

export function buildResultCard(assessment, otherSchemes = null) {
  const tr = translator(cardLang(assessment));
  const titleId = `ttps-card-${Math.random().toString(36).slice(2, 7)}`;
  const categories = assessment?.categories || {};
  const problems = generalProblems(assessment);
  const otherChanges = changesFor(assessment, null).map((c) => c.message).filter(Boolean);
  const steps = nextSteps(assessment, tr.lang);
  const versions = [
    assessment?.rules_version ? tr("card.versions_rules", { version: assessment.rules_version }) : "",
    assessment?.list_version ? tr("card.versions_list", { version: assessment.list_version }) : "",
  ].filter(Boolean).join(tr("card.versions_sep"));

  return h(
    "article",
    { className: "ttps-card", lang: tr.lang, "aria-labelledby": titleId },
    h(
      "header",
      { className: "ttps-card-head" },
      h("h3", { id: titleId, className: "ttps-card-title" }, tr("card.title")),
      assessment?.application_date
        ? h("p", { className: "ttps-card-sub" }, tr("card.for_date", { date: assessment.application_date }))
        : null,
    ),
    problems.length
      ? h("div", { className: "ttps-card-warning", role: "note" },
        problems.map((p) => h("p", {}, h("span", { "aria-hidden": "true" }, "⚠ "), p.message || "")))
      : null,
    h("ul", { className: "ttps-rows" },
      ["A", "B", "C"].filter((c) => categories[c]).map((c) => categoryRow(c, categories[c], assessment, tr))),
    otherChanges.length
      ? h("div", { className: "ttps-change" }, h("strong", {}, tr("card.changes")),
        listOf(otherChanges, "ttps-list"))
      : null,
    h(
      "section",
      { className: "ttps-next" },
      h("h4", {}, tr("card.next")),
      h("ul", { className: "ttps-list" },
        steps.map((s) => h("li", {}, s.href ? link(s.href, s.text) : s.text))),
    ),
    otherRoutes(otherSchemes, tr),
    assessment?.caveat ? h("p", { className: "ttps-caveat" }, assessment.caveat) : null,
    versions ? h("p", { className: "ttps-versions" }, versions) : null,
  );
}
