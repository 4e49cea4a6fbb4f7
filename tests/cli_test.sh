#!/usr/bin/env bash
# End-to-end CLI test: exit codes, admin commands, a running server with an API key from the
# CLI, SIGTERM shutdown, and `qlrf audit verify` finding a row someone tampered with.
set -euo pipefail
QLRF=$1
dir=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# Usage errors exit 2, failures exit 1 with one line.
set +e
"$QLRF" --no-such-flag >/dev/null 2>&1; [[ $? -eq 2 ]] || fail "usage error should exit 2"
"$QLRF" --database-url "mysql://x" migrate 2>"$dir/err"; rc=$?
set -e
[[ $rc -eq 1 ]] || fail "bad database URL should exit 1 (got $rc)"
[[ $(wc -l <"$dir/err") -eq 1 ]] || fail "failure should print one line: $(cat "$dir/err")"
"$QLRF" version | grep -q '^qlrf ' || fail "version"
"$QLRF" serve --help | grep -q -- '--listen' || fail "serve --help"

# Policy engine, opa-compatible: eval (OPA's result shape), test, a parse error with its
# position (exit 1), an undefined query ({}). Needs no config or database.
policies="$(dirname "$0")/../policies"
printf '%s' '{"task":{"environment":"production"},"plan":{"total_targets":10,
  "phases":[{"name":"half","targets":5,"health_checks":["h"]}],
  "rollback":{"automatic":true,"criteria":[{"metric":"error_rate"}]}}}' >"$dir/plan.json"
out=$("$QLRF" policy eval -d "$policies" -i "$dir/plan.json" 'data.qlrf.plan_safety.deny') ||
  fail "policy eval exited $?"
python3 -c '
import json, sys
e = json.loads(sys.argv[1])["result"][0]["expressions"][0]
assert e["text"] == "data.qlrf.plan_safety.deny" and e["location"] == {"row": 1, "col": 1}, e
assert any("must start with a canary" in m for m in e["value"]), e
assert any("targets 5 of 10 assets (50.0%)" in m for m in e["value"]), e
' "$out" || fail "policy eval output: $out"
"$QLRF" policy test "$policies" | grep -Eq '^PASS: ([0-9]+)/\1$' || fail "policy test"
printf 'package broken\n\np if {\n  input.x ==\n}\n' >"$dir/broken.rego"
set +e
out=$("$QLRF" policy eval -d "$dir/broken.rego" data.broken.p); rc=$?
set -e
[[ $rc -eq 1 ]] || fail "a policy parse error should exit 1 (got $rc)"
python3 -c '
import json, sys
e = json.loads(sys.argv[1])["errors"][0]
assert e["code"] == "rego_parse_error", e
assert e["location"]["file"].endswith("broken.rego") and e["location"]["row"] == 5, e
assert e["location"]["col"] >= 1, e
' "$out" || fail "parse error output: $out"
[[ $("$QLRF" policy eval -d "$policies" data.qlrf.plan_safety.no_such_rule) == '{}' ]] ||
  fail "an undefined query should print {}"

export RF_DATA_DIR="$dir/data"
"$QLRF" migrate | grep -q "up to date" || fail "migrate"
"$QLRF" migrate | grep -q "up to date" || fail "migrate twice"

# Demo fleet, listing, import (CSV and NDJSON), and a bad file that writes nothing.
"$QLRF" demo --assets 300 --seed 7 >"$dir/demo.out" 2>/dev/null || fail "demo"
grep -q "300 assets" "$dir/demo.out" || fail "demo summary: $(cat "$dir/demo.out")"
"$QLRF" demo --assets 300 --if-empty | grep -q "nothing generated" || fail "demo --if-empty"
total() { "$QLRF" assets list --json --limit 1 "$@" | python3 -c 'import json,sys;print(json.load(sys.stdin)["total"])'; }
[[ $(total) == 300 ]] || fail "assets list total"
[[ $(total --drifted) -gt 0 ]] || fail "the demo fleet should have drift"
"$QLRF" images list --family rhel-9 | grep -q production || fail "images list"
printf 'platform,instance_id,name,environment,tags,ips\naws,i-csv-1,csv-one,staging,tier=web;team=a,10.0.0.1\n' >"$dir/a.csv"
"$QLRF" assets import "$dir/a.csv" | grep -q '"created":1' || fail "csv import"
printf '{"platform":"gcp","instance_id":"vm-1","environment":"dr"}\n{"platform":"gcp","instance_id":"vm-2","environment":"nowhere"}\n' >"$dir/b.ndjson"
set +e
"$QLRF" assets import "$dir/b.ndjson" 2>"$dir/err"; rc=$?
set -e
[[ $rc -eq 1 ]] || fail "a bad row should fail the import"
grep -q 'assets\[1\].environment' "$dir/err" || fail "import error should name the row: $(cat "$dir/err")"
[[ $(total) == 301 ]] || fail "a failed import must write nothing"
id=$("$QLRF" images list --json --family ubuntu-24.04 --status testing | python3 -c 'import json,sys;print(json.load(sys.stdin)["items"][0]["id"])')
"$QLRF" images promote "$id" --to production --reason e2e | grep -q "is now production" || fail "promote"
set +e
"$QLRF" images promote "$id" --to draft 2>/dev/null; rc=$?
set -e
[[ $rc -eq 1 ]] || fail "production -> draft must be refused"

