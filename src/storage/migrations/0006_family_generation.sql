-- A counter bumped whenever a family's versions, statuses or lineage change, so readers can
-- cache derived views (the lineage tree) and know when they are stale.
ALTER TABLE golden_image_families ADD COLUMN generation BIGINT NOT NULL DEFAULT 0;
