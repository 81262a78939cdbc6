// What survives a reload: the Rasa session id (so the server continues the same conversation,
// credentials.yml has session_persistence: true) and the rendered history (so the page shows it).
// Both live in localStorage, keyed by the server URL, so a new tab continues the same
// conversation too. When storage is unavailable (private mode, blocked cookies) the widget works
// from memory and simply starts afresh on reload.

const VERSION = "v1";
export const MAX_HISTORY = 200;

function memoryStorage() {
  const map = new Map();
  return {
    getItem: (k) => (map.has(k) ? map.get(k) : null),
    setItem: (k, v) => map.set(k, String(v)),
    removeItem: (k) => map.delete(k),
  };
}

function pickStorage(win) {
  try {
    const s = win.localStorage;
    const probe = "ttps-chat:probe";
    s.setItem(probe, "1");
    s.removeItem(probe);
    return s;
  } catch {
    return memoryStorage();
  }
}

export function randomId() {
  const c = globalThis.crypto;
  if (c?.randomUUID) return c.randomUUID().replace(/-/g, "");
  const bytes = new Uint8Array(16);
  if (c?.getRandomValues) c.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export class ChatStore {
  constructor(server, win = globalThis.window, storage = null) {
    this.storage = storage || pickStorage(win);
    this.prefix = `ttps-chat:${VERSION}:${server}:`;
  }

  _get(key) {
    try {
      return this.storage.getItem(this.prefix + key);
    } catch {
      return null;
    }
  }

  _set(key, value) {
    try {
      this.storage.setItem(this.prefix + key, value);
    } catch {
      // quota exceeded or storage revoked: keep going without persistence
    }
  }

  /** The session id, created on first use. */
  get sessionId() {
    let id = this._get("session");
    if (!id) {
      id = randomId();
      this._set("session", id);
    }
    return id;
  }

  set sessionId(id) {
    if (typeof id === "string" && id) this._set("session", id);
  }

  loadHistory() {
    try {
      const list = JSON.parse(this._get("history") || "[]");
      return Array.isArray(list) ? list : [];
    } catch {
      return [];
    }
  }

  saveHistory(list) {
    this._set("history", JSON.stringify(list.slice(-MAX_HISTORY)));
  }

  clearHistory() {
    this._set("history", "[]");
  }

  /** The language the person chose (or the conversation moved to), or null. */
  get locale() {
    return this._get("locale");
  }

  set locale(code) {
    if (typeof code === "string" && code) this._set("locale", code);
  }

  get isOpen() {
    return this._get("open") === "1";
  }

  set isOpen(open) {
    this._set("open", open ? "1" : "0");
  }
}
