DROP INDEX cases_original_no;
ALTER TABLE cases DROP COLUMN import_source;
ALTER TABLE cases DROP COLUMN original_no;
