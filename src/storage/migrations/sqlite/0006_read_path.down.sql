DROP TRIGGER case_unit_counts_delete;
DROP TRIGGER case_unit_counts_update;
DROP TRIGGER case_unit_counts_insert;
DROP TABLE case_unit_counts;
DROP INDEX cases_open_cell;
ALTER TABLE cases DROP COLUMN cell;
CREATE INDEX cases_location ON cases (tenant_id, category_code, lat, lng);
