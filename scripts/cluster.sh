#!/usr/bin/env bash
# The assistant as a cluster on one machine (make run-cluster; docs/cluster.md): nginx in front
# of CLUSTER_RASA Rasa servers and CLUSTER_ACTIONS action servers, conversations in PostgreSQL and
# conversation locks in Redis (endpoints.production.yml). Usage: scripts/cluster.sh MODEL
#
# Every process is supervised on its own: one that exits is started again while the others keep
# serving (a Rasa server only when CLUSTER_RESTART_RASA=1, the default); one that keeps exiting
# (5 times in a row, each soon after its start) is given up, and the cluster runs on without
# it. Everything stops when nginx gives up, when no Rasa server is left, and on Ctrl-C / SIGTERM.
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL=$1

N_RASA=${CLUSTER_RASA:-2}
N_ACTIONS=${CLUSTER_ACTIONS:-2}
LISTEN=${CLUSTER_LISTEN:-127.0.0.1:8088}
PUBLIC_URL=${CLUSTER_PUBLIC_URL:-http://${LISTEN/0.0.0.0/localhost}}
ACTION_LB_PORT=${CLUSTER_ACTION_PORT:-5060}
RASA_BASE=${CLUSTER_RASA_BASE_PORT:-5011}
ACTION_BASE=${CLUSTER_ACTION_BASE_PORT:-5061}
RUN_DIR=${CLUSTER_RUN_DIR:-.rasa/cluster}
LOG_DIR=${CLUSTER_LOG_DIR:-logs/cluster}
RESTART_RASA=${CLUSTER_RESTART_RASA:-1}
# Explicit port lists win over counts and base ports (the tests use free ports).
read -r -a RASA_PORTS <<< "${CLUSTER_RASA_PORTS:-$(seq -s ' ' "$RASA_BASE" $((RASA_BASE + N_RASA - 1)))}"
read -r -a ACTION_PORTS <<< "${CLUSTER_ACTION_PORTS:-$(seq -s ' ' "$ACTION_BASE" $((ACTION_BASE + N_ACTIONS - 1)))}"
(( ${#RASA_PORTS[@]} >= 1 && ${#ACTION_PORTS[@]} >= 1 )) || { echo "no servers to start" >&2; exit 2; }

export DB_HOST=${DB_HOST:-127.0.0.1} DB_PORT=${DB_PORT:-5432} DB_NAME=${DB_NAME:-ttps}
export DB_USER=${DB_USER:-postgres} DB_PASSWORD=${DB_PASSWORD:-}
export REDIS_HOST=${REDIS_HOST:-127.0.0.1} REDIS_PORT=${REDIS_PORT:-6379}
export ENDPOINTS=${ENDPOINTS:-endpoints.production.yml}
# Every Rasa server calls its actions through nginx's loopback balancer.
export ACTION_ENDPOINT_URL="http://127.0.0.1:${ACTION_LB_PORT}/webhook"
export RASA_TELEMETRY_ENABLED=false SQLALCHEMY_SILENCE_UBER_WARNING=1 TF_CPP_MIN_LOG_LEVEL=3
# Rasa's listen backlog (Sanic's default is 100): when one server dies, every person's next
# message goes to the others at once, and connections beyond the backlog wait for SYN retries
# until nginx gives up on a server that is alive, only busy.
export SANIC_BACKLOG=${SANIC_BACKLOG:-1024}
mkdir -p "$RUN_DIR" "$LOG_DIR"

[[ "$DB_NAME" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || { echo "DB_NAME must be a plain identifier" >&2; exit 2; }
# The database (created when missing) and Redis must answer before anything starts.
.venv-rasa/bin/python - <<'EOF'
import os, sys
import psycopg2, redis
from psycopg2 import sql
e = os.environ
try:
    con = psycopg2.connect(host=e["DB_HOST"], port=e["DB_PORT"], user=e["DB_USER"],
                           password=e["DB_PASSWORD"], dbname="postgres", connect_timeout=5)
    con.autocommit = True
    with con.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (e["DB_NAME"],))
        if cur.fetchone() is None:
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(e["DB_NAME"])))
            print(f"created the PostgreSQL database {e['DB_NAME']}")
    con.close()
    redis.Redis(host=e["REDIS_HOST"], port=int(e["REDIS_PORT"]), socket_timeout=5).ping()
except Exception as exc:
    sys.exit(f"cluster: PostgreSQL ({e['DB_HOST']}:{e['DB_PORT']}) or Redis "
             f"({e['REDIS_HOST']}:{e['REDIS_PORT']}) is not usable: {exc}")
EOF

# The token of Rasa's HTTP API (loopback only, never through nginx): RASA_AUTH_TOKEN, else the
# one kept in RASA_TOKEN_FILE, made once (as scripts/serve.sh does).
source scripts/api_token.sh
ensure_api_token

rasa_addrs=() action_addrs=()
for p in "${RASA_PORTS[@]}"; do rasa_addrs+=("127.0.0.1:$p"); done
for p in "${ACTION_PORTS[@]}"; do action_addrs+=("127.0.0.1:$p"); done
read -r -a exempt <<< "${NGINX_RATE_EXEMPT-127.0.0.1/32}"
python3 scripts/cluster_nginx.py --check --run-dir "$RUN_DIR" --log-dir "$LOG_DIR" \
  --listen "$LISTEN" --public-url "$PUBLIC_URL" --action-port "$ACTION_LB_PORT" \
  --rasa "${rasa_addrs[@]}" --actions "${action_addrs[@]}" --rate-exempt "${exempt[@]}" \
  --workers "${NGINX_WORKERS:-1}" --max-body "${NGINX_MAX_BODY:-64k}" \
  --rest-rate "${NGINX_REST_RATE:-5r/s}" --rest-burst "${NGINX_REST_BURST:-20}" \
  --socketio-rate "${NGINX_SOCKETIO_RATE:-5r/s}" --socketio-burst "${NGINX_SOCKETIO_BURST:-20}" \
  --platform-rate "${NGINX_PLATFORM_RATE:-50r/s}" --platform-burst "${NGINX_PLATFORM_BURST:-200}" \
  --read-timeout "${NGINX_READ_TIMEOUT:-300s}" --connect-timeout "${NGINX_CONNECT_TIMEOUT:-5s}" \
  --max-fails "${NGINX_MAX_FAILS:-3}" --fail-timeout "${NGINX_FAIL_TIMEOUT:-5s}" > /dev/null

# CORS for the widget's long-polling fallback: the public origin and its loopback spellings.
port=${LISTEN##*:}
read -r -a cors <<< "${CORS_ORIGINS:-$PUBLIC_URL http://localhost:$port http://127.0.0.1:$port}"

# supervise NAME LOG RESTART WINDOW COMMAND...: run COMMAND (output appended to LOG); when it
# exits, start it again after a second if RESTART=1. Five exits in a row, each within WINDOW
# seconds of its start, mean it cannot run: give up (exit 1). Nothing is started again once the
# cluster is stopping (the marker file) or this script is gone: Ctrl-C reaches every process of
# the terminal's group at once, and a server that stops first must stay stopped.
main_pid=$$
stop_marker="$RUN_DIR/stopping"
rm -f "$stop_marker"
supervise() {
  local name=$1 log=$2 restart=$3 window=$4; shift 4
  local child="" started code failures=0
  trap '[[ -n "$child" ]] && kill -TERM "$child" 2>/dev/null; wait 2>/dev/null; exit 0' INT TERM
  while true; do
    started=$(date +%s)
    echo "$(date -u +%FT%TZ) starting $name" >> "$log"
    "$@" >> "$log" 2>&1 &
    child=$!
    wait "$child" && code=0 || code=$?
    child=""
    if [[ -e "$stop_marker" ]] || ! kill -0 "$main_pid" 2>/dev/null; then exit 0; fi
    if (( $(date +%s) - started < window )); then failures=$((failures + 1)); else failures=1; fi
    if [[ "$restart" != 1 ]]; then
      echo "$(date -u +%FT%TZ) $name exited (code $code); not restarted (CLUSTER_RESTART_RASA=0)" | tee -a "$log"
      exit 1
    fi
    if (( failures >= 5 )); then
      echo "$(date -u +%FT%TZ) $name exited $failures times within ${window}s of starting (last code $code); giving up" | tee -a "$log" >&2
      exit 1
    fi
    echo "$(date -u +%FT%TZ) $name exited (code $code); starting it again" | tee -a "$log"
    sleep 1
    if [[ -e "$stop_marker" ]]; then exit 0; fi
  done
}

declare -A role=()     # supervisor pid -> what it runs
cleanup() {
  trap - INT TERM EXIT
  touch "$stop_marker"
  for pid in "${!role[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -f "$stop_marker"
  echo "Cluster stopped."
}
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM
trap cleanup EXIT

nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
supervise nginx "$LOG_DIR/nginx.log" 1 10 \
  "$nginx_bin" -p "$(realpath "$RUN_DIR")" -c "$(realpath "$RUN_DIR")/nginx.conf" -g 'daemon off;' &
role[$!]=nginx

for i in "${!ACTION_PORTS[@]}"; do
  # SANIC_HOST: rasa_sdk listens on 0.0.0.0 unless told otherwise; these stay on loopback.
  supervise "action server $((i + 1))" "$LOG_DIR/actions-$((i + 1)).log" 1 60 \
    env SANIC_HOST=127.0.0.1 .venv-actions/bin/python -m rasa_sdk --actions actions \
      --port "${ACTION_PORTS[$i]}" &
  role[$!]=actions
done

for i in "${!RASA_PORTS[@]}"; do
  supervise "Rasa server $((i + 1))" "$LOG_DIR/rasa-$((i + 1)).log" "$RESTART_RASA" 300 \
    .venv-rasa/bin/rasa run --model "$MODEL" --port "${RASA_PORTS[$i]}" --interface 127.0.0.1 \
      --enable-api "--auth-token=$RASA_AUTH_TOKEN" \
      --endpoints "$ENDPOINTS" --credentials "${CREDENTIALS:-credentials.yml}" \
      --cors "${cors[@]}" &
  role[$!]=rasa
done

ready() { curl -fs -o /dev/null --max-time 2 "$1"; }
any_left() {  # any supervisor of this role still running?
  local pid
  for pid in "${!role[@]}"; do [[ "${role[$pid]}" == "$1" ]] && kill -0 "$pid" 2>/dev/null && return 0; done
  return 1
}
deadline=$(( $(date +%s) + ${CLUSTER_STARTUP_TIMEOUT:-900} ))
waiting=("http://$LISTEN/webhooks/rest/")
for p in "${RASA_PORTS[@]}"; do waiting+=("http://127.0.0.1:$p/"); done
for p in "${ACTION_PORTS[@]}"; do waiting+=("http://127.0.0.1:$p/health"); done
while (( ${#waiting[@]} )); do
  left=()
  for url in "${waiting[@]}"; do ready "$url" || left+=("$url"); done
  waiting=("${left[@]+"${left[@]}"}")
  (( ${#waiting[@]} )) || break
  any_left nginx && any_left rasa || { echo "cluster: a server failed to start; see $LOG_DIR/" >&2; exit 1; }
  (( $(date +%s) < deadline )) || { echo "cluster: not ready in time: ${waiting[*]}" >&2; exit 1; }
  sleep 0.5
done
echo "Cluster ready: http://$LISTEN/ (health), REST http://$LISTEN/webhooks/rest/webhook, demo $PUBLIC_URL/demo/ - ${#RASA_PORTS[@]} Rasa servers (${RASA_PORTS[*]}), ${#ACTION_PORTS[@]} action servers (${ACTION_PORTS[*]}), logs in $LOG_DIR (Ctrl-C to stop)"

# Run until nginx gives up or no Rasa server is left.
while true; do
  ended=""
  wait -n -p ended "${!role[@]}" || true
  if [[ -z "${ended:-}" ]]; then
    any_left nginx || any_left rasa || any_left actions || exit 1
    continue
  fi
  what=${role[$ended]:-}
  unset "role[$ended]"
  case "$what" in
    nginx) echo "cluster: nginx stopped; stopping everything" >&2; exit 1 ;;
    rasa) any_left rasa || { echo "cluster: no Rasa server left; stopping everything" >&2; exit 1; }
          echo "cluster: a Rasa server is down for good; the others keep serving" >&2 ;;
    actions) any_left actions || echo "cluster: no action server left (Rasa answers with an apology)" >&2 ;;
  esac
done
