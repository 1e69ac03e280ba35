-- civicloop schema 0002: the closed loop of cases (SQLite dialect).
-- Categories, drives, the working-time calendar, routing rules and workflow settings are tenant
-- data (loaded from the preset, edited by the HQ office). Cases are projections of their ledger
-- events; attachments keep metadata here and bytes in the media directory.

CREATE TABLE campaign_drives (
  tenant_id  INTEGER NOT NULL,
  code       TEXT NOT NULL,
  name       TEXT NOT NULL,
  name_en    TEXT,
  sort_order INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, code)
);

CREATE TABLE case_categories (
  tenant_id            INTEGER NOT NULL,
  code                 TEXT NOT NULL,
  parent_code          TEXT,
  kind                 TEXT NOT NULL,
  name                 TEXT NOT NULL,
  name_en              TEXT,
  drive                TEXT,
  filing_condition     TEXT NOT NULL DEFAULT '',
  closing_condition    TEXT NOT NULL DEFAULT '',
  notice_kind          TEXT NOT NULL DEFAULT 'rectification',
  limit_amount         INTEGER,
  limit_unit           TEXT,
  responsible_kind     TEXT,
  responsible_unit_id  INTEGER,
  supervising_group_id INTEGER,
  keywords             TEXT NOT NULL DEFAULT '',
  sort_order           INTEGER NOT NULL DEFAULT 0,
  active               INTEGER NOT NULL DEFAULT 1,
  version              INTEGER NOT NULL DEFAULT 1,
  PRIMARY KEY (tenant_id, code)
);

CREATE TABLE calendars (
  tenant_id          INTEGER NOT NULL PRIMARY KEY,
  utc_offset_minutes INTEGER NOT NULL,
  periods            TEXT NOT NULL,
  version            INTEGER NOT NULL DEFAULT 1
);

-- One row per entered year; its holidays and make-up working days below.
CREATE TABLE calendar_years (
  tenant_id INTEGER NOT NULL,
  year      INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, year)
);
CREATE TABLE calendar_days (
  tenant_id INTEGER NOT NULL,
  day       TEXT NOT NULL,
  kind      TEXT NOT NULL,
  PRIMARY KEY (tenant_id, day)
);

