-- asset_tags as a WITHOUT ROWID table clustered on its primary key (asset_id, key): one B-tree
-- for the rows instead of a rowid table plus the primary key's index, so every tag row is
-- written once, not twice (1M assets × 3 tags: about 165 MB and 3M index inserts less).
CREATE TABLE asset_tags_clustered (
  org_id   TEXT NOT NULL,
  asset_id TEXT NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
  key      TEXT NOT NULL,
  value    TEXT NOT NULL,
  PRIMARY KEY (asset_id, key)
) WITHOUT ROWID;
INSERT INTO asset_tags_clustered (org_id, asset_id, key, value)
SELECT org_id, asset_id, key, value FROM asset_tags;
DROP TABLE asset_tags;
ALTER TABLE asset_tags_clustered RENAME TO asset_tags;
CREATE INDEX asset_tags_lookup ON asset_tags (org_id, key, value, asset_id);
