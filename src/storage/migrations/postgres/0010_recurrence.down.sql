ALTER TABLE kpi_rollups DROP COLUMN recurred;
ALTER TABLE kpi_counters DROP COLUMN recurred;
DROP INDEX cases_recurrence_unit;
DROP INDEX cases_closed_cell;
ALTER TABLE cases DROP COLUMN recurrence_unit_id;
ALTER TABLE cases DROP COLUMN recurrence_of;
ALTER TABLE workflow_settings DROP COLUMN recurrence_days;
