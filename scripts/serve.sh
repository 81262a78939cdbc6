#!/usr/bin/env bash
# Start the action server and the Rasa server, wait until both answer, and stop both cleanly on
# Ctrl-C or when Rasa exits. A crashed action server is restarted. Usage: scripts/serve.sh MODEL [extra rasa run args...]
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL=$1; shift
ACTION_PORT=${ACTION_PORT:-5055}
RASA_PORT=${RASA_PORT:-5005}
export ACTION_ENDPOINT_URL=${ACTION_ENDPOINT_URL:-http://127.0.0.1:${ACTION_PORT}/webhook}
export TRACKER_DB=${TRACKER_DB:-.rasa/tracker.db}
# Where the servers write their logs (several instances at once need one directory each).
LOG_DIR=${LOG_DIR:-logs}
export RASA_TELEMETRY_ENABLED=false SQLALCHEMY_SILENCE_UBER_WARNING=1 TF_CPP_MIN_LOG_LEVEL=3
# Two malloc arenas instead of one per thread (TensorFlow starts many): freed memory is reused
# instead of held apart per thread, and the Rasa server stays under 1.5 GB (channels/memory.py).
export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}
mkdir -p "$(dirname "$TRACKER_DB")" "$LOG_DIR"

pids=()
cleanup() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "Stopped."
}
trap cleanup INT TERM EXIT

# The action server, restarted when it exits (a crash must not take the assistant down; Rasa
# answers with an apology meanwhile, see channels/guard.py). Five exits within a minute mean it
# cannot start at all: then give up, and serve.sh stops everything.
supervise_actions() {
  local child="" started failures=0
  trap '[[ -n "$child" ]] && kill "$child" 2>/dev/null; wait 2>/dev/null; exit 0' INT TERM
  : > "$LOG_DIR/actions.log"
  while true; do
    started=$(date +%s)
    # on loopback unless ACTION_INTERFACE says otherwise (rasa_sdk reads SANIC_HOST; its own
    # default is 0.0.0.0, and the action server has no authentication of its own)
    SANIC_HOST=${ACTION_INTERFACE:-127.0.0.1} \
      .venv-actions/bin/python -m rasa_sdk --actions actions --port "$ACTION_PORT" \
      >> "$LOG_DIR/actions.log" 2>&1 &
    child=$!
    wait "$child" && code=0 || code=$?
    if (( $(date +%s) - started < 60 )); then failures=$((failures + 1)); else failures=1; fi
    if (( failures >= 5 )); then
      echo "action server exited $failures times within a minute (last exit code $code); giving up" \
        | tee -a "$LOG_DIR/actions.log" >&2
      exit 1
    fi
    echo "$(date -u +%FT%TZ) action server exited (code $code); restarting it" | tee -a "$LOG_DIR/actions.log"
    sleep 1
  done
}
supervise_actions &
pids+=($!)
# CORS: only the origins that serve the widget (space-separated list).
read -r -a cors <<< "${CORS_ORIGINS:-http://localhost:8080 http://127.0.0.1:8080}"
# Rasa listens on loopback unless RASA_INTERFACE says otherwise; its HTTP API (conversations,
# model upload) is on only when RASA_ENABLE_API=1 (the default for local use; run-channels
# turns it off because webhooks make the port public).
# The API answers only with the token (?token=...) or, when RASA_JWT_SECRET is set, a JWT signed
# with it (HS256, "Authorization: Bearer ..."); GET / and the channels' webhooks stay open.
# Without RASA_AUTH_TOKEN a random token is made once and kept in RASA_TOKEN_FILE (default
# .rasa/api-token, mode 600); its path is printed, never the token.
api=()
if [[ "${RASA_ENABLE_API:-1}" == "1" ]]; then
  source scripts/api_token.sh
  ensure_api_token
  api=(--enable-api "--auth-token=$RASA_AUTH_TOKEN")   # "=": a token may start with "-"
  if [[ -n "${RASA_JWT_SECRET:-}" ]]; then
    api+=("--jwt-secret=$RASA_JWT_SECRET" --jwt-method HS256)
  fi
fi
.venv-rasa/bin/rasa run --model "$MODEL" --port "$RASA_PORT" "${api[@]}" \
  --interface "${RASA_INTERFACE:-127.0.0.1}" \
  --endpoints "${ENDPOINTS:-endpoints.yml}" --credentials "${CREDENTIALS:-credentials.yml}" \
  --cors "${cors[@]}" "$@" > "$LOG_DIR/rasa.log" 2>&1 &
pids+=($!)
# The demo page with the chat widget, when WEB_PORT is set (make run sets 8080).
if [[ -n "${WEB_PORT:-}" ]]; then
  python3 scripts/serve_web.py --port "$WEB_PORT" > "$LOG_DIR/web.log" 2>&1 &
  pids+=($!)
fi

wait_for() {  # poll a URL until it answers or the process dies
  local url=$1 pid=$2 name=$3
  for _ in $(seq 1 600); do
    if curl -fs -o /dev/null "$url"; then return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then echo "$name failed to start; see $LOG_DIR/" >&2; exit 1; fi
    sleep 0.5
  done
  echo "$name did not become ready" >&2; exit 1
}
wait_for "http://127.0.0.1:${ACTION_PORT}/health" "${pids[0]}" "action server"
wait_for "http://127.0.0.1:${RASA_PORT}/" "${pids[1]}" "Rasa server"
if [[ -n "${WEB_PORT:-}" ]]; then
  wait_for "http://127.0.0.1:${WEB_PORT}/" "${pids[2]}" "web server"
  echo "Demo page with the chat widget: http://localhost:${WEB_PORT}/"
fi
echo "Assistant ready: REST http://127.0.0.1:${RASA_PORT}/webhooks/rest/webhook (Ctrl-C to stop)"
wait -n "${pids[@]}"
