DROP TABLE kpi_settings;
DROP TABLE kpi_watermarks;
DROP TABLE kpi_case_marks;
DROP TABLE kpi_staff_counters;
DROP TABLE kpi_rollups;
DROP TABLE kpi_counters;
