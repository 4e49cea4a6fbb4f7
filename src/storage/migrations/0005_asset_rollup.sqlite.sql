CREATE TRIGGER asset_rollup_insert AFTER INSERT ON assets BEGIN
  INSERT INTO asset_rollup (org_id, environment, platform, state, site_id, region, image_family,
                            image_version, n)
  VALUES (NEW.org_id, NEW.environment, NEW.platform, NEW.state, COALESCE(NEW.site_id, ''),
          NEW.region, NEW.image_family, NEW.image_version, 1)
  ON CONFLICT (org_id, environment, platform, state, site_id, region, image_family, image_version)
  DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER asset_rollup_delete AFTER DELETE ON assets BEGIN
  UPDATE asset_rollup SET n = n - 1
  WHERE org_id = OLD.org_id AND environment = OLD.environment AND platform = OLD.platform
    AND state = OLD.state AND site_id = COALESCE(OLD.site_id, '') AND region = OLD.region
    AND image_family = OLD.image_family AND image_version = OLD.image_version;
END;

CREATE TRIGGER asset_rollup_update
AFTER UPDATE OF environment, platform, state, site_id, region, image_family, image_version
ON assets BEGIN
  UPDATE asset_rollup SET n = n - 1
  WHERE org_id = OLD.org_id AND environment = OLD.environment AND platform = OLD.platform
    AND state = OLD.state AND site_id = COALESCE(OLD.site_id, '') AND region = OLD.region
    AND image_family = OLD.image_family AND image_version = OLD.image_version;
  INSERT INTO asset_rollup (org_id, environment, platform, state, site_id, region, image_family,
                            image_version, n)
  VALUES (NEW.org_id, NEW.environment, NEW.platform, NEW.state, COALESCE(NEW.site_id, ''),
          NEW.region, NEW.image_family, NEW.image_version, 1)
  ON CONFLICT (org_id, environment, platform, state, site_id, region, image_family, image_version)
  DO UPDATE SET n = n + 1;
END;
