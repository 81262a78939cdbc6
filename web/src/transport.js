// The connection to Rasa's `socketio` channel (credentials.yml): Socket.IO protocol v5, which
// Rasa 3.6's python-socketio 5.9 server speaks.
//
//   client → server  session_request {session_id}     on every (re)connect
//   server → client  session_confirm  session_id
//   client → server  user_uttered {message, session_id}
//   server → client  bot_uttered {text, quick_replies} | {ttps_assessment: ...} | ...
//
// With session_persistence: true Rasa puts the socket in a room named after the session id and
// keys the conversation on it, so sending the stored id after a reload continues the
// conversation. socket.io-client reconnects by itself (with back-off); this class reports
// "online" only once the session is confirmed.
import { io } from "socket.io-client";

export class RasaSocket {
  /**
   * @param {string} server  e.g. "http://localhost:5005" (a path, for a proxied Rasa, is kept)
   * @param {() => string} getSessionId
   * @param {{onOnline, onOffline, onSession, onBotMessage}} handlers
   */
  constructor(server, getSessionId, handlers) {
    this.server = server;
    this.getSessionId = getSessionId;
    this.handlers = handlers;
    this.online = false;
    this.socket = null;
  }

  connect() {
    const url = new URL(this.server);
    const basePath = url.pathname.replace(/\/+$/, "");
    const socket = io(url.origin, {
      path: `${basePath}/socket.io`,
      // WebSocket first (one connection, and browsers apply no CORS to it; Rasa's engine.io
      // server is created with cors_allowed_origins=[], i.e. it checks no origin either), then
      // HTTP long-polling for networks that block WebSockets (that path needs Rasa's --cors).
      transports: ["websocket", "polling"],
      tryAllTransports: true,
      reconnection: true,
      reconnectionDelay: 1000,
      reconnectionDelayMax: 5000,
      timeout: 10000,
    });
    this.socket = socket;

    socket.on("connect", () => {
      socket.emit("session_request", { session_id: this.getSessionId() });
    });
    socket.on("session_confirm", (data) => {
      const id = typeof data === "string" ? data : data?.session_id;
      this.handlers.onSession?.(id);
      this._setOnline(true);
    });
    socket.on("bot_uttered", (payload) => this.handlers.onBotMessage?.(payload));
    socket.on("disconnect", (reason) => {
      this._setOnline(false, reason);
      // After a server-side disconnect socket.io does not retry on its own.
      if (reason === "io server disconnect") socket.connect();
    });
    socket.on("connect_error", (err) => this._setOnline(false, err?.message || "connect_error"));
  }

  _setOnline(online, reason) {
    const changed = online !== this.online;
    this.online = online;
    if (online && changed) this.handlers.onOnline?.();
    if (!online) this.handlers.onOffline?.(reason);
  }

  /** Retry at once instead of waiting for the next back-off step. */
  retryNow() {
    if (!this.socket || this.socket.connected) return;
    this.socket.disconnect();
    this.socket.connect();
  }

  send(message) {
    if (!this.socket || !this.online) return false;
    this.socket.emit("user_uttered", { message, session_id: this.getSessionId() });
    return true;
  }

  close() {
    this.socket?.disconnect();
    this.socket = null;
    this.online = false;
  }
}
