ALTER TABLE image_current_targets ENABLE ROW LEVEL SECURITY;
ALTER TABLE image_current_targets FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON image_current_targets
  USING (org_id = (SELECT current_setting('app.org_id', true))
         OR (SELECT COALESCE(current_setting('app.org_id', true), '')) = '*');
