-- Row-level security for the inventory tables (see 0002).
DO $rls$
DECLARE t TEXT;
BEGIN
  FOREACH t IN ARRAY ARRAY['sites', 'assets', 'asset_tags', 'golden_image_families', 'images',
                           'image_family_current', 'image_artifacts', 'image_promotions',
                           'image_lineage', 'image_builds', 'image_tags', 'dr_pairs'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (qlrf_org_visible(org_id))', t);
  END LOOP;
END
$rls$;
-- Views run with the caller's rights so the policies above apply through them.
ALTER VIEW v_image_lineage_tree SET (security_invoker = true);
ALTER VIEW v_image_deployment_summary SET (security_invoker = true);
