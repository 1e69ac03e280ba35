-- KPIs (issue 8): counters kept by a projector over the ledger (app/kpi_service.hpp), so that no
-- KPI, ranking or dashboard query reads the cases table. docs/architecture.md, "KPIs and their
-- counters", says what each counter counts and to which day it goes. `civicloop kpi rebuild`
-- empties them and projects the whole ledger again.

-- Per tenant, cohort day (YYYYMMDD, local), assigned unit, grid, community, subdistrict, category
-- and source; 0 / '' where a case has none.
CREATE TABLE kpi_counters (
  tenant_id      INTEGER NOT NULL,
  day            INTEGER NOT NULL,
  unit_id        INTEGER NOT NULL,
  grid_id        INTEGER NOT NULL,
  community_id   INTEGER NOT NULL,
  subdistrict_id INTEGER NOT NULL,
  category_code  TEXT NOT NULL,
  source         TEXT NOT NULL,
  reported          INTEGER NOT NULL DEFAULT 0,
  filed             INTEGER NOT NULL DEFAULT 0,
  voided            INTEGER NOT NULL DEFAULT 0,
  duplicates        INTEGER NOT NULL DEFAULT 0,
  dispatched        INTEGER NOT NULL DEFAULT 0,
  returned          INTEGER NOT NULL DEFAULT 0,
  acknowledged      INTEGER NOT NULL DEFAULT 0,
  ack_on_time       INTEGER NOT NULL DEFAULT 0,
  fixed_on_site     INTEGER NOT NULL DEFAULT 0,
  parked            INTEGER NOT NULL DEFAULT 0,
  rectified         INTEGER NOT NULL DEFAULT 0,
  rectified_on_time INTEGER NOT NULL DEFAULT 0,
  verified          INTEGER NOT NULL DEFAULT 0,
  verify_failed     INTEGER NOT NULL DEFAULT 0,
  extended          INTEGER NOT NULL DEFAULT 0,
  overdue           INTEGER NOT NULL DEFAULT 0,
  closed            INTEGER NOT NULL DEFAULT 0,
  closed_on_time    INTEGER NOT NULL DEFAULT 0,
  handling_ms       INTEGER NOT NULL DEFAULT 0,
  handling_n        INTEGER NOT NULL DEFAULT 0,
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
  tenant_id      INTEGER NOT NULL,
  level          TEXT NOT NULL,
  day            INTEGER NOT NULL,
  entity_id      INTEGER NOT NULL,
  reported          INTEGER NOT NULL DEFAULT 0,
  filed             INTEGER NOT NULL DEFAULT 0,
  voided            INTEGER NOT NULL DEFAULT 0,
  duplicates        INTEGER NOT NULL DEFAULT 0,
  dispatched        INTEGER NOT NULL DEFAULT 0,
  returned          INTEGER NOT NULL DEFAULT 0,
  acknowledged      INTEGER NOT NULL DEFAULT 0,
  ack_on_time       INTEGER NOT NULL DEFAULT 0,
  fixed_on_site     INTEGER NOT NULL DEFAULT 0,
  parked            INTEGER NOT NULL DEFAULT 0,
  rectified         INTEGER NOT NULL DEFAULT 0,
  rectified_on_time INTEGER NOT NULL DEFAULT 0,
  verified          INTEGER NOT NULL DEFAULT 0,
  verify_failed     INTEGER NOT NULL DEFAULT 0,
  extended          INTEGER NOT NULL DEFAULT 0,
  overdue           INTEGER NOT NULL DEFAULT 0,
  closed            INTEGER NOT NULL DEFAULT 0,
  closed_on_time    INTEGER NOT NULL DEFAULT 0,
  handling_ms       INTEGER NOT NULL DEFAULT 0,
  handling_n        INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, level, day, entity_id)
);
CREATE INDEX kpi_rollups_entity ON kpi_rollups (tenant_id, level, entity_id, day);

-- Field staff: per person (the reporter; the verifier for verifications) and day.
CREATE TABLE kpi_staff_counters (
  tenant_id   INTEGER NOT NULL,
  day         INTEGER NOT NULL,
  user_id     INTEGER NOT NULL,
  reported          INTEGER NOT NULL DEFAULT 0,
  filed             INTEGER NOT NULL DEFAULT 0,
  voided            INTEGER NOT NULL DEFAULT 0,
  duplicates        INTEGER NOT NULL DEFAULT 0,
  verified          INTEGER NOT NULL DEFAULT 0,
  verified_on_time  INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, day, user_id)
);
CREATE INDEX kpi_staff_counters_user ON kpi_staff_counters (tenant_id, user_id, day);

-- What the projector remembers of each case between its events (domain/kpi.hpp CaseMarks).
CREATE TABLE kpi_case_marks (
  tenant_id       INTEGER NOT NULL,
  case_id         INTEGER NOT NULL,
  cohort_day      INTEGER NOT NULL DEFAULT 0,
  late            INTEGER NOT NULL DEFAULT 0,
  overdue_counted INTEGER NOT NULL DEFAULT 0,
  extended        INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, case_id)
);

-- The last ledger event projected, per tenant (the watermark).
CREATE TABLE kpi_watermarks (
  tenant_id  INTEGER NOT NULL PRIMARY KEY,
  last_seq   INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER NOT NULL DEFAULT 0
);

-- The tenant's KPI rules (weights, grade bands, minimum sample, red and black lists) as the
-- preset's kpi.json document; absent: the defaults of domain/kpi.cpp.
CREATE TABLE kpi_settings (
  tenant_id  INTEGER NOT NULL PRIMARY KEY,
  doc        TEXT NOT NULL,
  updated_at INTEGER NOT NULL DEFAULT 0
);
