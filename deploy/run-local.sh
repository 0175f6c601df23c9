#!/usr/bin/env bash
# The whole team stack on one machine: PostgreSQL/PostGIS, N app processes on
# consecutive loopback ports, nginx in front with sticky sessions.
#
#   deploy/run-local.sh start [N]    start (N app processes, default 2) and print the URL
#   deploy/run-local.sh stop         stop everything this script started
#   deploy/run-local.sh status       what is running
#
# Settings (environment):
#   PANJ_STACK_DIR    where the cluster, logs and pid files live (default ./data/stack)
#   PANJ_PROXY_PORT   nginx's port (default 8080); PANJ_APP_PORT first app port (default 8601)
#   PANJ_PG_PORT      PostgreSQL's loopback port (default 5433)
#   PANJ_DATABASE_URL use this database instead of starting a cluster
#   PANJ_HTPASSWD     an htpasswd file: nginx then asks for a login and passes the user to
#                     the app in X-Forwarded-User; without it everyone is an anonymous viewer
# Everything listens on 127.0.0.1 only; nginx is the one door.
set -Eeuo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
run=${PANJ_STACK_DIR:-$root/data/stack}
proxy_port=${PANJ_PROXY_PORT:-8080}
app_port=${PANJ_APP_PORT:-8601}
pg_port=${PANJ_PG_PORT:-5433}
py=${PANJ_PYTHON:-$root/.venv/bin/python}
pgbin=${PANJ_PG_BIN:-/usr/lib/postgresql/15/bin}

