# Drift delta checks: a change (remediation plan, image promotion, sync) is compared with the
# fleet's drift before and after it; a change that makes drift materially worse is denied.
# Coverage is compliant / total x 100 (DESIGN.md section 4): healthy >= 90, warning >= 70.
#
# Input:
#   {
#     "environment": "production",
#     "before": {"total": 200, "compliant": 190, "critical_drift": 1},   # critical: > 30 days
#     "after":  {"total": 200, "compliant": 180, "critical_drift": 1},   # projected
#     "thresholds": {"max_coverage_drop": 2.0, "min_production_coverage": 90}   # optional
#   }
# Output: deny (set of reasons), warn (set), allow, plus before/after coverage and status.
package qlrf.drift_safety

default_thresholds := {"max_coverage_drop": 2.0, "min_production_coverage": 90}

thresholds := object.union(default_thresholds, object.get(input, "thresholds", {}))

production if lower(object.get(input, "environment", "")) in {"production", "prod"}

coverage(side) := 100 if side.total == 0

else := (side.compliant * 100) / side.total

status(pct) := "healthy" if pct >= 90

else := "warning" if pct >= 70

else := "critical"

before_coverage := coverage(input.before)

after_coverage := coverage(input.after)

drop := before_coverage - after_coverage

deny contains msg if {
	drop > thresholds.max_coverage_drop
	msg := sprintf(
		"drift coverage would fall from %.1f%% to %.1f%% (a drop of %.1f points; at most %.1f allowed)",
		[before_coverage, after_coverage, drop, thresholds.max_coverage_drop],
	)
}

deny contains msg if {
	production
	after_coverage < thresholds.min_production_coverage
	after_coverage < before_coverage
	msg := sprintf("production drift coverage would be %.1f%%, below %d%%", [after_coverage, thresholds.min_production_coverage])
}

deny contains msg if {
	object.get(input.after, "critical_drift", 0) > object.get(input.before, "critical_drift", 0)
	msg := sprintf(
		"assets drifted for more than 30 days would grow from %d to %d",
		[object.get(input.before, "critical_drift", 0), object.get(input.after, "critical_drift", 0)],
	)
}

deny contains "drift snapshots must have total >= compliant >= 0" if {
	some side in [input.before, input.after]
	not valid(side)
}

valid(side) if {
	side.compliant >= 0
	side.total >= side.compliant
}

warn contains msg if {
	status(before_coverage) != status(after_coverage)
	msg := sprintf("drift status would change from %s to %s", [status(before_coverage), status(after_coverage)])
}

allow if count(deny) == 0
