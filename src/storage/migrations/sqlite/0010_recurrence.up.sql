-- Recurrence (举一反三, issue 8 part 4): a report of the same category at the same place (within
-- the duplicate radius) within recurrence_days of a close-out there is marked as a recurrence of
-- that case, and counted against the unit that closed it (kpi_counters.recurred).
-- recurrence_days 0 turns the check off.
ALTER TABLE workflow_settings ADD COLUMN recurrence_days INTEGER NOT NULL DEFAULT 30;
ALTER TABLE cases ADD COLUMN recurrence_of INTEGER;
ALTER TABLE cases ADD COLUMN recurrence_unit_id INTEGER;
-- The closed cases of a cell, newest close-out first: the recurrence check reads at most one row
-- per cell around the point, whatever the number of cases closed there.
CREATE INDEX cases_closed_cell ON cases (tenant_id, category_code, cell, closed_at)
  WHERE state = 'closed';
-- The unit's recurrences, for the case list behind the KPI figure.
CREATE INDEX cases_recurrence_unit ON cases (tenant_id, recurrence_unit_id, reported_at)
  WHERE recurrence_unit_id IS NOT NULL;
ALTER TABLE kpi_counters ADD COLUMN recurred INTEGER NOT NULL DEFAULT 0;
ALTER TABLE kpi_rollups ADD COLUMN recurred INTEGER NOT NULL DEFAULT 0;
