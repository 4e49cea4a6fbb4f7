-- Vulnerabilities and SBOMs: the global advisory catalog (CVEs with CVSS, EPSS, KEV; OSV affected
-- packages), per-image SBOM imports, components and their dependency graph, findings, VEX
-- statements, suppressions and per-image snapshots for trends. Portable SQL (see 0001).

-- Catalog: shared by every org (public data), written by `qlrf vulndb import`.
CREATE TABLE vuln_catalog (
  id                TEXT PRIMARY KEY,            -- CVE-…, GHSA-…
  aliases           TEXT NOT NULL DEFAULT '[]',  -- JSON array
  summary           TEXT NOT NULL DEFAULT '',
  description       TEXT NOT NULL DEFAULT '',
  published         TEXT NOT NULL DEFAULT '',
  modified          TEXT NOT NULL DEFAULT '',
  cvss_score        DOUBLE PRECISION,
  cvss_vector       TEXT NOT NULL DEFAULT '',
  severity          TEXT NOT NULL DEFAULT 'unknown',
  cwes              TEXT NOT NULL DEFAULT '[]',
  kev               INTEGER NOT NULL DEFAULT 0,
  kev_date_added    TEXT NOT NULL DEFAULT '',
  kev_due_date      TEXT NOT NULL DEFAULT '',
  kev_ransomware    INTEGER NOT NULL DEFAULT 0,
  epss              DOUBLE PRECISION,
  epss_percentile   DOUBLE PRECISION,
  exploit_known     INTEGER NOT NULL DEFAULT 0,
  updated_at        TEXT NOT NULL
);

-- Alias → canonical id (a GHSA names its CVE and the other way round).
CREATE TABLE vuln_aliases (
  alias   TEXT NOT NULL,
  vuln_id TEXT NOT NULL,
  PRIMARY KEY (alias, vuln_id)
);

-- OSV affected packages: one row per (advisory, package); what matching reads.
CREATE TABLE vuln_affected (
  vuln_id   TEXT NOT NULL,
  ecosystem TEXT NOT NULL,           -- OSV ecosystem as given ("Debian:12", "npm")
  package   TEXT NOT NULL,           -- match key: purl type + '/' + namespace/name, lowercase
  ranges    TEXT NOT NULL DEFAULT '[]',
  versions  TEXT NOT NULL DEFAULT '[]',
  PRIMARY KEY (vuln_id, ecosystem, package)
);
CREATE INDEX vuln_affected_package ON vuln_affected (package);

-- One imported SBOM or scanner report.
CREATE TABLE sbom_imports (
  id              TEXT PRIMARY KEY,
  org_id          TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  image_id        TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  kind            TEXT NOT NULL CHECK (kind IN ('sbom', 'scan')),
  format          TEXT NOT NULL,
  spec_version    TEXT NOT NULL DEFAULT '',
  serial_number   TEXT NOT NULL DEFAULT '',
  tool            TEXT NOT NULL DEFAULT '',
  digest          TEXT NOT NULL,               -- sha256 of the bytes
  components      INTEGER NOT NULL DEFAULT 0,
  findings        INTEGER NOT NULL DEFAULT 0,
  summary         TEXT NOT NULL DEFAULT '{}',
  actor_id        TEXT NOT NULL,
  imported_at     TEXT NOT NULL
);
CREATE INDEX sbom_imports_image ON sbom_imports (org_id, image_id, imported_at);

CREATE TABLE image_components (
  id          TEXT PRIMARY KEY,
  org_id      TEXT NOT NULL,
  image_id    TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  ref         TEXT NOT NULL,                   -- document-local reference (bom-ref, SPDXID)
  name        TEXT NOT NULL,
  version     TEXT NOT NULL DEFAULT '',
  purl        TEXT NOT NULL DEFAULT '',
  package     TEXT NOT NULL DEFAULT '',        -- match key (see vuln_affected.package)
  type        TEXT NOT NULL DEFAULT 'library',
  ecosystem   TEXT NOT NULL DEFAULT '',
  licenses    TEXT NOT NULL DEFAULT '[]',
  hashes      TEXT NOT NULL DEFAULT '[]',
  supplier    TEXT NOT NULL DEFAULT '',
  created_at  TEXT NOT NULL,
  UNIQUE (image_id, ref)
);
CREATE INDEX image_components_page ON image_components (org_id, image_id, name, id);
CREATE INDEX image_components_package ON image_components (package);

CREATE TABLE image_component_deps (
  org_id    TEXT NOT NULL,
  image_id  TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  from_ref  TEXT NOT NULL,
  to_ref    TEXT NOT NULL,
  PRIMARY KEY (image_id, from_ref, to_ref)
);

