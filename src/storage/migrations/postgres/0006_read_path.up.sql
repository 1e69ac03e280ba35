-- The case core's read path (issue 7, part 7): a cell key for the nearby-duplicate search and the
-- open and overdue counts of each unit, kept as cases change (docs/architecture.md). The same as
-- the SQLite migration; the triggers are one PL/pgSQL function.
--
-- The cell: the key of the 50 m square of the grid in src/domain/geo.cpp that holds the case's
-- point (NULL without one), written by CaseRepo; the back-fill uses geo::cell_of's operations in
-- its order, so both give the same key.
ALTER TABLE cases ADD COLUMN cell BIGINT;
UPDATE cases SET cell = CAST(
    floor(lat * 111320.0 / 50.0) * 4194304.0
    + floor(lng * 111320.0 * greatest(0.01, cos((floor(lat * 111320.0 / 50.0) + 0.5) * 50.0
                                                 / 111320.0 * 0.017453292519943295)) / 50.0)
    + 2097152.0 AS BIGINT)
  WHERE lat IS NOT NULL AND lng IS NOT NULL;
CREATE INDEX cases_open_cell ON cases (tenant_id, category_code, cell, id)
  WHERE state NOT IN ('closed', 'voided', 'duplicate');
DROP INDEX cases_location;

CREATE TABLE case_unit_counts (
  tenant_id     BIGINT NOT NULL,
  unit_id       BIGINT NOT NULL,
  open_cases    BIGINT NOT NULL DEFAULT 0,
  overdue_cases BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, unit_id)
);
INSERT INTO case_unit_counts (tenant_id, unit_id, open_cases, overdue_cases)
  SELECT tenant_id, assigned_unit_id, count(*), sum(CASE WHEN overdue <> 0 THEN 1 ELSE 0 END)
  FROM cases WHERE assigned_unit_id IS NOT NULL AND state NOT IN ('closed', 'voided', 'duplicate')
  GROUP BY tenant_id, assigned_unit_id;

CREATE FUNCTION case_unit_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.assigned_unit_id IS NOT NULL
     AND OLD.state NOT IN ('closed', 'voided', 'duplicate') THEN
    UPDATE case_unit_counts SET open_cases = open_cases - 1,
        overdue_cases = overdue_cases - CASE WHEN OLD.overdue <> 0 THEN 1 ELSE 0 END
      WHERE tenant_id = OLD.tenant_id AND unit_id = OLD.assigned_unit_id;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.assigned_unit_id IS NOT NULL
     AND NEW.state NOT IN ('closed', 'voided', 'duplicate') THEN
    INSERT INTO case_unit_counts (tenant_id, unit_id, open_cases, overdue_cases)
      VALUES (NEW.tenant_id, NEW.assigned_unit_id, 1,
              CASE WHEN NEW.overdue <> 0 THEN 1 ELSE 0 END)
      ON CONFLICT (tenant_id, unit_id) DO UPDATE
        SET open_cases = case_unit_counts.open_cases + 1,
            overdue_cases = case_unit_counts.overdue_cases + excluded.overdue_cases;
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER case_unit_counts_insert_delete AFTER INSERT OR DELETE ON cases
  FOR EACH ROW EXECUTE FUNCTION case_unit_counts_apply();
CREATE TRIGGER case_unit_counts_update AFTER UPDATE ON cases FOR EACH ROW
  WHEN (OLD.state IS DISTINCT FROM NEW.state
        OR OLD.assigned_unit_id IS DISTINCT FROM NEW.assigned_unit_id
        OR OLD.overdue IS DISTINCT FROM NEW.overdue)
  EXECUTE FUNCTION case_unit_counts_apply();
