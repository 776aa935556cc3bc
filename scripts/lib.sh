# Shared by test.sh and cluster-up.sh: install and start throwaway PostgreSQL and Redis on
# 127.0.0.1, no systemd, as root or as a normal user with sudo-less binaries.
# shellcheck shell=bash

PG_VERSION_DIR=""

ensure_packages() {
  local missing=()
  find_pg_bin >/dev/null || missing+=(postgresql)
  command -v redis-server >/dev/null || missing+=(redis-server)
  if ((${#missing[@]})); then
    echo "installing ${missing[*]} with apt-get" >&2
    if [[ $(id -u) -ne 0 ]]; then
      echo "need root (or preinstalled ${missing[*]}) to install them" >&2
      return 1
    fi
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  PG_VERSION_DIR=$(find_pg_bin)
}

find_pg_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [[ -x "$d/initdb" && -x "$d/pg_ctl" ]] && { echo "$d"; return 0; }
  done
  return 1
}

free_port() {
  python3 - <<'PY'
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
}

# as_pg CMD...: PostgreSQL refuses to run as root; run its tools as the postgres user then.
as_pg() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# start_services DIR: sets PGPORT, REDISPORT, PG_CONN, REDIS_CONN
start_services() {
  local dir=$1
  ensure_packages
  mkdir -p "$dir/pg" "$dir/redis"
  # As root, the postgres user must reach its data directory through DIR (mktemp makes it 700).
  if [[ $(id -u) -eq 0 ]]; then chmod 755 "$dir"; chown postgres:postgres "$dir/pg"; fi
  PGPORT=${PGPORT:-$(free_port)}
  REDISPORT=${REDISPORT:-$(free_port)}
  as_pg "$PG_VERSION_DIR/initdb" -D "$dir/pg/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/pg/initdb.log" 2>&1 \
    || { cat "$dir/pg/initdb.log" >&2; return 1; }
  as_pg "$PG_VERSION_DIR/pg_ctl" -D "$dir/pg/data" -l "$dir/pg/pg.log" -w \
    -o "-p $PGPORT -k $dir/pg -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300" start >/dev/null \
    || { cat "$dir/pg/pg.log" >&2; return 1; }
  "$PG_VERSION_DIR/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -qc "CREATE DATABASE orleans_agents" >/dev/null
  redis-server --port "$REDISPORT" --bind 127.0.0.1 --daemonize yes --dir "$dir/redis" \
    --pidfile "$dir/redis/redis.pid" --logfile "$dir/redis/redis.log" --save "" --appendonly no
  for _ in $(seq 50); do redis-cli -p "$REDISPORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
  PG_CONN="Host=127.0.0.1;Port=$PGPORT;Database=orleans_agents;Username=postgres;Pooling=true;Maximum Pool Size=50"
  REDIS_CONN="127.0.0.1:$REDISPORT"
  export PGPORT REDISPORT PG_CONN REDIS_CONN
}

stop_services() {
  local dir=$1
  if [[ -f "$dir/redis/redis.pid" ]]; then kill "$(cat "$dir/redis/redis.pid")" 2>/dev/null || true; fi
  if [[ -d "$dir/pg/data" && -n "$PG_VERSION_DIR" ]]; then
    as_pg "$PG_VERSION_DIR/pg_ctl" -D "$dir/pg/data" -m immediate stop >/dev/null 2>&1 || true
  fi
}
