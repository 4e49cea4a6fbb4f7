#!/usr/bin/env bash
# Remote policy mode end to end: a second `qlrf serve` process stands in for OPA (its
# /v1/data REST Data API); the first, with RF_OPA_URL pointing at it, gets an allowed and a
# denied decision from it, then fails closed (a denial naming the failure, logged) once that
# server is stopped, and on a server that accepts connections but never answers (timeout).
set -euo pipefail
QLRF=$1
dir=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$dir"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  for f in "$dir"/*.log; do echo "--- $f" >&2; tail -5 "$f" >&2; done
  exit 1
}
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
export RF_ACCESS_LOG=false RF_RATE_LIMIT_RPS=0

# start NAME PORT [ENV=VALUE…]: a server with its own throwaway data directory.
start() {
  local name=$1 port=$2
  shift 2
  env RF_DATA_DIR="$dir/$name" RF_LISTEN="127.0.0.1:$port" "$@" "$QLRF" serve \
    >"$dir/$name.out" 2>"$dir/$name.log" &
  pids+=($!)
  for _ in $(seq 100); do curl -sf "localhost:$port/healthz" >/dev/null && return 0; sleep 0.1; done
  fail "server $name did not come up"
}
key() { RF_DATA_DIR="$dir/$1" "$QLRF" admin create-api-key --org default --role "$2" --name "$3"; }
field() { python3 -c 'import json,sys; v=json.load(sys.stdin)
for k in sys.argv[1].split("."): v=v[int(k)] if isinstance(v,list) else v[k]
print(json.dumps(v))' "$1"; }

safe='{"task":{"environment":"production","risk_level":"high"},"plan":{"total_targets":10,
  "phases":[{"name":"canary","canary":true,"targets":1,"health_checks":["http_200"]},
            {"name":"w1","targets":2,"health_checks":["http_200"]},
            {"name":"w2","targets":2,"health_checks":["http_200"]},
            {"name":"w3","targets":2,"health_checks":["http_200"]},
            {"name":"w4","targets":2,"health_checks":["http_200"]},
            {"name":"w5","targets":1,"health_checks":["http_200"]}],
  "rollback":{"automatic":true,"criteria":[{"metric":"error_rate","threshold":0.05}]}}}'
unsafe='{"task":{"environment":"production"},"plan":{"total_targets":10,
  "phases":[{"name":"half","targets":5,"health_checks":["h"]},{"name":"rest","targets":5}],
  "rollback":{"automatic":true,"criteria":[{"metric":"error_rate"}]}}}'

# The policy server (another qlrf) and the client in remote mode.
opa_port=$(free_port)
start opa "$opa_port"
opa_key=$(key opa viewer remote-client)
client_port=$(free_port)
start client "$client_port" RF_OPA_URL="http://127.0.0.1:$opa_port" RF_OPA_TOKEN="$opa_key" \
  RF_OPA_TIMEOUT_MS=2000
grep -q '"opa_url"' "$dir/client.log" || fail "client did not log remote mode"
client_key=$(key client admin e2e)
decide() {
  curl -s "localhost:$1/api/v1/policies/decide" -H "Authorization: Bearer $2" \
    -H 'Content-Type: application/json' -d "{\"path\":\"qlrf/plan_safety/deny\",\"input\":$3}"
}

out=$(decide "$client_port" "$client_key" "$safe")
[[ $(field allowed <<<"$out") == true ]] || fail "safe plan should be allowed: $out"
[[ $(field source <<<"$out") == '"remote"' ]] || fail "decision should be remote: $out"
[[ $(field result <<<"$out") == '[]' ]] || fail "remote result: $out"

out=$(decide "$client_port" "$client_key" "$unsafe")
[[ $(field denied <<<"$out") == true ]] || fail "unsafe plan should be denied: $out"
[[ $(field reasons.0 <<<"$out") == *production* ]] || fail "deny reason from the policy: $out"

# The client's /v1/data answers through the remote server too.
out=$(curl -s "localhost:$client_port/v1/data/qlrf/plan_safety/deny" \
  -H "Authorization: Bearer $client_key" -d "{\"input\":$unsafe}")
[[ $(field result <<<"$out") == '['* && $(field result <<<"$out") != '[]' ]] ||
  fail "/v1/data through the remote server: $out"

# The policy server decided (its own log), with the client's API key.
n=$(curl -sf "localhost:$opa_port/api/v1/policies/decisions" -H "Authorization: Bearer $opa_key" |
  python3 -c 'import json,sys; print(len(json.load(sys.stdin)["items"]))')
[[ $n -eq 3 ]] || fail "the policy server should have logged 3 decisions, got $n"

# Fail closed once the policy server is gone.
kill -TERM "${pids[0]}"
wait "${pids[0]}" || true
out=$(decide "$client_port" "$client_key" "$safe")
[[ $(field denied <<<"$out") == true ]] || fail "unreachable server must deny: $out"
[[ $(field reasons.0 <<<"$out") == *unreachable* ]] || fail "reason should name the failure: $out"
code=$(curl -s -o "$dir/body" -w '%{http_code}' "localhost:$client_port/v1/data/qlrf/plan_safety/deny" \
  -H "Authorization: Bearer $client_key" -d "{\"input\":$safe}")
[[ $code == 500 && $(field code <"$dir/body") == '"internal_error"' ]] ||
  fail "/v1/data with the policy server down: $code $(cat "$dir/body")"
log=$(curl -sf "localhost:$client_port/api/v1/policies/decisions?denied=true&limit=10" \
  -H "Authorization: Bearer $client_key")
python3 -c '
import json, sys
items = json.loads(sys.argv[1])["items"]
failed = [i for i in items if i["error"]]
assert len(failed) == 2 and all(i["source"] == "remote" for i in failed), items
assert "unreachable" in failed[0]["error"], failed[0]
assert len(items) == 4, items  # the unsafe plan twice, and the two failures
' "$log" || fail "decision log of the client: $log"

# A server that accepts the connection and never answers: the timeout denies.
silent_port=$(free_port)
python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(16)
conns = []
while True:
    c, _ = s.accept(); conns.append(c)
' "$silent_port" &
pids+=($!)
slow_port=$(free_port)
start slow "$slow_port" RF_OPA_URL="http://127.0.0.1:$silent_port" RF_OPA_TIMEOUT_MS=300
slow_key=$(key slow admin e2e)
start_ms=$(date +%s%3N)
out=$(decide "$slow_port" "$slow_key" "$safe")
elapsed=$(($(date +%s%3N) - start_ms))
[[ $(field denied <<<"$out") == true ]] || fail "a silent server must deny: $out"
[[ $(field reasons.0 <<<"$out") == *"did not answer within 300 ms"* ]] || fail "timeout reason: $out"
[[ $elapsed -lt 5000 ]] || fail "the timeout should bound the decision (took $elapsed ms)"
echo "policy_remote_test: ok"
