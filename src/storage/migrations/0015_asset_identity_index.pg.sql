-- An asset's identity (org, platform, instance id) is enforced by a named unique index instead
-- of a table constraint, as on SQLite, so an exclusive bulk load drops it with the other
-- secondary indexes and builds it once at the end instead of maintaining it row by row.
ALTER TABLE assets DROP CONSTRAINT assets_org_id_platform_instance_id_key;
CREATE UNIQUE INDEX assets_identity ON assets (org_id, platform, instance_id);
