# Tests for qlrf.risk_enforcement.
package qlrf.risk_enforcement_test

import data.qlrf.risk_enforcement as risk

req(level, env, approval, approvals, scores) := {
	"task": {
		"risk_level": level, "environment": env, "requires_approval": approval,
		"approvals": [{"user": sprintf("u-%d", [i])} | some i in numbers.range(1, approvals)],
	},
	"stage": "execute",
	"assets": [{"id": sprintf("a-%d", [i]), "risk_score": s} | some i, s in scores],
}

denied_with(r, fragment) if {
	some msg in risk.deny with input as r
	contains(msg, fragment)
}

test_levels_follow_the_design_thresholds if {
	risk.level_of(80) == "critical"
	risk.level_of(79.9) == "high"
	risk.level_of(60) == "high"
	risk.level_of(40) == "medium"
	risk.level_of(39.99) == "low"
}

test_consistent_task_is_allowed if {
	risk.allow with input as req("high", "production", true, 1, [65, 20])
	risk.required_level == "high" with input as req("high", "production", true, 1, [65, 20])
}

test_understated_risk_is_denied if {
	denied_with(req("low", "staging", true, 1, [85]), "task declares risk low but targets assets at risk level critical")
}

test_unknown_risk_level_is_denied if {
	denied_with(req("extreme", "staging", true, 1, []), "task risk level \"extreme\" is not one of")
}

test_high_risk_without_approval_is_denied if {
	denied_with(req("high", "staging", false, 0, [61]), "high-risk tasks must require approval")
}

test_production_without_approval_is_denied if {
	denied_with(req("low", "production", false, 0, [10]), "production tasks must require approval")
}

test_critical_risk_needs_two_approvals_before_execution if {
	denied_with(req("critical", "production", true, 1, [90]), "critical-risk task has 1 approval(s); 2 needed")
	risk.allow with input as req("critical", "production", true, 2, [90])
	some w in risk.warn with input as req("critical", "production", true, 2, [90])
	contains(w, "1 target asset(s) are at critical risk")
}

test_no_targets_means_low_required_level if {
	risk.allow with input as req("low", "staging", false, 0, [])
}