as_postgres() {
  # initdb and postgres refuse to run as root.
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

wait_for() {  # wait_for URL SECONDS
  local deadline=$((SECONDS + $2))
  until curl -fsS -o /dev/null "$1" 2>/dev/null; do
    if [ $SECONDS -ge $deadline ]; then echo "no answer from $1" >&2; return 1; fi
    sleep 0.3
  done
}

start_postgres() {
  local data=$run/pg
  if [ ! -s "$data/PG_VERSION" ]; then
    mkdir -p "$data"
    [ "$(id -u)" = 0 ] && chown postgres: "$data"
    # trust on loopback and the private socket: this cluster serves this machine only.
    as_postgres "$pgbin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$run/initdb.log"
  fi
  as_postgres "$pgbin/pg_ctl" -D "$data" -l "$data/postgres.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $data" start >/dev/null
  PANJ_DATABASE_URL=$(PGHOST=127.0.0.1 PGPORT=$pg_port PGUSER=postgres "$root/deploy/postgis-setup.sh" panjmap panjmap)
  export PANJ_DATABASE_URL
}

start_apps() {
  local n=$1 secret
  # One cookie secret for every process, so a cookie signed by one is valid on another.
  [ -s "$run/cookie-secret" ] || (umask 077; "$py" -c 'import secrets; print(secrets.token_hex(32))' >"$run/cookie-secret")
  secret=$(cat "$run/cookie-secret")
  # Behind the proxy the app takes the user from this header, which nginx always sets (empty
  # without a login: an anonymous viewer); never local mode, though the processes listen on loopback.
  export PANJ_TRUSTED_USER_HEADER=X-Forwarded-User
  # Create or migrate the schema once, before any process serves a request.
  (cd "$root" && "$py" -m panjmap db init)
  for ((i = 0; i < n; i++)); do
    local port=$((app_port + i))
    # Production behind a proxy: XSRF and CORS checks on; websocket compression on, since the
    # map's script (~0.3 MB per rerun) crosses a real network here, not loopback.
    # The pid file must hold the server's own pid: a simple command put in the background.
    (cd "$root" || exit; PANJ_DATABASE_URL=$PANJ_DATABASE_URL STREAMLIT_SERVER_COOKIE_SECRET=$secret nohup "$py" -m streamlit run panjmap/server.py \
      --server.address 127.0.0.1 --server.port "$port" --server.headless true \
      --server.enableXsrfProtection true --server.enableCORS true \
      --server.enableWebsocketCompression true \
      >"$run/app-$port.log" 2>&1 & echo $! >"$run/app-$port.pid")
  done
  local urls=()
  for ((i = 0; i < n; i++)); do
    wait_for "http://127.0.0.1:$((app_port + i))/_stcore/health" 90
    urls+=("ws://127.0.0.1:$((app_port + i))")
  done
  # Each process warmed itself before answering (panjmap/server.py); one session each now also fills
  # the default view's caches, so no user pays a process's first run.
  # A process that cannot be warmed still serves: its first user waits longer, nothing fails.
  (cd "$root" && "$py" -m bench.warm "${urls[@]}" >"$run/warm.log" 2>&1) || echo "warm-up failed; see $run/warm.log" >&2
}

start_nginx() {
  local n=$1 upstreams="" auth=""
  for ((i = 0; i < n; i++)); do upstreams+="    server 127.0.0.1:$((app_port + i)) max_fails=1 fail_timeout=5s;"$'\n'; done
  if [ -n "${PANJ_HTPASSWD:-}" ]; then
    auth="    auth_basic \"Panj Border Incident Map\";"$'\n'"    auth_basic_user_file $(realpath "$PANJ_HTPASSWD");"
  fi
  mkdir -p "$run/nginx-tmp"
  [ "$(id -u)" = 0 ] && chown nobody: "$run/nginx-tmp"
  awk -v listen="127.0.0.1:$proxy_port" -v ups="$upstreams" -v auth="$auth" \
    '{ gsub("@LISTEN@", listen); if ($0 ~ /@UPSTREAMS@/) { printf "%s", ups; next } if ($0 ~ /@AUTH@/) { print auth; next } print }' \
    "$root/deploy/nginx-site.conf.template" >"$run/site.conf"
  cat >"$run/nginx.conf" <<CONF
worker_processes 1;
$([ "$(id -u)" = 0 ] && echo "user nobody nogroup;")
pid $run/nginx.pid;
error_log $run/nginx-error.log;
events { worker_connections 1024; }
http {
    include /etc/nginx/mime.types;
    # Which app process served each request, and for which sticky key (the spread shows here).
    log_format panj '\$remote_addr [\$time_local] "\$request" \$status upstream=\$upstream_addr sticky=\$panj_sticky';
    access_log $run/nginx-access.log panj;
    client_body_temp_path $run/nginx-tmp/body;
    proxy_temp_path $run/nginx-tmp/proxy;
    fastcgi_temp_path $run/nginx-tmp/fastcgi;
    uwsgi_temp_path $run/nginx-tmp/uwsgi;
    scgi_temp_path $run/nginx-tmp/scgi;
    include $run/site.conf;
}
CONF
  nginx -c "$run/nginx.conf" -p "$run" -t 2>"$run/nginx-test.log" || { cat "$run/nginx-test.log" >&2; return 1; }
  nginx -c "$run/nginx.conf" -p "$run"
  wait_for "http://127.0.0.1:$proxy_port/_stcore/health" 30 || [ -n "${PANJ_HTPASSWD:-}" ]
}

stop_all() {
  [ -s "$run/nginx.pid" ] && nginx -c "$run/nginx.conf" -p "$run" -s quit 2>/dev/null || true
  local pids=()
  for pidfile in "$run"/app-*.pid; do
    [ -e "$pidfile" ] || continue
    pids+=("$(cat "$pidfile")")
    kill "${pids[-1]}" 2>/dev/null || true
    rm -f "$pidfile"
  done
  # Streamlit closes its sessions on SIGTERM; give it 10 s before the database goes.
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  done
  if [ -s "$run/pg/postmaster.pid" ]; then as_postgres "$pgbin/pg_ctl" -D "$run/pg" -m fast -w stop >/dev/null || true; fi
}

case "${1:-}" in
  start)
    n=${2:-2}
    mkdir -p "$run"
    trap 'trap - ERR; echo "start failed; logs in $run" >&2; stop_all; exit 1' ERR
    if [ -z "${PANJ_DATABASE_URL:-}" ]; then start_postgres; fi
    start_apps "$n"
    start_nginx "$n"
    trap - ERR
    echo "$PANJ_DATABASE_URL" >"$run/database-url"
    echo "Panj map: http://127.0.0.1:$proxy_port  ($n app processes, store $PANJ_DATABASE_URL)"
    ;;
  stop) stop_all; echo "stopped" ;;
  status)
    for pidfile in "$run"/app-*.pid; do [ -e "$pidfile" ] && echo "app $(basename "$pidfile" .pid): pid $(cat "$pidfile")"; done
    [ -s "$run/nginx.pid" ] && echo "nginx: pid $(cat "$run/nginx.pid")"
    as_postgres "$pgbin/pg_ctl" -D "$run/pg" status 2>/dev/null | head -1 || true
    ;;
  *) sed -n '2,17p' "$0"; exit 2 ;;
esac
