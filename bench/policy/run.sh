#!/usr/bin/env bash
# bench/policy: plan_safety over a 1,000-target production plan, one thread (policy_bench).
# Prints p50/p99 per decision, decisions/s and the p50 as a ratio to OPA's 1 ms decision
# budget, against issue 6's targets (p50 <= 50 us, >= 20,000 decisions/s).
# Usage: bench/policy/run.sh BUILD_DIR   (a RelWithDebInfo or Release build)
set -euo pipefail
BUILD=${1:-build}
BENCH=$BUILD/src/engines/policy/policy_bench
[[ -x $BENCH ]] || { echo "no $BENCH (needs Google Benchmark)" >&2; exit 1; }
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$BENCH" --benchmark_min_time="${MIN_TIME:-2}" --benchmark_format=json >"$out"
python3 - "$out" <<'PY'
import json, sys
runs = {b["name"]: b for b in json.load(open(sys.argv[1]))["benchmarks"]}
print(f"{'benchmark':28} {'p50 us':>9} {'p99 us':>9} {'decisions/s':>12} {'p50 / 1 ms':>11}")
for name, b in runs.items():
    print(f"{name:28} {b['p50_us']:9.1f} {b['p99_us']:9.1f} {b['decisions_per_s']:12.0f} "
          f"{b['p50_vs_opa_1ms_budget']:11.3f}")
deny = runs["BM_PlanSafety/deny"]
ok = deny["p50_us"] <= 50 and deny["decisions_per_s"] >= 20000
print(f"\nplan_safety deny: p50 {deny['p50_us']:.1f} us = {deny['p50_vs_opa_1ms_budget']:.3f} x "
      f"OPA's 1 ms budget, {deny['decisions_per_s']:.0f} decisions/s "
      f"(targets: p50 <= 50 us, >= 20000/s: {'met' if ok else 'MISSED'})")
PY