CREATE TABLE routing_rules (
  tenant_id            INTEGER NOT NULL,
  id                   INTEGER NOT NULL,
  position             INTEGER NOT NULL,
  name                 TEXT NOT NULL,
  category             TEXT,
  category_prefix      TEXT,
  area_unit_id         INTEGER,
  area_kind            TEXT,
  from_minute          INTEGER,
  to_minute            INTEGER,
  unit_id              INTEGER,
  unit_by_area         TEXT,
  supervising_group_id INTEGER,
  active               INTEGER NOT NULL DEFAULT 1,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX routing_rules_position ON routing_rules (tenant_id, position, id);

CREATE TABLE workflow_settings (
  tenant_id                 INTEGER NOT NULL PRIMARY KEY,
  acknowledge_limit_amount  INTEGER NOT NULL,
  acknowledge_limit_unit    TEXT NOT NULL,
  verify_limit_amount       INTEGER NOT NULL,
  verify_limit_unit         TEXT NOT NULL,
  escalation_percents       TEXT NOT NULL,
  duplicate_radius_m        INTEGER NOT NULL,
  evidence_distance_m       INTEGER NOT NULL,
  rectification_number_format TEXT NOT NULL,
  reminder_number_format    TEXT NOT NULL,
  issuer                    TEXT NOT NULL
);

CREATE TABLE cases (
  tenant_id            INTEGER NOT NULL,
  id                   INTEGER NOT NULL,
  case_no              TEXT NOT NULL,
  state                TEXT NOT NULL,
  source               TEXT NOT NULL,
  category_code        TEXT NOT NULL,
  title                TEXT NOT NULL,
  description          TEXT NOT NULL DEFAULT '',
  address              TEXT NOT NULL DEFAULT '',
  lat                  REAL,
  lng                  REAL,
  grid_id              INTEGER,
  community_id         INTEGER,
  subdistrict_id       INTEGER,
  area_path            TEXT NOT NULL DEFAULT '',
  reporter_user_id     INTEGER,
  reporter_name        TEXT NOT NULL DEFAULT '',
  assigned_unit_id     INTEGER,
  assigned_path        TEXT,
  supervising_group_id INTEGER,
  routing_rule         TEXT,
  duplicate_of         INTEGER,
  rework_count         INTEGER NOT NULL DEFAULT 0,
  escalation_level     INTEGER NOT NULL DEFAULT 0,
  extension_pending    INTEGER NOT NULL DEFAULT 0,
  extension_request    TEXT,
  parked_from          TEXT,
  park_review_date     TEXT,
  notice_id            INTEGER,
  timer_stage          TEXT,
  timer_unit           TEXT,
  timer_budget         INTEGER,
  timer_consumed       INTEGER,
  timer_running_since  INTEGER,
  deadline_at          INTEGER,
  deadline_estimated   INTEGER NOT NULL DEFAULT 0,
  warned_percent       INTEGER NOT NULL DEFAULT 0,
  overdue              INTEGER NOT NULL DEFAULT 0,
  next_check_at        INTEGER,
  search_terms         TEXT NOT NULL DEFAULT '',
  reported_at          INTEGER NOT NULL,
  filed_at             INTEGER,
  dispatched_at        INTEGER,
  rectified_at         INTEGER,
  closed_at            INTEGER,
  updated_at           INTEGER NOT NULL,
  version              INTEGER NOT NULL DEFAULT 1,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX cases_case_no ON cases (tenant_id, case_no);
CREATE INDEX cases_state ON cases (tenant_id, state, id);
CREATE INDEX cases_assigned ON cases (tenant_id, assigned_unit_id, id);
CREATE INDEX cases_subdistrict ON cases (tenant_id, subdistrict_id, id);
CREATE INDEX cases_community ON cases (tenant_id, community_id, id);
CREATE INDEX cases_grid ON cases (tenant_id, grid_id, id);
CREATE INDEX cases_category ON cases (tenant_id, category_code, id);
CREATE INDEX cases_source ON cases (tenant_id, source, id);
CREATE INDEX cases_reported ON cases (tenant_id, reported_at, id);
CREATE INDEX cases_overdue ON cases (tenant_id, overdue, id);
-- The deadline sweep reads the cases whose next threshold (50%, 75%, overdue, escalation) is due.
CREATE INDEX cases_next_check ON cases (next_check_at) WHERE next_check_at IS NOT NULL;
CREATE INDEX cases_location ON cases (tenant_id, category_code, lat, lng);

-- Full-text search: the terms of title, description and address (domain/search.hpp).
-- rowid = tenant_id * 2^40 + case id.
CREATE VIRTUAL TABLE case_fts USING fts5(terms, tokenize = 'unicode61');

CREATE TABLE attachments (
  tenant_id    INTEGER NOT NULL,
  id           INTEGER NOT NULL,
  case_id      INTEGER NOT NULL,
  stage        TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size         INTEGER NOT NULL,
  sha256       TEXT NOT NULL,
  width        INTEGER NOT NULL,
  height       INTEGER NOT NULL,
  lat          REAL,
  lng          REAL,
  taken_at     INTEGER,
  flags        TEXT NOT NULL DEFAULT '',
  uploaded_by  INTEGER,
  uploaded_at  INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX attachments_case ON attachments (tenant_id, case_id, id);

CREATE TABLE notices (
  tenant_id   INTEGER NOT NULL,
  id          INTEGER NOT NULL,
  kind        TEXT NOT NULL,
  year        INTEGER NOT NULL,
  seq         INTEGER NOT NULL,
  number      TEXT NOT NULL,
  unit_id     INTEGER NOT NULL,
  requirement TEXT NOT NULL DEFAULT '',
  deadline_at INTEGER,
  issued_by   INTEGER,
  issued_at   INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX notices_number ON notices (tenant_id, kind, year, seq);
CREATE INDEX notices_unit ON notices (tenant_id, unit_id, id);
CREATE TABLE notice_cases (
  tenant_id INTEGER NOT NULL,
  notice_id INTEGER NOT NULL,
  case_id   INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, notice_id, case_id)
);
CREATE INDEX notice_cases_case ON notice_cases (tenant_id, case_id);

CREATE TABLE notifications (
  tenant_id  INTEGER NOT NULL,
  id         INTEGER NOT NULL,
  user_id    INTEGER NOT NULL,
  case_id    INTEGER,
  kind       TEXT NOT NULL,
  title      TEXT NOT NULL,
  body       TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  read_at    INTEGER,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX notifications_user ON notifications (tenant_id, user_id, id);

CREATE TABLE webhooks (
  tenant_id INTEGER NOT NULL,
  id        INTEGER NOT NULL,
  name      TEXT NOT NULL,
  flavour   TEXT NOT NULL,
  url       TEXT NOT NULL,
  secret    TEXT,
  active    INTEGER NOT NULL DEFAULT 1,
  PRIMARY KEY (tenant_id, id)
);

-- Messages waiting to be posted (written in the same transaction as the event they announce).
CREATE TABLE webhook_outbox (
  tenant_id       INTEGER NOT NULL,
  id              INTEGER NOT NULL,
  webhook_id      INTEGER NOT NULL,
  payload         TEXT NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  delivered_at    INTEGER,
  failed          INTEGER NOT NULL DEFAULT 0,
  last_error      TEXT,
  created_at      INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX webhook_outbox_due ON webhook_outbox (next_attempt_at) WHERE delivered_at IS NULL AND failed = 0;
