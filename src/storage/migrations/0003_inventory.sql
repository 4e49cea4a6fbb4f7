-- Inventory and golden-image lineage: sites, assets, image families and versions, artifacts,
-- promotions, lineage, builds, tags, DR pairs. Portable SQL (see 0001).

CREATE TABLE sites (
  id          TEXT PRIMARY KEY,
  org_id      TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  name        TEXT NOT NULL,
  platform    TEXT NOT NULL
              CHECK (platform IN ('aws', 'azure', 'gcp', 'vsphere', 'k8s', 'libvirt', 'baremetal')),
  region      TEXT NOT NULL DEFAULT '',
  datacenter  TEXT NOT NULL DEFAULT '',
  environment TEXT NOT NULL CHECK (environment IN ('production', 'staging', 'development', 'dr')),
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL,
  UNIQUE (org_id, name)
);
CREATE INDEX sites_page ON sites (org_id, created_at, id);

CREATE TABLE assets (
  id             TEXT PRIMARY KEY,
  org_id         TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  platform       TEXT NOT NULL
                 CHECK (platform IN ('aws', 'azure', 'gcp', 'vsphere', 'k8s', 'libvirt', 'baremetal')),
  instance_id    TEXT NOT NULL,
  name           TEXT NOT NULL,
  environment    TEXT NOT NULL CHECK (environment IN ('production', 'staging', 'development', 'dr')),
  site_id        TEXT REFERENCES sites(id) ON DELETE SET NULL,
  region         TEXT NOT NULL DEFAULT '',
  state          TEXT NOT NULL CHECK (state IN ('running', 'stopped', 'terminated', 'unknown')),
  image_ref      TEXT NOT NULL DEFAULT '',
  image_family   TEXT NOT NULL DEFAULT '',
  image_version  TEXT NOT NULL DEFAULT '',
  os             TEXT NOT NULL DEFAULT '',
  ips            TEXT NOT NULL DEFAULT '[]',
  tags           TEXT NOT NULL DEFAULT '{}',
  first_seen_at  TEXT NOT NULL,
  last_seen_at   TEXT NOT NULL,
  created_at     TEXT NOT NULL,
  updated_at     TEXT NOT NULL,
  UNIQUE (org_id, platform, instance_id)
);
CREATE INDEX assets_by_name ON assets (org_id, name, id);
CREATE INDEX assets_by_env_platform ON assets (org_id, environment, platform, name, id);
CREATE INDEX assets_by_site ON assets (org_id, site_id, name, id);
CREATE INDEX assets_by_image ON assets (org_id, image_family, image_version);

CREATE TABLE asset_tags (
  org_id   TEXT NOT NULL,
  asset_id TEXT NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
  key      TEXT NOT NULL,
  value    TEXT NOT NULL,
  PRIMARY KEY (asset_id, key)
);
CREATE INDEX asset_tags_lookup ON asset_tags (org_id, key, value, asset_id);

CREATE TABLE golden_image_families (
  id          TEXT PRIMARY KEY,
  org_id      TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  name        TEXT NOT NULL,
  os          TEXT NOT NULL DEFAULT '',
  description TEXT NOT NULL DEFAULT '',
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL,
  UNIQUE (org_id, name)
);

CREATE TABLE images (
  id          TEXT PRIMARY KEY,
  org_id      TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  family_id   TEXT NOT NULL REFERENCES golden_image_families(id) ON DELETE CASCADE,
  family      TEXT NOT NULL,
  version     TEXT NOT NULL,
  status      TEXT NOT NULL
              CHECK (status IN ('draft', 'testing', 'production', 'deprecated', 'revoked')),
  os          TEXT NOT NULL DEFAULT '',
  signed      INTEGER NOT NULL DEFAULT 0,
  sbom_ref    TEXT NOT NULL DEFAULT '',
  description TEXT NOT NULL DEFAULT '',
  promoted_at TEXT,
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL,
  UNIQUE (org_id, family, version)
);
CREATE INDEX images_page ON images (org_id, created_at, id);
CREATE INDEX images_family ON images (org_id, family_id, status);

-- The current production image of each family: what drift compares assets against.
CREATE TABLE image_family_current (
  org_id   TEXT NOT NULL,
  family   TEXT NOT NULL,
  image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  version  TEXT NOT NULL,
  since    TEXT NOT NULL,
  PRIMARY KEY (org_id, family)
);

