# shellcheck shell=bash
# Shared helpers for the services scripts (sourced, not run).

# Files and folders the scripts create are their owner's alone: the state holds passwords
# (neo4j.password, database_url, services.env, services.json). Folders another user must
# enter (the PostgreSQL cluster's, run as `postgres`) are opened up with chmod where made.
umask 077

# Prints a message on stderr, prefixed with the calling script's name.
say() { printf '%s: %s\n' "${WEIR_SERVICES_NAME:-services}" "$*" >&2; }

# Prints a message on stderr and exits 1.
die() {
  say "error: $*"
  exit 1
}

# Succeeds when something accepts TCP connections on 127.0.0.1:$1.
port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Prints a TCP port that is free on 127.0.0.1 now and differs from the ports given as arguments.
free_port() {
  local port taken tries
  for ((tries = 0; tries < 50; tries++)); do
    if command -v python3 >/dev/null 2>&1; then
      port=$(python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()')
    else
      port=$((20000 + RANDOM % 40000))
      port_open "$port" && continue
    fi
    for taken in "$@"; do
      [[ $port == "$taken" ]] && continue 2
    done
    echo "$port"
    return 0
  done
  die "cannot find a free port on 127.0.0.1"
}

# Succeeds when process $1 is alive (and not a zombie). Reads /proc: procps may be absent.
pid_alive() {
  local stat
  [[ ${1:-} =~ ^[0-9]+$ ]] && kill -0 "$1" 2>/dev/null || return 1
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  # The state letter follows the ")" that closes the command name.
  stat=${stat##*) }
  [[ ${stat:0:1} != Z ]]
}

# Sends SIGTERM to process $1, waits up to $2 seconds (default 30) for it to exit, then SIGKILLs it.
stop_pid() {
  local pid=$1 wait_s=${2:-30} i
  pid_alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < wait_s * 10; i++)); do
    pid_alive "$pid" || return 0
    sleep 0.1
  done
  say "process $pid did not stop within ${wait_s}s after SIGTERM; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    pid_alive "$pid" || return 0
    sleep 0.1
  done
  die "process $pid survived SIGKILL"
}

# Escapes $1 as a JSON string (with quotes).
json_str() {
  local s=$1
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//$'\n'/\\n}
  s=${s//$'\t'/\\t}
  printf '"%s"' "$s"
}
