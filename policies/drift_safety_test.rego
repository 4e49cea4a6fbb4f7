# Tests for qlrf.drift_safety.
package qlrf.drift_safety_test

import data.qlrf.drift_safety as drift

delta(before, after) := {
	"environment": "production",
	"before": {"total": 200, "compliant": before, "critical_drift": 1},
	"after": {"total": 200, "compliant": after, "critical_drift": 1},
}

denied_with(req, fragment) if {
	some msg in drift.deny with input as req
	contains(msg, fragment)
}

test_improving_drift_is_allowed if {
	drift.allow with input as delta(180, 195)
	drift.before_coverage == 90 with input as delta(180, 195)
	drift.after_coverage == 97.5 with input as delta(180, 195)
}

test_small_drop_is_allowed if {
	drift.allow with input as delta(196, 193)
}

test_large_drop_is_denied if {
	denied_with(delta(196, 186), "drift coverage would fall from 98.0% to 93.0% (a drop of 5.0 points")
}

test_production_coverage_below_90_is_denied if {
	denied_with(delta(181, 179), "production drift coverage would be 89.5%, below 90%")
	some w in drift.warn with input as delta(181, 179)
	contains(w, "from healthy to warning")
}

test_threshold_can_be_relaxed if {
	req := object.union(delta(196, 186), {"thresholds": {"max_coverage_drop": 10}})
	drift.allow with input as req
}

test_growing_critical_drift_is_denied if {
	req := object.union(delta(190, 190), {"after": {"critical_drift": 3}})
	denied_with(req, "would grow from 1 to 3")
}

test_empty_fleet_counts_as_fully_covered if {
	req := {"environment": "staging", "before": {"total": 0, "compliant": 0}, "after": {"total": 0, "compliant": 0}}
	drift.allow with input as req
	drift.after_coverage == 100 with input as req
}

test_inconsistent_snapshots_are_denied if {
	req := object.union(delta(190, 190), {"after": {"compliant": 250}})
	denied_with(req, "total >= compliant")
}
