#!/usr/bin/env bash
# Starts, stops and shows the test services: Neo4j x2 (jsongraph, hybridgraph) and PostgreSQL.
#
#   services/ctl.sh up      start what is not running (idempotent), wait until ready, write
#                           services/.state/services.env (export lines) and services.json
#   services/ctl.sh status  show what runs; exit 0 when everything is up, 3 otherwise
#   services/ctl.sh down    stop everything, wait for exit, remove temp dirs and the state
#
# Environment: NEO4J_PASSWORD (Neo4j auth; unset or empty: auth off), NEO4J_HEAP (default 512m),
# WEIR_SERVICES_TIMEOUT (seconds to wait for readiness, default 180),
# WEIR_SERVICES_STATE (state dir, default services/.state).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WEIR_SERVICES_NAME=services
# shellcheck source=_lib.sh
source "$here/_lib.sh"

STATE=${WEIR_SERVICES_STATE:-$here/.state}
LOGS=$STATE/logs
NEO4J_NAMES=(jsongraph hybridgraph)
TIMEOUT=${WEIR_SERVICES_TIMEOUT:-180}

# Prints the recorded temp dir holding the services' data, if it still exists.
recorded_tmp() {
  local tmp
  [[ -f $STATE/tmpdir ]] || return 1
  tmp=$(<"$STATE/tmpdir")
  [[ -n $tmp && -d $tmp ]] || return 1
  echo "$tmp"
}

# Prints the pid of Neo4j instance $1 when it is our launcher and alive.
neo4j_pid() {
  local pid
  [[ -f $STATE/neo4j-$1.pid ]] || return 1
  pid=$(<"$STATE/neo4j-$1.pid")
  pid_alive "$pid" || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'dev.weir.neo4j.Launcher' || return 1
  echo "$pid"
}

neo4j_port() { cat "$STATE/neo4j-$1.port" 2>/dev/null; }

# Succeeds when Neo4j instance $1 runs, answers on its port and has said it is ready.
neo4j_up() {
  local port
  neo4j_pid "$1" >/dev/null || return 1
  port=$(neo4j_port "$1") || return 1
  grep -q '^ready bolt://' "$LOGS/neo4j-$1.log" 2>/dev/null || return 1
  port_open "$port"
}

postgres_dir() {
  local tmp
  tmp=$(recorded_tmp) || return 1
  echo "$tmp/postgres"
}

postgres_up() {
  local dir
  dir=$(postgres_dir) || return 1
  "$here/postgres.sh" status "$dir"
}

postgres_port() { sed -n 4p "$(postgres_dir)/data/postmaster.pid" 2>/dev/null; }

# Starts Neo4j instance $1 in the background on port $2 with data under $3.
start_neo4j() {
  local name=$1 port=$2 data=$3 log=$LOGS/neo4j-$1.log
  rm -rf "$data"
  mkdir -p "$data"
  echo "$port" >"$STATE/neo4j-$name.port"
  rm -f "$STATE/neo4j-$name.pid"
  # setsid: own session, so the server outlives this script and the caller's terminal.
  # The inner shell records its pid, then becomes the JVM (launch.sh execs java); 9>&- keeps
  # the lock out of the server.
  # shellcheck disable=SC2016 # expanded by the inner shell
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$STATE/neo4j-$name.pid" \
    "$here/neo4j/launch.sh" --port "$port" --data "$data" >"$log" 2>&1 </dev/null 9>&- &
  say "starting neo4j-$name on 127.0.0.1:$port (log: $log)"
}

# Fails with the log's tail when a service did not become ready.
fail_with_log() {
  local what=$1 log=$2
  say "error: $what; last lines of $log:"
  tail -n 20 "$log" >&2 || true
  say "inspect $log, then clean up with: deno task services:down"
  exit 1
}

# Waits until Neo4j instance $1 prints its ready line, its process dies, or the deadline passes.
await_neo4j() {
  local name=$1 deadline=$2 log=$LOGS/neo4j-$1.log pid
  while ! grep -q '^ready bolt://' "$log" 2>/dev/null; do
    pid=$(cat "$STATE/neo4j-$name.pid" 2>/dev/null || true)
    if [[ -n $pid ]] && ! pid_alive "$pid"; then
      fail_with_log "neo4j-$name exited before it was ready" "$log"
    fi
    if ((SECONDS >= deadline)); then
      fail_with_log "neo4j-$name was not ready within ${TIMEOUT}s (WEIR_SERVICES_TIMEOUT)" "$log"
    fi
    sleep 0.2
  done
}

write_settings() {
  local uri hybrid password url tmp json=$STATE/services.json env=$STATE/services.env
  uri=bolt://127.0.0.1:$(neo4j_port jsongraph)
  hybrid=bolt://127.0.0.1:$(neo4j_port hybridgraph)
  password=$(cat "$STATE/neo4j.password" 2>/dev/null || true)
  url=$(<"$STATE/database_url")
  tmp=$(recorded_tmp)
  {
    echo "# Test services started by services/ctl.sh up; source this file."
    printf 'export NEO4J_URI=%q\n' "$uri"
    printf 'export NEO4J_HYBRID_URI=%q\n' "$hybrid"
    printf 'export NEO4J_USER=%q\n' neo4j
    printf 'export NEO4J_PASSWORD=%q\n' "$password"
    printf 'export DATABASE_URL=%q\n' "$url"
    printf 'export WEIR_SERVICES_FILE=%q\n' "$json"
  } >"$env.tmp"
  {
    echo "{"
    echo "  \"NEO4J_URI\": $(json_str "$uri"),"
    echo "  \"NEO4J_HYBRID_URI\": $(json_str "$hybrid"),"
    echo "  \"NEO4J_USER\": \"neo4j\","
    echo "  \"NEO4J_PASSWORD\": $(json_str "$password"),"
    echo "  \"DATABASE_URL\": $(json_str "$url"),"
    echo "  \"services\": {"
    local name
    for name in "${NEO4J_NAMES[@]}"; do
      echo "    \"neo4j-$name\": {\"pid\": $(neo4j_pid "$name"), \"log\": $(json_str "$LOGS/neo4j-$name.log")},"
    done
    echo "    \"postgres\": {\"pid\": $(head -n 1 "$tmp/postgres/data/postmaster.pid"), \"log\": $(json_str "$tmp/postgres/postgres.log")}"
    echo "  },"
    echo "  \"tmpDir\": $(json_str "$tmp")"
    echo "}"
  } >"$json.tmp"
  mv "$env.tmp" "$env"
  mv "$json.tmp" "$json"
}

