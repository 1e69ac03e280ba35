DROP TABLE dashboard_alerts;
DROP TABLE dashboard_activity_days;
DROP TABLE dashboard_activity;
DROP TRIGGER case_open_counts_update ON cases;
DROP TRIGGER case_open_counts_insert_delete ON cases;
DROP FUNCTION case_open_counts_apply();
DROP TABLE case_open_counts;
