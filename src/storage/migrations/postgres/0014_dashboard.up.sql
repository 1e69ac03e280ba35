-- The command-centre dashboard (指挥中心, issue 8 part 6) and the hotspots (part 4): the same
-- tables as the SQLite migration (comments there); the triggers are one PL/pgSQL function.
CREATE TABLE case_open_counts (
  tenant_id       BIGINT NOT NULL,
  unit_id         BIGINT NOT NULL,
  grid_id         BIGINT NOT NULL,
  open_cases      BIGINT NOT NULL DEFAULT 0,
  overdue_cases   BIGINT NOT NULL DEFAULT 0,
  escalated_cases BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, unit_id, grid_id)
);
INSERT INTO case_open_counts (tenant_id, unit_id, grid_id, open_cases, overdue_cases,
                              escalated_cases)
  SELECT tenant_id, coalesce(assigned_unit_id, 0), coalesce(grid_id, 0), count(*),
         sum(CASE WHEN overdue <> 0 THEN 1 ELSE 0 END),
         sum(CASE WHEN escalation_level > 0 THEN 1 ELSE 0 END)
  FROM cases WHERE state NOT IN ('closed', 'voided', 'duplicate')
  GROUP BY tenant_id, coalesce(assigned_unit_id, 0), coalesce(grid_id, 0);

CREATE FUNCTION case_open_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.state NOT IN ('closed', 'voided', 'duplicate') THEN
    UPDATE case_open_counts SET open_cases = open_cases - 1,
        overdue_cases = overdue_cases - CASE WHEN OLD.overdue <> 0 THEN 1 ELSE 0 END,
        escalated_cases = escalated_cases - CASE WHEN OLD.escalation_level > 0 THEN 1 ELSE 0 END
      WHERE tenant_id = OLD.tenant_id AND unit_id = coalesce(OLD.assigned_unit_id, 0)
        AND grid_id = coalesce(OLD.grid_id, 0);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.state NOT IN ('closed', 'voided', 'duplicate') THEN
    INSERT INTO case_open_counts (tenant_id, unit_id, grid_id, open_cases, overdue_cases,
                                  escalated_cases)
      VALUES (NEW.tenant_id, coalesce(NEW.assigned_unit_id, 0), coalesce(NEW.grid_id, 0), 1,
              CASE WHEN NEW.overdue <> 0 THEN 1 ELSE 0 END,
              CASE WHEN NEW.escalation_level > 0 THEN 1 ELSE 0 END)
      ON CONFLICT (tenant_id, unit_id, grid_id) DO UPDATE
        SET open_cases = case_open_counts.open_cases + 1,
            overdue_cases = case_open_counts.overdue_cases + excluded.overdue_cases,
            escalated_cases = case_open_counts.escalated_cases + excluded.escalated_cases;
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER case_open_counts_insert_delete AFTER INSERT OR DELETE ON cases
  FOR EACH ROW EXECUTE FUNCTION case_open_counts_apply();
CREATE TRIGGER case_open_counts_update AFTER UPDATE ON cases FOR EACH ROW
  WHEN (OLD.state IS DISTINCT FROM NEW.state
        OR OLD.assigned_unit_id IS DISTINCT FROM NEW.assigned_unit_id
        OR OLD.grid_id IS DISTINCT FROM NEW.grid_id
        OR OLD.overdue IS DISTINCT FROM NEW.overdue
        OR OLD.escalation_level IS DISTINCT FROM NEW.escalation_level)
  EXECUTE FUNCTION case_open_counts_apply();

CREATE TABLE dashboard_activity (
  tenant_id BIGINT NOT NULL,
  day       BIGINT NOT NULL,
  unit_id   BIGINT NOT NULL,
  grid_id   BIGINT NOT NULL,
  reported  BIGINT NOT NULL DEFAULT 0,
  closed    BIGINT NOT NULL DEFAULT 0,
  overdue   BIGINT NOT NULL DEFAULT 0,
  escalated BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, day, unit_id, grid_id)
);
CREATE TABLE dashboard_activity_days (
  tenant_id BIGINT NOT NULL,
  day       BIGINT NOT NULL,
  reported  BIGINT NOT NULL DEFAULT 0,
  closed    BIGINT NOT NULL DEFAULT 0,
  overdue   BIGINT NOT NULL DEFAULT 0,
  escalated BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, day)
);
CREATE TABLE dashboard_alerts (
  tenant_id        BIGINT NOT NULL,
  seq              BIGINT NOT NULL,
  case_id          BIGINT NOT NULL,
  case_no          TEXT NOT NULL,
  title            TEXT NOT NULL,
  escalation_level BIGINT NOT NULL,
  unit_id          BIGINT NOT NULL,
  grid_id          BIGINT NOT NULL,
  at               BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, seq)
);
