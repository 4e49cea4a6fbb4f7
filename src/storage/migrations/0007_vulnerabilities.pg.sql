-- Row-level security for the per-org vulnerability tables (see 0002). The catalog tables
-- (vuln_catalog, vuln_aliases, vuln_affected) hold public data shared by every org.
DO $rls$
DECLARE t TEXT;
BEGIN
  FOREACH t IN ARRAY ARRAY['sbom_imports', 'image_components', 'image_component_deps',
                           'image_vulnerabilities', 'vex_statements', 'vuln_suppressions',
                           'image_vuln_snapshots'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (qlrf_org_visible(org_id))', t);
  END LOOP;
END
$rls$;
ALTER VIEW v_image_vuln_summary SET (security_invoker = true);
