// Entry point (bundled to dist/ttps-widget.js as a classic script):
//
//   <div id="ttps-chat"></div>                                   optional: draw the chat here
//   <script src="/dist/ttps-widget.js" data-server="http://localhost:5005"></script>
//
// Without the container a floating "Ask about TTPS" launcher is added. The stylesheet next to
// the script (ttps-widget.css) is linked automatically. See config.js for every data- option.
import { cssUrlFor, resolveConfig } from "./config.js";
import { ChatWidget } from "./widget.js";

const script =
  document.currentScript || document.querySelector('script[src*="ttps-widget"][src$=".js"]');

function addStylesheet(href) {
  if (!href || document.querySelector(`link[data-ttps-widget]`)) return;
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = href;
  link.setAttribute("data-ttps-widget", "");
  document.head.appendChild(link);
}

function start() {
  const config = resolveConfig(script?.dataset || {}, window.location.search);
  if (config.css && script?.src) addStylesheet(cssUrlFor(script.src));
  let container = null;
  try {
    container = document.querySelector(config.container);
  } catch {
    // an invalid selector: fall back to the floating launcher
  }
  const widget = new ChatWidget(config, container);
  window.TTPSChat = widget; // for debugging and tests
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start, { once: true });
} else {
  start();
}
