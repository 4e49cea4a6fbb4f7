-- Policy bundles (versions of an org's Rego policies, uploaded through the API) and the decision
-- log. Portable SQL (see 0001); JSON columns are TEXT. The shipped policies are compiled into the
-- binary and are not stored: they are every org's version 0 of their names.

CREATE TABLE policy_bundles (
  id           TEXT PRIMARY KEY,
  org_id       TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  name         TEXT NOT NULL,               -- "plan_safety": replaces the built-in of that name
  version      INTEGER NOT NULL,            -- 1, 2, … per (org, name); 0 is the built-in
  modules      TEXT NOT NULL,               -- JSON {"filename.rego": "package …"}
  data         TEXT NOT NULL DEFAULT '{}',  -- JSON document merged into data
  packages     TEXT NOT NULL DEFAULT '[]',  -- JSON ["qlrf.plan_safety"]: routes decisions
  sha256       TEXT NOT NULL,               -- of the canonical {modules, data}
  status       TEXT NOT NULL CHECK (status IN ('enforced', 'shadow', 'superseded', 'rejected')),
  tests_passed INTEGER NOT NULL DEFAULT 0,
  tests_failed INTEGER NOT NULL DEFAULT 0,
  errors       TEXT NOT NULL DEFAULT '[]',  -- JSON [{code, message, location}] when rejected
  author_id    TEXT NOT NULL,
  created_at   TEXT NOT NULL,
  updated_at   TEXT NOT NULL,
  UNIQUE (org_id, name, version)
);
CREATE INDEX policy_bundles_status ON policy_bundles (org_id, status, name);

-- One row per decision (and one more per shadow evaluation beside it).
CREATE TABLE policy_decisions (
  id                    TEXT PRIMARY KEY,
  org_id                TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  policy                TEXT NOT NULL,       -- bundle name ("" when no bundle defines the path)
  version               INTEGER NOT NULL,    -- 0: built-in or remote
  path                  TEXT NOT NULL,       -- "qlrf/plan_safety/deny"
  input_sha256          TEXT NOT NULL,
  result                TEXT,                -- JSON; NULL when undefined
  denied                INTEGER NOT NULL DEFAULT 0,
  duration_us           INTEGER NOT NULL DEFAULT 0,
  shadow                INTEGER NOT NULL DEFAULT 0,
  differs_from_enforced INTEGER NOT NULL DEFAULT 0,
  source                TEXT NOT NULL DEFAULT 'embedded' CHECK (source IN ('embedded', 'remote')),
  error                 TEXT NOT NULL DEFAULT '',
  created_at            TEXT NOT NULL
);
CREATE INDEX policy_decisions_time ON policy_decisions (org_id, created_at, id);
CREATE INDEX policy_decisions_policy ON policy_decisions (org_id, policy, created_at, id);
