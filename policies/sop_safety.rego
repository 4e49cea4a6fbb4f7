# SOP safety: standard operating procedures (generated runbooks) that change systems must batch
# production work in at most 25% slices, say how to roll back, and be approved before running.
#
# Input:
#   {
#     "sop": {
#       "name": "Patch web tier",
#       "environment": "production",
#       "total_targets": 40,
#       "steps": [
#         {"name": "drain", "kind": "action", "batch_size": 10},
#         {"name": "verify", "kind": "verification"},
#         {"name": "approve", "kind": "approval"}
#       ],
#       "rollback_steps": [{"name": "restore snapshot"}]
#     }
#   }
# Output: deny (set of reasons), warn (set), allow.
package qlrf.sop_safety

max_production_batch_pct := 25

sop := object.get(input, "sop", {})

steps := object.get(sop, "steps", [])

production if lower(object.get(sop, "environment", "")) in {"production", "prod"}

total := object.get(sop, "total_targets", 0)

step_name(step) := object.get(step, "name", "unnamed")

deny contains "SOP has no steps" if count(steps) == 0

# An action step without a batch size acts on every target at once.
batch(step) := object.get(step, "batch_size", total)

deny contains msg if {
	production
	total > 0
	some step in steps
	step.kind == "action"
	batch(step) * 100 > total * max_production_batch_pct
	msg := sprintf(
		"step %q acts on %d of %d targets; production SOP batches may cover at most %d%%",
		[step_name(step), batch(step), total, max_production_batch_pct],
	)
}

deny contains "production SOP must state its total_targets" if {
	production
	not total > 0
}

deny contains "SOP has no rollback steps" if {
	count(object.get(sop, "rollback_steps", [])) == 0
}

deny contains "production SOP needs an approval step before its first action" if {
	production
	not approval_before_action
}

first_action_index := min([i | some i, step in steps; step.kind == "action"])

approval_before_action if {
	some i, step in steps
	step.kind == "approval"
	i < first_action_index
}

approval_before_action if {
	some step in steps
	step.kind == "approval"
	count([s | some s in steps; s.kind == "action"]) == 0
}

warn contains "SOP has no verification step" if {
	not any_verification
}

any_verification if {
	some step in steps
	step.kind == "verification"
}

warn contains msg if {
	some step in steps
	step.kind == "action"
	not step.batch_size
	msg := sprintf("action step %q has no batch_size; it acts on every target at once", [step_name(step)])
}

allow if count(deny) == 0
