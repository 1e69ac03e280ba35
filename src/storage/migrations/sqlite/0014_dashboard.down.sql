DROP TABLE dashboard_alerts;
DROP TABLE dashboard_activity_days;
DROP TABLE dashboard_activity;
DROP TRIGGER case_open_counts_delete;
DROP TRIGGER case_open_counts_update;
DROP TRIGGER case_open_counts_insert;
DROP TABLE case_open_counts;
