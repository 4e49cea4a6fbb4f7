-- asset_rollup maintenance per statement instead of per row: a bulk load of N assets (COPY or
-- a multi-row INSERT) now costs one grouped upsert instead of N single-row upserts.
-- PostgreSQL does not allow transition tables on triggers with a column list, so the update
-- trigger fires on every UPDATE and only counts rows whose rollup columns changed.
DROP TRIGGER asset_rollup_insert ON assets;
DROP TRIGGER asset_rollup_delete ON assets;
DROP TRIGGER asset_rollup_update ON assets;
DROP FUNCTION qlrf_asset_rollup();

CREATE FUNCTION qlrf_asset_rollup_add() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  INSERT INTO asset_rollup (org_id, environment, platform, state, site_id, region, image_family,
                            image_version, n)
  SELECT org_id, environment, platform, state, COALESCE(site_id, ''), region, image_family,
         image_version, count(*)
  FROM new_rows
  GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
  ON CONFLICT (org_id, environment, platform, state, site_id, region, image_family, image_version)
  DO UPDATE SET n = asset_rollup.n + excluded.n;
  RETURN NULL;
END
$fn$;

CREATE FUNCTION qlrf_asset_rollup_remove() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  UPDATE asset_rollup r SET n = r.n - d.c
  FROM (SELECT org_id, environment, platform, state, COALESCE(site_id, '') AS site_id, region,
               image_family, image_version, count(*) AS c
        FROM old_rows GROUP BY 1, 2, 3, 4, 5, 6, 7, 8) d
  WHERE r.org_id = d.org_id AND r.environment = d.environment AND r.platform = d.platform
    AND r.state = d.state AND r.site_id = d.site_id AND r.region = d.region
    AND r.image_family = d.image_family AND r.image_version = d.image_version;
  RETURN NULL;
END
$fn$;

CREATE FUNCTION qlrf_asset_rollup_move() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  -- Rows whose rollup key changed: subtract the old key, add the new one.
  UPDATE asset_rollup r SET n = r.n - d.c
  FROM (SELECT o.org_id, o.environment, o.platform, o.state, COALESCE(o.site_id, '') AS site_id,
               o.region, o.image_family, o.image_version, count(*) AS c
        FROM old_rows o JOIN new_rows w ON w.id = o.id
        WHERE (o.environment, o.platform, o.state, COALESCE(o.site_id, ''), o.region,
               o.image_family, o.image_version)
              IS DISTINCT FROM
              (w.environment, w.platform, w.state, COALESCE(w.site_id, ''), w.region,
               w.image_family, w.image_version)
        GROUP BY 1, 2, 3, 4, 5, 6, 7, 8) d
  WHERE r.org_id = d.org_id AND r.environment = d.environment AND r.platform = d.platform
    AND r.state = d.state AND r.site_id = d.site_id AND r.region = d.region
    AND r.image_family = d.image_family AND r.image_version = d.image_version;
  INSERT INTO asset_rollup (org_id, environment, platform, state, site_id, region, image_family,
                            image_version, n)
  SELECT w.org_id, w.environment, w.platform, w.state, COALESCE(w.site_id, ''), w.region,
         w.image_family, w.image_version, count(*)
  FROM old_rows o JOIN new_rows w ON w.id = o.id
  WHERE (o.environment, o.platform, o.state, COALESCE(o.site_id, ''), o.region, o.image_family,
         o.image_version)
        IS DISTINCT FROM
        (w.environment, w.platform, w.state, COALESCE(w.site_id, ''), w.region, w.image_family,
         w.image_version)
  GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
  ON CONFLICT (org_id, environment, platform, state, site_id, region, image_family, image_version)
  DO UPDATE SET n = asset_rollup.n + excluded.n;
  RETURN NULL;
END
$fn$;

CREATE TRIGGER asset_rollup_insert AFTER INSERT ON assets
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION qlrf_asset_rollup_add();
CREATE TRIGGER asset_rollup_delete AFTER DELETE ON assets
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
  EXECUTE FUNCTION qlrf_asset_rollup_remove();
CREATE TRIGGER asset_rollup_update AFTER UPDATE ON assets
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION qlrf_asset_rollup_move();
