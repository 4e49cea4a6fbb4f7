# Image safety: which golden images may be deployed. Only signed, production-status images reach
# production; no image with an unsuppressed known-exploited (KEV) vulnerability, or a critical
# finding older than its fix SLA, is deployed anywhere.
#
# Input:
#   {
#     "environment": "production",
#     "image": {
#       "id": "img-1", "family": "ubuntu-22", "version": "2026.11.01",
#       "status": "production",          # draft | testing | production | deprecated
#       "signed": true,
#       "vulnerabilities": [
#         {"cve": "CVE-2026-0001", "severity": "critical", "kev": false,
#          "first_seen": "2026-11-01T00:00:00Z"}
#       ]
#     },
#     "suppressions": [{"cve": "CVE-2026-0001", "expires_at": "2026-12-01T00:00:00Z"}],
#     "sla_days": {"critical": 7, "high": 30},   # optional; these are the defaults
#     "now": "2026-11-23T00:00:00Z"             # optional; else time.now_ns()
#   }
# Output: deny (set of reasons), warn (set), allow.
package qlrf.image_safety

ns_per_day := ((24 * 60) * 60) * 1000000000

default_sla := {"critical": 7, "high": 30}

sla := object.union(default_sla, object.get(input, "sla_days", {}))

now_ns := time.parse_rfc3339_ns(input.now) if {
	input.now
} else := time.now_ns()

image := object.get(input, "image", {})

image_name := sprintf("%s (%s %s)", [
	object.get(image, "id", "?"),
	object.get(image, "family", "?"),
	object.get(image, "version", "?"),
])

production if lower(object.get(input, "environment", "")) in {"production", "prod"}

vulnerabilities := object.get(image, "vulnerabilities", [])

severity(v) := lower(object.get(v, "severity", "unknown"))

suppressed(cve) if {
	some s in object.get(input, "suppressions", [])
	s.cve == cve
	time.parse_rfc3339_ns(s.expires_at) > now_ns
}

age_days(v) := (now_ns - time.parse_rfc3339_ns(v.first_seen)) / ns_per_day

past_sla(v) if age_days(v) > sla[severity(v)]

deny contains msg if {
	production
	not image.signed == true
	msg := sprintf("image %s is not signed; only signed images may reach production", [image_name])
}

deny contains msg if {
	production
	status := object.get(image, "status", "unknown")
	status != "production"
	msg := sprintf("image %s has status %s; only production-status images may reach production", [image_name, status])
}

deny contains msg if {
	some v in vulnerabilities
	v.kev == true
	not suppressed(v.cve)
	msg := sprintf("image %s has known-exploited vulnerability %s (CISA KEV) without a suppression", [image_name, v.cve])
}

deny contains msg if {
	some v in vulnerabilities
	severity(v) == "critical"
	past_sla(v)
	not suppressed(v.cve)
	msg := sprintf("image %s has critical vulnerability %s open for %d days (SLA %d days)", [image_name, v.cve, floor(age_days(v)), sla.critical])
}

deny contains "image is missing" if not input.image

warn contains msg if {
	some v in vulnerabilities
	severity(v) == "high"
	past_sla(v)
	not suppressed(v.cve)
	msg := sprintf("image %s has high vulnerability %s past its %d-day SLA", [image_name, v.cve, sla.high])
}

warn contains msg if {
	some v in vulnerabilities
	severity(v) == "critical"
	not past_sla(v)
	not suppressed(v.cve)
	msg := sprintf("image %s has critical vulnerability %s (within SLA)", [image_name, v.cve])
}

warn contains msg if {
	object.get(image, "status", "") == "deprecated"
	msg := sprintf("image %s is deprecated", [image_name])
}

allow if count(deny) == 0
