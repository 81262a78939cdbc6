// Configuration from the embedding <script> tag:
//   data-server="http://localhost:5005"   the Rasa server (default http://localhost:5005)
//   data-container="#ttps-chat"           where to draw the chat; without it (or when the
//                                         element is missing) a floating launcher button is used
//   data-title="..."                      the panel's title (in every language; without it
//                                         the title comes from strings.<locale>.json)
//   data-lang="zh-Hant"                   the language to start in when the person has not
//                                         chosen one (en, zh-Hans, zh-Hant, or a tag such as
//                                         zh-HK); without it the browser's languages decide
//   data-allow-server-param               let `?server=` in the page URL override data-server
//                                         (for demos and tests; off by default so a crafted
//                                         link cannot point a production page at another server)
//   data-css="none"                       don't add ttps-widget.css automatically

export const DEFAULT_SERVER = "http://localhost:5005";
export const DEFAULT_CONTAINER = "#ttps-chat";

/** An http(s) URL without trailing slash, or null. */
export function normalizeServer(value) {
  if (typeof value !== "string" || !value.trim()) return null;
  try {
    const url = new URL(value.trim());
    if (url.protocol !== "http:" && url.protocol !== "https:") return null;
    return url.origin + url.pathname.replace(/\/+$/, "");
  } catch {
    return null;
  }
}

export function resolveConfig(dataset = {}, search = "") {
  let server = normalizeServer(dataset.server) || DEFAULT_SERVER;
  if (dataset.allowServerParam !== undefined) {
    const fromQuery = normalizeServer(new URLSearchParams(search).get("server"));
    if (fromQuery) server = fromQuery;
  }
  return {
    server,
    container: dataset.container || DEFAULT_CONTAINER,
    title: dataset.title || null,
    lang: dataset.lang || null,
    css: dataset.css !== "none",
  };
}

/** The stylesheet that sits next to the script: .../ttps-widget.js → .../ttps-widget.css */
export function cssUrlFor(scriptSrc) {
  if (!scriptSrc) return null;
  const url = new URL(scriptSrc);
  url.pathname = url.pathname.replace(/\.js$/, ".css");
  url.search = "";
  url.hash = "";
  return url.pathname.endsWith(".css") ? url.href : null;
}
