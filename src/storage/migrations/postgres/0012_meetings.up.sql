-- Meetings (例会, 推进会) and the action items their decisions become (issue 8, part 8;
-- app/meeting_service.hpp). Attendees, agenda and decisions are small lists written and read with
-- their meeting, kept as JSON text (storage/meeting_repo encodes them). An action item is a row of
-- its own: it is listed per owner unit, swept by its next check and closed on its own. Every
-- change to either is a ledger event (entity types "meeting" and "action_item").
CREATE TABLE meetings (
  tenant_id       BIGINT NOT NULL,
  id              BIGINT NOT NULL,
  kind            TEXT NOT NULL,
  title           TEXT NOT NULL,
  starts_at       BIGINT NOT NULL,
  place           TEXT NOT NULL DEFAULT '',
  state           TEXT NOT NULL,
  attendees_json  TEXT NOT NULL DEFAULT '[]',
  agenda_json     TEXT NOT NULL DEFAULT '[]',
  decisions_json  TEXT NOT NULL DEFAULT '[]',
  report_json     TEXT,
  report_seq      BIGINT,
  issued_at       BIGINT,
  created_by      BIGINT,
  created_at      BIGINT NOT NULL,
  updated_at      BIGINT NOT NULL,
  version         BIGINT NOT NULL DEFAULT 1,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX meetings_kind_time ON meetings (tenant_id, kind, starts_at, id);
CREATE INDEX meetings_time ON meetings (tenant_id, starts_at, id);

CREATE TABLE action_items (
  tenant_id           BIGINT NOT NULL,
  id                  BIGINT NOT NULL,
  meeting_id          BIGINT NOT NULL,
  seq                 BIGINT NOT NULL,
  text                TEXT NOT NULL,
  owner_unit_id       BIGINT NOT NULL,
  owner_path          TEXT NOT NULL,
  owner_person_id     BIGINT,
  limit_amount        BIGINT NOT NULL,
  limit_unit          TEXT NOT NULL,
  timer_budget        BIGINT NOT NULL,
  timer_consumed      BIGINT NOT NULL,
  timer_running_since BIGINT,
  deadline_at         BIGINT NOT NULL,
  deadline_estimated  BIGINT NOT NULL DEFAULT 0,
  warned_percent      BIGINT NOT NULL DEFAULT 0,
  state               TEXT NOT NULL,
  overdue             BIGINT NOT NULL DEFAULT 0,
  escalation_level    BIGINT NOT NULL DEFAULT 0,
  next_check_at       BIGINT,
  close_note          TEXT NOT NULL DEFAULT '',
  closed_at           BIGINT,
  closed_by           BIGINT,
  photo_sha256        TEXT,
  photo_content_type  TEXT NOT NULL DEFAULT '',
  photo_flags         TEXT NOT NULL DEFAULT '',
  created_at          BIGINT NOT NULL,
  updated_at          BIGINT NOT NULL,
  version             BIGINT NOT NULL DEFAULT 1,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX action_items_decision ON action_items (tenant_id, meeting_id, seq);
CREATE INDEX action_items_owner ON action_items (tenant_id, owner_path, id);
CREATE INDEX action_items_state ON action_items (tenant_id, state, id);
CREATE INDEX action_items_photo ON action_items (tenant_id, photo_sha256) WHERE photo_sha256 IS NOT NULL;
CREATE INDEX action_items_next_check ON action_items (next_check_at) WHERE next_check_at IS NOT NULL;
