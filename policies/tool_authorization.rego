# Tool authorization: may this caller invoke this tool here, now? Decided from the tool's risk
# class, the caller's role, the org's autonomy mode (per environment) and the environment.
#
# Input:
#   {
#     "tool": {"name": "generate_patch_plan", "risk_class": "plan_only"},
#         # risk_class: read_only | plan_only | state_change_nonprod | state_change_prod
#     "caller": {"id": "u-1", "role": "engineer"},   # viewer | operator | engineer | admin
#     "environment": "production",                   # production | staging | development | dr
#     "org": {"autonomy": {"default": "canary_only",             # plan_only | canary_only |
#                          "environments": {"production": "plan_only"}}},  # full_auto
#     "phase": "canary",      # the plan phase a state change runs in (for canary_only)
#     "approved": true        # a human approved the plan this call belongs to
#   }
# Output: deny (set of reasons), warn (set), allow.
package qlrf.tool_authorization

risk_classes := {"read_only", "plan_only", "state_change_nonprod", "state_change_prod"}

role_rank := {"viewer": 0, "operator": 1, "engineer": 2, "admin": 3}

# The least role each risk class needs.
required_role := {
	"read_only": "viewer",
	"plan_only": "operator",
	"state_change_nonprod": "engineer",
	"state_change_prod": "admin",
}

autonomy_modes := {"plan_only", "canary_only", "full_auto"}

risk := object.get(input.tool, "risk_class", "")

role := object.get(input.caller, "role", "")

environment := lower(object.get(input, "environment", ""))

production if environment in {"production", "prod"}

state_change if risk in {"state_change_nonprod", "state_change_prod"}

# Per-environment mode, else the org default, else the most restrictive.
autonomy := mode if {
	mode := input.org.autonomy.environments[environment]
} else := mode if {
	mode := input.org.autonomy["default"]
} else := "plan_only"

deny contains msg if {
	not risk in risk_classes
	msg := sprintf("tool %q has unknown risk class %q", [object.get(input.tool, "name", ""), risk])
}

deny contains msg if {
	not role in object.keys(role_rank)
	msg := sprintf("unknown caller role %q", [role])
}

deny contains msg if {
	risk in risk_classes
	role_rank[role] < role_rank[required_role[risk]]
	msg := sprintf(
		"role %q may not run %s tools (needs %s)",
		[role, risk, required_role[risk]],
	)
}

deny contains msg if {
	not autonomy in autonomy_modes
	msg := sprintf("unknown autonomy mode %q", [autonomy])
}

deny contains msg if {
	state_change
	autonomy == "plan_only"
	msg := sprintf("autonomy mode for %s is plan_only: state changes are not allowed", [environment])
}

deny contains msg if {
	state_change
	autonomy == "canary_only"
	object.get(input, "phase", "") != "canary"
	msg := sprintf("autonomy mode for %s is canary_only: state changes only in the canary phase", [environment])
}

deny contains "state_change_nonprod tools may not act on production" if {
	production
	risk == "state_change_nonprod"
}

deny contains "production state changes need a human approval" if {
	production
	state_change
	not input.approved == true
}

deny contains "state_change_prod tools need an environment" if {
	risk == "state_change_prod"
	environment == ""
}

warn contains msg if {
	risk == "state_change_prod"
	not production
	msg := sprintf("production-class tool %q used against %s", [object.get(input.tool, "name", ""), environment])
}

allow if count(deny) == 0