cmd_up() {
  local tmp name port pid used=() started=() deadline
  mkdir -p "$STATE" "$LOGS"
  exec 9>"$STATE/.lock"
  flock -w 300 9 || die "another services/ctl.sh holds $STATE/.lock"

  if ! tmp=$(recorded_tmp); then
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/weir-services.XXXXXX")
    chmod 755 "$tmp"
    echo "$tmp" >"$STATE/tmpdir"
  fi

  # Neo4j auth follows NEO4J_PASSWORD at the first `up`; later ones keep it for restarts.
  if [[ ! -f $STATE/neo4j.password ]]; then
    printf '%s' "${NEO4J_PASSWORD:-}" >"$STATE/neo4j.password"
  elif [[ -n ${NEO4J_PASSWORD+set} && $NEO4J_PASSWORD != "$(<"$STATE/neo4j.password")" ]]; then
    say "warning: keeping the Neo4j password of the first up; run down first to change it"
  fi

  for name in "${NEO4J_NAMES[@]}"; do
    if neo4j_up "$name"; then
      used+=("$(neo4j_port "$name")")
      say "neo4j-$name already runs on 127.0.0.1:$(neo4j_port "$name")"
    fi
  done
  if postgres_up; then
    used+=("$(postgres_port)")
  fi

  for name in "${NEO4J_NAMES[@]}"; do
    neo4j_up "$name" && continue
    [[ ${#started[@]} -eq 0 ]] && "$here/neo4j/build.sh"
    export NEO4J_PASSWORD
    NEO4J_PASSWORD=$(cat "$STATE/neo4j.password")
    if pid=$(neo4j_pid "$name"); then
      say "neo4j-$name (pid $pid) does not answer; restarting it"
      stop_pid "$pid" 60
    fi
    port=$(free_port "${used[@]}")
    used+=("$port")
    start_neo4j "$name" "$port" "$tmp/neo4j-$name"
    started+=("$name")
  done

  if postgres_up; then
    say "postgres already runs on 127.0.0.1:$(postgres_port)"
  else
    "$here/postgres.sh" install
    "$here/postgres.sh" stop "$tmp/postgres"
    port=$(free_port "${used[@]}")
    say "starting postgres on 127.0.0.1:$port (log: $tmp/postgres/postgres.log)"
    # 9>&-: servers must not inherit the lock.
    "$here/postgres.sh" start "$tmp/postgres" "$port" 9>&- | sed -n 's/^DATABASE_URL=//p' >"$STATE/database_url"
    ln -sfn "$tmp/postgres/postgres.log" "$LOGS/postgres.log"
  fi

  deadline=$((SECONDS + TIMEOUT))
  for name in "${started[@]}"; do
    await_neo4j "$name" "$deadline"
    say "neo4j-$name ready on bolt://127.0.0.1:$(neo4j_port "$name")"
  done
  write_settings
  say "all services up; settings in $STATE/services.env and $STATE/services.json"
  say "use them in this shell with: source $STATE/services.env"
}

cmd_status() {
  local name all=0 port
  for name in "${NEO4J_NAMES[@]}"; do
    port=$(neo4j_port "$name" || true)
    if neo4j_up "$name"; then
      echo "neo4j-$name: up bolt://127.0.0.1:$port pid $(neo4j_pid "$name")"
    else
      echo "neo4j-$name: down"
      all=3
    fi
  done
  if postgres_up; then
    echo "postgres: up $(cat "$STATE/database_url" 2>/dev/null) pid $(head -n 1 "$(postgres_dir)/data/postmaster.pid")"
  else
    echo "postgres: down"
    all=3
  fi
  [[ $all -eq 0 ]] && echo "settings: $STATE/services.env"
  return "$all"
}

cmd_down() {
  local name pid pids=() tmp
  if [[ ! -d $STATE ]]; then
    say "nothing to stop (no $STATE)"
    return 0
  fi
  exec 9>"$STATE/.lock"
  flock -w 300 9 || die "another services/ctl.sh holds $STATE/.lock"
  for name in "${NEO4J_NAMES[@]}"; do
    if pid=$(neo4j_pid "$name"); then
      kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid")
    fi
  done
  if tmp=$(recorded_tmp); then
    "$here/postgres.sh" stop "$tmp/postgres"
  fi
  for pid in "${pids[@]}"; do
    stop_pid "$pid" 60
  done
  [[ -n ${tmp:-} ]] && rm -rf "$tmp"
  rm -rf "$STATE"
  say "all services stopped"
}

case ${1:-} in
up) cmd_up ;;
down) cmd_down ;;
status) cmd_status ;;
*)
  echo "usage: services/ctl.sh up | down | status" >&2
  exit 2
  ;;
esac
