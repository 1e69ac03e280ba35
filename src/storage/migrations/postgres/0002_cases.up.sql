-- civicloop schema 0002: the closed loop of cases (PostgreSQL dialect).
-- Categories, drives, the working-time calendar, routing rules and workflow settings are tenant
-- data (loaded from the preset, edited by the HQ office). Cases are projections of their ledger
-- events; attachments keep metadata here and bytes in the media directory.

CREATE TABLE campaign_drives (
  tenant_id  BIGINT NOT NULL,
  code       TEXT NOT NULL,
  name       TEXT NOT NULL,
  name_en    TEXT,
  sort_order BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, code)
);

CREATE TABLE case_categories (
  tenant_id            BIGINT NOT NULL,
  code                 TEXT NOT NULL,
  parent_code          TEXT,
  kind                 TEXT NOT NULL,
  name                 TEXT NOT NULL,
  name_en              TEXT,
  drive                TEXT,
  filing_condition     TEXT NOT NULL DEFAULT '',
  closing_condition    TEXT NOT NULL DEFAULT '',
  notice_kind          TEXT NOT NULL DEFAULT 'rectification',
  limit_amount         BIGINT,
  limit_unit           TEXT,
  responsible_kind     TEXT,
  responsible_unit_id  BIGINT,
  supervising_group_id BIGINT,
  keywords             TEXT NOT NULL DEFAULT '',
  sort_order           BIGINT NOT NULL DEFAULT 0,
  active               BIGINT NOT NULL DEFAULT 1,
  version              BIGINT NOT NULL DEFAULT 1,
  PRIMARY KEY (tenant_id, code)
);

CREATE TABLE calendars (
  tenant_id          BIGINT NOT NULL PRIMARY KEY,
  utc_offset_minutes BIGINT NOT NULL,
  periods            TEXT NOT NULL,
  version            BIGINT NOT NULL DEFAULT 1
);

-- One row per entered year; its holidays and make-up working days below.
CREATE TABLE calendar_years (
  tenant_id BIGINT NOT NULL,
  year      BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, year)
);
CREATE TABLE calendar_days (
  tenant_id BIGINT NOT NULL,
  day       TEXT NOT NULL,
  kind      TEXT NOT NULL,
  PRIMARY KEY (tenant_id, day)
);

