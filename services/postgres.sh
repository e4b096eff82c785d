#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for weir's integration tests, from Debian's `postgresql` package.
#
#   services/postgres.sh install            install the package when absent (root, apt-get)
#   services/postgres.sh start [DIR [PORT]] initdb in DIR (default: a new temp dir) and start it on
#                                           127.0.0.1:PORT (default: a free port); prints
#                                           DATABASE_URL=postgres://weir:weir@127.0.0.1:PORT/weir_test
#   services/postgres.sh status DIR         succeeds when the cluster in DIR runs and answers
#   services/postgres.sh stop DIR           stops the cluster and removes DIR
#
# Password auth (scram) on 127.0.0.1, trust on the private Unix socket in DIR. Run as root, the
# server runs as the `postgres` system user (root cannot run postgres). Durability is off (fsync).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WEIR_SERVICES_NAME=postgres.sh
# shellcheck source=_lib.sh
source "$here/_lib.sh"

PG_USER=weir
PG_PASSWORD=weir
PG_DB=weir_test

# Prints the bin dir of the newest installed PostgreSQL major version, or fails.
pg_bin() {
  local dir
  dir=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  [[ -n $dir && -x $dir/initdb ]] || return 1
  echo "$dir"
}

install_pg() {
  pg_bin >/dev/null && return 0
  [[ $(id -u) -eq 0 ]] || die "PostgreSQL is not installed; as root run: services/postgres.sh install"
  say "installing Debian's postgresql package"
  # No default cluster on 5432: the tests start their own.
  if [[ ! -e /etc/postgresql-common/createcluster.d/00-weir.conf ]]; then
    mkdir -p /etc/postgresql-common/createcluster.d
    echo 'create_main_cluster = false' >/etc/postgresql-common/createcluster.d/00-weir.conf
  fi
  apt-get update -qq
  if ! apt-cache policy postgresql | grep -q 'Candidate: [0-9]'; then
    die "apt has no candidate for postgresql (apt-cache policy postgresql)"
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
  pg_bin >/dev/null || die "postgresql installed but no /usr/lib/postgresql/*/bin/initdb found"
}

# Runs a command as the cluster's owner: `postgres` when we are root, else ourselves.
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

start_pg() {
  local dir=${1:-} port=${2:-} bin
  install_pg
  bin=$(pg_bin)
  if [[ -z $dir ]]; then
    dir=$(mktemp -d "${TMPDIR:-/tmp}/weir-postgres.XXXXXX")
  fi
  [[ -n $port ]] || port=$(free_port "")
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  if [[ -f $dir/data/PG_VERSION ]]; then
    die "a cluster already exists in $dir/data; stop it first: services/postgres.sh stop $dir"
  fi
  # The owner must reach DIR through its parents (mktemp makes 0700 dirs).
  chmod 755 "$dir"
  if [[ $(id -u) -eq 0 ]]; then
    id postgres >/dev/null 2>&1 || die "the postgres system user is missing (reinstall postgresql)"
    chown postgres: "$dir"
  fi
  printf '%s\n' "$PG_PASSWORD" >"$dir/pwfile"
  [[ $(id -u) -eq 0 ]] && chown postgres: "$dir/pwfile"
  as_owner "$bin/initdb" -D "$dir/data" -U "$PG_USER" --pwfile="$dir/pwfile" \
    --auth-host=scram-sha-256 --auth-local=trust -E UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1 ||
    die "initdb failed; see $dir/initdb.log"
  rm -f "$dir/pwfile"
  cat >>"$dir/data/postgresql.conf" <<CONF
# weir test cluster
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 64MB
max_connections = 100
unix_socket_permissions = 0700
CONF
  # setsid: the server gets its own session, so it outlives the caller's terminal.
  if ! as_owner setsid -w "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 -s start; then
    die "PostgreSQL did not start on 127.0.0.1:$port; see $dir/postgres.log"
  fi
  as_owner "$bin/createdb" -h "$dir" -p "$port" -U "$PG_USER" "$PG_DB" ||
    die "cannot create database $PG_DB; see $dir/postgres.log"
  echo "DATABASE_URL=postgres://$PG_USER:$PG_PASSWORD@127.0.0.1:$port/$PG_DB"
}

status_pg() {
  local dir=${1:?usage: postgres.sh status DIR} bin port
  bin=$(pg_bin) || return 1
  [[ -f $dir/data/postmaster.pid ]] || return 1
  as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1 || return 1
  port=$(sed -n 4p "$dir/data/postmaster.pid")
  port_open "$port"
}

stop_pg() {
  local dir=${1:?usage: postgres.sh stop DIR} bin pid
  if [[ -f $dir/data/postmaster.pid ]]; then
    pid=$(head -n 1 "$dir/data/postmaster.pid")
    if bin=$(pg_bin); then
      as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 30 -s stop 2>/dev/null || true
    fi
    stop_pid "$pid" 30
  fi
  rm -rf "$dir"
}

case ${1:-} in
install) install_pg ;;
start) start_pg "${2:-}" "${3:-}" ;;
status) status_pg "${2:-}" ;;
stop) stop_pg "${2:-}" ;;
*)
  echo "usage: services/postgres.sh install | start [DIR [PORT]] | status DIR | stop DIR" >&2
  exit 2
  ;;
esac
