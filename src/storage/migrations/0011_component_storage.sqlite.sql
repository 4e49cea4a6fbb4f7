-- Component storage, measured on a 10,000-component import (bench/import): each index entry is
-- written again at commit and at checkpoint, so indexes no query reads go.
--  * UNIQUE (image_id, ref): nothing looks components up by ref; VulnStore::ReplaceComponents
--    rejects a document repeating a ref before writing (AlreadyExists, as the constraint did).
--  * The paging index drops org_id: the image id implies the org, and every query names both.
--  * Dependency edges live in their primary key (WITHOUT ROWID): one B-tree instead of two.
CREATE TABLE image_components_v2 (
  id          TEXT PRIMARY KEY,
  org_id      TEXT NOT NULL,
  image_id    TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  ref         TEXT NOT NULL,                   -- document-local reference, unique per image
  name        TEXT NOT NULL,
  version     TEXT NOT NULL DEFAULT '',
  purl        TEXT NOT NULL DEFAULT '',
  package     TEXT NOT NULL DEFAULT '',        -- match key (see vuln_affected.package)
  type        TEXT NOT NULL DEFAULT 'library',
  ecosystem   TEXT NOT NULL DEFAULT '',
  licenses    TEXT NOT NULL DEFAULT '[]',
  hashes      TEXT NOT NULL DEFAULT '[]',
  supplier    TEXT NOT NULL DEFAULT '',
  created_at  TEXT NOT NULL
);
INSERT INTO image_components_v2 (id, org_id, image_id, ref, name, version, purl, package, type,
                                 ecosystem, licenses, hashes, supplier, created_at)
SELECT id, org_id, image_id, ref, name, version, purl, package, type, ecosystem, licenses, hashes,
       supplier, created_at
FROM image_components;
DROP TABLE image_components;
ALTER TABLE image_components_v2 RENAME TO image_components;
CREATE INDEX image_components_page ON image_components (image_id, name, id);
CREATE INDEX image_components_package ON image_components (package);

-- The key columns first: SQLite 3.40's integrity_check misreads a NOT NULL column placed before
-- the primary key columns of a WITHOUT ROWID table as NULL.
CREATE TABLE image_component_deps_v2 (
  image_id  TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  from_ref  TEXT NOT NULL,
  to_ref    TEXT NOT NULL,
  org_id    TEXT NOT NULL,
  PRIMARY KEY (image_id, from_ref, to_ref)
) WITHOUT ROWID;
INSERT INTO image_component_deps_v2 (org_id, image_id, from_ref, to_ref)
SELECT org_id, image_id, from_ref, to_ref FROM image_component_deps;
DROP TABLE image_component_deps;
ALTER TABLE image_component_deps_v2 RENAME TO image_component_deps;
