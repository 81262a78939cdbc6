// The chat widget: the panel, the conversation log, quick replies, the typing indicator, the
// connection notice, history that survives a reload, and (without a container) the floating
// launcher.
import { buildResultCard } from "./card.js";
import { h, uid } from "./dom.js";
import { renderMarkdown } from "./markdown.js";
import { normalizeBotMessage } from "./messages.js";
import { ChatStore } from "./storage.js";
import { RasaSocket } from "./transport.js";

const TYPING_TIMEOUT_MS = 30000;
const OFFLINE_TEXT = "Can't reach the assistant, retrying…";

export class ChatWidget {
  /**
   * @param {object} config  from resolveConfig(): {server, title}
   * @param {Element|null} container  where to draw; null → floating launcher
   */
  constructor(config, container) {
    this.config = config;
    this.floating = !container;
    this.store = new ChatStore(config.server);
    this.history = this.store.loadHistory();
    this.greeted = this.history.length > 0;
    this.typingTimer = null;
    this.pinned = null; // the latest result card: later messages don't scroll it out of view
    this._build(container);
    this._restoreHistory();
    this._setOnline(false, { initial: true });
    this.socket = new RasaSocket(config.server, () => this.store.sessionId, {
      onSession: (id) => {
        this.store.sessionId = id;
      },
      onOnline: () => this._setOnline(true),
      onOffline: () => this._setOnline(false),
      onBotMessage: (payload) => this._onBotMessage(payload),
    });
    this.socket.connect();
  }

  // --- layout ---------------------------------------------------------------------------

  _build(container) {
    const titleId = uid("ttps-title");
    const inputId = uid("ttps-input");
    const panelId = uid("ttps-panel");

    this.log = h("div", {
      className: "ttps-log",
      role: "log",
      "aria-live": "polite",
      "aria-relevant": "additions",
      "aria-label": "Conversation",
      tabindex: "0",
    });
    this.typing = h(
      "div",
      { className: "ttps-typing", hidden: true, role: "status" },
      h("span", { className: "ttps-dots", "aria-hidden": "true" }, h("span"), h("span"), h("span")),
      h("span", { className: "ttps-sr-only" }, "The assistant is typing…"),
    );
    this.retryButton = h("button", { type: "button", className: "ttps-retry" }, "Retry now");
    this.retryButton.addEventListener("click", () => this.socket.retryNow());
    this.notice = h(
      "div",
      { className: "ttps-notice", role: "alert", hidden: true },
      h("span", { className: "ttps-notice-text" }, OFFLINE_TEXT),
      " ",
      this.retryButton,
    );
    this.input = h("input", {
      id: inputId,
      className: "ttps-input",
      type: "text",
      autocomplete: "off",
      maxlength: "1000",
      placeholder: "Type your message…",
    });
    this.sendButton = h("button", { type: "submit", className: "ttps-send" }, "Send");
    this.form = h(
      "form",
      { className: "ttps-form" },
      h("label", { for: inputId, className: "ttps-sr-only" }, "Message to the TTPS assistant"),
      this.input,
      this.sendButton,
    );
    this.form.addEventListener("submit", (e) => {
      e.preventDefault();
      const text = this.input.value.trim();
      if (!text) return;
      if (this.send(text, text)) this.input.value = "";
    });
    this.restartButton = h(
      "button",
      { type: "button", className: "ttps-restart", title: "Clear this conversation and start again" },
      "Start over",
    );
    this.restartButton.addEventListener("click", () => this.restart());

    const headerButtons = [this.restartButton];
    if (this.floating) {
      this.closeButton = h(
        "button",
        { type: "button", className: "ttps-close", "aria-label": "Close chat" },
        h("span", { "aria-hidden": "true" }, "×"),
      );
      this.closeButton.addEventListener("click", () => this.setOpen(false));
      headerButtons.push(this.closeButton);
    }

    this.panel = h(
      "section",
      {
        id: panelId,
        className: `ttps-chat${this.floating ? " ttps-floating" : ""}`,
        "aria-labelledby": titleId,
      },
      h(
        "header",
        { className: "ttps-header" },
        h("h2", { id: titleId, className: "ttps-title" }, this.config.title),
        h("div", { className: "ttps-header-buttons" }, headerButtons),
      ),
      this.notice,
      this.log,
      this.typing,
      this.form,
      h(
        "p",
        { className: "ttps-disclaimer" },
        "Guidance from the published rules; the Immigration Department decides every application.",
      ),
    );

    if (this.floating) {
      this.launcher = h(
        "button",
        {
          type: "button",
          className: "ttps-launcher",
          "aria-controls": panelId,
          "aria-expanded": "false",
        },
        h("span", { "aria-hidden": "true", className: "ttps-launcher-icon" }, "💬"),
        h("span", { className: "ttps-launcher-text" }, "Ask about TTPS"),
      );
      this.launcher.addEventListener("click", () => this.setOpen(!this.isOpen));
      this.panel.addEventListener("keydown", (e) => {
        if (e.key === "Escape") {
          this.setOpen(false);
        }
      });
      this.root = h("div", { className: "ttps-root" }, this.panel, this.launcher);
      document.body.appendChild(this.root);
      this.isOpen = false;
      this.setOpen(this.store.isOpen, { focus: false });
    } else {
      container.appendChild(this.panel);
      this.isOpen = true;
    }
  }

