CREATE OR REPLACE FUNCTION qlrf_asset_rollup() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE asset_rollup SET n = n - 1
    WHERE org_id = OLD.org_id AND environment = OLD.environment AND platform = OLD.platform
      AND state = OLD.state AND site_id = COALESCE(OLD.site_id, '') AND region = OLD.region
      AND image_family = OLD.image_family AND image_version = OLD.image_version;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    INSERT INTO asset_rollup (org_id, environment, platform, state, site_id, region,
                              image_family, image_version, n)
    VALUES (NEW.org_id, NEW.environment, NEW.platform, NEW.state, COALESCE(NEW.site_id, ''),
            NEW.region, NEW.image_family, NEW.image_version, 1)
    ON CONFLICT (org_id, environment, platform, state, site_id, region, image_family,
                 image_version)
    DO UPDATE SET n = asset_rollup.n + 1;
  END IF;
  RETURN NULL;
END
$fn$;

CREATE TRIGGER asset_rollup_insert AFTER INSERT ON assets
  FOR EACH ROW EXECUTE FUNCTION qlrf_asset_rollup();
CREATE TRIGGER asset_rollup_delete AFTER DELETE ON assets
  FOR EACH ROW EXECUTE FUNCTION qlrf_asset_rollup();
CREATE TRIGGER asset_rollup_update
  AFTER UPDATE OF environment, platform, state, site_id, region, image_family, image_version
  ON assets FOR EACH ROW EXECUTE FUNCTION qlrf_asset_rollup();

ALTER TABLE asset_rollup ENABLE ROW LEVEL SECURITY;
ALTER TABLE asset_rollup FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON asset_rollup USING (qlrf_org_visible(org_id));
