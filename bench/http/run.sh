#!/usr/bin/env bash
# bench/http: wrk against nginx (a small static file), `qlrf serve` GET /healthz and an
# API-key-authenticated GET /api/v1/me, in one run with the same connections and threads.
# Prints requests/s and the ratios qlrf/nginx. Usage: bench/http/run.sh path/to/qlrf
set -euo pipefail
QLRF=${1:-out/src/app/qlrf}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
DURATION=${DURATION:-10s}
dir=$(mktemp -d)
cleanup() {
  [[ -n "${qpid:-}" ]] && kill "$qpid" 2>/dev/null || true
  [[ -f "$dir/nginx.pid" ]] && kill "$(cat "$dir/nginx.pid")" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

# nginx: two workers (one per core), keep-alive, no access log, the same body as /healthz.
nport=$(free_port)
mkdir -p "$dir/www" "$dir/tmp"
printf '{"status":"ok"}' >"$dir/www/healthz"
chmod -R a+rX "$dir"
cat >"$dir/nginx.conf" <<CONF
worker_processes 2;
pid $dir/nginx.pid;
error_log $dir/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $dir/tmp; proxy_temp_path $dir/tmp; fastcgi_temp_path $dir/tmp;
  uwsgi_temp_path $dir/tmp; scgi_temp_path $dir/tmp;
  keepalive_requests 1000000;
  server { listen 127.0.0.1:$nport; root $dir/www; default_type application/json; }
}
CONF
nginx -c "$dir/nginx.conf" -p "$dir"

# qlrf on a fresh SQLite database; the rate limiter is off so it measures the server, not 429s.
qport=$(free_port)
start_ns=$(date +%s%N)
RF_DATA_DIR="$dir/data" RF_LISTEN="127.0.0.1:$qport" RF_ACCESS_LOG=false RF_RATE_LIMIT_RPS=0 \
  "$QLRF" serve >"$dir/qlrf.out" 2>"$dir/qlrf.log" &
qpid=$!
for _ in $(seq 200); do curl -sf "127.0.0.1:$qport/healthz" >/dev/null && break; sleep 0.01; done
ready_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
internal_ms=$(grep -o '"startup_ms":"[0-9.]*"' "$dir/qlrf.log" | grep -o '[0-9.]*')
key=$(RF_DATA_DIR="$dir/data" "$QLRF" admin create-api-key --org default --role viewer --name bench)
# A second start on the now-initialised database (no first-start bootstrap hashing).
kill "$qpid"; wait "$qpid" || true
start_ns=$(date +%s%N)
RF_DATA_DIR="$dir/data" RF_LISTEN="127.0.0.1:$qport" RF_ACCESS_LOG=false RF_RATE_LIMIT_RPS=0 \
  "$QLRF" serve >"$dir/qlrf.out" 2>"$dir/qlrf.log" &
qpid=$!
for _ in $(seq 200); do curl -sf "127.0.0.1:$qport/healthz" >/dev/null && break; sleep 0.005; done
warm_ready_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
warm_internal_ms=$(grep -o '"startup_ms":"[0-9.]*"' "$dir/qlrf.log" | grep -o '[0-9.]*')

rps() {  # url [header]
  local out
  if [[ $# -gt 1 ]]; then
    out=$(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" -H "$2" "$1")
  else
    out=$(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" "$1")
  fi
  if echo "$out" | grep -q "Non-2xx"; then
    echo "bench: non-2xx responses from $1" >&2
    echo "$out" >&2
    exit 1
  fi
  echo "$out" | awk '/Requests\/sec/ {print $2}'
}
# Warm-up, then the measured runs, interleaved so drift on a shared machine hits both sides.
wrk -t1 -c8 -d1s "http://127.0.0.1:$nport/healthz" >/dev/null
wrk -t1 -c8 -d1s "http://127.0.0.1:$qport/healthz" >/dev/null
nginx_rps=$(rps "http://127.0.0.1:$nport/healthz")
healthz_rps=$(rps "http://127.0.0.1:$qport/healthz")
me_rps=$(rps "http://127.0.0.1:$qport/api/v1/me" "Authorization: Bearer $key")
nginx_rps2=$(rps "http://127.0.0.1:$nport/healthz")
nginx_avg=$(python3 -c "print(($nginx_rps + $nginx_rps2) / 2)")

python3 - "$nginx_rps" "$nginx_rps2" "$healthz_rps" "$me_rps" <<PY
import sys
n1, n2, h, m = map(float, sys.argv[1:])
n = (n1 + n2) / 2
print(f"bench/http  wrk -t$THREADS -c$CONNS -d$DURATION  (nginx runs: {n1:,.0f} / {n2:,.0f})")
print(f"  nginx static file        {n:12,.0f} req/s   1.00x")
print(f"  qlrf GET /healthz        {h:12,.0f} req/s   {h/n:.2f}x nginx  (target >= 0.75)")
print(f"  qlrf GET /api/v1/me      {m:12,.0f} req/s   {m/n:.2f}x nginx  (API key; target >= 0.50)")
print(f"  start-up to ready (SQLite): first start {'$ready_ms'} ms wall ({'$internal_ms'} ms in-process, incl. bootstrap)")
print(f"                              restart     {'$warm_ready_ms'} ms wall ({'$warm_internal_ms'} ms in-process; target < 200 ms)")
PY
