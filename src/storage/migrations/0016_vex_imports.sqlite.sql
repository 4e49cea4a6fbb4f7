-- An OpenVEX document is an import of its own kind ('vex'): it carries statements, not
-- components or findings. Migration 0007 allowed only 'sbom' and 'scan', so every OpenVEX import
-- failed on this check. SQLite cannot alter a CHECK, so the table is rebuilt; no table, view or
-- trigger refers to it.
CREATE TABLE sbom_imports_rebuilt (
  id              TEXT PRIMARY KEY,
  org_id          TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  image_id        TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  kind            TEXT NOT NULL CHECK (kind IN ('sbom', 'scan', 'vex')),
  format          TEXT NOT NULL,
  spec_version    TEXT NOT NULL DEFAULT '',
  serial_number   TEXT NOT NULL DEFAULT '',
  tool            TEXT NOT NULL DEFAULT '',
  digest          TEXT NOT NULL,
  components      INTEGER NOT NULL DEFAULT 0,
  findings        INTEGER NOT NULL DEFAULT 0,
  summary         TEXT NOT NULL DEFAULT '{}',
  actor_id        TEXT NOT NULL,
  imported_at     TEXT NOT NULL
);
INSERT INTO sbom_imports_rebuilt
SELECT id, org_id, image_id, kind, format, spec_version, serial_number, tool, digest, components,
       findings, summary, actor_id, imported_at
FROM sbom_imports;
DROP TABLE sbom_imports;
ALTER TABLE sbom_imports_rebuilt RENAME TO sbom_imports;
CREATE INDEX sbom_imports_image ON sbom_imports (org_id, image_id, imported_at);
