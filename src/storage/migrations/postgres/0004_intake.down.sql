ALTER TABLE workflow_settings DROP COLUMN outside_area_policy;
