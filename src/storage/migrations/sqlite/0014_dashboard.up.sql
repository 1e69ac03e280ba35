-- The command-centre dashboard (指挥中心, issue 8 part 6) and the hotspots (part 4): what
-- GET /api/v1/dashboard reads instead of the cases table (docs/architecture.md, "How the dashboard
-- reads").

-- Open cases now per assigned unit × grid (0 for none), with how many of them are overdue and
-- escalated: the dashboard's "open now" and its map. Kept by the triggers below in the same
-- transaction as every insert, update and delete of a case, like case_unit_counts (0006);
-- `ledger replay --check` recounts and compares ("open_counts"). One row per unit and grid pair,
-- so a scoped reader keeps the rows whose unit or grid lies in his scope: the case list's rule.
CREATE TABLE case_open_counts (
  tenant_id       INTEGER NOT NULL,
  unit_id         INTEGER NOT NULL,
  grid_id         INTEGER NOT NULL,
  open_cases      INTEGER NOT NULL DEFAULT 0,
  overdue_cases   INTEGER NOT NULL DEFAULT 0,
  escalated_cases INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, unit_id, grid_id)
);
INSERT INTO case_open_counts (tenant_id, unit_id, grid_id, open_cases, overdue_cases,
                              escalated_cases)
  SELECT tenant_id, coalesce(assigned_unit_id, 0), coalesce(grid_id, 0), count(*),
         sum(CASE WHEN overdue <> 0 THEN 1 ELSE 0 END),
         sum(CASE WHEN escalation_level > 0 THEN 1 ELSE 0 END)
  FROM cases WHERE state NOT IN ('closed', 'voided', 'duplicate')
  GROUP BY tenant_id, coalesce(assigned_unit_id, 0), coalesce(grid_id, 0);

CREATE TRIGGER case_open_counts_insert AFTER INSERT ON cases
  WHEN new.state NOT IN ('closed', 'voided', 'duplicate')
BEGIN
  INSERT INTO case_open_counts (tenant_id, unit_id, grid_id, open_cases, overdue_cases,
                                escalated_cases)
    VALUES (new.tenant_id, coalesce(new.assigned_unit_id, 0), coalesce(new.grid_id, 0), 1,
            CASE WHEN new.overdue <> 0 THEN 1 ELSE 0 END,
            CASE WHEN new.escalation_level > 0 THEN 1 ELSE 0 END)
    ON CONFLICT (tenant_id, unit_id, grid_id) DO UPDATE SET open_cases = open_cases + 1,
      overdue_cases = overdue_cases + excluded.overdue_cases,
      escalated_cases = escalated_cases + excluded.escalated_cases;
END;

CREATE TRIGGER case_open_counts_update
  AFTER UPDATE OF state, assigned_unit_id, grid_id, overdue, escalation_level ON cases
  WHEN old.state IS NOT new.state OR old.assigned_unit_id IS NOT new.assigned_unit_id
    OR old.grid_id IS NOT new.grid_id OR old.overdue IS NOT new.overdue
    OR old.escalation_level IS NOT new.escalation_level
BEGIN
  UPDATE case_open_counts SET open_cases = open_cases - 1,
      overdue_cases = overdue_cases - CASE WHEN old.overdue <> 0 THEN 1 ELSE 0 END,
      escalated_cases = escalated_cases - CASE WHEN old.escalation_level > 0 THEN 1 ELSE 0 END
    WHERE tenant_id = old.tenant_id AND unit_id = coalesce(old.assigned_unit_id, 0)
      AND grid_id = coalesce(old.grid_id, 0)
      AND old.state NOT IN ('closed', 'voided', 'duplicate');
  INSERT INTO case_open_counts (tenant_id, unit_id, grid_id, open_cases, overdue_cases,
                                escalated_cases)
    SELECT new.tenant_id, coalesce(new.assigned_unit_id, 0), coalesce(new.grid_id, 0), 1,
           CASE WHEN new.overdue <> 0 THEN 1 ELSE 0 END,
           CASE WHEN new.escalation_level > 0 THEN 1 ELSE 0 END
    WHERE new.state NOT IN ('closed', 'voided', 'duplicate')
    ON CONFLICT (tenant_id, unit_id, grid_id) DO UPDATE SET open_cases = open_cases + 1,
      overdue_cases = overdue_cases + excluded.overdue_cases,
      escalated_cases = escalated_cases + excluded.escalated_cases;
END;

CREATE TRIGGER case_open_counts_delete AFTER DELETE ON cases
  WHEN old.state NOT IN ('closed', 'voided', 'duplicate')
BEGIN
  UPDATE case_open_counts SET open_cases = open_cases - 1,
      overdue_cases = overdue_cases - CASE WHEN old.overdue <> 0 THEN 1 ELSE 0 END,
      escalated_cases = escalated_cases - CASE WHEN old.escalation_level > 0 THEN 1 ELSE 0 END
    WHERE tenant_id = old.tenant_id AND unit_id = coalesce(old.assigned_unit_id, 0)
      AND grid_id = coalesce(old.grid_id, 0);
END;

-- What happened on each local day (YYYYMMDD), by the day it happened (not the KPI cohort): reports
-- (the report day), close-outs, cases turned overdue, escalations. Kept by the KPI projector from
-- the same events (domain/dashboard.hpp), emptied by `civicloop kpi rebuild`. Per assigned unit ×
-- grid at the event for scoped readers, and per tenant and day for the whole district.
CREATE TABLE dashboard_activity (
  tenant_id INTEGER NOT NULL,
  day       INTEGER NOT NULL,
  unit_id   INTEGER NOT NULL,
  grid_id   INTEGER NOT NULL,
  reported  INTEGER NOT NULL DEFAULT 0,
  closed    INTEGER NOT NULL DEFAULT 0,
  overdue   INTEGER NOT NULL DEFAULT 0,
  escalated INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, day, unit_id, grid_id)
);
CREATE TABLE dashboard_activity_days (
  tenant_id INTEGER NOT NULL,
  day       INTEGER NOT NULL,
  reported  INTEGER NOT NULL DEFAULT 0,
  closed    INTEGER NOT NULL DEFAULT 0,
  overdue   INTEGER NOT NULL DEFAULT 0,
  escalated INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, day)
);

-- Escalations as they happened (the dashboard's alerts), newest by ledger sequence; kept by the
-- projector.
CREATE TABLE dashboard_alerts (
  tenant_id        INTEGER NOT NULL,
  seq              INTEGER NOT NULL,
  case_id          INTEGER NOT NULL,
  case_no          TEXT NOT NULL,
  title            TEXT NOT NULL,
  escalation_level INTEGER NOT NULL,
  unit_id          INTEGER NOT NULL,
  grid_id          INTEGER NOT NULL,
  at               INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, seq)
);
