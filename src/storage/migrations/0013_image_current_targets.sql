-- The current production image of a family per deployment target (platform, region): among the
-- family's production images with an artifact at exactly that target, the most recently
-- promoted. Region '' is an artifact for every region of the platform (container digests,
-- vSphere templates). Kept by ImageStore in the transaction that changes a status or the
-- artifacts; drift resolves an asset's target as (platform, region), then (platform, ''), then
-- the family's current production image (image_family_current).
CREATE TABLE image_current_targets (
  org_id   TEXT NOT NULL,
  family   TEXT NOT NULL,
  platform TEXT NOT NULL,
  region   TEXT NOT NULL,
  image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  version  TEXT NOT NULL,
  ref      TEXT NOT NULL,
  since    TEXT NOT NULL,
  PRIMARY KEY (org_id, family, platform, region)
);

INSERT INTO image_current_targets (org_id, family, platform, region, image_id, version, ref, since)
SELECT org_id, family, platform, region, image_id, version, ref, since
FROM (SELECT i.org_id, i.family, a.platform, a.region, i.id AS image_id, i.version, a.ref,
             COALESCE(i.promoted_at, i.updated_at) AS since,
             ROW_NUMBER() OVER (PARTITION BY i.org_id, i.family, a.platform, a.region
                                ORDER BY COALESCE(i.promoted_at, i.updated_at) DESC, i.id DESC) AS rn
      FROM images i JOIN image_artifacts a ON a.org_id = i.org_id AND a.image_id = i.id
      WHERE i.status = 'production') best
WHERE rn = 1;
