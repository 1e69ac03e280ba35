-- The case core's read path (issue 7, part 7): a cell key for the nearby-duplicate search and the
-- open and overdue counts of each unit, kept as cases change (docs/architecture.md).
--
-- The cell: the key of the kCellMetres (50 m) square of the grid in src/domain/geo.cpp that holds
-- the case's point; NULL without a point. Derived from lat and lng like search_terms from the
-- text, written by CaseRepo on every insert and update. The back-fill below uses the same
-- operations in the same order as geo::cell_of, so both give the same key.
ALTER TABLE cases ADD COLUMN cell INTEGER;
UPDATE cases SET cell = CAST(
    floor(lat * 111320.0 / 50.0) * 4194304.0
    + floor(lng * 111320.0 * max(0.01, cos((floor(lat * 111320.0 / 50.0) + 0.5) * 50.0 / 111320.0
                                            * 0.017453292519943295)) / 50.0)
    + 2097152.0 AS INTEGER)
  WHERE lat IS NOT NULL AND lng IS NOT NULL;
-- Only open cases are candidates for a duplicate; newest first within a cell.
CREATE INDEX cases_open_cell ON cases (tenant_id, category_code, cell, id)
  WHERE state NOT IN ('closed', 'voided', 'duplicate');
-- The bounding-box index it replaces (only the duplicate search read it).
DROP INDEX cases_location;

-- Open and overdue (open and overdue = 1) cases per assigned unit: the responsibility list. Kept
-- by the triggers below in the same transaction as every insert, update and delete of a case,
-- whoever writes it; `ledger replay --check` recounts and compares.
CREATE TABLE case_unit_counts (
  tenant_id     INTEGER NOT NULL,
  unit_id       INTEGER NOT NULL,
  open_cases    INTEGER NOT NULL DEFAULT 0,
  overdue_cases INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, unit_id)
);
INSERT INTO case_unit_counts (tenant_id, unit_id, open_cases, overdue_cases)
  SELECT tenant_id, assigned_unit_id, count(*), sum(CASE WHEN overdue <> 0 THEN 1 ELSE 0 END)
  FROM cases WHERE assigned_unit_id IS NOT NULL AND state NOT IN ('closed', 'voided', 'duplicate')
  GROUP BY tenant_id, assigned_unit_id;

CREATE TRIGGER case_unit_counts_insert AFTER INSERT ON cases
  WHEN new.assigned_unit_id IS NOT NULL AND new.state NOT IN ('closed', 'voided', 'duplicate')
BEGIN
  INSERT INTO case_unit_counts (tenant_id, unit_id, open_cases, overdue_cases)
    VALUES (new.tenant_id, new.assigned_unit_id, 1, CASE WHEN new.overdue <> 0 THEN 1 ELSE 0 END)
    ON CONFLICT (tenant_id, unit_id) DO UPDATE SET open_cases = open_cases + 1,
      overdue_cases = overdue_cases + excluded.overdue_cases;
END;

CREATE TRIGGER case_unit_counts_update AFTER UPDATE OF state, assigned_unit_id, overdue ON cases
  WHEN old.state IS NOT new.state OR old.assigned_unit_id IS NOT new.assigned_unit_id
    OR old.overdue IS NOT new.overdue
BEGIN
  UPDATE case_unit_counts SET open_cases = open_cases - 1,
      overdue_cases = overdue_cases - CASE WHEN old.overdue <> 0 THEN 1 ELSE 0 END
    WHERE tenant_id = old.tenant_id AND unit_id = old.assigned_unit_id
      AND old.state NOT IN ('closed', 'voided', 'duplicate');
  INSERT INTO case_unit_counts (tenant_id, unit_id, open_cases, overdue_cases)
    SELECT new.tenant_id, new.assigned_unit_id, 1, CASE WHEN new.overdue <> 0 THEN 1 ELSE 0 END
    WHERE new.assigned_unit_id IS NOT NULL AND new.state NOT IN ('closed', 'voided', 'duplicate')
    ON CONFLICT (tenant_id, unit_id) DO UPDATE SET open_cases = open_cases + 1,
      overdue_cases = overdue_cases + excluded.overdue_cases;
END;

CREATE TRIGGER case_unit_counts_delete AFTER DELETE ON cases
  WHEN old.assigned_unit_id IS NOT NULL AND old.state NOT IN ('closed', 'voided', 'duplicate')
BEGIN
  UPDATE case_unit_counts SET open_cases = open_cases - 1,
      overdue_cases = overdue_cases - CASE WHEN old.overdue <> 0 THEN 1 ELSE 0 END
    WHERE tenant_id = old.tenant_id AND unit_id = old.assigned_unit_id;
END;
