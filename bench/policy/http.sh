#!/usr/bin/env bash
# bench/policy/http.sh: wrk against `qlrf serve` POST /v1/data/qlrf/plan_safety/deny with the
# 1,000-target production plan of policy_bench (a 10-asset canary, five waves of 198 ids), each
# request authenticated with an API key, evaluated and written to the decision log.
# Prints requests/s and latency p50/p99. Usage: bench/policy/http.sh path/to/qlrf
set -euo pipefail
QLRF=${1:-out/src/app/qlrf}
CONNS=${CONNS:-16}
THREADS=${THREADS:-2}
DURATION=${DURATION:-10s}
dir=$(mktemp -d)
cleanup() {
  [[ -n "${qpid:-}" ]] && kill "$qpid" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

python3 - "$dir/body.json" <<'PY'
import json, sys
ids = lambda a, n: [f"i-{100000 + i}" for i in range(a, a + n)]
phases = [{"name": "canary", "canary": True, "targets": ids(0, 10),
           "health_checks": ["http_200", "error_rate"], "wait_minutes": 30}]
for w in range(5):
    phases.append({"name": f"wave-{w + 1}", "targets": ids(10 + w * 198, 198),
                   "health_checks": ["http_200"], "wait_minutes": 10})
doc = {"input": {"task": {"environment": "production", "risk_level": "high"},
                 "plan": {"total_targets": 1000, "phases": phases,
                          "rollback": {"automatic": True,
                                       "criteria": [{"metric": "error_rate", "threshold": 0.05}]}}}}
json.dump(doc, open(sys.argv[1], "w"))
PY

port=$(free_port)
RF_DATA_DIR="$dir/data" RF_LISTEN="127.0.0.1:$port" RF_ACCESS_LOG=false RF_RATE_LIMIT_RPS=0 \
  "$QLRF" serve >"$dir/qlrf.out" 2>"$dir/qlrf.log" &
qpid=$!
for _ in $(seq 200); do curl -sf "127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.02; done
key=$(RF_DATA_DIR="$dir/data" "$QLRF" admin create-api-key --org default --role viewer --name bench)
url="http://127.0.0.1:$port/v1/data/qlrf/plan_safety/deny"
check=$(curl -sf "$url" -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
  --data-binary @"$dir/body.json")
[[ $check == '{"result":[]'* ]] || { echo "unexpected answer: $check" >&2; exit 1; }

cat >"$dir/post.lua" <<LUA
local f = io.open("$dir/body.json", "rb")
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $key"
done = function(summary, latency, requests)
  io.write(string.format("p50_ms %.3f\np99_ms %.3f\n", latency:percentile(50) / 1000,
                         latency:percentile(99) / 1000))
end
LUA
wrk -t1 -c4 -d1s -s "$dir/post.lua" "$url" >/dev/null  # warm-up
out=$(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency -s "$dir/post.lua" "$url")
if echo "$out" | grep -q "Non-2xx"; then
  echo "bench: non-2xx responses" >&2
  echo "$out" >&2
  exit 1
fi
rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
p50=$(echo "$out" | awk '/^p50_ms/ {print $2}')
p99=$(echo "$out" | awk '/^p99_ms/ {print $2}')
bytes=$(wc -c <"$dir/body.json")
echo "bench/policy/http  wrk -t$THREADS -c$CONNS -d$DURATION  POST /v1/data/qlrf/plan_safety/deny"
echo "  input: 1,000-target production plan ($bytes bytes), API key, decision logged"
printf '  %s req/s   p50 %s ms   p99 %s ms\n' "$rps" "$p50" "$p99"
