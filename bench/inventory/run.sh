#!/usr/bin/env bash
# bench/inventory: demo generation vs a raw SQLite bulk insert of the same rows, then wrk (16
# connections) against `qlrf serve` on that fleet: filtered + sorted first page, a deep cursor
# page, grouped counts, and the lineage tree of a 10,000-image family. Prints figures, p99s and
# ratios. Usage: bench/inventory/run.sh BUILD_DIR [ASSETS]   (default 1000000)
# BACKEND=postgres runs the same on a throwaway PostgreSQL (scripts/pg-fixture.sh); the raw
# baseline is SQLite's either way, so both runs print comparable figures.
set -euo pipefail
BUILD=${1:-out}
N=${2:-1000000}
QLRF=$BUILD/src/app/qlrf
RAW=$BUILD/bench/raw_insert
CONNS=${CONNS:-16}
DURATION=${DURATION:-10s}
dir=$(mktemp -d)
chmod 755 "$dir"  # the PostgreSQL fixture runs as the postgres user
cleanup() { [[ -n "${qpid:-}" ]] && kill "$qpid" 2>/dev/null || true; rm -rf "$dir"; }
BACKEND=${BACKEND:-sqlite}
if [[ $BACKEND == postgres ]]; then
  cleanup() {
    [[ -n "${qpid:-}" ]] && kill "$qpid" 2>/dev/null || true
    "$(dirname "$0")/../../scripts/pg-fixture.sh" stop "$dir/pg" >/dev/null 2>&1 || true
    rm -rf "$dir"
  }
fi
trap cleanup EXIT
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

# 1. Raw baseline: the schema from `qlrf demo --assets 0`, then N rows through raw_insert.
RF_DATA_DIR="$dir/raw" "$QLRF" demo --assets 0 >/dev/null 2>&1
org=$(sqlite3 "$dir/raw/qlrf.db" "SELECT id FROM organizations WHERE slug='default'")
raw_s=$("$RAW" "$dir/raw/qlrf.db" "$org" "$N")
rm -rf "$dir/raw"

# 2. qlrf demo of the same size.
if [[ $BACKEND == postgres ]]; then
  "$(dirname "$0")/../../scripts/pg-fixture.sh" start "$dir/pg" >/dev/null
  export RF_DATABASE_URL=$(cat "$dir/pg/url")
  sqlq() { psql -X -q -t -A "$(cat "$dir/pg/admin_url")" -v ON_ERROR_STOP=1 "$@"; }
else
  sqlq() { sqlite3 "$dir/data/qlrf.db" "$@"; }
fi
demo_out=$(RF_DATA_DIR="$dir/data" "$QLRF" demo --assets "$N" 2>/dev/null)
demo_s=$(echo "$demo_out" | grep -o 'in [0-9.]* s' | grep -o '[0-9.]*')
# PostgreSQL: what autovacuum would do shortly after a bulk load, done now so the measured
# queries do not depend on when it runs.
if [[ $BACKEND == postgres ]]; then sqlq -c "VACUUM ANALYZE" >/dev/null; fi

# 3. A 10,000-image family with a lineage tree (each version patched from the previous one,
#    every tenth also rebuilt into a branch), loaded with SQL as fixture data.
if [[ $BACKEND == postgres ]]; then
  org=$(sqlq -c "SELECT id FROM organizations WHERE slug='default'")
  pad() { echo "lpad(($1)::text, $2, '0')"; }
else
  org=$(sqlq "SELECT id FROM organizations WHERE slug='default'")
  pad() { echo "printf('%0$2d', $1)"; }
fi
uuid() { echo "'00000000-0000-4000-8000-' || $(pad "$1" 12)"; }
sqlq <<SQL
INSERT INTO golden_image_families (id, org_id, name, os, description, created_at, updated_at)
VALUES ('00000000-0000-4000-8000-0000000f4a11', '$org', 'bench-10k', 'ubuntu', '',
        '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z');
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
INSERT INTO images (id, org_id, family_id, family, version, status, created_at, updated_at)
SELECT $(uuid i), '$org', '00000000-0000-4000-8000-0000000f4a11', 'bench-10k',
       'v' || $(pad i 5), 'deprecated',
       '2026-01-01T00:00:' || $(pad "i / 1000" 2) || '.' || $(pad "i % 1000" 3) || 'Z',
       '2026-01-01T00:00:00.000Z' FROM n;
