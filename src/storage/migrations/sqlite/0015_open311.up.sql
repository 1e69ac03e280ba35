-- Open311 GeoReport v2 (issue 10, parts 5 and 6; docs/open311.md). The tenant's Open311 settings
-- from its preset (jurisdiction, services' attributes, the source of requests, the public-note
-- actions) kept as the document; API keys issued per application by the HQ administrator, stored
-- as the SHA-256 of their secret; and the link from a case reported through Open311 to its
-- token, its key and the answers to its service's attributes. The case itself is an ordinary
-- case. Every change is a ledger event (entity types "open311_key" and "open311_request").
CREATE TABLE open311_settings (
  tenant_id       INTEGER NOT NULL PRIMARY KEY,
  jurisdiction_id TEXT NOT NULL,
  doc             TEXT NOT NULL,
  updated_at      INTEGER NOT NULL
);
CREATE UNIQUE INDEX open311_settings_jurisdiction ON open311_settings (jurisdiction_id);

CREATE TABLE open311_keys (
  tenant_id       INTEGER NOT NULL,
  id              INTEGER NOT NULL,
  name            TEXT NOT NULL,
  contact         TEXT NOT NULL DEFAULT '',
  key_hash        TEXT NOT NULL,
  key_prefix      TEXT NOT NULL,
  rate_per_minute INTEGER NOT NULL,
  created_by      INTEGER,
  created_at      INTEGER NOT NULL,
  revoked_at      INTEGER,
  revoked_by      INTEGER,
  last_used_at    INTEGER,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX open311_keys_hash ON open311_keys (tenant_id, key_hash);

CREATE TABLE open311_requests (
  tenant_id   INTEGER NOT NULL,
  case_id     INTEGER NOT NULL,
  token       TEXT NOT NULL,
  key_id      INTEGER NOT NULL,
  attributes  TEXT NOT NULL DEFAULT '{}',
  media_count INTEGER NOT NULL DEFAULT 0,
  created_at  INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, case_id)
);
CREATE UNIQUE INDEX open311_requests_token ON open311_requests (tenant_id, token);

-- updated_after / updated_before page on the case's last change; servicerequestupdates reads the
-- case events of a time window.
CREATE INDEX cases_updated ON cases (tenant_id, updated_at, id);
CREATE INDEX ledger_entity_at ON ledger_events (tenant_id, entity_type, at, seq);
