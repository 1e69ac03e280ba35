-- Open311 GeoReport v2 (issue 10, parts 5 and 6; docs/open311.md). The tenant's Open311 settings
-- from its preset (jurisdiction, services' attributes, the source of requests, the public-note
-- actions) kept as the document; API keys issued per application by the HQ administrator, stored
-- as the SHA-256 of their secret; and the link from a case reported through Open311 to its
-- token, its key and the answers to its service's attributes. The case itself is an ordinary
-- case. Every change is a ledger event (entity types "open311_key" and "open311_request").
CREATE TABLE open311_settings (
  tenant_id       BIGINT NOT NULL PRIMARY KEY,
  jurisdiction_id TEXT NOT NULL,
  doc             TEXT NOT NULL,
  updated_at      BIGINT NOT NULL
);
CREATE UNIQUE INDEX open311_settings_jurisdiction ON open311_settings (jurisdiction_id);

CREATE TABLE open311_keys (
  tenant_id       BIGINT NOT NULL,
  id              BIGINT NOT NULL,
  name            TEXT NOT NULL,
  contact         TEXT NOT NULL DEFAULT '',
  key_hash        TEXT NOT NULL,
  key_prefix      TEXT NOT NULL,
  rate_per_minute BIGINT NOT NULL,
  created_by      BIGINT,
  created_at      BIGINT NOT NULL,
  revoked_at      BIGINT,
  revoked_by      BIGINT,
  last_used_at    BIGINT,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX open311_keys_hash ON open311_keys (tenant_id, key_hash);

CREATE TABLE open311_requests (
  tenant_id   BIGINT NOT NULL,
  case_id     BIGINT NOT NULL,
  token       TEXT NOT NULL,
  key_id      BIGINT NOT NULL,
  attributes  TEXT NOT NULL DEFAULT '{}',
  media_count BIGINT NOT NULL DEFAULT 0,
  created_at  BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, case_id)
);
CREATE UNIQUE INDEX open311_requests_token ON open311_requests (tenant_id, token);

-- updated_after / updated_before page on the case's last change; servicerequestupdates reads the
-- case events of a time window.
CREATE INDEX cases_updated ON cases (tenant_id, updated_at, id);
CREATE INDEX ledger_entity_at ON ledger_events (tenant_id, entity_type, at, seq);
