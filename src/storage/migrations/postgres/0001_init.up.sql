-- civicloop schema 0001: tenants, organisation, accounts, ledger (PostgreSQL dialect).
-- Every table keys on tenant_id first. Times are integer milliseconds since the epoch (UTC).
-- Booleans are integers 0/1. JSON and GeoJSON are text.

CREATE TABLE tenants (
  tenant_id   BIGINT NOT NULL PRIMARY KEY,
  code        TEXT NOT NULL UNIQUE,
  name        TEXT NOT NULL,
  name_en     TEXT,
  admin_code  TEXT,
  timezone    TEXT NOT NULL,
  center_lat  DOUBLE PRECISION,
  center_lng  DOUBLE PRECISION,
  created_at  BIGINT NOT NULL
);

-- Ids are allocated per tenant and table from here, inside the writing transaction.
CREATE TABLE id_counters (
  tenant_id BIGINT NOT NULL,
  name      TEXT NOT NULL,
  next_id   BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, name)
);

CREATE TABLE posts (
  tenant_id  BIGINT NOT NULL,
  code       TEXT NOT NULL,
  name       TEXT NOT NULL,
  name_en    TEXT NOT NULL,
  sort_order BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, code)
);

CREATE TABLE org_units (
  tenant_id  BIGINT NOT NULL,
  id         BIGINT NOT NULL,
  parent_id  BIGINT,
  kind       TEXT NOT NULL,
  code       TEXT,
  name       TEXT NOT NULL,
  name_en    TEXT,
  duties     TEXT NOT NULL DEFAULT '',
  boundary   TEXT,
  sort_order BIGINT NOT NULL DEFAULT 0,
  is_demo    BIGINT NOT NULL DEFAULT 0,
  retired    BIGINT NOT NULL DEFAULT 0,
  path       TEXT NOT NULL,
  version    BIGINT NOT NULL DEFAULT 1,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX org_units_code ON org_units (tenant_id, code);
CREATE INDEX org_units_parent ON org_units (tenant_id, parent_id, sort_order, id);
CREATE INDEX org_units_kind ON org_units (tenant_id, kind, sort_order, id);
CREATE INDEX org_units_path ON org_units (tenant_id, path text_pattern_ops);

CREATE TABLE people (
  tenant_id  BIGINT NOT NULL,
  id         BIGINT NOT NULL,
  name       TEXT NOT NULL,
  phone      TEXT,
  title      TEXT,
  is_demo    BIGINT NOT NULL DEFAULT 0,
  retired    BIGINT NOT NULL DEFAULT 0,
  version    BIGINT NOT NULL DEFAULT 1,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX people_name ON people (tenant_id, name, id);

CREATE TABLE memberships (
  tenant_id  BIGINT NOT NULL,
  id         BIGINT NOT NULL,
  person_id  BIGINT NOT NULL,
  unit_id    BIGINT NOT NULL,
  post_code  TEXT NOT NULL,
  is_head    BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id),
  FOREIGN KEY (tenant_id, unit_id) REFERENCES org_units (tenant_id, id),
  FOREIGN KEY (tenant_id, post_code) REFERENCES posts (tenant_id, code)
);
CREATE UNIQUE INDEX memberships_unique ON memberships (tenant_id, person_id, unit_id, post_code);
CREATE UNIQUE INDEX memberships_one_head ON memberships (tenant_id, unit_id) WHERE is_head = 1;
CREATE INDEX memberships_unit ON memberships (tenant_id, unit_id);

CREATE TABLE liaisons (
  tenant_id  BIGINT NOT NULL,
  id         BIGINT NOT NULL,
  unit_id    BIGINT NOT NULL,
  leader_id  BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, unit_id) REFERENCES org_units (tenant_id, id),
  FOREIGN KEY (tenant_id, leader_id) REFERENCES people (tenant_id, id)
);
-- Exactly one accountable leader per place.
CREATE UNIQUE INDEX liaisons_one_per_place ON liaisons (tenant_id, unit_id);
CREATE INDEX liaisons_leader ON liaisons (tenant_id, leader_id);

CREATE TABLE users (
  tenant_id     BIGINT NOT NULL,
  id            BIGINT NOT NULL,
  username      TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  role          TEXT NOT NULL,
  display_name  TEXT NOT NULL,
  unit_id       BIGINT,
  person_id     BIGINT,
  disabled      BIGINT NOT NULL DEFAULT 0,
  is_demo       BIGINT NOT NULL DEFAULT 0,
  version       BIGINT NOT NULL DEFAULT 1,
  created_at    BIGINT NOT NULL,
  updated_at    BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, unit_id) REFERENCES org_units (tenant_id, id),
  FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id)
);
CREATE UNIQUE INDEX users_username ON users (tenant_id, username);

CREATE TABLE sessions (
  tenant_id   BIGINT NOT NULL,
  token_hash  TEXT NOT NULL,
  user_id     BIGINT NOT NULL,
  csrf_token  TEXT NOT NULL,
  created_at  BIGINT NOT NULL,
  expires_at  BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, token_hash)
);
CREATE INDEX sessions_user ON sessions (tenant_id, user_id);

CREATE TABLE api_tokens (
  tenant_id    BIGINT NOT NULL,
  id           BIGINT NOT NULL,
  user_id      BIGINT NOT NULL,
  name         TEXT NOT NULL,
  token_hash   TEXT NOT NULL,
  revoked      BIGINT NOT NULL DEFAULT 0,
  created_at   BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX api_tokens_hash ON api_tokens (tenant_id, token_hash);

CREATE TABLE ledger_events (
  tenant_id     BIGINT NOT NULL,
  seq           BIGINT NOT NULL,
  at            BIGINT NOT NULL,
  actor_user_id BIGINT,
  actor_name    TEXT NOT NULL,
  entity_type   TEXT NOT NULL,
  entity_id     BIGINT NOT NULL,
  action        TEXT NOT NULL,
  before_json   TEXT,
  after_json    TEXT,
  note          TEXT,
  prev_hash     TEXT NOT NULL,
  hash          TEXT NOT NULL,
  PRIMARY KEY (tenant_id, seq)
);
CREATE INDEX ledger_entity ON ledger_events (tenant_id, entity_type, entity_id, seq);

-- The chain's head: the last seq and hash. Appending updates it in the same transaction, which
-- also serialises appenders (the UPDATE takes the row lock on PostgreSQL).
CREATE TABLE ledger_heads (
  tenant_id BIGINT NOT NULL PRIMARY KEY,
  seq       BIGINT NOT NULL,
  hash      TEXT NOT NULL
);
