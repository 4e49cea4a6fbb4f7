# Tests for qlrf.terraform_safety.
package qlrf.terraform_safety_test

import data.qlrf.terraform_safety as tf

change(address, type, actions, after) := {"address": address, "type": type, "change": {"actions": actions, "after": after}}

plan(env, changes) := {"environment": env, "resource_changes": changes}

denied_with(p, fragment) if {
	some msg in tf.deny with input as p
	contains(msg, fragment)
}

test_harmless_update_is_allowed if {
	tf.allow with input as plan("production", [change("aws_instance.web", "aws_instance", ["update"], {})])
}

test_deleting_a_production_database_is_denied if {
	p := plan("production", [change("aws_db_instance.main", "aws_db_instance", ["delete"], null)])
	denied_with(p, "plan would delete protected resource aws_db_instance.main in production")
}

test_replacing_a_production_bucket_is_denied if {
	p := plan("production", [change("aws_s3_bucket.logs", "aws_s3_bucket", ["delete", "create"], {})])
	denied_with(p, "plan would replace protected resource aws_s3_bucket.logs")
}

test_deleting_a_staging_database_only_warns if {
	p := plan("staging", [change("aws_db_instance.main", "aws_db_instance", ["delete"], null)])
	tf.allow with input as p
	"plan deletes aws_db_instance.main" in tf.warn with input as p
}

test_mass_deletion_is_denied if {
	changes := [change(sprintf("aws_instance.n%d", [i]), "aws_instance", ["delete"], null) | some i in numbers.range(1, 11)]
	denied_with(plan("staging", changes), "plan deletes 11 resources; at most 10 per plan")
	not denied_with(plan("staging", array.slice(changes, 0, 10)), "per plan")
}

test_world_open_ssh_is_denied if {
	sg := change("aws_security_group.admin", "aws_security_group", ["create"], {"ingress": [{"from_port": 0, "to_port": 1024, "cidr_blocks": ["0.0.0.0/0"]}]})
	denied_with(plan("staging", [sg]), "aws_security_group.admin opens port 22 to the internet")
	rule := change("aws_security_group_rule.rdp", "aws_security_group_rule", ["create"], {"type": "ingress", "from_port": 3389, "to_port": 3389, "ipv6_cidr_blocks": ["::/0"]})
	denied_with(plan("staging", [rule]), "opens port 3389")
}

test_restricted_ssh_and_public_https_are_allowed if {
	sg := change("aws_security_group.web", "aws_security_group", ["create"], {"ingress": [
		{"from_port": 443, "to_port": 443, "cidr_blocks": ["0.0.0.0/0"]},
		{"from_port": 22, "to_port": 22, "cidr_blocks": ["10.0.0.0/8"]},
	]})
	tf.allow with input as plan("production", [sg])
}

test_unencrypted_production_storage_is_denied if {
	vol := change("aws_ebs_volume.data", "aws_ebs_volume", ["create"], {"encrypted": false})
	denied_with(plan("production", [vol]), "aws_ebs_volume.data stores data unencrypted")
	db := change("aws_db_instance.db", "aws_db_instance", ["create"], {"storage_encrypted": false})
	denied_with(plan("production", [db]), "aws_db_instance.db stores data unencrypted")
}

test_public_ip_warns if {
	vm := change("aws_instance.web", "aws_instance", ["create"], {"associate_public_ip_address": true})
	"aws_instance.web gets a public IP address" in tf.warn with input as plan("staging", [vm])
}