-- A finding: a vulnerability of a component of an image, open or fixed.
CREATE TABLE image_vulnerabilities (
  id                TEXT PRIMARY KEY,
  org_id            TEXT NOT NULL,
  image_id          TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  vuln_id           TEXT NOT NULL,
  package_name      TEXT NOT NULL,
  installed_version TEXT NOT NULL DEFAULT '',
  component_ref     TEXT NOT NULL DEFAULT '',
  purl              TEXT NOT NULL DEFAULT '',
  fixed_version     TEXT NOT NULL DEFAULT '',
  fix_state         TEXT NOT NULL DEFAULT '',
  severity          TEXT NOT NULL DEFAULT 'unknown'
                    CHECK (severity IN ('unknown', 'none', 'low', 'medium', 'high', 'critical')),
  cvss_score        DOUBLE PRECISION,
  cvss_vector       TEXT NOT NULL DEFAULT '',
  epss              DOUBLE PRECISION,
  title             TEXT NOT NULL DEFAULT '',
  source            TEXT NOT NULL CHECK (source IN ('scan', 'sbom', 'match', 'manual')),
  status            TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'fixed')),
  vex_status        TEXT NOT NULL DEFAULT '',
  vex_justification TEXT NOT NULL DEFAULT '',
  first_seen_at     TEXT NOT NULL,
  last_seen_at      TEXT NOT NULL,
  fixed_at          TEXT,
  UNIQUE (image_id, vuln_id, package_name, installed_version)
);
CREATE INDEX image_vulns_by_vuln ON image_vulnerabilities (org_id, vuln_id);

-- VEX statements applied on ingest (and again when findings appear later).
CREATE TABLE vex_statements (
  id             TEXT PRIMARY KEY,
  org_id         TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  image_id       TEXT REFERENCES images(id) ON DELETE CASCADE,  -- NULL: every image of the org
  vuln_id        TEXT NOT NULL,
  product        TEXT NOT NULL DEFAULT '',   -- purl or component ref; '' = any component
  status         TEXT NOT NULL
                 CHECK (status IN ('not_affected', 'affected', 'fixed', 'under_investigation')),
  justification  TEXT NOT NULL DEFAULT '',
  detail         TEXT NOT NULL DEFAULT '',
  action         TEXT NOT NULL DEFAULT '',
  source         TEXT NOT NULL DEFAULT '',
  created_at     TEXT NOT NULL
);
CREATE INDEX vex_statements_lookup ON vex_statements (org_id, vuln_id);

-- Suppressions: scoped to the org, an image family, an image or a component (purl/package).
CREATE TABLE vuln_suppressions (
  id          TEXT PRIMARY KEY,
  org_id      TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  vuln_id     TEXT NOT NULL,
  scope       TEXT NOT NULL CHECK (scope IN ('org', 'family', 'image', 'component')),
  scope_value TEXT NOT NULL DEFAULT '',
  reason      TEXT NOT NULL,
  author_id   TEXT NOT NULL,
  expires_at  TEXT,
  created_at  TEXT NOT NULL,
  revoked_at  TEXT
);
CREATE INDEX vuln_suppressions_lookup ON vuln_suppressions (org_id, vuln_id);

-- Counts per image after every import or re-evaluation: the trend.
CREATE TABLE image_vuln_snapshots (
  org_id    TEXT NOT NULL,
  image_id  TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  taken_at  TEXT NOT NULL,
  critical  INTEGER NOT NULL DEFAULT 0,
  high      INTEGER NOT NULL DEFAULT 0,
  medium    INTEGER NOT NULL DEFAULT 0,
  low       INTEGER NOT NULL DEFAULT 0,
  unknown   INTEGER NOT NULL DEFAULT 0,
  kev       INTEGER NOT NULL DEFAULT 0,
  fixable   INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (image_id, taken_at)
);

CREATE VIEW v_image_vuln_summary AS
SELECT i.org_id, i.id AS image_id, i.family, i.version,
       COUNT(v.id) AS open_count,
       SUM(CASE WHEN v.severity = 'critical' THEN 1 ELSE 0 END) AS critical,
       SUM(CASE WHEN v.severity = 'high' THEN 1 ELSE 0 END) AS high,
       SUM(CASE WHEN v.severity = 'medium' THEN 1 ELSE 0 END) AS medium,
       SUM(CASE WHEN v.severity = 'low' THEN 1 ELSE 0 END) AS low,
       SUM(CASE WHEN v.severity IN ('unknown', 'none') THEN 1 ELSE 0 END) AS unknown,
       SUM(CASE WHEN v.fixed_version <> '' THEN 1 ELSE 0 END) AS fixable,
       SUM(CASE WHEN c.kev = 1 THEN 1 ELSE 0 END) AS kev
FROM images i
LEFT JOIN image_vulnerabilities v
  ON v.image_id = i.id AND v.status = 'open' AND v.vex_status NOT IN ('not_affected', 'fixed')
LEFT JOIN vuln_catalog c ON c.id = v.vuln_id
GROUP BY i.org_id, i.id, i.family, i.version;
