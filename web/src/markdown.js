// Bot text is Markdown (bold, italics, links, bullets). It is rendered with `marked`, then
// sanitised with DOMPurify, so a bot message can never put HTML of its own on the page:
//   1. raw HTML in the text (e.g. the bot quoting what the person typed) is escaped and shown
//      as text rather than parsed;
//   2. Markdown images become plain links;
//   3. DOMPurify keeps only a short list of formatting tags and the href/title attributes;
//   4. every link opens in a new tab with rel="noopener noreferrer".
import { Marked } from "marked";
import createDOMPurify from "dompurify";

export function escapeHtml(text) {
  return String(text)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

const marked = new Marked({
  gfm: true,
  breaks: true, // the bot separates lines with single newlines
  async: false,
  renderer: {
    html({ text }) {
      return escapeHtml(text);
    },
    image({ href, text }) {
      return `<a href="${escapeHtml(href || "")}">${escapeHtml(text || "image")}</a>`;
    },
  },
});

const ALLOWED_TAGS = [
  "p", "br", "strong", "b", "em", "i", "del", "a", "ul", "ol", "li", "code", "pre",
  "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
];

let purifier = null;

function getPurifier(win) {
  if (purifier) return purifier;
  purifier = createDOMPurify(win);
  purifier.addHook("afterSanitizeAttributes", (node) => {
    if (node.tagName === "A") {
      if (node.hasAttribute("href")) {
        node.setAttribute("target", "_blank");
        node.setAttribute("rel", "noopener noreferrer");
      }
    }
  });
  return purifier;
}

/** Markdown → sanitised HTML string. */
export function markdownToSafeHtml(text, win = window) {
  const html = marked.parse(String(text ?? ""));
  return getPurifier(win).sanitize(html, {
    ALLOWED_TAGS,
    ALLOWED_ATTR: ["href", "title"], // target/rel are added by the hook above
    ALLOW_DATA_ATTR: false,
    ALLOWED_URI_REGEXP: /^(?:https?:|mailto:|tel:|#)/i,
  });
}

/** Markdown → a sanitised DocumentFragment, ready to append. */
export function renderMarkdown(text, doc = document) {
  const template = doc.createElement("template");
  template.innerHTML = markdownToSafeHtml(text, doc.defaultView || window);
  return template.content;
}