WITH RECURSIVE n(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
INSERT INTO image_lineage (org_id, parent_id, child_id, relation, created_at)
SELECT '$org', $(uuid "CASE WHEN i % 10 = 0 THEN i / 2 ELSE i - 1 END"), $(uuid i),
       'patched_from', '2026-01-01T00:00:00.000Z' FROM n;
SQL

# 4. The server and the measured requests.
port=$(free_port)
RF_DATA_DIR="$dir/data" RF_LISTEN="127.0.0.1:$port" RF_ACCESS_LOG=false RF_RATE_LIMIT_RPS=0 \
  "$QLRF" serve >"$dir/out" 2>"$dir/log" &
qpid=$!
for _ in $(seq 300); do curl -sf "127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.05; done
key=$(RF_DATA_DIR="$dir/data" "$QLRF" admin create-api-key --role viewer --name bench)
base="http://127.0.0.1:$port"
list="/api/v1/assets?environment=production&platform=aws&sort=name&limit=50"
# A deep page: follow cursors 40 pages of 500 in (the 20,000th matching row).
cursor=""
deep_cursor=""
for _ in $(seq 40); do
  cursor=$(curl -sf "$base/api/v1/assets?environment=production&platform=aws&sort=name&limit=500${cursor:+&cursor=$cursor}" \
    -H "Authorization: Bearer $key" | python3 -c 'import json,sys;print(json.load(sys.stdin)["next_cursor"] or "")')
  [[ -n "$cursor" ]] || break
  deep_cursor=$cursor
done
deep="$list${deep_cursor:+&cursor=$deep_cursor}"

p99() {  # path [extra header] -> "rps p50_ms p99_ms"
  local out
  out=$(wrk -t2 -c"$CONNS" -d"$DURATION" --latency -H "Authorization: Bearer $key" \
    ${2:+-H "$2"} "$base$1")
  if echo "$out" | grep -q "Non-2xx"; then echo "bench: non-2xx from $1" >&2; echo "$out" >&2; exit 1; fi
  python3 - "$out" <<'PY'
import re, sys
out = sys.argv[1]
def ms(tag):
    m = re.search(r"^\s*" + tag + r"\s+([0-9.]+)(us|ms|s)\s*$", out, re.M)
    v, u = float(m.group(1)), m.group(2)
    return v / 1000 if u == "us" else v * 1000 if u == "s" else v
rps = float(re.search(r"Requests/sec:\s+([0-9.]+)", out).group(1))
print(f"{rps:.0f} {ms('50%'):.2f} {ms('99%'):.2f}")
PY
}
# Warm-up: each measured request once (the lineage tree is rendered once per family version).
for path in "$list" "$deep" "/api/v1/assets/counts?group_by=environment,platform" \
            "/api/v1/images/families/bench-10k/lineage-tree"; do
  curl -sf -o /dev/null -H "Authorization: Bearer $key" "$base$path"
done
first=$(p99 "$list")
deep_r=$(p99 "$deep")
counts=$(p99 "/api/v1/assets/counts?group_by=environment,platform")
# The tree as a browser asks for it (gzip accepted); the plain transfer is printed too.
tree=$(p99 "/api/v1/images/families/bench-10k/lineage-tree" "Accept-Encoding: gzip")
tree_plain=$(p99 "/api/v1/images/families/bench-10k/lineage-tree")

python3 - "$N" "$raw_s" "$demo_s" "$first" "$deep_r" "$counts" "$tree" "$tree_plain" <<'PY'
import sys
n = int(sys.argv[1]); raw_s = float(sys.argv[2]); demo_s = float(sys.argv[3])
rows = {k: v.split() for k, v in zip(["first", "deep", "counts", "tree", "tree_plain"],
                                     sys.argv[4:])}
import os
print(f"bench/inventory  {os.environ.get('BACKEND', 'sqlite')}, {n:,} assets, wrk -t2 -c16")
print(f"  raw SQLite bulk insert        {raw_s:7.1f} s   {n/raw_s:10,.0f} assets/s  (baseline)")
print(f"  qlrf demo                    {demo_s:7.1f} s   {n/demo_s:10,.0f} assets/s   "
      f"{raw_s/demo_s:.2f}x raw (target >= 0.5, <= 30 s)")
for key, label, target in [("first", "assets list, 2 filters + sort", 20),
                           ("deep", "same, 20,000 rows deep (cursor)", 20),
                           ("counts", "counts by environment, platform", 50),
                           ("tree", "lineage tree, 10,000 images (gzip)", 50),
                           ("tree_plain", "same, uncompressed (~2 MB)", 50)]:
    rps, p50, p99 = rows[key]
    ok = "ok" if float(p99) <= target else "MISSED"
    print(f"  {label:34s} {float(rps):8,.0f} req/s  p50 {float(p50):7.2f} ms  "
          f"p99 {float(p99):7.2f} ms  (target p99 <= {target} ms: {ok})")
PY
