# Terraform safety: checks on a Terraform plan (`terraform show -json plan`) before it is applied
# through a workflow: no deleting or replacing stateful resources in production, no world-open
# admin ports, no unencrypted storage, and a bound on how much a single plan may destroy.
#
# Input: the plan JSON plus the target environment:
#   {
#     "environment": "production",
#     "resource_changes": [
#       {"address": "aws_db_instance.main", "type": "aws_db_instance",
#        "change": {"actions": ["delete", "create"], "after": {…}}}
#     ]
#   }
# Output: deny (set of reasons), warn (set), allow.
package qlrf.terraform_safety

max_deletes := 10

protected_types := {
	"aws_db_instance", "aws_rds_cluster", "aws_dynamodb_table", "aws_s3_bucket", "aws_efs_file_system",
	"aws_ebs_volume", "aws_kms_key", "google_sql_database_instance", "google_storage_bucket",
	"azurerm_mssql_database", "azurerm_storage_account", "azurerm_postgresql_flexible_server",
}

admin_ports := {22, 3389}

production if lower(object.get(input, "environment", "")) in {"production", "prod"}

changes := object.get(input, "resource_changes", [])

deletes contains rc.address if {
	some rc in changes
	"delete" in rc.change.actions
}

deny contains msg if {
	production
	some rc in changes
	rc.type in protected_types
	"delete" in rc.change.actions
	action := replace_or_delete(rc.change.actions)
	msg := sprintf("plan would %s protected resource %s in production", [action, rc.address])
}

replace_or_delete(actions) := "replace" if "create" in actions

else := "delete"

deny contains msg if {
	count(deletes) > max_deletes
	msg := sprintf("plan deletes %d resources; at most %d per plan", [count(deletes), max_deletes])
}

# Security groups (inline or rule resources) open to the world on SSH/RDP.
deny contains msg if {
	some rc in changes
	some rule in ingress_rules(rc)
	world_open(rule)
	some port in admin_ports
	object.get(rule, "from_port", 0) <= port
	port <= object.get(rule, "to_port", 65535)
	msg := sprintf("%s opens port %d to the internet", [rc.address, port])
}

ingress_rules(rc) := rc.change.after.ingress if rc.type == "aws_security_group"

else := [rc.change.after] if {
	rc.type in {"aws_security_group_rule", "aws_vpc_security_group_ingress_rule"}
	object.get(rc.change.after, "type", "ingress") == "ingress"
} else := []

world_open(rule) if "0.0.0.0/0" in object.get(rule, "cidr_blocks", [])

world_open(rule) if "::/0" in object.get(rule, "ipv6_cidr_blocks", [])

world_open(rule) if rule.cidr_ipv4 == "0.0.0.0/0"

deny contains msg if {
	production
	some rc in changes
	rc.type in {"aws_ebs_volume", "aws_db_instance", "aws_rds_cluster", "aws_efs_file_system"}
	rc.change.after.storage_encrypted == false
	msg := sprintf("%s stores data unencrypted", [rc.address])
}

deny contains msg if {
	production
	some rc in changes
	rc.type in {"aws_ebs_volume", "aws_efs_file_system"}
	rc.change.after.encrypted == false
	msg := sprintf("%s stores data unencrypted", [rc.address])
}

warn contains msg if {
	not production
	some address in deletes
	msg := sprintf("plan deletes %s", [address])
}

warn contains msg if {
	some rc in changes
	rc.type == "aws_instance"
	rc.change.after.associate_public_ip_address == true
	msg := sprintf("%s gets a public IP address", [rc.address])
}

allow if count(deny) == 0
