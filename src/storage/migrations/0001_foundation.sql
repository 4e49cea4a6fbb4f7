-- Foundation: organizations, users, memberships, API keys, projects, environments, audit trail.
-- Portable SQL (SQLite and PostgreSQL). Ids are UUID text; times are RFC 3339 UTC text of fixed
-- width ("2026-11-23T10:36:19.123Z") so text order is time order.

CREATE TABLE organizations (
  id            TEXT PRIMARY KEY,
  name          TEXT NOT NULL,
  slug          TEXT NOT NULL UNIQUE,
  external_id   TEXT UNIQUE,
  autonomy_mode TEXT NOT NULL DEFAULT 'plan_only'
                CHECK (autonomy_mode IN ('plan_only', 'canary_only', 'full_auto')),
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL
);

CREATE TABLE users (
  id            TEXT PRIMARY KEY,
  email         TEXT NOT NULL UNIQUE,
  display_name  TEXT NOT NULL DEFAULT '',
  password_hash TEXT,
  external_id   TEXT UNIQUE,
  disabled      INTEGER NOT NULL DEFAULT 0,
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL
);

CREATE TABLE org_memberships (
  org_id     TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role       TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'approver', 'admin')),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (org_id, user_id)
);
CREATE INDEX org_memberships_user ON org_memberships (user_id);

CREATE TABLE api_keys (
  id           TEXT PRIMARY KEY,
  org_id       TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  name         TEXT NOT NULL,
  prefix       TEXT NOT NULL,
  key_hash     TEXT NOT NULL UNIQUE,
  role         TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'approver', 'admin')),
  created_by   TEXT,
  created_at   TEXT NOT NULL,
  last_used_at TEXT,
  expires_at   TEXT,
  revoked_at   TEXT
);
CREATE INDEX api_keys_org ON api_keys (org_id, created_at, id);

CREATE TABLE projects (
  id          TEXT PRIMARY KEY,
  org_id      TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  name        TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL,
  UNIQUE (org_id, name)
);
CREATE INDEX projects_page ON projects (org_id, created_at, id);

CREATE TABLE environments (
  id          TEXT PRIMARY KEY,
  org_id      TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  project_id  TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  name        TEXT NOT NULL,
  kind        TEXT NOT NULL CHECK (kind IN ('production', 'staging', 'development', 'dr')),
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL,
  UNIQUE (org_id, project_id, name)
);
CREATE INDEX environments_page ON environments (org_id, created_at, id);

-- Audit trail: one hash chain per org. hash = sha256(prev_hash || canonical event).
CREATE TABLE audit_events (
  org_id      TEXT NOT NULL,
  seq         BIGINT NOT NULL,
  id          TEXT NOT NULL UNIQUE,
  occurred_at TEXT NOT NULL,
  actor_type  TEXT NOT NULL,
  actor_id    TEXT NOT NULL,
  action      TEXT NOT NULL,
  target_type TEXT NOT NULL,
  target_id   TEXT NOT NULL,
  request_id  TEXT NOT NULL,
  summary     TEXT NOT NULL,
  prev_hash   TEXT NOT NULL,
  hash        TEXT NOT NULL,
  PRIMARY KEY (org_id, seq)
);
CREATE INDEX audit_events_time ON audit_events (org_id, occurred_at);

-- The head of each org's chain; updating it row-locks the chain so appends serialise per org.
CREATE TABLE audit_heads (
  org_id TEXT PRIMARY KEY,
  seq    BIGINT NOT NULL,
  hash   TEXT NOT NULL
);

-- Installation-wide settings (session signing secret, bootstrap marker).
CREATE TABLE system_settings (
  key        TEXT PRIMARY KEY,
  value      TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
