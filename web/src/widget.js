// The chat widget: the panel, the conversation log, quick replies, the typing indicator, the
// connection notice, history that survives a reload, the language switcher and (without a
// container) the floating launcher.
//
// Languages: the widget's own words come from strings.<locale>.json (i18n.js). Elements that
// show one carry data-i18n="key" (text) or data-i18n-<attribute>="key" (placeholder,
// aria-label, title), and _applyLocale() fills them all, so switching redraws the frame at once.
// The conversation itself (the bot's messages, the cards) stays in the language it came in.
import { buildResultCard } from "./card.js";
import { h, uid } from "./dom.js";
import { LOCALES, initialLocale, normalizeLocale, strings, t } from "./i18n.js";
import { renderMarkdown } from "./markdown.js";
import { cardLang, greetMessage, normalizeBotMessage, requestedLanguage, switchLanguageMessage } from "./messages.js";
import { ChatStore } from "./storage.js";
import { RasaSocket } from "./transport.js";

const TYPING_TIMEOUT_MS = 30000;
const I18N_ATTRIBUTES = ["placeholder", "aria-label", "title"];

export class ChatWidget {
  /**
   * @param {object} config  from resolveConfig(): {server, title}
   * @param {Element|null} container  where to draw; null → floating launcher
   */
  constructor(config, container) {
    this.config = config;
    this.floating = !container;
    this.store = new ChatStore(config.server);
    this.locale = initialLocale({
      saved: this.store.locale,
      configured: config.lang,
      languages: navigator.languages?.length ? navigator.languages : [navigator.language],
    });
    this.pendingSwitch = null; // a language picked while offline, told to the bot on reconnect
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
      "data-i18n-aria-label": "chat.log",
      tabindex: "0",
    });
    this.typing = h(
      "div",
      { className: "ttps-typing", hidden: true, role: "status" },
      h("span", { className: "ttps-dots", "aria-hidden": "true" }, h("span"), h("span"), h("span")),
      h("span", { className: "ttps-sr-only", "data-i18n": "chat.typing" }),
    );
    this.retryButton = h("button", { type: "button", className: "ttps-retry", "data-i18n": "chat.retry" });
    this.retryButton.addEventListener("click", () => this.socket.retryNow());
    this.notice = h(
      "div",
      { className: "ttps-notice", role: "alert", hidden: true },
      h("span", { className: "ttps-notice-text", "data-i18n": "chat.offline" }),
      " ",
      this.retryButton,
    );
    this.input = h("input", {
      id: inputId,
      className: "ttps-input",
      type: "text",
      autocomplete: "off",
      maxlength: "1000",
      "data-i18n-placeholder": "chat.placeholder_connecting",
    });
    this.sendButton = h("button", { type: "submit", className: "ttps-send", "data-i18n": "chat.send" });
    this.form = h(
      "form",
      { className: "ttps-form" },
      h("label", { for: inputId, className: "ttps-sr-only", "data-i18n": "chat.input_label" }),
      this.input,
      this.sendButton,
    );
    this.form.addEventListener("submit", (e) => {
      e.preventDefault();
      const text = this.input.value.trim();
      if (!text) return;
      if (this.send(text, text)) this.input.value = "";
    });
    this.restartButton = h("button", {
      type: "button",
      className: "ttps-restart",
      "data-i18n": "chat.restart",
      "data-i18n-title": "chat.restart_title",
    });
    this.restartButton.addEventListener("click", () => this.restart());

    // The language switcher: each language named in itself (and marked as such for screen
    // readers), the current one pressed.
    this.langButtons = LOCALES.map((code) => {
      const names = strings(code);
      const button = h("button", {
        type: "button",
        className: "ttps-lang-button",
        lang: code,
        "data-lang": code,
        "aria-label": names["lang.self_full"],
        "aria-pressed": "false",
      }, names["lang.self"]);
      button.addEventListener("click", () => this.switchLanguage(code));
      return button;
    });
    this.langGroup = h("div", { className: "ttps-lang", role: "group", "data-i18n-aria-label": "lang.group" },
      this.langButtons);

    const headerButtons = [this.restartButton];
    if (this.floating) {
      this.closeButton = h(
        "button",
        { type: "button", className: "ttps-close", "data-i18n-aria-label": "chat.close" },
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
        h("h2", { id: titleId, className: "ttps-title", "data-i18n": this.config.title ? null : "chat.title" },
          this.config.title || ""),
        this.langGroup,
        h("div", { className: "ttps-header-buttons" }, headerButtons),
      ),
      this.notice,
      this.log,
      this.typing,
      this.form,
      h("p", { className: "ttps-disclaimer", "data-i18n": "chat.disclaimer" }),
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
        h("span", { className: "ttps-launcher-text", "data-i18n": "chat.launcher" }),
      );
      this.launcher.addEventListener("click", () => this.setOpen(!this.isOpen));
      this.panel.addEventListener("keydown", (e) => {
        if (e.key === "Escape") {
          this.setOpen(false);
        }
      });
      this.root = h("div", { className: "ttps-root" }, this.panel, this.launcher);
      this._applyLocale();
      document.body.appendChild(this.root);
      this.isOpen = false;
      this.setOpen(this.store.isOpen, { focus: false });
    } else {
      this.root = this.panel;
      this._applyLocale();
      container.appendChild(this.panel);
      this.isOpen = true;
    }
  }

  // --- languages --------------------------------------------------------------------------

  /** Fill every data-i18n element outside the cards (which keep their own language). */
  _applyLocale() {
    const lang = this.locale;
    this.root.setAttribute("lang", lang);
    const own = (el) => !el.closest(".ttps-card");
    for (const el of this.root.querySelectorAll("[data-i18n]")) {
      if (own(el)) el.textContent = t(lang, el.dataset.i18n);
    }
    for (const attr of I18N_ATTRIBUTES) {
      for (const el of this.root.querySelectorAll(`[data-i18n-${attr}]`)) {
        if (own(el)) el.setAttribute(attr, t(lang, el.getAttribute(`data-i18n-${attr}`)));
      }
    }
    for (const button of this.langButtons) {
      button.setAttribute("aria-pressed", String(button.dataset.lang === lang));
    }
  }

  /** Show the widget in `code` (and keep it for the next visit); `tellBot` also asks the bot to answer in it. */
  setLocale(code, { tellBot = false } = {}) {
    const lang = normalizeLocale(code);
    if (!lang) return;
    const changed = lang !== this.locale;
    this.locale = lang;
    this.store.locale = lang;
    if (changed) this._applyLocale();
    if (!tellBot) return;
    // Before the greeting the greeting itself carries the language (see _maybeGreet).
    if (!this.greeted) return;
    if (!this.online || !this.send(switchLanguageMessage(lang), null)) this.pendingSwitch = lang;
    else this.pendingSwitch = null;
  }

  /** The switcher: the person picked a language. */
  switchLanguage(code) {
    if (normalizeLocale(code) === this.locale) return;
    this.setLocale(code, { tellBot: true });
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
    const placeholder = online ? "chat.placeholder" : initial ? "chat.placeholder_connecting" : "chat.placeholder_waiting";
    this.input.setAttribute("data-i18n-placeholder", placeholder);
    this.input.placeholder = t(this.locale, placeholder);
    if (online) {
      this._maybeGreet();
      if (this.pendingSwitch && this.greeted && this.send(switchLanguageMessage(this.pendingSwitch), null)) {
        this.pendingSwitch = null;
      }
    } else if (!initial) {
      this._hideTyping();
    }
  }

  /**
   * A first visit opens with the bot's own greeting (a hidden "/greet"). When the widget starts
   * in another language than English, the greeting carries it (greetMessage), so the greeting
   * already comes in that language, with no acknowledgement of a switch before it.
   */
  _maybeGreet() {
    if (this.greeted || !this.online || !this.isOpen) return;
    this.greeted = true;
    this.pendingSwitch = null;
    this.send(greetMessage(this.locale), null);
  }

  // --- sending and receiving --------------------------------------------------------------

  /**
   * Send a message. `shown` is what the person sees in their bubble (a button's title for a
   * payload); null sends silently.
   */
  send(message, shown) {
    if (!this.online) return false;
    if (!this.socket.send(message)) return false;
    // The bot's own language buttons (and a typed /switch_language) switch the frame too.
    const asked = requestedLanguage(message);
    if (asked) this.setLocale(asked);
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
    this.send("/start_over", t(this.locale, "chat.restart"));
    this.input.focus();
  }

  _onBotMessage(payload) {
    const items = normalizeBotMessage(payload, this.locale);
    if (!items.length) return;
    // A card says which language the conversation is in (the bot answers in the script the
    // person writes in): the frame follows it, so labels and replies read in one language.
    const card = items.find((item) => item.type === "card");
    if (card) this.setLocale(cardLang(card.assessment));
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
    const who = entry.from === "user" ? "chat.you" : "chat.assistant";
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
      h("span", { className: "ttps-sr-only", "data-i18n": who }, t(this.locale, who)),
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
      {
        className: "ttps-quick-replies",
        role: "group",
        "data-i18n-aria-label": "chat.suggested",
        "aria-label": t(this.locale, "chat.suggested"),
      },
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
      this.log.appendChild(h("p", { className: "ttps-system", "data-i18n": "chat.no_answer" },
        t(this.locale, "chat.no_answer")));
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
