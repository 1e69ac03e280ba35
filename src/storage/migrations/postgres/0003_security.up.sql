-- Security hardening: sign-in throttle counters shared by every server on the database, the
-- optional TOTP second factor with its recovery codes, and whether reporters see notices.

-- One row per throttled key: an account ("acct:<username>"), an account seen from one address
-- ("pair:<username>@<address>") or an address ("addr:<address>"). tenant_id is 0
-- for address keys and for names of no known tenant. known = 0 marks addresses and names of no
-- existing account: under a spray of made-up names those rows are the first to go, so that a real
-- account's counters are never evicted to make room (storage/throttle_repo.cpp).
CREATE TABLE login_throttle (
  tenant_id      BIGINT NOT NULL,
  throttle_key   TEXT NOT NULL,
  known          BIGINT NOT NULL DEFAULT 0,
  failures       BIGINT NOT NULL,
  window_start   BIGINT NOT NULL,
  last_failure   BIGINT NOT NULL,
  blocked_until  BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, throttle_key)
);
CREATE INDEX login_throttle_evict ON login_throttle (known, last_failure);

-- TOTP (RFC 6238): the secret once enabled; a pending secret while the user sets it up; the last
-- time step used, so that a code is accepted once.
ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_pending TEXT;
ALTER TABLE users ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;

CREATE TABLE recovery_codes (
  tenant_id   BIGINT NOT NULL,
  user_id     BIGINT NOT NULL,
  code_hash   TEXT NOT NULL,
  used_at     BIGINT,
  PRIMARY KEY (tenant_id, user_id, code_hash)
);

ALTER TABLE workflow_settings ADD COLUMN reporter_sees_notice BIGINT NOT NULL DEFAULT 0;