  setOpen(open, { focus = true } = {}) {
    if (!this.floating) return;
    this.isOpen = open;
    this.store.isOpen = open;
    this.panel.hidden = !open;
    this.launcher.setAttribute("aria-expanded", String(open));
    this.launcher.classList.toggle("ttps-launcher-open", open);
    if (open) {
      this._scrollToEnd();
      if (focus) (this.input.disabled ? this.log : this.input).focus();
      this._maybeGreet();
    } else if (focus) {
      this.launcher.focus();
    }
  }

  // --- connection state -----------------------------------------------------------------

  _setOnline(online, { initial = false } = {}) {
    this.online = online;
    this.notice.hidden = online || initial;
    this.input.disabled = !online;
    this.sendButton.disabled = !online;
    this.restartButton.disabled = !online;
    for (const b of this.log.querySelectorAll(".ttps-quick-replies button")) b.disabled = !online;
    this.panel.classList.toggle("ttps-offline", !online);
    this.input.placeholder = online ? "Type your message…" : initial ? "Connecting…" : "Waiting for the assistant…";
    if (online) {
      this._maybeGreet();
    } else if (!initial) {
      this._hideTyping();
    }
  }

  /** A first visit opens with the bot's own greeting (a hidden "/greet"). */
  _maybeGreet() {
    if (this.greeted || !this.online || !this.isOpen) return;
    this.greeted = true;
    this.send("/greet", null);
  }

  // --- sending and receiving --------------------------------------------------------------

  /**
   * Send a message. `shown` is what the person sees in their bubble (a button's title for a
   * payload); null sends silently.
   */
  send(message, shown) {
    if (!this.online) return false;
    if (!this.socket.send(message)) return false;
    this._clearQuickReplies();
    this.pinned = null;
    if (shown != null) this._add({ from: "user", type: "text", text: shown });
    this._showTyping();
    return true;
  }

  restart() {
    if (!this.online) return;
    this.history = [];
    this.store.clearHistory();
    this.log.replaceChildren();
    this.send("/start_over", "Start over");
    this.input.focus();
  }

  _onBotMessage(payload) {
    const items = normalizeBotMessage(payload);
    if (!items.length) return;
    this._hideTyping();
    for (const note of this.log.querySelectorAll(".ttps-system")) note.remove();
    for (const item of items) this._add({ from: "bot", ...item });
  }

  _add(entry) {
    this.history.push(entry);
    this.store.saveHistory(this.history);
    this._render(entry);
    this._scrollToEnd();
  }

  _restoreHistory() {
    const lastUser = this.history.map((e) => e.from).lastIndexOf("user");
    this.history.forEach((entry, i) => {
      // Quick replies stay usable only for the bot's messages after the person's last one.
      this._render(entry, { withReplies: i > lastUser });
    });
    this.pinned = null;
    this._scrollToEnd();
  }

  _render(entry, { withReplies = true } = {}) {
    const who = entry.from === "user" ? "You" : "Assistant";
    let body;
    if (entry.type === "card") {
      body = buildResultCard(entry.assessment, entry.otherSchemes);
    } else if (entry.from === "user") {
      body = h("div", { className: "ttps-text" }, entry.text); // as typed: plain text
    } else {
      body = h("div", { className: "ttps-text" }, renderMarkdown(entry.text || ""));
    }
    const message = h(
      "div",
      { className: `ttps-msg ttps-${entry.from}${entry.type === "card" ? " ttps-msg-card" : ""}` },
      h("span", { className: "ttps-sr-only" }, `${who}: `),
      body,
    );
    this.log.appendChild(message);
    if (entry.type === "card") this.pinned = message;
    if (withReplies && entry.from === "bot" && entry.quickReplies?.length) {
      this.log.appendChild(this._quickReplies(entry.quickReplies));
    }
  }

  _quickReplies(replies) {
    return h(
      "div",
      { className: "ttps-quick-replies", role: "group", "aria-label": "Suggested replies" },
      replies.map((r) => {
        const button = h("button", { type: "button", className: "ttps-quick-reply" }, r.title);
        button.disabled = !this.online;
        button.addEventListener("click", () => {
          if (this.send(r.payload, r.title)) this.input.focus();
        });
        return button;
      }),
    );
  }

  _clearQuickReplies() {
    const hadFocus = this.log.contains(document.activeElement);
    for (const group of this.log.querySelectorAll(".ttps-quick-replies")) group.remove();
    if (hadFocus) this.input.focus();
  }

  _showTyping() {
    this.typing.hidden = false;
    clearTimeout(this.typingTimer);
    // Don't leave the dots up for ever: after a while, say plainly that no answer came.
    this.typingTimer = setTimeout(() => {
      this._hideTyping();
      this.log.appendChild(h("p", { className: "ttps-system" },
        "No answer from the assistant yet. You can try again, or start over."));
      this._scrollToEnd();
    }, TYPING_TIMEOUT_MS);
    this._scrollToEnd();
  }

  _hideTyping() {
    this.typing.hidden = true;
    clearTimeout(this.typingTimer);
  }

  _scrollToEnd() {
    let top = this.log.scrollHeight;
    if (this.pinned?.isConnected) top = Math.min(top, this.pinned.offsetTop - 8);
    this.log.scrollTop = top;
  }
}
