# Tests for qlrf.tool_authorization.
package qlrf.tool_authorization_test

import data.qlrf.tool_authorization as authz

full_auto := {"autonomy": {"default": "full_auto"}}

call(risk, role, env) := {
	"tool": {"name": "t", "risk_class": risk},
	"caller": {"id": "u-1", "role": role},
	"environment": env,
	"org": full_auto,
	"approved": true,
}

denied_with(req, fragment) if {
	some msg in authz.deny with input as req
	contains(msg, fragment)
}

test_viewer_may_run_read_only_tools_anywhere if {
	authz.allow with input as call("read_only", "viewer", "production")
	authz.allow with input as call("read_only", "viewer", "development")
}

test_viewer_may_not_plan if {
	denied_with(call("plan_only", "viewer", "staging"), "role \"viewer\" may not run plan_only tools (needs operator)")
}

test_role_ladder if {
	authz.allow with input as call("plan_only", "operator", "production")
	authz.allow with input as call("state_change_nonprod", "engineer", "staging")
	denied_with(call("state_change_nonprod", "operator", "staging"), "needs engineer")
	denied_with(call("state_change_prod", "engineer", "production"), "needs admin")
	authz.allow with input as call("state_change_prod", "admin", "production")
}

test_unknown_risk_class_and_role_fail_closed if {
	denied_with(call("delete_everything", "admin", "staging"), "unknown risk class \"delete_everything\"")
	denied_with(call("read_only", "superuser", "staging"), "unknown caller role \"superuser\"")
}

test_nonprod_state_change_tool_may_not_touch_production if {
	denied_with(call("state_change_nonprod", "admin", "production"), "may not act on production")
}

test_production_state_change_needs_approval if {
	req := object.union(call("state_change_prod", "admin", "production"), {"approved": false})
	denied_with(req, "need a human approval")
	denied_with(json.remove(req, ["approved"]), "need a human approval")
}

test_plan_only_autonomy_blocks_state_changes_but_not_planning if {
	req := object.union(call("state_change_nonprod", "admin", "staging"), {"org": {"autonomy": {"default": "plan_only"}}})
	denied_with(req, "autonomy mode for staging is plan_only")
	planning := object.union(req, {"tool": {"risk_class": "plan_only"}})
	authz.allow with input as planning
}

test_canary_only_autonomy_allows_state_changes_only_in_the_canary if {
	base := object.union(call("state_change_nonprod", "engineer", "staging"), {"org": {"autonomy": {"default": "canary_only"}}})
	authz.allow with input as object.union(base, {"phase": "canary"})
	denied_with(object.union(base, {"phase": "wave-1"}), "state changes only in the canary phase")
}

test_autonomy_is_chosen_per_environment if {
	org := {"autonomy": {"default": "full_auto", "environments": {"production": "plan_only"}}}
	prod := object.union(call("state_change_prod", "admin", "production"), {"org": org})
	denied_with(prod, "autonomy mode for production is plan_only")
	dev := object.union(call("state_change_nonprod", "admin", "development"), {"org": org})
	authz.allow with input as dev
}

test_missing_autonomy_configuration_means_plan_only if {
	req := json.remove(call("state_change_nonprod", "admin", "staging"), ["org"])
	denied_with(req, "plan_only")
}

test_unknown_autonomy_mode_is_denied if {
	req := object.union(call("read_only", "admin", "staging"), {"org": {"autonomy": {"default": "yolo"}}})
	denied_with(req, "unknown autonomy mode \"yolo\"")
}
