DROP INDEX kpi_hotspot_months_top;
DROP TABLE kpi_hotspot_months;
DROP TABLE kpi_report_days;