CREATE TABLE routing_rules (
  tenant_id            BIGINT NOT NULL,
  id                   BIGINT NOT NULL,
  position             BIGINT NOT NULL,
  name                 TEXT NOT NULL,
  category             TEXT,
  category_prefix      TEXT,
  area_unit_id         BIGINT,
  area_kind            TEXT,
  from_minute          BIGINT,
  to_minute            BIGINT,
  unit_id              BIGINT,
  unit_by_area         TEXT,
  supervising_group_id BIGINT,
  active               BIGINT NOT NULL DEFAULT 1,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX routing_rules_position ON routing_rules (tenant_id, position, id);

CREATE TABLE workflow_settings (
  tenant_id                 BIGINT NOT NULL PRIMARY KEY,
  acknowledge_limit_amount  BIGINT NOT NULL,
  acknowledge_limit_unit    TEXT NOT NULL,
  verify_limit_amount       BIGINT NOT NULL,
  verify_limit_unit         TEXT NOT NULL,
  escalation_percents       TEXT NOT NULL,
  duplicate_radius_m        BIGINT NOT NULL,
  evidence_distance_m       BIGINT NOT NULL,
  rectification_number_format TEXT NOT NULL,
  reminder_number_format    TEXT NOT NULL,
  issuer                    TEXT NOT NULL
);

CREATE TABLE cases (
  tenant_id            BIGINT NOT NULL,
  id                   BIGINT NOT NULL,
  case_no              TEXT NOT NULL,
  state                TEXT NOT NULL,
  source               TEXT NOT NULL,
  category_code        TEXT NOT NULL,
  title                TEXT NOT NULL,
  description          TEXT NOT NULL DEFAULT '',
  address              TEXT NOT NULL DEFAULT '',
  lat                  DOUBLE PRECISION,
  lng                  DOUBLE PRECISION,
  grid_id              BIGINT,
  community_id         BIGINT,
  subdistrict_id       BIGINT,
  area_path            TEXT NOT NULL DEFAULT '',
  reporter_user_id     BIGINT,
  reporter_name        TEXT NOT NULL DEFAULT '',
  assigned_unit_id     BIGINT,
  assigned_path        TEXT,
  supervising_group_id BIGINT,
  routing_rule         TEXT,
  duplicate_of         BIGINT,
  rework_count         BIGINT NOT NULL DEFAULT 0,
  escalation_level     BIGINT NOT NULL DEFAULT 0,
  extension_pending    BIGINT NOT NULL DEFAULT 0,
  extension_request    TEXT,
  parked_from          TEXT,
  park_review_date     TEXT,
  notice_id            BIGINT,
  timer_stage          TEXT,
  timer_unit           TEXT,
  timer_budget         BIGINT,
  timer_consumed       BIGINT,
  timer_running_since  BIGINT,
  deadline_at          BIGINT,
  deadline_estimated   BIGINT NOT NULL DEFAULT 0,
  warned_percent       BIGINT NOT NULL DEFAULT 0,
  overdue              BIGINT NOT NULL DEFAULT 0,
  next_check_at        BIGINT,
  search_terms         TEXT NOT NULL DEFAULT '',
  reported_at          BIGINT NOT NULL,
  filed_at             BIGINT,
  dispatched_at        BIGINT,
  rectified_at         BIGINT,
  closed_at            BIGINT,
  updated_at           BIGINT NOT NULL,
  version              BIGINT NOT NULL DEFAULT 1,
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

-- Full-text search: the terms of title, description and address (domain/search.hpp), as an
-- array under a GIN index; a query asks that the case's terms contain all of the query's.
CREATE INDEX cases_search ON cases USING gin (string_to_array(search_terms, ' '));

CREATE TABLE attachments (
  tenant_id    BIGINT NOT NULL,
  id           BIGINT NOT NULL,
  case_id      BIGINT NOT NULL,
  stage        TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size         BIGINT NOT NULL,
  sha256       TEXT NOT NULL,
  width        BIGINT NOT NULL,
  height       BIGINT NOT NULL,
  lat          DOUBLE PRECISION,
  lng          DOUBLE PRECISION,
  taken_at     BIGINT,
  flags        TEXT NOT NULL DEFAULT '',
  uploaded_by  BIGINT,
  uploaded_at  BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX attachments_case ON attachments (tenant_id, case_id, id);

CREATE TABLE notices (
  tenant_id   BIGINT NOT NULL,
  id          BIGINT NOT NULL,
  kind        TEXT NOT NULL,
  year        BIGINT NOT NULL,
  seq         BIGINT NOT NULL,
  number      TEXT NOT NULL,
  unit_id     BIGINT NOT NULL,
  requirement TEXT NOT NULL DEFAULT '',
  deadline_at BIGINT,
  issued_by   BIGINT,
  issued_at   BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX notices_number ON notices (tenant_id, kind, year, seq);
CREATE INDEX notices_unit ON notices (tenant_id, unit_id, id);
CREATE TABLE notice_cases (
  tenant_id BIGINT NOT NULL,
  notice_id BIGINT NOT NULL,
  case_id   BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, notice_id, case_id)
);
CREATE INDEX notice_cases_case ON notice_cases (tenant_id, case_id);

CREATE TABLE notifications (
  tenant_id  BIGINT NOT NULL,
  id         BIGINT NOT NULL,
  user_id    BIGINT NOT NULL,
  case_id    BIGINT,
  kind       TEXT NOT NULL,
  title      TEXT NOT NULL,
  body       TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  read_at    BIGINT,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX notifications_user ON notifications (tenant_id, user_id, id);

CREATE TABLE webhooks (
  tenant_id BIGINT NOT NULL,
  id        BIGINT NOT NULL,
  name      TEXT NOT NULL,
  flavour   TEXT NOT NULL,
  url       TEXT NOT NULL,
  secret    TEXT,
  active    BIGINT NOT NULL DEFAULT 1,
  PRIMARY KEY (tenant_id, id)
);

-- Messages waiting to be posted (written in the same transaction as the event they announce).
CREATE TABLE webhook_outbox (
  tenant_id       BIGINT NOT NULL,
  id              BIGINT NOT NULL,
  webhook_id      BIGINT NOT NULL,
  payload         TEXT NOT NULL,
  attempts        BIGINT NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  delivered_at    BIGINT,
  failed          BIGINT NOT NULL DEFAULT 0,
  last_error      TEXT,
  created_at      BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX webhook_outbox_due ON webhook_outbox (next_attempt_at) WHERE delivered_at IS NULL AND failed = 0;
