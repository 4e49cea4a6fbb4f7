# Tests for qlrf.image_safety. Time is fixed with `with time.now_ns as …`.
package qlrf.image_safety_test

import data.qlrf.image_safety

now := time.parse_rfc3339_ns("2026-11-23T00:00:00Z")

good_image := {
	"environment": "production",
	"image": {
		"id": "img-1", "family": "ubuntu-22", "version": "2026.11.01",
		"status": "production", "signed": true, "vulnerabilities": [],
	},
}

with_image(fields) := object.union(good_image, {"image": fields})

vuln(cve, severity, kev, first_seen) := {"cve": cve, "severity": severity, "kev": kev, "first_seen": first_seen}

denied_with(req, fragment) if {
	some msg in image_safety.deny with input as req with time.now_ns as now
	contains(msg, fragment)
}

test_signed_production_image_is_allowed if {
	image_safety.allow with input as good_image with time.now_ns as now
}

test_unsigned_image_is_denied_in_production if {
	denied_with(with_image({"signed": false}), "image img-1 (ubuntu-22 2026.11.01) is not signed")
	denied_with(json.remove(good_image, ["image/signed"]), "is not signed")
}

test_unsigned_image_is_allowed_outside_production if {
	req := object.union(with_image({"signed": false, "status": "testing"}), {"environment": "staging"})
	image_safety.allow with input as req with time.now_ns as now
}

test_non_production_status_is_denied_in_production if {
	denied_with(with_image({"status": "testing"}), "has status testing")
	denied_with(with_image({"status": "deprecated"}), "has status deprecated")
}

test_unsuppressed_kev_is_denied_everywhere if {
	req := object.union(with_image({"vulnerabilities": [vuln("CVE-2026-1", "medium", true, "2026-11-22T00:00:00Z")]}), {"environment": "development"})
	denied_with(req, "known-exploited vulnerability CVE-2026-1")
}

test_suppressed_kev_is_allowed_until_the_suppression_expires if {
	req := object.union(with_image({"vulnerabilities": [vuln("CVE-2026-1", "medium", true, "2026-11-22T00:00:00Z")]}), {"suppressions": [{"cve": "CVE-2026-1", "expires_at": "2026-12-01T00:00:00Z"}]})
	image_safety.allow with input as req with time.now_ns as now
	later := time.parse_rfc3339_ns("2026-12-02T00:00:00Z")
	some msg in image_safety.deny with input as req with time.now_ns as later
	contains(msg, "CVE-2026-1")
}

test_critical_past_sla_is_denied if {
	req := with_image({"vulnerabilities": [vuln("CVE-2026-2", "critical", false, "2026-11-01T00:00:00Z")]})
	denied_with(req, "critical vulnerability CVE-2026-2 open for 22 days (SLA 7 days)")
}

test_critical_within_sla_only_warns if {
	req := with_image({"vulnerabilities": [vuln("CVE-2026-3", "critical", false, "2026-11-20T00:00:00Z")]})
	image_safety.allow with input as req with time.now_ns as now
	some w in image_safety.warn with input as req with time.now_ns as now
	contains(w, "CVE-2026-3 (within SLA)")
}

test_sla_can_be_overridden if {
	req := object.union(with_image({"vulnerabilities": [vuln("CVE-2026-2", "critical", false, "2026-11-01T00:00:00Z")]}), {"sla_days": {"critical": 30}})
	image_safety.allow with input as req with time.now_ns as now
}

test_explicit_now_in_input_wins_over_the_clock if {
	req := object.union(with_image({"vulnerabilities": [vuln("CVE-2026-2", "critical", false, "2026-11-01T00:00:00Z")]}), {"now": "2026-11-03T00:00:00Z"})
	image_safety.allow with input as req with time.now_ns as now
}

test_high_past_sla_warns if {
	req := with_image({"vulnerabilities": [vuln("CVE-2026-4", "High", false, "2026-09-01T00:00:00Z")]})
	image_safety.allow with input as req with time.now_ns as now
	some w in image_safety.warn with input as req with time.now_ns as now
	contains(w, "high vulnerability CVE-2026-4 past its 30-day SLA")
}

test_missing_image_is_denied if {
	denied_with({"environment": "production"}, "image is missing")
}
