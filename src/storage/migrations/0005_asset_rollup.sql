-- Asset counts per (environment, platform, state, site, region, image family, version): kept
-- exact by triggers (0005 .sqlite / .pg files), so totals and grouped counts over these columns
-- cost a scan of a few thousand rollup rows instead of every asset. site_id NULL is stored as ''.
CREATE TABLE asset_rollup (
  org_id        TEXT NOT NULL,
  environment   TEXT NOT NULL,
  platform      TEXT NOT NULL,
  state         TEXT NOT NULL,
  site_id       TEXT NOT NULL,
  region        TEXT NOT NULL,
  image_family  TEXT NOT NULL,
  image_version TEXT NOT NULL,
  n             BIGINT NOT NULL,
  PRIMARY KEY (org_id, environment, platform, state, site_id, region, image_family,
               image_version)
);

INSERT INTO asset_rollup (org_id, environment, platform, state, site_id, region, image_family,
                          image_version, n)
SELECT org_id, environment, platform, state, COALESCE(site_id, ''), region, image_family,
       image_version, count(*)
FROM assets
GROUP BY org_id, environment, platform, state, COALESCE(site_id, ''), region, image_family,
         image_version;
