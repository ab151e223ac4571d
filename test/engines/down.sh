#!/usr/bin/env bash
# Stops the engines that test/engines/up.sh started from THIS checkout (those with a pid file in
# test/engines/.state). Engines it merely reused are left alone. Data stays in .state: to start from
# nothing, run this and then `rm -rf test/engines/.state`.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
STATE="$HERE/.state"
PG_BIN=/usr/lib/postgresql/15/bin

log() { printf '[engines] %s\n' "$*" >&2; }

# stop_pid NAME PIDFILE: TERM, then KILL after 20 s.
stop_pid() {
  local name=$1 pidfile=$2 pid
  [[ -f $pidfile ]] || return 0
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    log "stopping $name (pid $pid)"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$pid" 2>/dev/null; then
      log "$name did not stop in 20 s: killing it"
      kill -9 "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$pidfile"
}

stop_postgres() {
  [[ -f $STATE/postgres.pid ]] || return 0
  local data
  data=$(readlink -f "$STATE/pg")
  if [[ -f $data/postmaster.pid ]]; then
    log "stopping PostgreSQL"
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null || stop_pid PostgreSQL "$STATE/postgres.pid"
  fi
  rm -f "$STATE/postgres.pid"
}

engines=("$@")
# The env file lists what answered at the last up.sh; with no engine named, everything of ours stops.
((${#engines[@]})) || { engines=(kafka mongo postgres); rm -f "$STATE/env"; }
for engine in "${engines[@]}"; do
  case $engine in
    postgres) stop_postgres ;;
    mongo) stop_pid MongoDB "$STATE/mongo.pid" ;;
    kafka) stop_pid Kafka "$STATE/kafka.pid" ;;
    *) log "unknown engine '$engine' (postgres, mongo, kafka)"; exit 1 ;;
  esac
done
