-- Component storage (see 0011_component_storage.sqlite.sql): the unused (image_id, ref)
-- uniqueness moves into VulnStore::ReplaceComponents, and the paging index drops org_id (the
-- image id implies it). Dependency edges keep their table: PostgreSQL has no WITHOUT ROWID.
ALTER TABLE image_components DROP CONSTRAINT image_components_image_id_ref_key;
DROP INDEX image_components_page;
CREATE INDEX image_components_page ON image_components (image_id, name, id);
