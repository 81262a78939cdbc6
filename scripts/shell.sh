#!/usr/bin/env bash
# Chat in the terminal: start the action server, wait for it, then `rasa shell`.
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL=$1
ACTION_PORT=${ACTION_PORT:-5055}
export ACTION_ENDPOINT_URL=http://127.0.0.1:${ACTION_PORT}/webhook
export TRACKER_DB=${TRACKER_DB:-.rasa/shell-tracker.db}
export RASA_TELEMETRY_ENABLED=false SQLALCHEMY_SILENCE_UBER_WARNING=1 TF_CPP_MIN_LOG_LEVEL=3
mkdir -p "$(dirname "$TRACKER_DB")" logs
.venv-actions/bin/python -m rasa_sdk --actions actions --port "$ACTION_PORT" > logs/actions.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 1 300); do
  curl -fsS -o /dev/null "http://127.0.0.1:${ACTION_PORT}/health" && break
  kill -0 $pid 2>/dev/null || { echo "action server failed; see logs/actions.log" >&2; exit 1; }
  sleep 0.2
done
.venv-rasa/bin/rasa shell --model "$MODEL" --endpoints endpoints.yml
