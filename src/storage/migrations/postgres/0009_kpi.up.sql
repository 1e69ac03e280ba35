-- KPIs (issue 8): counters kept by a projector over the ledger (app/kpi_service.hpp), so that no
-- KPI, ranking or dashboard query reads the cases table. docs/architecture.md, "KPIs and their
-- counters", says what each counter counts and to which day it goes. `civicloop kpi rebuild`
-- empties them and projects the whole ledger again.

-- Per tenant, cohort day (YYYYMMDD, local), assigned unit, grid, community, subdistrict, category
-- and source; 0 / '' where a case has none.
CREATE TABLE kpi_counters (
  tenant_id      BIGINT NOT NULL,
  day            BIGINT NOT NULL,
  unit_id        BIGINT NOT NULL,
  grid_id        BIGINT NOT NULL,
  community_id   BIGINT NOT NULL,
  subdistrict_id BIGINT NOT NULL,
  category_code  TEXT NOT NULL,
  source         TEXT NOT NULL,
  reported          BIGINT NOT NULL DEFAULT 0,
  filed             BIGINT NOT NULL DEFAULT 0,
  voided            BIGINT NOT NULL DEFAULT 0,
  duplicates        BIGINT NOT NULL DEFAULT 0,
  dispatched        BIGINT NOT NULL DEFAULT 0,
  returned          BIGINT NOT NULL DEFAULT 0,
  acknowledged      BIGINT NOT NULL DEFAULT 0,
  ack_on_time       BIGINT NOT NULL DEFAULT 0,
  fixed_on_site     BIGINT NOT NULL DEFAULT 0,
  parked            BIGINT NOT NULL DEFAULT 0,
  rectified         BIGINT NOT NULL DEFAULT 0,
  rectified_on_time BIGINT NOT NULL DEFAULT 0,
  verified          BIGINT NOT NULL DEFAULT 0,
  verify_failed     BIGINT NOT NULL DEFAULT 0,
  extended          BIGINT NOT NULL DEFAULT 0,
  overdue           BIGINT NOT NULL DEFAULT 0,
  closed            BIGINT NOT NULL DEFAULT 0,
  closed_on_time    BIGINT NOT NULL DEFAULT 0,
  handling_ms       BIGINT NOT NULL DEFAULT 0,
  handling_n        BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, day, unit_id, grid_id, community_id, subdistrict_id, category_code,
               source)
);
CREATE INDEX kpi_counters_unit ON kpi_counters (tenant_id, unit_id, day);
CREATE INDEX kpi_counters_grid ON kpi_counters (tenant_id, grid_id, day);
CREATE INDEX kpi_counters_community ON kpi_counters (tenant_id, community_id, day);
CREATE INDEX kpi_counters_subdistrict ON kpi_counters (tenant_id, subdistrict_id, day);

-- The same counters summed per level (unit, grid, community, subdistrict), entity and day: what the
-- KPIs and rankings read, a few rows per entity and day whatever the number of cases (the rows
-- above hold one per category and source too, for drill-downs).
CREATE TABLE kpi_rollups (
  tenant_id      BIGINT NOT NULL,
  level          TEXT NOT NULL,
  day            BIGINT NOT NULL,
  entity_id      BIGINT NOT NULL,
  reported          BIGINT NOT NULL DEFAULT 0,
  filed             BIGINT NOT NULL DEFAULT 0,
  voided            BIGINT NOT NULL DEFAULT 0,
  duplicates        BIGINT NOT NULL DEFAULT 0,
  dispatched        BIGINT NOT NULL DEFAULT 0,
  returned          BIGINT NOT NULL DEFAULT 0,
  acknowledged      BIGINT NOT NULL DEFAULT 0,
  ack_on_time       BIGINT NOT NULL DEFAULT 0,
  fixed_on_site     BIGINT NOT NULL DEFAULT 0,
  parked            BIGINT NOT NULL DEFAULT 0,
  rectified         BIGINT NOT NULL DEFAULT 0,
  rectified_on_time BIGINT NOT NULL DEFAULT 0,
  verified          BIGINT NOT NULL DEFAULT 0,
  verify_failed     BIGINT NOT NULL DEFAULT 0,
  extended          BIGINT NOT NULL DEFAULT 0,
  overdue           BIGINT NOT NULL DEFAULT 0,
  closed            BIGINT NOT NULL DEFAULT 0,
  closed_on_time    BIGINT NOT NULL DEFAULT 0,
  handling_ms       BIGINT NOT NULL DEFAULT 0,
  handling_n        BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, level, day, entity_id)
);
CREATE INDEX kpi_rollups_entity ON kpi_rollups (tenant_id, level, entity_id, day);

-- Field staff: per person (the reporter; the verifier for verifications) and day.
CREATE TABLE kpi_staff_counters (
  tenant_id   BIGINT NOT NULL,
  day         BIGINT NOT NULL,
  user_id     BIGINT NOT NULL,
  reported          BIGINT NOT NULL DEFAULT 0,
  filed             BIGINT NOT NULL DEFAULT 0,
  voided            BIGINT NOT NULL DEFAULT 0,
  duplicates        BIGINT NOT NULL DEFAULT 0,
  verified          BIGINT NOT NULL DEFAULT 0,
  verified_on_time  BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, day, user_id)
);
CREATE INDEX kpi_staff_counters_user ON kpi_staff_counters (tenant_id, user_id, day);

-- What the projector remembers of each case between its events (domain/kpi.hpp CaseMarks).
CREATE TABLE kpi_case_marks (
  tenant_id       BIGINT NOT NULL,
  case_id         BIGINT NOT NULL,
  cohort_day      BIGINT NOT NULL DEFAULT 0,
  late            INTEGER NOT NULL DEFAULT 0,
  overdue_counted INTEGER NOT NULL DEFAULT 0,
  extended        INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, case_id)
);

-- The last ledger event projected, per tenant (the watermark).
CREATE TABLE kpi_watermarks (
  tenant_id  BIGINT NOT NULL PRIMARY KEY,
  last_seq   BIGINT NOT NULL DEFAULT 0,
  updated_at BIGINT NOT NULL DEFAULT 0
);

-- The tenant's KPI rules (weights, grade bands, minimum sample, red and black lists) as the
-- preset's kpi.json document; absent: the defaults of domain/kpi.cpp.
CREATE TABLE kpi_settings (
  tenant_id  BIGINT NOT NULL PRIMARY KEY,
  doc        TEXT NOT NULL,
  updated_at BIGINT NOT NULL DEFAULT 0
);