CREATE TABLE image_artifacts (
  id         TEXT PRIMARY KEY,
  org_id     TEXT NOT NULL,
  image_id   TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  platform   TEXT NOT NULL,
  region     TEXT NOT NULL DEFAULT '',
  ref        TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (image_id, platform, region)
);

CREATE TABLE image_promotions (
  id          TEXT PRIMARY KEY,
  org_id      TEXT NOT NULL,
  image_id    TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  from_status TEXT NOT NULL,
  to_status   TEXT NOT NULL,
  actor_id    TEXT NOT NULL,
  reason      TEXT NOT NULL DEFAULT '',
  occurred_at TEXT NOT NULL
);
CREATE INDEX image_promotions_image ON image_promotions (image_id, occurred_at);

CREATE TABLE image_lineage (
  org_id     TEXT NOT NULL,
  parent_id  TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  child_id   TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  relation   TEXT NOT NULL CHECK (relation IN ('derived_from', 'patched_from', 'rebuilt_from')),
  created_at TEXT NOT NULL,
  PRIMARY KEY (child_id, parent_id)
);
CREATE INDEX image_lineage_parent ON image_lineage (parent_id);

CREATE TABLE image_builds (
  id                TEXT PRIMARY KEY,
  org_id            TEXT NOT NULL,
  image_id          TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  builder_id        TEXT NOT NULL,
  build_type        TEXT NOT NULL DEFAULT '',
  source_repo       TEXT NOT NULL DEFAULT '',
  source_commit     TEXT NOT NULL DEFAULT '',
  started_at        TEXT,
  finished_at       TEXT,
  slsa_level        INTEGER NOT NULL DEFAULT 0,
  provenance        TEXT NOT NULL DEFAULT '{}',
  created_at        TEXT NOT NULL
);
CREATE INDEX image_builds_image ON image_builds (image_id, created_at);

CREATE TABLE image_tags (
  org_id   TEXT NOT NULL,
  image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  key      TEXT NOT NULL,
  value    TEXT NOT NULL,
  PRIMARY KEY (image_id, key)
);

CREATE TABLE dr_pairs (
  id                 TEXT PRIMARY KEY,
  org_id             TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  name               TEXT NOT NULL,
  primary_site_id    TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  dr_site_id         TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  rpo_seconds        INTEGER NOT NULL,
  rto_seconds        INTEGER NOT NULL,
  replication_mode   TEXT NOT NULL CHECK (replication_mode IN ('sync', 'async', 'snapshot', 'none')),
  replication_status TEXT NOT NULL DEFAULT 'unknown'
                     CHECK (replication_status IN ('healthy', 'lagging', 'broken', 'unknown')),
  last_drill_at      TEXT,
  created_at         TEXT NOT NULL,
  updated_at         TEXT NOT NULL,
  UNIQUE (org_id, name)
);

-- Views (seed §Data Architecture).
CREATE VIEW v_image_lineage_tree AS
WITH RECURSIVE tree (org_id, root_id, image_id, parent_id, relation, depth, path) AS (
  SELECT i.org_id, i.id, i.id, CAST(NULL AS TEXT), CAST(NULL AS TEXT), 0, CAST(i.id AS TEXT)
  FROM images i
  WHERE NOT EXISTS (SELECT 1 FROM image_lineage l WHERE l.child_id = i.id)
  UNION ALL
  SELECT t.org_id, t.root_id, l.child_id, l.parent_id, l.relation, t.depth + 1,
         t.path || '/' || l.child_id
  FROM tree t JOIN image_lineage l ON l.parent_id = t.image_id
  WHERE t.depth < 64
)
SELECT org_id, root_id, image_id, parent_id, relation, depth, path FROM tree;

CREATE VIEW v_image_deployment_summary AS
SELECT i.org_id, i.id AS image_id, i.family, i.version,
       COUNT(a.id) AS asset_count,
       SUM(CASE WHEN a.state = 'running' THEN 1 ELSE 0 END) AS running_count,
       COUNT(DISTINCT a.site_id) AS site_count,
       COUNT(DISTINCT a.environment) AS environment_count
FROM images i
LEFT JOIN assets a
  ON a.org_id = i.org_id AND a.image_family = i.family AND a.image_version = i.version
GROUP BY i.org_id, i.id, i.family, i.version;
