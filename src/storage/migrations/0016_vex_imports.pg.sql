-- An OpenVEX document is an import of its own kind ('vex'): it carries statements, not
-- components or findings. Migration 0007 allowed only 'sbom' and 'scan', so every OpenVEX import
-- failed on this check.
ALTER TABLE sbom_imports DROP CONSTRAINT sbom_imports_kind_check;
ALTER TABLE sbom_imports ADD CONSTRAINT sbom_imports_kind_check
  CHECK (kind IN ('sbom', 'scan', 'vex'));
