# Tests for qlrf.sop_safety.
package qlrf.sop_safety_test

import data.qlrf.sop_safety

safe_sop := {"sop": {
	"name": "Patch web tier",
	"environment": "production",
	"total_targets": 40,
	"steps": [
		{"name": "approve", "kind": "approval"},
		{"name": "patch batch", "kind": "action", "batch_size": 10},
		{"name": "verify", "kind": "verification"},
	],
	"rollback_steps": [{"name": "restore snapshot"}],
}}

with_sop(fields) := object.union(safe_sop, {"sop": fields})

denied_with(doc, fragment) if {
	some msg in sop_safety.deny with input as doc
	contains(msg, fragment)
}

test_safe_sop_is_allowed if {
	sop_safety.allow with input as safe_sop
	count(sop_safety.warn) == 0 with input as safe_sop
}

test_production_batch_of_25_percent_is_allowed if {
	sop_safety.allow with input as safe_sop
}

test_production_batch_over_25_percent_is_denied if {
	doc := with_sop({"steps": [{"name": "approve", "kind": "approval"}, {"name": "big", "kind": "action", "batch_size": 11}]})
	denied_with(doc, "step \"big\" acts on 11 of 40 targets")
}

test_production_action_without_batch_size_is_denied if {
	doc := with_sop({"steps": [{"name": "approve", "kind": "approval"}, {"name": "all", "kind": "action"}]})
	denied_with(doc, "step \"all\" acts on 40 of 40 targets")
	some w in sop_safety.warn with input as doc
	contains(w, "has no batch_size")
}

test_nonproduction_batches_are_not_limited if {
	doc := with_sop({"environment": "staging", "steps": [{"name": "all", "kind": "action", "batch_size": 40}]})
	sop_safety.allow with input as doc
}

test_missing_rollback_steps_are_denied if {
	denied_with(with_sop({"rollback_steps": []}), "no rollback steps")
}

test_production_sop_needs_approval_before_acting if {
	doc := with_sop({"steps": [{"name": "act", "kind": "action", "batch_size": 5}, {"name": "approve", "kind": "approval"}]})
	denied_with(doc, "needs an approval step")
	no_approval := with_sop({"steps": [{"name": "act", "kind": "action", "batch_size": 5}]})
	denied_with(no_approval, "needs an approval step")
}

test_empty_sop_is_denied if {
	denied_with({"sop": {"environment": "production"}}, "SOP has no steps")
	denied_with({"sop": {"environment": "production"}}, "must state its total_targets")
}
