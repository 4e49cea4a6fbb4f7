#!/usr/bin/env bash
# bench/inventory on both backends in one run: run.sh with SQLite, then with PostgreSQL, then
# the PostgreSQL/SQLite ratio of every figure (the issue's bound is 2×).
# Usage: bench/inventory/compare.sh BUILD_DIR [ASSETS]   (default 1000000)
set -euo pipefail
here=$(dirname "$0")
sqlite_out=$(BACKEND=sqlite "$here/run.sh" "$@")
echo "$sqlite_out"
pg_out=$(BACKEND=postgres "$here/run.sh" "$@")
echo "$pg_out"
python3 - "$sqlite_out" "$pg_out" <<'PY'
import re, sys
def figures(text):
    out = {}
    m = re.search(r"qlrf demo\s+([0-9.]+) s", text)
    out["demo generation (s)"] = (float(m.group(1)), None)
    for line in text.splitlines():
        m = re.match(r"\s+(.+?)\s{2,}([0-9,]+) req/s\s+p50\s+([0-9.]+) ms\s+p99\s+([0-9.]+) ms", line)
        if m:
            out[m.group(1)] = (float(m.group(3)), float(m.group(4)))
    return out
s, p = figures(sys.argv[1]), figures(sys.argv[2])
print("PostgreSQL / SQLite (target <= 2.0)")
for key, (sv, sv99) in s.items():
    pv, pv99 = p[key]
    if sv99 is None:
        print(f"  {key:36s} {pv / sv:5.2f}x")
    else:
        print(f"  {key:36s} p50 {pv / sv:5.2f}x   p99 {pv99 / sv99:5.2f}x")
PY
