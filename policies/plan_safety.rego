# Plan safety: what every rollout plan (AI-generated or hand-written) must satisfy before it can
# be approved: small production batches, a canary first, a canary of sane size, rollback criteria.
#
# Input:
#   {
#     "task": {"environment": "production", "risk_level": "high"},
#     "plan": {
#       "total_targets": 100,                          # assets the plan changes
#       "phases": [                                    # in execution order
#         {"name": "canary", "canary": true, "targets": 5,    # a count or a list of asset ids
#          "health_checks": ["http_200"], "wait_minutes": 15},
#         {"name": "wave-1", "targets": 20, "health_checks": ["http_200"]}
#       ],
#       "rollback": {"automatic": true,
#                    "criteria": [{"metric": "error_rate", "threshold": 0.05}]}
#     }
#   }
# Output: deny (set of reasons; any reason rejects the plan), warn (set), allow (no deny).
package qlrf.plan_safety

max_production_batch_pct := 20

max_canary_pct := 10

max_canary_assets := 5

max_nonproduction_batch_pct := 50

production if lower(input.task.environment) in {"production", "prod"}

phases := object.get(input.plan, "phases", [])

total := object.get(input.plan, "total_targets", 0)

size(phase) := phase.targets if is_number(phase.targets)

size(phase) := count(phase.targets) if is_array(phase.targets)

name(phase) := object.get(phase, "name", "unnamed")

pct(n) := (n * 100) / total

deny contains "plan has no phases" if count(phases) == 0

deny contains "plan total_targets must be a positive number" if {
	not total > 0
}

deny contains msg if {
	production
	total > 0
	some phase in phases
	size(phase) * 100 > total * max_production_batch_pct
	msg := sprintf(
		"phase %q targets %d of %d assets (%.1f%%); production batches may cover at most %d%% of targets",
		[name(phase), size(phase), total, pct(size(phase)), max_production_batch_pct],
	)
}

deny contains "production plans must start with a canary phase" if {
	production
	not phases[0].canary
}

deny contains msg if {
	total > 0
	some phase in phases
	phase.canary
	size(phase) * 100 > total * max_canary_pct
	size(phase) > max_canary_assets
	msg := sprintf(
		"canary phase %q targets %d of %d assets; a canary may exceed %d%% of targets only if it has at most %d assets",
		[name(phase), size(phase), total, max_canary_pct, max_canary_assets],
	)
}

deny contains "plan has no rollback criteria" if not has_rollback_criteria

has_rollback_criteria if count(input.plan.rollback.criteria) > 0

deny contains msg if {
	total > 0
	planned := sum([size(phase) | some phase in phases])
	planned > total
	msg := sprintf("phases target %d assets but the plan covers only %d", [planned, total])
}

warn contains msg if {
	not production
	total > 0
	some phase in phases
	size(phase) * 100 > total * max_nonproduction_batch_pct
	msg := sprintf("phase %q covers %.1f%% of targets", [name(phase), pct(size(phase))])
}

warn contains msg if {
	some i, phase in phases
	i > 0
	count(object.get(phase, "health_checks", [])) == 0
	msg := sprintf("phase %q has no health checks", [name(phase)])
}

warn contains msg if {
	some phase in phases
	phase.canary
	object.get(phase, "wait_minutes", 0) <= 0
	msg := sprintf("canary phase %q has no bake time (wait_minutes)", [name(phase)])
}

warn contains "rollback is not automatic" if {
	has_rollback_criteria
	not input.plan.rollback.automatic
}

allow if count(deny) == 0
