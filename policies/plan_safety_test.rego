# Tests for qlrf.plan_safety (run with `qlrf policy test policies/`).
package qlrf.plan_safety_test

import data.qlrf.plan_safety

canary := {"name": "canary", "canary": true, "targets": 5, "health_checks": ["http_200"], "wait_minutes": 15}

safe_plan := {
	"task": {"environment": "production", "risk_level": "high"},
	"plan": {
		"total_targets": 100,
		"phases": [
			canary,
			{"name": "wave-1", "targets": 20, "health_checks": ["http_200"]},
			{"name": "wave-2", "targets": 20, "health_checks": ["http_200"]},
			{"name": "wave-3", "targets": 20, "health_checks": ["http_200"]},
			{"name": "wave-4", "targets": 20, "health_checks": ["http_200"]},
			{"name": "wave-5", "targets": 15, "health_checks": ["http_200"]},
		],
		"rollback": {"automatic": true, "criteria": [{"metric": "error_rate", "threshold": 0.05}]},
	},
}

with_phases(phases) := object.union(safe_plan, {"plan": {"phases": phases}})

denied_with(plan, fragment) if {
	some msg in plan_safety.deny with input as plan
	contains(msg, fragment)
}

test_safe_production_plan_is_allowed if {
	plan_safety.allow with input as safe_plan
	count(plan_safety.warn) == 0 with input as safe_plan
}

test_production_plan_with_a_50_percent_batch_is_denied if {
	plan := with_phases([canary, {"name": "half", "targets": 50, "health_checks": ["h"]}, {"name": "rest", "targets": 45, "health_checks": ["h"]}])
	denied_with(plan, "phase \"half\" targets 50 of 100 assets (50.0%)")
	not plan_safety.allow with input as plan
}

test_production_batch_of_exactly_20_percent_is_allowed if {
	plan_safety.allow with input as safe_plan
	not denied_with(safe_plan, "production batches")
}

test_production_plan_without_a_canary_is_denied if {
	plan := with_phases([{"name": "wave-1", "targets": 20, "health_checks": ["h"]}])
	denied_with(plan, "must start with a canary phase")
}

test_canary_that_is_not_first_is_denied if {
	plan := with_phases([{"name": "wave-1", "targets": 20, "health_checks": ["h"]}, canary])
	denied_with(plan, "must start with a canary phase")
}

test_canary_over_10_percent_and_5_assets_is_too_large if {
	plan := with_phases([{"name": "canary", "canary": true, "targets": 12, "wait_minutes": 5}])
	denied_with(plan, "canary phase \"canary\" targets 12 of 100 assets")
}

test_canary_over_10_percent_but_at_most_5_assets_is_fine if {
	plan := object.union(safe_plan, {"plan": {
		"total_targets": 20,
		"phases": [{"name": "canary", "canary": true, "targets": 4, "wait_minutes": 5}],
	}})
	not denied_with(plan, "canary phase")
}

test_canary_of_6_assets_within_10_percent_is_fine if {
	plan := with_phases([{"name": "canary", "canary": true, "targets": 6, "wait_minutes": 5}])
	not denied_with(plan, "canary phase")
}

test_canary_given_as_asset_list_is_counted if {
	ids := [sprintf("i-%d", [i]) | some i in numbers.range(1, 12)]
	plan := with_phases([{"name": "canary", "canary": true, "targets": ids, "wait_minutes": 5}])
	denied_with(plan, "targets 12 of 100 assets")
}

test_plan_without_rollback_criteria_is_denied if {
	plan := object.union(safe_plan, {"plan": {"rollback": {"automatic": true, "criteria": []}}})
	denied_with(plan, "no rollback criteria")
	missing := json.remove(safe_plan, ["plan/rollback"])
	denied_with(missing, "no rollback criteria")
}

test_staging_plan_may_skip_the_canary_and_use_big_batches if {
	plan := object.union(safe_plan, {
		"task": {"environment": "staging"},
		"plan": {"phases": [{"name": "all", "targets": 100, "health_checks": ["h"]}]},
	})
	plan_safety.allow with input as plan
	some w in plan_safety.warn with input as plan
	contains(w, "covers 100.0% of targets")
}

test_phases_covering_more_than_the_plan_are_denied if {
	plan := with_phases([canary, {"name": "w", "targets": 20}, {"name": "x", "targets": 20}, {"name": "y", "targets": 20}, {"name": "z", "targets": 20}, {"name": "v", "targets": 20}])
	denied_with(plan, "phases target 105 assets but the plan covers only 100")
}

test_empty_plan_is_denied if {
	denied_with({"task": {"environment": "production"}, "plan": {}}, "plan has no phases")
	denied_with({"task": {"environment": "production"}, "plan": {}}, "total_targets must be a positive number")
}

test_missing_health_checks_and_bake_time_warn if {
	plan := with_phases([{"name": "canary", "canary": true, "targets": 5}, {"name": "wave-1", "targets": 20}])
	warnings := plan_safety.warn with input as plan
	"phase \"wave-1\" has no health checks" in warnings
	"canary phase \"canary\" has no bake time (wait_minutes)" in warnings
}
