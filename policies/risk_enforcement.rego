# Risk-level enforcement: a task's declared risk level must be at least what its targets imply,
# and higher risk needs more human oversight. Asset risk levels follow DESIGN.md section 4
# (critical >= 80, high >= 60, medium >= 40, low otherwise).
#
# Input:
#   {
#     "task": {"risk_level": "high", "environment": "production", "requires_approval": true,
#              "approvals": [{"user": "u-1"}]},
#     "stage": "execute",                       # plan | approve | execute
#     "assets": [{"id": "a-1", "risk_score": 72.5}]
#   }
# Output: deny (set of reasons), warn (set), allow, plus required_level.
package qlrf.risk_enforcement

levels := ["low", "medium", "high", "critical"]

rank := {level: i | some i, level in levels}

level_of(score) := "critical" if score >= 80

else := "high" if score >= 60

else := "medium" if score >= 40

else := "low"

task := object.get(input, "task", {})

declared := lower(object.get(task, "risk_level", ""))

production if lower(object.get(task, "environment", "")) in {"production", "prod"}

asset_levels := {level_of(a.risk_score) | some a in object.get(input, "assets", [])}

# The highest level among the targets (low when there are none).
required_level := levels[max(array.concat([rank[l] | some l in asset_levels], [0]))]

approvals := count(object.get(task, "approvals", []))

deny contains msg if {
	not declared in object.keys(rank)
	msg := sprintf("task risk level %q is not one of low, medium, high, critical", [declared])
}

deny contains msg if {
	declared in object.keys(rank)
	rank[declared] < rank[required_level]
	msg := sprintf("task declares risk %s but targets assets at risk level %s", [declared, required_level])
}

deny contains msg if {
	declared in {"high", "critical"}
	not task.requires_approval == true
	msg := sprintf("%s-risk tasks must require approval", [declared])
}

deny contains "production tasks must require approval" if {
	production
	not task.requires_approval == true
}

deny contains msg if {
	object.get(input, "stage", "") == "execute"
	task.requires_approval == true
	needed := required_approvals(declared)
	approvals < needed
	msg := sprintf("%s-risk task has %d approval(s); %d needed before execution", [declared, approvals, needed])
}

required_approvals(level) := 2 if level == "critical"

else := 1

warn contains msg if {
	n := count([a | some a in object.get(input, "assets", []); level_of(a.risk_score) == "critical"])
	n > 0
	msg := sprintf("%d target asset(s) are at critical risk", [n])
}

allow if count(deny) == 0