# Vulnerabilities: a scanner report, the same again (no change), a wrong format, the catalog.
cat >"$dir/scan.json" <<'JSON'
{"SchemaVersion":2,"ArtifactName":"e2e","ArtifactType":"container_image","Results":[
 {"Target":"e2e","Class":"os-pkgs","Type":"ubuntu","Vulnerabilities":[
  {"VulnerabilityID":"CVE-2021-44228","PkgName":"log4j","InstalledVersion":"2.14.1","FixedVersion":"2.15.0","Severity":"CRITICAL"},
  {"VulnerabilityID":"CVE-2023-0001","PkgName":"zlib","InstalledVersion":"1.2","Severity":"LOW"}]}]}
JSON
"$QLRF" import trivy "$dir/scan.json" --image "$id" | grep -q '"new":2' || fail "trivy import"
"$QLRF" import auto "$dir/scan.json" --image "$id" | grep -q '"duplicate":true' || fail "re-import must change nothing"
set +e
"$QLRF" import grype "$dir/scan.json" --image "$id" 2>"$dir/err"; rc=$?
set -e
[[ $rc -eq 1 ]] || fail "a Trivy report imported as Grype must fail"
grep -q 'Trivy' "$dir/err" || fail "the error should say what the file is: $(cat "$dir/err")"
printf '{"title":"kev","catalogVersion":"1","dateReleased":"2026-01-01T00:00:00Z","count":1,"vulnerabilities":[{"cveID":"CVE-2021-44228","vendorProject":"Apache","product":"Log4j","vulnerabilityName":"Log4Shell","dateAdded":"2021-12-10","shortDescription":"x","requiredAction":"patch","dueDate":"2021-12-24","knownRansomwareCampaignUse":"Known","notes":"","cwes":[]}]}' >"$dir/kev.json"
"$QLRF" vulndb import kev "$dir/kev.json" | grep -q '"records":1' || fail "kev import"
"$QLRF" vulns list --image "$id" --json | python3 -c '
import json, sys
items = json.load(sys.stdin)
assert items[0]["vuln_id"] == "CVE-2021-44228" and items[0]["kev"], items' || fail "KEV finding first"
"$QLRF" sbom export --image "$id" --format cyclonedx | grep -q '"specVersion":"1.6"' || fail "sbom export"

port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
RF_LISTEN=127.0.0.1:$port RF_ACCESS_LOG=false "$QLRF" serve >"$dir/out" 2>"$dir/log" &
pid=$!
for _ in $(seq 50); do curl -sf "localhost:$port/healthz" >/dev/null && break; sleep 0.1; done
curl -sf "localhost:$port/healthz" >/dev/null || fail "server did not come up: $(cat "$dir/log")"

key=$("$QLRF" admin create-api-key --org default --role admin --name e2e)
[[ $key == qlrf_* ]] || fail "create-api-key printed '$key'"
me=$(curl -sf "localhost:$port/api/v1/me" -H "Authorization: Bearer $key")
[[ $me == *'"role":"admin"'* ]] || fail "me: $me"
"$QLRF" admin create-user --email ops@example.com --role operator --password 'long-enough-pw-1' >/dev/null
"$QLRF" admin list-users | grep -q "ops@example.com" || fail "list-users"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "localhost:$port/api/v1/projects" \
  -H "Authorization: Bearer $key" -H 'Content-Type: application/json' -d '{"name":"e2e"}')
[[ $code == 201 ]] || fail "create project: $code"

kill -TERM $pid
wait $pid || fail "server should exit 0 on SIGTERM"
grep -q '"msg":"stopped"' "$dir/log" || fail "no graceful stop in the log"

"$QLRF" audit verify | grep -q '^ok:' || fail "audit verify on an intact chain"
sqlite3 "$dir/data/qlrf.db" "UPDATE audit_events SET action='project.read' WHERE action='project.create'"
set +e
out=$("$QLRF" audit verify); rc=$?
set -e
[[ $rc -eq 1 && $out == BROKEN* ]] || fail "tampering not found: rc=$rc out=$out"
echo "cli_test: all checks passed"
