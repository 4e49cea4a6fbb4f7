-- PostgreSQL row-level security: every tenant table is visible only to transactions whose
-- `app.org_id` (set per transaction by the store) matches, or to system transactions ('*').
CREATE OR REPLACE FUNCTION qlrf_org_visible(row_org TEXT) RETURNS BOOLEAN
  LANGUAGE sql STABLE AS $fn$
    SELECT COALESCE(current_setting('app.org_id', true), '') = '*'
        OR row_org = current_setting('app.org_id', true)
  $fn$;

ALTER TABLE organizations ENABLE ROW LEVEL SECURITY;
ALTER TABLE organizations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON organizations USING (qlrf_org_visible(id));

ALTER TABLE org_memberships ENABLE ROW LEVEL SECURITY;
ALTER TABLE org_memberships FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON org_memberships USING (qlrf_org_visible(org_id));

ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON api_keys USING (qlrf_org_visible(org_id));

ALTER TABLE projects ENABLE ROW LEVEL SECURITY;
ALTER TABLE projects FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON projects USING (qlrf_org_visible(org_id));

ALTER TABLE environments ENABLE ROW LEVEL SECURITY;
ALTER TABLE environments FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON environments USING (qlrf_org_visible(org_id));

ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_events USING (qlrf_org_visible(org_id));

ALTER TABLE audit_heads ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_heads FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_heads USING (qlrf_org_visible(org_id));
